import EmoscopeAudio
import EmoscopeTestSupport
import Foundation
import Testing

/// Each kind of bad input gets its own error, naming the file; nothing crashes.
@Suite("bad input")
struct BadInputTests {
    let folder = TemporaryDirectory()

    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = folder.path(name)
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func validFile(_ name: String, format: AudioFileFormat, seconds: Double = 1) throws -> String {
        let path = folder.path(name)
        try AudioFileWriter.write(Signals.sine(frequency: 300, seconds: seconds), sampleRate: 16_000, to: path, format: format)
        return path
    }

    func decode(_ path: String) throws(AudioError) -> DecodedAudio {
        try AudioDecoder().decode(path: path)
    }

    /// A canonical 44-byte WAV header for 16-bit mono at `rate` announcing `dataBytes`.
    static func wavHeader(rate: UInt32 = 16_000, dataBytes: UInt32) -> [UInt8] {
        func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
        func le16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
        return Array("RIFF".utf8) + le32(36 + dataBytes) + Array("WAVEfmt ".utf8) + le32(16) + le16(1) + le16(1)
            + le32(rate) + le32(rate * 2) + le16(2) + le16(16) + Array("data".utf8) + le32(dataBytes)
    }

    @Test func missingFile() {
        let path = folder.path("nope.wav")
        #expect(throws: AudioError.missing(path: path)) { try decode(path) }
        #expect(AudioError.missing(path: path).description == "\(path): no such file")
    }

    @Test func directoryIsNotAFile() {
        #expect(throws: AudioError.notAFile(path: folder.url.path)) { try decode(folder.url.path) }
    }

    @Test func emptyFile() {
        let path = write("empty.wav", [])
        #expect(throws: AudioError.empty(path: path)) { try decode(path) }
    }

    @Test func headerWithoutFrames() {
        let path = write("header-only.wav", Self.wavHeader(dataBytes: 0))
        #expect(throws: AudioError.empty(path: path)) { try decode(path) }
    }

    @Test func textIsNotAudio() {
        let path = write("notes.wav", Array("these are not the samples you are looking for\n".utf8))
        #expect(throws: AudioError.notAudio(path: path)) { try decode(path) }
        let random = write("random.flac", (0..<4_096).map { _ in UInt8.random(in: 0...255) })
        #expect(throws: AudioError.notAudio(path: random)) { try decode(random) }
    }

    @Test func truncatedWAV() throws {
        // The header announces 1 s; the file holds 0.25 s.
        let path = write("cut.wav", Self.wavHeader(dataBytes: 32_000) + [UInt8](repeating: 0x10, count: 8_000))
        do {
            _ = try decode(path)
            Issue.record("a truncated WAV decoded without error")
        } catch {
            guard case .truncated(let errorPath, let read, let expected) = error else {
                Issue.record("expected .truncated, got \(error)")
                return
            }
            #expect(errorPath == path && read == 4_000 && expected == 16_000)
            #expect(error.description.contains("header announces 16000 frames but the file ends after 4000"))
        }
    }

    @Test func truncatedFLAC() throws {
        let whole = try validFile("whole.flac", format: .flac16, seconds: 2)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: whole)))
        let path = write("cut.flac", Array(bytes.prefix(bytes.count / 2)))
        do {
            _ = try decode(path)
            Issue.record("a truncated FLAC decoded without error")
        } catch {
            switch error {
            case .corrupt(_, let read, _), .truncated(_, let read, _):
                #expect(read > 0 && read < 32_000, "frames read \(read)")
            default: Issue.record("expected .corrupt or .truncated, got \(error)")
            }
        }
    }

    @Test func corruptFLACData() throws {
        let whole = try validFile("whole.flac", format: .flac16, seconds: 2)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: whole)))
        for i in stride(from: bytes.count / 3, to: bytes.count, by: 7) { bytes[i] ^= 0x5A }
        let path = write("damaged.flac", bytes)
        do {
            let audio = try decode(path)
            Issue.record("damaged FLAC decoded \(audio.samples.count) samples without error")
        } catch {
            switch error {
            case .corrupt, .truncated: break
            default: Issue.record("expected .corrupt or .truncated, got \(error)")
            }
        }
    }

    @Test func malformedHeader() {
        // RIFF/WAVE with a format chunk claiming zero channels.
        var header = Self.wavHeader(dataBytes: 3_200)
        header[22] = 0
        let path = write("zero-channels.wav", header + [UInt8](repeating: 0, count: 3_200))
        do {
            _ = try decode(path)
            Issue.record("a zero-channel WAV decoded")
        } catch {
            switch error {
            case .corrupt(let errorPath, _, let reason), .unsupported(let errorPath, let reason):
                #expect(errorPath == path && !reason.isEmpty)
            default: Issue.record("expected .corrupt or .unsupported, got \(error)")
            }
        }
    }

    /// A float WAV holding NaN or infinity is refused where the bad sample is, not passed on.
    @Test(arguments: [Float.nan, Float.infinity, -Float.infinity])
    func nonFiniteFloatSamples(value: Float) throws {
        func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
        func le16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
        var samples = Signals.sine(frequency: 300, seconds: 0.5)
        samples[3_000] = value
        let data = samples.flatMap { le32($0.bitPattern) }
        let header = Array("RIFF".utf8) + le32(36 + UInt32(data.count)) + Array("WAVEfmt ".utf8) + le32(16) + le16(3) + le16(1)
            + le32(16_000) + le32(64_000) + le16(4) + le16(32) + Array("data".utf8) + le32(UInt32(data.count))
        let path = write("nonfinite.wav", header + data)
        #expect(throws: AudioError.corrupt(path: path, framesRead: 3_000, reason: "a sample that is not a finite number (NaN or infinity)")) {
            try decode(path)
        }
        #expect(throws: AudioError.corrupt(path: path, framesRead: 3_000, reason: "a sample that is not a finite number (NaN or infinity)")) {
            try AudioDecoder().stream(path: path, chunkFrames: 1_024) { _ in }  // found in the third chunk, counted from the start
        }
        samples[3_000] = 0.5
        let fine = write("finite.wav", header + samples.flatMap { le32($0.bitPattern) })
        #expect(try decode(fine).samples.count == samples.count)
    }

    @Test func unsupportedSampleRate() {
        let path = write("slow.wav", Self.wavHeader(rate: 4_000, dataBytes: 800) + [UInt8](repeating: 0, count: 800))
        #expect(throws: AudioError.unsupported(path: path, reason: "sample rate 4000 Hz (must be 8–192 kHz)")) { try decode(path) }
    }

    @Test func unreadableFile() throws {
        let path = try validFile("secret.wav", format: .wav16)
        chmod(path, 0)
        defer { chmod(path, 0o644) }
        guard getuid() != 0 else {
            // root reads any file; EndToEndTests checks this case with the real binary as `nobody`.
            #expect(throws: Never.self) { try decode(path) }
            return
        }
        #expect(throws: AudioError.unreadable(path: path, reason: "permission denied")) { try decode(path) }
    }

    @Test func errorKindsAreStable() {
        let kinds = [
            AudioError.missing(path: "a"), .notAFile(path: "a"), .unreadable(path: "a", reason: "r"), .empty(path: "a"),
            .notAudio(path: "a"), .truncated(path: "a", framesRead: 1, framesExpected: 2),
            .corrupt(path: "a", framesRead: 0, reason: "r"), .unsupported(path: "a", reason: "r"),
            .tooLong(path: "a", seconds: 2, limit: 1), .writeFailed(path: "a", reason: "r"),
        ].map(\.kind)
        #expect(Set(kinds).count == kinds.count)
    }
}

/// The development corpus in ../shared decodes, and soxr's 48 → 16 kHz conversion agrees
/// with the corpus's own 16 kHz versions (made from the same originals with sox).
@Suite("RAVDESS files in ../shared", .enabled(if: Corpus.isAvailable, Comment(rawValue: Corpus.absentMessage)))
struct SharedCorpusTests {
    @Test func all1440ClipsDecode() throws {
        let clips = Corpus.allClips()
        #expect(clips.count == 1_440)
        let decoder = AudioDecoder()
        var shortest = Double.infinity, longest = 0.0
        for clip in clips {
            let audio = try decoder.decode(path: clip)
            #expect(audio.source.sampleRate == 16_000 && audio.source.channels == 1)
            shortest = min(shortest, audio.duration)
            longest = max(longest, audio.duration)
        }
        #expect(shortest > 2.5 && longest < 6, "durations \(shortest)…\(longest) s")
    }

    @Test(arguments: ["03-01-01-01-01-01-01", "03-01-05-01-01-01-01", "03-01-08-01-01-01-01"])
    func resampled48kMatchesCorpus16k(name: String) throws {
        let original = try AudioDecoder().decode(path: Corpus.sample48k.appendingPathComponent(name + ".wav").path)
        let reference = try AudioDecoder().decode(path: Corpus.clip("Actor_01", name))
        #expect(original.source.sampleRate == 48_000)
        #expect(abs(original.samples.count - reference.samples.count) <= 2)
        let count = min(original.samples.count, reference.samples.count)
        var error = 0.0, energy = 0.0
        for i in 0..<count {
            let d = Double(original.samples[i] - reference.samples[i])
            error += d * d
            energy += Double(reference.samples[i]) * Double(reference.samples[i])
        }
        let snr = 10 * log10(energy / max(error, 1e-20))
        #expect(snr > 30, "soxr vs sox: \(snr) dB")
    }
}

@Test("the corpus is present where it must be (CI)")
func corpusPresenceIsChecked() {
    if Corpus.isRequired {
        #expect(Corpus.isAvailable, Comment(rawValue: Corpus.absentMessage))
    }
}
