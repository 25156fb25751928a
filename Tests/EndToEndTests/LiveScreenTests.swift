import EmoscopeAudio
import EmoscopeTestSupport
import Foundation
import Testing

/// The real `emoscope` binary in a tmux terminal, capturing through ALSA's `file` plugin.
@Suite(.serialized) struct LiveScreenTests {
    static let labels = ["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"]
    static let model = Corpus.repositoryRoot.appendingPathComponent("Assets/default.emomodel").path
    static let emoscope = ProcessRunner.product("emoscope")

    @Test(.enabled(if: TmuxSession.isAvailable && (Corpus.isAvailable || Corpus.isRequired), Comment(rawValue: Corpus.absentMessage)))
    func liveMeterThroughALSAShowsWaveformBarsAndDominant() throws {
        let folder = TemporaryDirectory()
        let clip = try AudioDecoder().decode(path: Corpus.clip("Actor_01", "03-01-05-02-01-01-01")).samples
        let raw = folder.path("clip.raw")
        try RawPCM.write(clip, to: raw)
        let config = try ALSAFixture.captureConfig(raw: raw, in: folder)
        let seconds = String(format: "%.3f", Double(clip.count) / 16_000)
        let session = try TmuxSession(
            command: "\(Self.emoscope) live --model \(Self.model) --duration \(seconds) --record-directory \(folder.url.path)",
            width: 100, height: 30, environment: ["ALSA_CONFIG_PATH": "\(ALSAFixture.systemConfig):\(config)", "HOME": folder.url.path])
        let (shown, screen) = try session.waitFor("dominant:")
        #expect(shown, "screen:\n\(screen)")
        for label in Self.labels { #expect(screen.contains(label), "missing bar \(label)") }
        #expect(screen.contains("█"), "no waveform")
        #expect(screen.contains("%"))
        // The file plugin is not paced: the clip arrives at once and only a few windows are analysed,
        // the first of them partial, so the smoothed bars may still lean on it. Unsmoothed, the last
        // window (the clip's end) must put the acted emotion on top.
        #expect(try session.waitFor("end of input").ok)
        try session.send("s")
        let (unsmoothed, rawScreen) = try session.waitFor("smoothing off")
        #expect(unsmoothed && rawScreen.contains("dominant: angry"), "the acted emotion should be on top:\n\(rawScreen)")

        try session.resize(width: 40, height: 12)
        #expect(try session.waitFor("terminal too small").ok)
        try session.resize(width: 100, height: 30)
        let (back, restored) = try session.waitFor { text in Self.labels.allSatisfy { text.contains($0) } }
        #expect(back, "after resizing back:\n\(restored)")

        try session.send("q")
        let (exited, final) = try session.waitFor("[tty")
        #expect(exited && final.contains("[exited 0]"), "screen:\n\(final)")
        #expect(final.contains("[tty icanon echo ]"), "terminal modes not restored:\n\(final)")
    }

    @Test(.enabled(if: TmuxSession.isAvailable))
    func missingCaptureDeviceIsExplainedNotCrashed() throws {
        let folder = TemporaryDirectory()
        let session = try TmuxSession(command: "\(Self.emoscope) live --model \(Self.model) --device emoscope_no_such_pcm",
                                      width: 100, height: 30, environment: ["HOME": folder.url.path])
        let (shown, screen) = try session.waitFor("emoscope live --file")
        #expect(shown, "screen:\n\(screen)")
        #expect(screen.contains("emoscope_no_such_pcm") || screen.contains("no sound card"), "\(screen)")
        #expect(screen.contains("Enter retry"))
        try session.send("C-c")
        #expect(try session.waitFor("[exited 0]").ok)
    }

    @Test(.enabled(if: TmuxSession.isAvailable))
    func fileModeRecordsAndSigtermLeavesAFinishedFile() throws {
        let folder = TemporaryDirectory()
        let demo = Corpus.repositoryRoot.appendingPathComponent("Assets/demo/03-01-05-02-01-01-01.flac").path
        let session = try TmuxSession(
            command: "\(Self.emoscope) live --file \(demo) --loop --model \(Self.model) --record-directory \(folder.url.path) --record-format wav",
            width: 100, height: 30, environment: ["HOME": folder.url.path])
        #expect(try session.waitFor("file 03-01-05").ok)
        try session.send("r")
        #expect(try session.waitFor("REC").ok)
        Thread.sleep(forTimeInterval: 1.5)
        // Anchored at the start of the command line: the pane's shell mentions the same arguments.
        _ = try ProcessRunner.run(["pkill", "-TERM", "-f", "^[^ ]*/emoscope live .*--record-directory \(folder.url.path)"])
        let (exited, screen) = try session.waitFor("[tty")
        #expect(exited, "\(screen)")
        #expect(screen.contains("[tty icanon echo ]"), "\(screen)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0.hasSuffix(".wav") }
        #expect(files.count == 1, "\(files)")
        let recorded = try AudioDecoder().decode(path: folder.path(files[0]))
        #expect(recorded.duration > 1 && recorded.duration < 10, "\(recorded.duration) s")
    }

    @Test func withoutATerminalTheAppSaysSoAndExits2() throws {
        let result = try ProcessRunner.run([Self.emoscope, "live", "--model", Self.model])
        #expect(result.status == 2)
        #expect(result.stderr.contains("needs a terminal"))
    }

    @Test(.enabled(if: TmuxSession.isAvailable))
    func unknownTermIsAClearError() throws {
        let folder = TemporaryDirectory()
        let session = try TmuxSession(command: "env TERM=emoscope-unknown-term \(Self.emoscope) live --model \(Self.model)",
                                      environment: ["HOME": folder.url.path])
        let (shown, screen) = try session.waitFor("[exited 2]")
        #expect(shown, "\(screen)")
        #expect(screen.contains("unknown terminal type"))
    }

    @Test(.enabled(if: TmuxSession.isAvailable))
    func dumbTerminalIsAClearError() throws {
        let folder = TemporaryDirectory()
        let session = try TmuxSession(command: "env TERM=dumb \(Self.emoscope) live --model \(Self.model)", environment: ["HOME": folder.url.path])
        let (shown, screen) = try session.waitFor("[exited 2]")
        #expect(shown, "\(screen)")
        #expect(screen.contains("TERM=\"dumb\" cannot move the cursor"), "\(screen)")
    }
}
