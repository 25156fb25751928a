import EmoscopeAudio
import EmoscopeTestSupport
import Foundation
import Testing

/// Capture and playback through the real ALSA API, fed and drained by ALSA's `file` plugin (no sound card
/// needed): each test writes a self-contained ALSA configuration into a temporary directory and opens its
/// PCMs with `configFile:`, leaving the process-wide ALSA configuration alone.
@Suite("ALSA capture and playback")
struct ALSATests {
    /// A configuration with `speech` (capture: plays `input`, raw S16_LE 16 kHz mono) and `sink`
    /// (playback: writes raw S16_LE 16 kHz mono to `output`).
    static func writeConfig(in folder: TemporaryDirectory, input: String = "/dev/null", output: String = "/dev/null") throws -> String {
        let config = """
            pcm.rawin { type file  slave { pcm { type null } }  file "/dev/null"  infile "\(input)"  format "raw" }
            pcm.speech { type plug  slave { pcm "rawin" format S16_LE rate 16000 channels 1 } }
            pcm.rawout { type file  slave { pcm { type null } }  file "\(output)"  format "raw" }
            pcm.sink { type plug  slave { pcm "rawout" format S16_LE rate 16000 channels 1 } }
            """
        let path = folder.path("alsa.conf")
        try config.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Capture, fed from a clip converted to raw 16-bit samples.
    static func captureFromFile(_ samples: [Float], in folder: TemporaryDirectory, frameLimit: Int?) throws -> AudioCapture {
        let raw = folder.path("input.raw")
        try RawPCM.write(samples, to: raw)
        return try AudioCapture(device: "speech", configFile: writeConfig(in: folder, input: raw), frameLimit: frameLimit)
    }

    @Test(.enabled(if: Corpus.isAvailable, Comment(rawValue: Corpus.absentMessage)))
    func capturedSpeechMatchesTheClip() throws {
        let clip = try AudioDecoder().decode(path: Corpus.clip("Actor_01", "03-01-05-02-01-01-01")).samples
        let folder = TemporaryDirectory()
        let capture = try Self.captureFromFile(clip, in: folder, frameLimit: clip.count)
        #expect(capture.sampleRate == 16_000 && capture.deviceRate == 16_000 && capture.deviceChannels == 1)
        try capture.start()
        // The file plugin is not paced: the whole clip arrives at once.
        #expect(ALSAFixture.waitUntil(seconds: 10) { capture.state == .finished }, "state \(capture.state)")
        capture.stop()
        #expect(capture.state == .finished)
        #expect(capture.ring.written == clip.count)
        #expect(capture.overruns == 0)
        let captured = try #require(capture.ring.samples(from: 0, count: clip.count))
        let (lag, correlation) = RawPCM.bestAlignment(captured, clip, maximumLag: 64)
        #expect(correlation > 0.99, "correlation \(correlation) at lag \(lag)")
        #expect(lag == 0)
        let largest = zip(captured, clip).map { abs($0 - $1) }.max() ?? 1
        #expect(largest < 2.0 / 32_768, "largest difference \(largest): more than 16-bit quantisation")
    }

    @Test func captureRunsUntilStopped() throws {
        let folder = TemporaryDirectory()
        let capture = try Self.captureFromFile(Signals.sine(frequency: 440, seconds: 1, sampleRate: 16_000), in: folder, frameLimit: nil)
        #expect(capture.state == .idle)
        #expect(capture.displayName == "speech")
        try capture.start()
        #expect(capture.state == .running)
        #expect(ALSAFixture.waitUntil(seconds: 10) { capture.ring.written >= 32_000 }, "written \(capture.ring.written)")
        #expect(capture.state == .running)
        capture.stop()
        #expect(capture.state == .idle)
        let written = capture.ring.written
        Thread.sleep(forTimeInterval: 0.05)
        #expect(capture.ring.written == written, "samples still arrive after stop()")
        capture.stop()
        try capture.start()
        #expect(capture.state == .running)
        #expect(ALSAFixture.waitUntil(seconds: 10) { capture.ring.written > written }, "no samples after a restart")
        capture.stop()
    }

    @Test func noSoundCardIsReportedClearly() throws {
        guard !AudioDevices.hasSoundCard else { return }
        #expect(AudioDevices.captureDevices().contains { $0.name == "null" })
        let error = try #require(throws: AudioDeviceError.self) { try AudioCapture(device: "default") }
        #expect(error.kind == .noSoundCard)
        #expect(error.message == "no sound card found")
        #expect(error.hint.contains("--device") && error.hint.contains("--file"), "\(error.hint)")
        #expect(error.description.contains("default"))
    }

    @Test func missingDeviceInAConfigurationIsNotFound() throws {
        let folder = TemporaryDirectory()
        let config = try Self.writeConfig(in: folder)
        let error = try #require(throws: AudioDeviceError.self) { try AudioCapture(device: "microphone", configFile: config) }
        #expect(error.kind == .notFound)
        #expect(error.device == "microphone")
        #expect(error.hint.contains("--list-devices"))
    }

    @Test func brokenConfigurationsFailWithoutCrashing() throws {
        let folder = TemporaryDirectory()
        let missing = try #require(throws: AudioDeviceError.self) { try AudioCapture(configFile: folder.path("absent.conf")) }
        #expect(missing.kind == .notFound && missing.message.contains("absent.conf"))
        let malformed = folder.path("malformed.conf")
        try "pcm.speech { type file slave { ".write(toFile: malformed, atomically: true, encoding: .utf8)
        let parse = try #require(throws: AudioDeviceError.self) { try AudioCapture(device: "speech", configFile: malformed) }
        #expect(parse.kind == .failed && parse.message.contains("malformed"))
        // A file plugin without its null slave (or with one that does not exist).
        let noSlave = folder.path("noslave.conf")
        try """
            pcm.speech { type file  slave { pcm "nowhere" }  file "/dev/null"  infile "/dev/null" }
            """.write(toFile: noSlave, atomically: true, encoding: .utf8)
        let slave = try #require(throws: AudioDeviceError.self) { try AudioCapture(device: "speech", configFile: noSlave) }
        #expect(slave.kind == .notFound, "\(slave)")
        #expect(!slave.message.isEmpty && !slave.hint.isEmpty)
    }

    @Test func playbackWithoutADeviceIsReportedClearly() throws {
        guard !AudioDevices.hasSoundCard else { return }
        let error = try #require(throws: AudioDeviceError.self) {
            try AudioPlayback(samples: [0, 0.5], sampleRate: 16_000)
        }
        #expect(error.kind == .noSoundCard)
        // Browse and Review play clips but take no --device: the hint must not offer one.
        #expect(error.hint.contains("speakers") && !error.hint.contains("--device") && error.hint.contains("~/.asoundrc"), "\(error.hint)")
    }

    @Test func playbackWritesTheSamplesToTheSink() throws {
        let folder = TemporaryDirectory()
        let output = folder.path("output.raw")
        let tone = Signals.sine(frequency: 440, seconds: 0.5, sampleRate: 16_000)
        do {
            let playback = try AudioPlayback(samples: tone, sampleRate: 16_000, device: "sink",
                                             configFile: Self.writeConfig(in: folder, output: output))
            #expect(!playback.isPlaying && playback.position == 0)
            playback.start()
            #expect(ALSAFixture.waitUntil(seconds: 10) { !playback.isPlaying }, "still playing")
            #expect(playback.failure == nil)
            #expect(abs(playback.position - 0.5) < 1e-9, "position \(playback.position)")
        }
        let played = try RawPCM.read(output)
        #expect(played.count == tone.count)
        let largest = zip(played, tone).map { abs($0 - $1) }.max() ?? 1
        #expect(largest < 2.0 / 32_768, "largest difference \(largest)")
    }

    @Test func errorsMapToKindsWithAdvice() {
        func map(_ code: Int32, opening: Bool = false, card: Bool = true) -> AudioDeviceError {
            .fromALSA(code: code, device: "hw:1", whileOpening: opening, soundCardPresent: card)
        }
        #expect(map(-ENOENT, opening: true, card: false).kind == .noSoundCard)
        #expect(map(-ENOENT, opening: true).kind == .notFound)
        #expect(map(-ENODEV, opening: true).kind == .notFound)
        #expect(map(-EBUSY, opening: true).kind == .busy)
        #expect(map(-EBUSY, opening: true).message == "device busy (another program is using it)")
        #expect(map(-EINVAL).kind == .unsupported)
        #expect(map(-ENODEV).kind == .disconnected)
        #expect(map(-ENODEV).message == "the device went away")
        #expect(map(-EIO).kind == .disconnected)
        #expect(map(-EACCES, opening: true).hint.contains("audio group"))
        #expect(map(-ENOMEM).kind == .failed)
        for error in [map(-ENOENT, opening: true, card: false), map(-EBUSY, opening: true), map(-EINVAL), map(-ENODEV), map(-ENOMEM)] {
            #expect(error.hint.contains("--device"), "\(error)")
        }
        #expect(AudioDeviceError.fromALSA(code: -ENOENT, device: "x", whileOpening: true, forPlayback: true, soundCardPresent: false)
            .hint.contains("speakers"))
    }
}

/// Playing a clip at real-time pace into a ring.
@Suite("paced file source")
struct PacedFileSourceTests {
    @Test func oneSecondTakesAboutOneSecond() throws {
        let samples = (0..<16_000).map { Float($0) / 16_000 }
        let source = PacedFileSource(samples: samples, sampleRate: 16_000, name: "ramp.wav")
        #expect(source.state == .idle && source.displayName == "ramp.wav" && source.overruns == 0)
        let start = DispatchTime.now().uptimeNanoseconds
        try source.start()
        #expect(source.state == .running)
        Thread.sleep(forTimeInterval: 0.2)
        #expect(source.ring.written < 16_000, "delivered faster than real time")
        #expect(ALSAFixture.waitUntil(seconds: 10) { source.state == .finished }, "state \(source.state)")
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        #expect(elapsed >= 0.8, "1 s of audio took \(elapsed) s")
        #expect(source.ring.written == samples.count)
        #expect(source.ring.samples(from: 0, count: samples.count) == samples)
        source.stop()
        #expect(source.state == .finished)
    }

    @Test func pausingHoldsTheClipAndResumesWhereItWas() throws {
        let samples = (0..<16_000).map { Float($0) / 16_000 }
        let source = PacedFileSource(samples: samples, sampleRate: 16_000, name: "ramp.wav")
        try source.start()
        #expect(ALSAFixture.waitUntil(seconds: 5) { source.ring.written >= 3_200 })
        source.setPaused(true)
        Thread.sleep(forTimeInterval: 0.05)
        let held = source.ring.written
        Thread.sleep(forTimeInterval: 0.4)
        #expect(source.ring.written == held, "nothing arrives while paused")
        #expect(held < 16_000)
        source.setPaused(false)
        #expect(ALSAFixture.waitUntil(seconds: 10) { source.state == .finished }, "state \(source.state)")
        #expect(source.ring.samples(from: 0, count: samples.count) == samples, "resumed where it was, nothing skipped")
    }

    @Test func stopHaltsDelivery() throws {
        let source = PacedFileSource(samples: [Float](repeating: 0.1, count: 160_000), sampleRate: 16_000, name: "long")
        try source.start()
        #expect(ALSAFixture.waitUntil(seconds: 5) { source.ring.written > 0 })
        source.stop()
        #expect(source.state == .idle)
        let written = source.ring.written
        Thread.sleep(forTimeInterval: 0.05)
        #expect(source.ring.written == written && written < 160_000)
    }

    @Test func loopingRepeatsTheClip() throws {
        let clip = (0..<1_000).map(Float.init)
        let source = PacedFileSource(samples: clip, sampleRate: 16_000, name: "loop", ringSeconds: 1, loop: true, speed: .infinity)
        try source.start()
        #expect(ALSAFixture.waitUntil(seconds: 10) { source.ring.written >= 10_000 })
        source.stop()
        #expect(source.state == .idle)
        let start = source.ring.written - 2_500
        let tail = try #require(source.ring.samples(from: start, count: 2_500))
        #expect(tail == (start..<start + 2_500).map { Float($0 % 1_000) })
    }
}
