import EmoscopeTestSupport
import Foundation
import Testing

/// `emoscope eval` on small labelled folders of RAVDESS clips from ../shared, with the shipped model.
@Suite struct EvalCommandTests {
    let emoscope = ProcessRunner.product("emoscope")
    let model = Corpus.repositoryRoot.appendingPathComponent("Assets/default.emomodel").path
    static let labels = ["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"]

    /// A RAVDESS-named folder: statement 1, first take, normal intensity, of every emotion for `actors`.
    func makeFolder(_ folder: TemporaryDirectory, actors: [String] = ["01", "02"]) throws -> String {
        let root = folder.path("corpus")
        for actor in actors {
            try FileManager.default.createDirectory(atPath: "\(root)/Actor_\(actor)", withIntermediateDirectories: true)
            for emotion in 1...8 {
                let name = "03-01-0\(emotion)-01-01-01-\(actor)"
                try FileManager.default.copyItem(atPath: Corpus.clip("Actor_\(actor)", name), toPath: "\(root)/Actor_\(actor)/\(name).flac")
            }
        }
        return root
    }

    @Test(.enabled(if: Corpus.isAvailable || Corpus.isRequired, Comment(rawValue: Corpus.absentMessage)))
    func textAndJSONAgreeWithClassify() throws {
        let folder = TemporaryDirectory()
        let corpus = try makeFolder(folder)
        let json = try ProcessRunner.run([emoscope, "eval", corpus, "--json", "--model", model], environment: ["HOME": folder.url.path])
        #expect(json.status == 0, "stderr: \(json.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report["clips"] as? Int == 16 && report["classified"] as? Int == 16)
        let confusion = try #require(report["confusion"] as? [[Int]])
        #expect(confusion.joined().reduce(0, +) == 16 && confusion.map { $0.reduce(0, +) } == Array(repeating: 2, count: 8))
        let predictions = try #require(report["predictions"] as? [[String: Any]])
        var predicted: [String: String] = [:]
        for prediction in predictions {
            let path = try #require(prediction["path"] as? String)
            let emotion = Int(((path as NSString).lastPathComponent as NSString).substring(with: NSRange(location: 6, length: 2)))!
            #expect(prediction["truth"] as? String == Self.labels[emotion - 1], "truth from the file name of \(path)")
            predicted[path] = prediction["predicted"] as? String
        }

        // The same labels as `emoscope classify`, so the same accuracy.
        let classify = try ProcessRunner.run([emoscope, "classify", corpus, "--format", "csv", "--model", model])
        let rows = classify.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.count == 16)
        #expect(rows.allSatisfy { predicted[String($0[0])] == String($0[3]) }, "eval and classify disagree")
        let right = predictions.filter { $0["truth"] as? String == $0["predicted"] as? String }.count
        let accuracy = try #require(report["accuracy"] as? Double)
        #expect(abs(accuracy - Double(right) / 16) < 1e-12)

        let text = try ProcessRunner.run([emoscope, "eval", corpus, "--model", model], environment: ["HOME": folder.url.path])
        #expect(text.status == 0, "stderr: \(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("clips:    16 of 16 clips classified"))
        let uar = try #require(report["unweightedAverageRecall"] as? Double), f1 = try #require(report["macroF1"] as? Double)
        #expect(lines.contains(String(format: "accuracy %.3f   UAR %.3f   macro-F1 %.3f", accuracy, uar, f1)))
        let header = try #require(lines.firstIndex { $0.hasPrefix("    ") && $0.contains("neu") })
        #expect(lines[header].split(separator: " ") == ["neu", "cal", "hap", "sad", "ang", "fea", "dis", "sur"])
        for (row, counts) in confusion.enumerated() {
            #expect(lines[header + 1 + row].split(separator: " ").dropFirst().compactMap { Int($0) } == counts)
        }
        #expect(lines.contains { $0.hasPrefix("surprised") }, "the per-class table names the classes")

        // One clip of each emotion per actor: each actor's UAR is its share of right answers.
        let speakers = try #require(report["speakers"] as? [[String: Any]])
        #expect(speakers.map { $0["speaker"] as? String } == ["Actor_01", "Actor_02"] && speakers.allSatisfy { $0["clips"] as? Int == 8 })
        for speaker in speakers {
            let actor = try #require(speaker["speaker"] as? String)
            let own = predictions.filter { ($0["path"] as? String)?.contains("/\(actor)/") == true }
            let right = own.filter { $0["truth"] as? String == $0["predicted"] as? String }.count
            #expect(own.count == 8 && speaker["unweightedAverageRecall"] as? Double == Double(right) / 8)
            #expect(lines.contains { $0.contains(String(format: "%@ %.3f", actor, Double(right) / 8)) }, "stdout: \(text.stdout)")
        }
        #expect(lines.contains { $0.hasPrefix("per speaker (UAR on the speaker's own clips), lowest first; median ") })
    }

    /// `--gain` scales every clip before classifying: at −200 dB nothing is left to hear, and the
    /// shipped model, which removes each window's speech level, says nearly the same at −12 dB.
    @Test(.enabled(if: Corpus.isAvailable || Corpus.isRequired, Comment(rawValue: Corpus.absentMessage)))
    func gainScalesEveryClip() throws {
        let folder = TemporaryDirectory()
        let corpus = try makeFolder(folder)
        func predictions(gain: String) throws -> [String: String] {
            let result = try ProcessRunner.run([emoscope, "eval", corpus, "--json", "--model", model, "--gain", gain])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(report["gainDB"] as? Double == Double(gain))
            let rows = try #require(report["predictions"] as? [[String: Any]])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["path"] as! String, $0["predicted"] as? String ?? "none") })
        }
        let (asRecorded, quieter) = (try predictions(gain: "0"), try predictions(gain: "-12"))
        #expect(asRecorded.count == 16 && quieter.count == 16)
        let agreeing = asRecorded.filter { quieter[$0.key] == $0.value }.count
        #expect(agreeing >= 14, "only \(agreeing) of 16 clips keep their label 12 dB quieter")
        let text = try ProcessRunner.run([emoscope, "eval", corpus, "--model", model, "--gain", "-12"])
        #expect(text.stdout.contains("gain:     -12 dB applied to every clip"), "stdout: \(text.stdout)")
        let silent = try ProcessRunner.run([emoscope, "eval", corpus, "--model", model, "--gain", "-200"])
        #expect(silent.status == 1 && silent.stderr.contains("no clip could be evaluated"), "stderr: \(silent.stderr)")
        let absurd = try ProcessRunner.run([emoscope, "eval", corpus, "--model", model, "--gain", "400"])
        #expect(absurd.status != 0 && absurd.stderr.contains("--gain must be within ±200 dB"), "stderr: \(absurd.stderr)")
    }

    @Test(.enabled(if: Corpus.isAvailable || Corpus.isRequired, Comment(rawValue: Corpus.absentMessage)))
    func unreadableFilesAreReportedAndLeftOut() throws {
        let folder = TemporaryDirectory()
        let corpus = try makeFolder(folder, actors: ["03"])
        let broken = "\(corpus)/Actor_03/03-01-01-01-02-01-03.wav"
        try "not audio".write(toFile: broken, atomically: true, encoding: .utf8)
        let result = try ProcessRunner.run([emoscope, "eval", corpus, "--model", model])
        #expect(result.status == 0, "the other clips were evaluated")
        #expect(result.stderr.contains("emoscope: \(broken): not an audio file"))
        #expect(result.stdout.contains("clips:    8 of 9 clips classified (1 unreadable)"))
    }

    @Test func nothingEvaluatedExitsWithOne() throws {
        let folder = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: folder.path("corpus/Actor_01"), withIntermediateDirectories: true)
        let broken = folder.path("corpus/Actor_01/03-01-05-01-01-01-01.wav")
        try "not audio".write(toFile: broken, atomically: true, encoding: .utf8)
        let result = try ProcessRunner.run([emoscope, "eval", folder.path("corpus"), "--json", "--model", model])
        #expect(result.status == 1 && result.stdout.isEmpty)
        #expect(result.stderr.contains("emoscope: \(broken): not an audio file"))
        #expect(result.stderr.contains("emoscope: no clip could be evaluated (0 of 1 clips classified (1 unreadable))"))

        let empty = try ProcessRunner.run([emoscope, "eval", folder.path("corpus/Actor_01/none"), "--model", model])
        #expect(empty.status == 1 && empty.stderr.contains("no such file or directory"))
    }
}
