import EmoscopeAudio
import EmoscopeTestSupport
import Foundation
import Testing

/// The real `emoscope browse DIR` in a tmux terminal, on RAVDESS clips and broken files.
@Suite(.serialized) struct BrowseScreenTests {
    static let model = Corpus.repositoryRoot.appendingPathComponent("Assets/default.emomodel").path
    static let emoscope = ProcessRunner.product("emoscope")
    /// Twelve clips of two actors covering all eight emotions (three angry ones).
    static let clips = [
        ("Actor_01", "03-01-01-01-01-01-01"), ("Actor_01", "03-01-02-01-01-01-01"), ("Actor_01", "03-01-03-01-01-01-01"),
        ("Actor_01", "03-01-04-01-01-01-01"), ("Actor_01", "03-01-05-01-01-01-01"), ("Actor_01", "03-01-06-01-01-01-01"),
        ("Actor_01", "03-01-07-01-01-01-01"), ("Actor_01", "03-01-08-01-01-01-01"), ("Actor_02", "03-01-05-02-01-01-02"),
        ("Actor_02", "03-01-05-01-02-01-02"), ("Actor_02", "03-01-04-02-01-01-02"), ("Actor_02", "03-01-03-02-01-01-02"),
    ]

    /// `clips/` with the twelve clips and four broken files: empty, text named .wav, truncated FLAC and WAV.
    static func makeFolder(in folder: TemporaryDirectory) throws {
        let manager = FileManager.default
        for (actor, name) in clips {
            try manager.createDirectory(atPath: folder.path("clips/\(actor)"), withIntermediateDirectories: true)
            try manager.copyItem(atPath: Corpus.clip(actor, name), toPath: folder.path("clips/\(actor)/\(name).flac"))
        }
        try manager.createDirectory(atPath: folder.path("clips/broken"), withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: folder.path("clips/broken/empty.wav")))
        try "these are notes, not audio".write(toFile: folder.path("clips/broken/notes.wav"), atomically: true, encoding: .utf8)
        let flac = try Data(contentsOf: URL(fileURLWithPath: Corpus.clip("Actor_01", "03-01-05-02-01-01-01")))
        try flac.prefix(flac.count / 3).write(to: URL(fileURLWithPath: folder.path("clips/broken/cut.flac")))
        let audio = try AudioDecoder().decode(path: Corpus.clip("Actor_01", "03-01-05-02-01-01-01")).samples
        try AudioFileWriter.write(audio, sampleRate: 16_000, to: folder.path("whole.wav"), format: .wav16)
        let wav = try Data(contentsOf: URL(fileURLWithPath: folder.path("whole.wav")))
        try wav.prefix(wav.count / 2).write(to: URL(fileURLWithPath: folder.path("clips/broken/cut.wav")))
    }

    /// The app in `folder` (its working directory), with HOME, the cache and ALSA kept inside it; no playback device.
    static func start(in folder: TemporaryDirectory) throws -> TmuxSession {
        let alsa = folder.path("no-output.conf")
        try "pcm.!default { type hw card 31 device 0 }\n".write(toFile: alsa, atomically: true, encoding: .utf8)
        let command = "cd \(TmuxSession.quote(folder.url.path)) && exec \(TmuxSession.quote(emoscope)) browse clips --model \(TmuxSession.quote(model))"
        return try TmuxSession(command: "sh -c \(TmuxSession.quote(command))", width: 120, height: 40,
                               environment: ["HOME": folder.path("home"), "XDG_CACHE_HOME": folder.path("cache"),
                                             "ALSA_CONFIG_PATH": "\(ALSAFixture.systemConfig):\(alsa)"])
    }

    /// The list rows on screen: a mark, a space, then a clip's name.
    static func rows(_ screen: String) -> [String] {
        screen.split(separator: "\n").map(String.init).filter { line in ["Actor_", "broken/"].contains { line.dropFirst(3).hasPrefix($0) } }
    }

    @Test(.enabled(if: TmuxSession.isAvailable && (Corpus.isAvailable || Corpus.isRequired), Comment(rawValue: Corpus.absentMessage)))
    func browseClassifiesSortsFiltersPlaysAndExports() throws {
        let folder = TemporaryDirectory()
        try Self.makeFolder(in: folder)
        let session = try Self.start(in: folder)
        let (done, screen) = try session.waitFor("done: 16 clips", timeout: 180)
        #expect(done, "screen:\n\(screen)")
        let rows = Self.rows(screen)
        #expect(rows.count == 16, "screen:\n\(screen)")
        let judged = rows.filter { $0.hasPrefix(" ✓") || $0.hasPrefix(" ✗") }
        #expect(judged.count == 12 && judged.allSatisfy { $0.contains("%") && $0.contains("s  ") })
        for (actor, name) in Self.clips { #expect(judged.contains { $0.contains("\(actor)/\(name).flac") }, "\(name)") }
        let wrong = rows.filter { $0.hasPrefix(" ✗") }.count
        let errors = rows.filter { $0.hasPrefix(" !") }
        #expect(errors.count == 4)
        #expect(errors.contains { $0.contains("empty.wav") && $0.contains("error: empty: it holds no audio") })
        #expect(errors.contains { $0.contains("notes.wav") && $0.contains("error: not an audio file") })
        #expect(errors.contains { $0.contains("cut.flac") && ($0.contains("error: corrupt") || $0.contains("error: truncated")) })
        #expect(errors.contains { $0.contains("cut.wav") && $0.contains("error: truncated") })

        // Sort by duration: the error rows have none and go last.
        try session.send("s")
        let (sorted, byDuration) = try session.waitFor("sort duration ▲")
        #expect(sorted, "\(byDuration)")
        #expect(Self.rows(byDuration).suffix(4).allSatisfy { $0.hasPrefix(" !") }, "\(byDuration)")

        // Filters: wrong predictions, then the true-angry clips.
        try session.send("w")
        let (filtered, wrongOnly) = try session.waitFor("filter: wrong")
        #expect(filtered && wrongOnly.contains("\(wrong) of 16 shown") && Self.rows(wrongOnly).allSatisfy { $0.hasPrefix(" ✗") }, "\(wrongOnly)")
        try session.send("x")
        for _ in 0..<5 { try session.send("t") }
        let (angry, angryOnly) = try session.waitFor("filter: true angry")
        #expect(angry && angryOnly.contains("3 of 16 shown"), "\(angryOnly)")
        #expect(Self.rows(angryOnly).count == 3 && Self.rows(angryOnly).allSatisfy { $0.contains("-05-") && $0.hasSuffix("angry") })

        // Search names, then play the selected clip: no output device is a message.
        try session.send("x")
        try session.type("/Actor_02")
        try session.send("Enter")
        #expect(try session.waitFor("4 of 16 shown").ok)
        try session.send("Enter")
        let (refused, noDevice) = try session.waitFor("cannot play:")
        #expect(refused, "\(noDevice)")

        // Export the whole list as CSV, then as JSON.
        try session.send("x")
        try session.send("e")
        #expect(try session.waitFor("export to: emoscope-clips.csv").ok)
        try session.send("Enter")
        let csvPath = folder.url.appendingPathComponent("emoscope-clips.csv").standardizedFileURL.path
        let (exported, afterExport) = try session.waitFor("exported 16 rows to \(csvPath)")
        #expect(exported, "\(afterExport)")
        let lines = try String(contentsOfFile: csvPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 17 && lines[0].hasPrefix("path,duration,status,label,confidence,neutral,") && lines[0].hasSuffix(",true_label,error"))
        #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 15 })
        try session.send("e")
        try session.send("Tab")
        try session.send("Enter")
        let jsonPath = folder.url.appendingPathComponent("emoscope-clips.json").standardizedFileURL.path
        #expect(try session.waitFor("exported 16 rows to \(jsonPath)").ok)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: jsonPath)))
        #expect((json as? [[String: Any]])?.count == 16)

        try session.send("q")
        #expect(try session.waitFor("[exited 0]").ok)

        // Reopening the folder is answered from the cache.
        let again = try Self.start(in: folder)
        let (cached, reopened) = try again.waitFor("16 cached", timeout: 30)
        #expect(cached, "\(reopened)")
        try again.send("q")
        #expect(try again.waitFor("[exited 0]").ok)
    }
}
