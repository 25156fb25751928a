import EmoscopeTestSupport
import Foundation
import Testing

/// The real `emoscope review` in a tmux terminal: the shipped cross-validation report (matrix,
/// metrics, protocol, the clips behind a cell) and a labelled folder classified in the background.
@Suite(.serialized) struct ReviewScreenTests {
    static let root = Corpus.repositoryRoot.path
    static let emoscope = ProcessRunner.product("emoscope")
    static let abbreviations = ["neu", "cal", "hap", "sad", "ang", "fea", "dis", "sur"]

    /// The eight cells of `label`'s matrix row on the screen (the cursor's brackets removed), if shown.
    func cells(_ screen: String, row label: String) -> [Int]? {
        for line in screen.split(separator: "\n") {
            let words = line.split(separator: " ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "[]")) }
            guard words.first == label, words.count >= 9 else { continue }
            let values = words[1...8].compactMap { Int($0) }
            if values.count == 8 { return values }
        }
        return nil
    }

    /// Copies RAVDESS clips `names` of actor `actor` into `folder`/Actor_NN, as a labelled folder.
    func copy(actor: Int, names: [String], into folder: TemporaryDirectory) throws {
        let speaker = String(format: "Actor_%02d", actor)
        let corpus = folder.path(speaker)
        try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        for name in names {
            try FileManager.default.copyItem(atPath: Corpus.speech16k.path + "/\(speaker)/" + name, toPath: corpus + "/" + name)
        }
    }

    /// The shipped report as JSON: its pooled counts, UAR, protocol and predictions.
    func shippedReport() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.root + "/Assets/default.report.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test(.enabled(if: TmuxSession.isAvailable))
    func theShippedReportShowsItsMatrixMetricsProtocolAndClips() throws {
        let report = try shippedReport()
        let counts = try #require((report["confusion"] as? [String: Any])?["counts"] as? [[Int]])
        let pooledUAR = try #require((report["pooled"] as? [String: Any])?["unweightedAverageRecall"] as? Double)
        let description = try #require(report["protocolDescription"] as? String)
        let home = TemporaryDirectory()
        let session = try TmuxSession(
            command: "sh -c " + TmuxSession.quote("cd \(TmuxSession.quote(Self.root)) && exec \(Self.emoscope) review"),  // no argument: the report shipped beside the default model
            width: 100, height: 30, environment: ["HOME": home.url.path])
        let (shown, screen) = try session.waitFor("macro-F1")
        #expect(shown, "screen:\n\(screen)")
        #expect(screen.contains(Self.abbreviations.map { $0.padding(toLength: 6, withPad: " ", startingAt: 0) }.joined().trimmingCharacters(in: .whitespaces)))
        for (row, label) in Self.abbreviations.enumerated() {
            #expect(cells(screen, row: label) == counts[row], "row \(label):\n\(screen)")
        }
        #expect(screen.contains(String(format: "UAR %.3f", pooledUAR)))
        #expect(screen.contains(String(description.prefix(60))), "protocol line")
        #expect(screen.contains("1440 of 1440 clips classified"))

        // Calm taken for neutral: one row down, then Enter lists those clips.
        try session.send("Down")
        try session.send("Enter")
        let calmAsNeutral = counts[1][0]
        func clipNames(_ screen: String) -> [String] {
            screen.split(whereSeparator: { $0.isWhitespace }).map(String.init).filter { $0.hasSuffix(".flac") }.map { ($0 as NSString).lastPathComponent }
        }
        // The title can be on screen a moment before the rows under it on a loaded machine.
        let (listed, list) = try session.waitFor {
            $0.contains("true calm, predicted neutral: \(calmAsNeutral) clips, most confident first") && clipNames($0).count >= 8
        }
        #expect(listed, "screen:\n\(list)")
        let expected = Set(try #require(report["predictions"] as? [[String: Any]])
            .filter { $0["truth"] as? String == "calm" && $0["predicted"] as? String == "neutral" }
            .compactMap { ($0["path"] as? String).map { ($0 as NSString).lastPathComponent } })
        let shownFiles = clipNames(list)
        #expect(shownFiles.count >= 8, "clip paths listed:\n\(list)")
        #expect(Set(shownFiles).isSubset(of: expected), "only clips of that cell:\n\(list)")
        #expect(shownFiles.allSatisfy { $0.hasPrefix("03-01-02-") }, "calm is RAVDESS emotion 02")

        try session.send("Escape")
        let (back, matrix) = try session.waitFor { !$0.contains("predicted neutral: \(calmAsNeutral) clips,") && $0.contains("macro-F1") }
        #expect(back, "screen:\n\(matrix)")
        #expect(matrix.contains("true calm, predicted neutral: \(calmAsNeutral) clips"), "the cursor stayed on the cell:\n\(matrix)")

        try session.send("n")
        let (percent, shares) = try session.waitFor("% of row")
        #expect(percent)
        let neutralRow = counts[0], neutralSupport = neutralRow.reduce(0, +)
        #expect(cells(shares, row: "neu") == neutralRow.map { Int((Double($0) * 100 / Double(neutralSupport)).rounded()) })

        try session.send("q")
        #expect(try session.waitFor("[exited 0]").ok)
    }

    @Test(.enabled(if: TmuxSession.isAvailable && (Corpus.isAvailable || Corpus.isRequired), Comment(rawValue: Corpus.absentMessage)))
    func aLabelledFolderIsClassifiedInTheBackground() throws {
        let folder = TemporaryDirectory()
        try copy(actor: 4, names: (1...8).map { "03-01-0\($0)-01-01-01-04.flac" }, into: folder)
        let session = try TmuxSession(command: "\(Self.emoscope) review \(TmuxSession.quote(folder.url.path)) --model \(Self.root)/Assets/default.emomodel",
                                      width: 100, height: 30, environment: ["HOME": folder.url.path])
        let (done, screen) = try session.waitFor("8 of 8 clips classified", timeout: 60)
        #expect(done, "screen:\n\(screen)")
        #expect(screen.contains("labelled folder classified now with default.emomodel"))
        let rows = Self.abbreviations.map { cells(screen, row: $0) ?? [] }
        #expect(rows.map { $0.reduce(0, +) } == Array(repeating: 1, count: 8), "one clip per true class:\n\(screen)")
        try session.send("q")
        #expect(try session.waitFor("[exited 0]").ok)
    }

    /// `review --adapt` with the adaptive model classifies the folder with its speaker's
    /// statistics: the screen says so and shows the matrix `eval --adapt` prints; the default
    /// model refuses before the screen opens.
    @Test(.enabled(if: TmuxSession.isAvailable && (Corpus.isAvailable || Corpus.isRequired), Comment(rawValue: Corpus.absentMessage)))
    func aLabelledFolderIsAdaptedToItsSpeaker() throws {
        let folder = TemporaryDirectory()
        try copy(actor: 9, names: (1...8).flatMap { emotion in
            (1...2).map { "03-01-0\(emotion)-0\(emotion == 1 ? 1 : 2)-0\($0)-01-09.flac" }
        }, into: folder)
        let adaptive = Self.root + "/Assets/adaptive.emomodel"
        let eval = try ProcessRunner.run([Self.emoscope, "eval", folder.url.path, "--model", adaptive, "--adapt", "--json"])
        #expect(eval.status == 0, "stderr: \(eval.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
        let counts = try #require(report["confusion"] as? [[Int]])
        let plain = try ProcessRunner.run([Self.emoscope, "eval", folder.url.path, "--model", adaptive, "--json"])
        let plainCounts = try #require((try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as? [String: Any])?["confusion"] as? [[Int]])
        #expect(counts != plainCounts, "this speaker's statistics change some answers")

        let session = try TmuxSession(command: "\(Self.emoscope) review \(TmuxSession.quote(folder.url.path)) --model \(adaptive) --adapt",
                                      width: 100, height: 30, environment: ["HOME": folder.url.path])
        let (done, screen) = try session.waitFor("16 of 16 clips classified", timeout: 60)
        #expect(done, "screen:\n\(screen)")
        #expect(screen.contains("classified now with adaptive.emomodel, adapted per speaker"), "screen:\n\(screen)")
        for (row, label) in Self.abbreviations.enumerated() {
            #expect(cells(screen, row: label) == counts[row], "row \(label):\n\(screen)")
        }
        try session.send("q")
        #expect(try session.waitFor("[exited 0]").ok)

        let refused = try ProcessRunner.run([Self.emoscope, "review", folder.url.path, "--adapt"])
        #expect(refused.status == 2 && refused.stderr.contains("--adapt needs a model trained with --speaker-normalization"),
                "stderr: \(refused.stderr)")
        let browseRefused = try ProcessRunner.run([Self.emoscope, "browse", folder.url.path, "--adapt"])
        #expect(browseRefused.status == 2 && browseRefused.stderr.contains("--adapt needs a model trained with --speaker-normalization"))
    }
}
