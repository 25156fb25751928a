import EmoscopeAudio
import EmoscopeTestSupport
import Foundation
import Testing

/// Every format libsndfile writes here decodes to 16 kHz mono with the sine's frequency and
/// level intact. Files are generated at test time.
@Suite("decoding formats and rates")
struct DecodingTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let format: AudioFileFormat
        let rate: Int
        let channels: Int
        let formatName: String
        /// Relative level tolerance (lossy codecs change the level a little).
        let levelTolerance: Double
        var testDescription: String { "\(format.rawValue) \(rate) Hz \(channels) ch" }
    }

    static let formats: [Case] = [
        Case(format: .wavUnsigned8, rate: 22_050, channels: 1, formatName: "WAV / PCM 8-bit", levelTolerance: 0.02),
        Case(format: .wav16, rate: 44_100, channels: 2, formatName: "WAV / PCM 16-bit", levelTolerance: 0.01),
        Case(format: .wav24, rate: 48_000, channels: 1, formatName: "WAV / PCM 24-bit", levelTolerance: 0.01),
        Case(format: .wav32, rate: 96_000, channels: 2, formatName: "WAV / PCM 32-bit", levelTolerance: 0.01),
        Case(format: .wavFloat, rate: 16_000, channels: 1, formatName: "WAV / float 32-bit", levelTolerance: 0.01),
        Case(format: .wavex16, rate: 48_000, channels: 6, formatName: "WAVEX / PCM 16-bit", levelTolerance: 0.01),
        Case(format: .flac16, rate: 16_000, channels: 1, formatName: "FLAC / PCM 16-bit", levelTolerance: 0.01),
        Case(format: .flac24, rate: 192_000, channels: 2, formatName: "FLAC / PCM 24-bit", levelTolerance: 0.01),
        Case(format: .oggVorbis, rate: 44_100, channels: 2, formatName: "Ogg / Vorbis", levelTolerance: 0.1),
        Case(format: .oggOpus, rate: 48_000, channels: 1, formatName: "Ogg / Opus", levelTolerance: 0.1),
        Case(format: .mp3, rate: 44_100, channels: 1, formatName: "MPEG / MP3", levelTolerance: 0.1),
    ]

    static let rates = [8_000, 11_025, 16_000, 22_050, 32_000, 44_100, 48_000, 88_200, 96_000, 176_400, 192_000]

    /// Writes a 1 s 440 Hz sine (amplitude 0.5) of the given shape and decodes it.
    static func roundTrip(_ format: AudioFileFormat, rate: Int, channels: Int, in folder: TemporaryDirectory) throws -> DecodedAudio {
        let mono = Signals.sine(frequency: 440, seconds: 1, sampleRate: rate)
        let interleaved = mono.flatMap { repeatElement($0, count: channels) }
        let path = folder.path("tone.\(format.fileExtension)")
        let writer = try AudioFileWriter(path: path, format: format, sampleRate: rate, channels: channels)
        try writer.write(interleaved)
        try writer.finish()
        return try AudioDecoder().decode(path: path)
    }

    static func expectSine(_ audio: DecodedAudio, levelTolerance: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(audio.sampleRate == 16_000, sourceLocation: sourceLocation)
        #expect(abs(audio.duration - 1) < 0.08, "duration \(audio.duration) s", sourceLocation: sourceLocation)
        let middle = Array(audio.samples[4_000..<8_000])
        let frequency = Signals.dominantFrequency(middle, sampleRate: 16_000, around: 440, span: 10, step: 0.25)
        #expect(abs(frequency - 440) <= 0.5, "frequency \(frequency) Hz", sourceLocation: sourceLocation)
        let level = Signals.rms(middle) / (0.5 / 2.0.squareRoot())
        #expect(abs(level - 1) < levelTolerance, "level ratio \(level)", sourceLocation: sourceLocation)
    }

    @Test("each format decodes", arguments: formats)
    func format(_ testCase: Case) throws {
        let folder = TemporaryDirectory()
        let audio = try Self.roundTrip(testCase.format, rate: testCase.rate, channels: testCase.channels, in: folder)
        #expect(audio.source.format == testCase.formatName)
        #expect(audio.source.channels == testCase.channels)
        Self.expectSine(audio, levelTolerance: testCase.levelTolerance)
    }

    @Test("resampling keeps frequency and level", arguments: rates)
    func rate(_ rate: Int) throws {
        let folder = TemporaryDirectory()
        let audio = try Self.roundTrip(.wavFloat, rate: rate, channels: 1, in: folder)
        #expect(audio.source.sampleRate == rate)
        #expect(abs(audio.samples.count - 16_000) <= 2, "\(audio.samples.count) samples")
        Self.expectSine(audio, levelTolerance: 0.005)
    }

    @Test func downmixAveragesChannels() throws {
        let folder = TemporaryDirectory()
        let path = folder.path("lr.wav")
        // Left = +0.5, right = −0.1 everywhere: the mono mix is 0.2.
        let frames = 1_600
        let writer = try AudioFileWriter(path: path, format: .wavFloat, sampleRate: 16_000, channels: 2)
        try writer.write((0..<frames).flatMap { _ in [Float(0.5), Float(-0.1)] })
        try writer.finish()
        let audio = try AudioDecoder().decode(path: path)
        #expect(audio.samples.count == frames)
        #expect(audio.samples.allSatisfy { abs($0 - 0.2) < 1e-6 })
    }

    @Test func longFilesStreamInBoundedChunks() throws {
        // 10 minutes at 48 kHz (28.8 M source frames): the decoder hands out 16 kHz chunks of
        // about one resampled source chunk, never the whole file.
        let folder = TemporaryDirectory()
        let path = folder.path("long.wav")
        let writer = try AudioFileWriter(path: path, format: .wav16, sampleRate: 48_000)
        let second = Signals.sine(frequency: 300, seconds: 1, sampleRate: 48_000, amplitude: 0.25)
        for _ in 0..<600 { try writer.write(second) }
        try writer.finish()
        var total = 0, largest = 0, chunks = 0
        let info = try AudioDecoder().stream(path: path, chunkFrames: 16_384) { chunk in
            total += chunk.count
            largest = max(largest, chunk.count)
            chunks += 1
        }
        #expect(info.frames == 28_800_000)
        #expect(abs(total - 9_600_000) <= 2)
        // soxr may release a little of the previous chunk's tail with the next one.
        #expect(largest <= 2 * 16_384 / 3, "largest chunk \(largest)")
        #expect(chunks > 1_000)
        #expect(throws: AudioError.tooLong(path: path, seconds: 600, limit: 60)) {
            try AudioDecoder(maximumDuration: 60).decode(path: path)
        }
    }

    @Test func writesAreAtomic() throws {
        let folder = TemporaryDirectory()
        let path = folder.path("keep.wav")
        try AudioFileWriter.write(Signals.sine(frequency: 200, seconds: 0.5), sampleRate: 16_000, to: path, format: .wav16)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let writer = try AudioFileWriter(path: path, format: .flac16, sampleRate: 16_000)
        try writer.write(Signals.sine(frequency: 900, seconds: 0.5))
        // Until finish(), the old file is untouched and the new one lives in a hidden temporary.
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        writer.cancel()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.url.path)
        #expect(leftovers == ["keep.wav"], "left behind: \(leftovers)")
    }
}
