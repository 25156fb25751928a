import EmoscopeCore
import EmoscopeTestSupport
import EmoscopeTraining
import Foundation
import Testing

/// Creates a one-byte file at `relative` inside `folder` (with its parent folders); returns its path.
@discardableResult
private func touch(_ folder: TemporaryDirectory, _ relative: String) -> String {
    let path = folder.path(relative)
    try! FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    precondition(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)), "cannot create \(path)")
    return path
}

/// Writes `text` to `relative` inside `folder`; returns its path.
private func write(_ folder: TemporaryDirectory, _ relative: String, _ text: String) -> String {
    let path = touch(folder, relative)
    precondition(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)), "cannot write \(path)")
    return path
}

/// `Actor_01`-style names for actor numbers.
private func actors(_ numbers: ClosedRange<Int>) -> [String] {
    numbers.map { String(format: "Actor_%02d", $0) }
}

/// An in-memory RAVDESS-like corpus: `actors` actors × `perActor` clips, labels cycling through the eight emotions.
private func syntheticCorpus(actors: Int = 24, perActor: Int = 5) -> LabelledCorpus {
    var clips: [LabelledClip] = []
    for actor in 1...actors {
        let speaker = String(format: "Actor_%02d", actor)
        for n in 0..<perActor {
            clips.append(LabelledClip(path: "\(speaker)/clip-\(n).wav", label: (actor + n) % 8, speaker: speaker))
        }
    }
    return LabelledCorpus(labels: ModelHeader.ravdessLabels, clips: clips, description: "synthetic")
}

@Suite("corpus loading")
struct CorpusLoadingTests {
    let folder = TemporaryDirectory()

    @Test func ravdessNamesParsed() throws {
        touch(folder, "Actor_12/03-01-01-01-02-02-12.WAV")
        touch(folder, "Actor_01/03-01-05-01-01-01-01.flac")
        touch(folder, "Actor_01/nested/03-01-08-02-02-01-01.wav")
        touch(folder, "Actor_01/03-02-05-01-01-01-01.flac")   // song, not speech
        touch(folder, "Actor_01/01-01-05-01-01-01-01.flac")   // audio-video
        touch(folder, "Actor_01/03-01-09-01-01-01-01.flac")   // emotion code out of range
        touch(folder, "Actor_01/03-01-00-01-01-01-01.flac")
        touch(folder, "Actor_01/03-01-05-01-01-01.flac")      // six codes
        touch(folder, "Actor_01/03-01-05-01-01-01-01.mp3")    // not wav/flac
        touch(folder, "Actor_01/.03-01-05-01-01-01-02.flac")  // hidden
        touch(folder, "README.txt")
        let corpus = try CorpusLoader.ravdess(directory: folder.url.path)
        #expect(corpus.labels == ModelHeader.ravdessLabels)
        #expect(corpus.clips == [
            LabelledClip(path: folder.path("Actor_01/03-01-05-01-01-01-01.flac"), label: 4, speaker: "Actor_01"),
            LabelledClip(path: folder.path("Actor_01/nested/03-01-08-02-02-01-01.wav"), label: 7, speaker: "Actor_01"),
            LabelledClip(path: folder.path("Actor_12/03-01-01-01-02-02-12.WAV"), label: 0, speaker: "Actor_12"),
        ])
        #expect(corpus.speakers == ["Actor_01", "Actor_12"])
        #expect(corpus.description == "RAVDESS speech (3 clips, 2 speakers; 6 other audio files left out: not RAVDESS speech names)")
        #expect(try CorpusLoader.detectFormat(folder.url.path) == .ravdess)
        #expect(try CorpusLoader.load(folder.url.path) == corpus)
    }

    @Test func ravdessWithoutClipsExplainsTheNaming() {
        let song = touch(folder, "Actor_01/03-02-05-01-01-01-01.flac")
        do {
            _ = try CorpusLoader.ravdess(directory: folder.url.path)
            Issue.record("expected noClips")
        } catch {
            guard case .noClips(let path, let hint) = error else { Issue.record("wrong error \(error)"); return }
            #expect(path == folder.url.path)
            #expect(hint.contains("03-01-EE-II-SS-RR-AA"))
            #expect(error.description.hasPrefix("\(folder.url.path): no clips found; "))
        }
        #expect(throws: CorpusError.notADirectory(path: song)) { try CorpusLoader.ravdess(directory: song) }
    }

    @Test func foldersWithSpeakerSubfolders() throws {
        touch(folder, "angry/spk1/a.wav")
        touch(folder, "angry/spk2/b.FLAC")
        touch(folder, "happy/spk1/c.ogg")
        touch(folder, "happy/spk10/d.mp3")
        touch(folder, "happy/spk2/deeper/e.aiff")
        touch(folder, "happy/spk2/notes.txt")
        touch(folder, "docs/readme.md")   // no audio: not a label folder
        touch(folder, "top-level.wav")    // outside any label folder: ignored
        let corpus = try CorpusLoader.folders(directory: folder.url.path)
        #expect(corpus.labels == ModelHeader.ravdessLabels)
        #expect(corpus.clips == [
            LabelledClip(path: folder.path("angry/spk1/a.wav"), label: 4, speaker: "spk1"),
            LabelledClip(path: folder.path("angry/spk2/b.FLAC"), label: 4, speaker: "spk2"),
            LabelledClip(path: folder.path("happy/spk1/c.ogg"), label: 2, speaker: "spk1"),
            LabelledClip(path: folder.path("happy/spk10/d.mp3"), label: 2, speaker: "spk10"),
            LabelledClip(path: folder.path("happy/spk2/deeper/e.aiff"), label: 2, speaker: "spk2"),
        ])
        #expect(corpus.speakers == ["spk1", "spk2", "spk10"])
        #expect(corpus.count(ofLabel: 2) == 3)
        #expect(corpus.count(ofLabel: 0) == 0)
        #expect(corpus.description == "folders at \(folder.url.path) (5 clips, 8 labels, 3 speakers from subfolders)")
        #expect(try CorpusLoader.detectFormat(folder.url.path) == .folders)
        // Through a link to the folder, the same clips (paths under the link).
        let link = TemporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: link.path("corpus"), withDestinationPath: folder.url.path)
        #expect(try CorpusLoader.folders(directory: link.path("corpus")).clips.map(\.path)
                == corpus.clips.map { link.path("corpus") + $0.path.dropFirst(folder.url.path.count) })
    }

    @Test func foldersWithoutSpeakerSubfoldersGroupPerFile() throws {
        touch(folder, "b_class/x.wav")
        touch(folder, "a_class/y.wav")
        touch(folder, "a_class/z.opus")
        let corpus = try CorpusLoader.load(folder.url.path)
        #expect(corpus.labels == ["a_class", "b_class"])
        #expect(corpus.clips.map(\.speaker) == ["file:a_class/y.wav", "file:a_class/z.opus", "file:b_class/x.wav"])
        #expect(corpus.clips.map(\.label) == [0, 0, 1])
        #expect(corpus.description.contains("each file is its own group"))
    }

    @Test func foldersWithGivenLabels() throws {
        touch(folder, "b_class/x.wav")
        touch(folder, "a_class/y.wav")
        let corpus = try CorpusLoader.folders(directory: folder.url.path, labels: ["c", "b_class", "a_class"])
        #expect(corpus.labels == ["c", "b_class", "a_class"])
        #expect(corpus.clips.map(\.label) == [2, 1])
        let error = CorpusError.unknownLabel(source: folder.path("b_class"), line: nil, label: "b_class", known: ["a_class", "c"])
        #expect(throws: error) { try CorpusLoader.folders(directory: folder.url.path, labels: ["a_class", "c"]) }
        #expect(error.description == "\(folder.path("b_class")): unknown label \"b_class\"; known labels: a_class, c")
        #expect(throws: CorpusError.invalidLabels(reason: "\"a\" appears twice")) {
            try CorpusLoader.folders(directory: folder.url.path, labels: ["a", "b", "a"])
        }
    }

    @Test func manifestWithHeaderCommentsQuotesAndRelativePaths() throws {
        touch(folder, "clips/a.wav")
        touch(folder, "clips/b,c.wav")
        touch(folder, "clips/d.wav")
        let absolute = touch(folder, "elsewhere/x.flac")
        touch(folder, "lists/keep")
        let manifest = write(folder, "lists/../m.csv", """
            # RAVDESS-labelled test clips
            path,label,speaker

            clips/a.wav,angry,spk1
              "clips/b,c.wav" , happy , "spk ""2\"""
            \(absolute),neutral,spk1
            # a clip without a speaker
            ./clips/d.wav,sad

            """)
        let corpus = try CorpusLoader.manifest(path: manifest)
        let base = folder.path("lists/..")
        #expect(corpus.labels == ModelHeader.ravdessLabels)
        #expect(corpus.clips == [
            LabelledClip(path: base + "/clips/a.wav", label: 4, speaker: "spk1"),
            LabelledClip(path: base + "/clips/b,c.wav", label: 2, speaker: "spk \"2\""),
            LabelledClip(path: absolute, label: 0, speaker: "spk1"),
            LabelledClip(path: base + "/clips/d.wav", label: 3, speaker: "file:\(base)/clips/d.wav"),
        ])
        #expect(corpus.speakers == ["file:\(base)/clips/d.wav", "spk1", "spk \"2\""])  // "spk" < "spk \"", then digits
        #expect(corpus.description == "manifest \(manifest) (4 clips, 2 speakers; 1 clip without a speaker is its own group)")
        #expect(try CorpusLoader.detectFormat(manifest) == .manifest)
        #expect(try CorpusLoader.load(manifest) == corpus)
    }

    @Test func manifestWithoutSpeakersAndWithCRLF() throws {
        touch(folder, "a.wav")
        touch(folder, "b.wav")
        let manifest = write(folder, "m.csv", "path,label\r\na.wav,yes\r\nb.wav,no\r\n")
        let corpus = try CorpusLoader.load(manifest, labels: ["no", "yes"])
        #expect(corpus.clips.map(\.label) == [1, 0])
        #expect(corpus.clips.map(\.path) == [folder.path("a.wav"), folder.path("b.wav")])
        #expect(corpus.clips.map(\.speaker) == ["file:\(folder.path("a.wav"))", "file:\(folder.path("b.wav"))"])
        #expect(corpus.description.contains("no speaker column"))
        let bare = write(folder, "bare.csv", "a.wav,angry\n")
        #expect(try CorpusLoader.manifest(path: bare).clips.map(\.label) == [4])
    }

    @Test func manifestMissingFileNamesManifestLineAndPath() {
        touch(folder, "a.wav")
        let manifest = write(folder, "m.csv", "path,label\na.wav,angry\nclips/nope.wav,sad\nalso-missing.wav,sad\n")
        let error = CorpusError.missingFile(manifest: manifest, line: 3, path: folder.path("clips/nope.wav"))
        #expect(throws: error) { try CorpusLoader.manifest(path: manifest) }
        #expect(error.description == "\(manifest):3: no such file: \(folder.path("clips/nope.wav"))")
    }

    @Test func manifestUnknownLabelListsKnownLabels() {
        touch(folder, "a.wav")
        let manifest = write(folder, "m.csv", "a.wav,angry\na.wav,happpy\n")
        let error = CorpusError.unknownLabel(source: manifest, line: 2, label: "happpy", known: ModelHeader.ravdessLabels)
        #expect(throws: error) { try CorpusLoader.manifest(path: manifest) }
        #expect(error.description
            == "\(manifest):2: unknown label \"happpy\"; known labels: neutral, calm, happy, sad, angry, fearful, disgust, surprised")
        #expect(throws: CorpusError.unknownLabel(source: manifest, line: 1, label: "angry", known: ["calm", "tense"])) {
            try CorpusLoader.manifest(path: manifest, labels: ["calm", "tense"])
        }
    }

    @Test func manifestMalformedLines() {
        touch(folder, "a.wav")
        let cases: [(text: String, line: Int, reason: String)] = [
            ("# header-less\na.wav\n", 2, "expected path,label[,speaker] but found 1 field"),
            ("a.wav,angry,s1,extra\n", 1, "expected path,label[,speaker] but found 4 fields (quote paths that hold commas)"),
            ("\"a.wav,angry\n", 1, "unterminated quote in field 1"),
            ("a.wav,,s1\n", 1, "empty label"),
            (",angry\n", 1, "empty path"),
            ("a.wav,angry,\n", 1, "empty speaker (leave the column out to make each file its own group)"),
            ("path,emotion\na.wav,angry\n", 1, "header must be path,label or path,label,speaker, not path,emotion"),
            ("., angry\n", 1, "\(folder.url.path) is a directory, not an audio file"),
        ]
        for (n, item) in cases.enumerated() {
            let manifest = write(folder, "m\(n).csv", item.text)
            #expect(throws: CorpusError.malformedLine(manifest: manifest, line: item.line, reason: item.reason)) {
                try CorpusLoader.manifest(path: manifest)
            }
        }
        let manifest = write(folder, "dup.csv", "a.wav,angry\n./a.wav,sad\n")
        #expect(throws: CorpusError.duplicateClip(manifest: manifest, line: 2, path: folder.path("a.wav"), firstLine: 1)) {
            try CorpusLoader.manifest(path: manifest)
        }
        let empty = write(folder, "empty.csv", "# nothing\npath,label\n")
        do {
            _ = try CorpusLoader.manifest(path: empty)
            Issue.record("expected noClips")
        } catch {
            guard case .noClips(let path, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(path == empty)
        }
        #expect(throws: CorpusError.unreadable(path: folder.path("none.csv"), reason: "no such file or directory")) {
            try CorpusLoader.load(folder.path("none.csv"))
        }
    }

    /// The same file listed twice however it is spelled would put one recording in training and test.
    @Test func manifestDuplicatesAreFoundHoweverThePathIsSpelled() throws {
        touch(folder, "a.wav")
        touch(folder, "sub/b.wav")
        try FileManager.default.createSymbolicLink(atPath: folder.path("link.wav"), withDestinationPath: folder.path("a.wav"))
        for (n, spelling) in ["sub/../a.wav", folder.path("a.wav"), "link.wav", "./sub/../sub/../a.wav"].enumerated() {
            let manifest = write(folder, "dup\(n).csv", "a.wav,angry\n\(spelling),sad\n")
            do {
                _ = try CorpusLoader.manifest(path: manifest)
                Issue.record("\(spelling): expected duplicateClip")
            } catch {
                guard case .duplicateClip(_, let line, _, let firstLine) = error, line == 2, firstLine == 1 else {
                    Issue.record("\(spelling): wrong error \(error)")
                    continue
                }
            }
        }
        let distinct = write(folder, "distinct.csv", "a.wav,angry\nsub/b.wav,sad\n")
        #expect(try CorpusLoader.manifest(path: distinct).clips.count == 2)
    }

    /// One class is not a classification problem: a label list of one, or a single label folder
    /// (a corpus given one level too high), is refused with what to do.
    @Test func aSingleClassIsRefused() throws {
        let manifest = write(folder, "one.csv", "a.wav,angry\n")
        touch(folder, "a.wav")
        #expect(throws: CorpusError.invalidLabels(reason: "angry alone: a classifier needs at least two classes")) {
            try CorpusLoader.manifest(path: manifest, labels: ["angry"])
        }
        touch(folder, "dataset/cheerful/spk1/a.wav")
        touch(folder, "dataset/gloomy/spk1/b.wav")
        let wrapped = folder.path("wrapper")
        touch(folder, "wrapper/dataset/cheerful/spk1/a.wav")
        #expect(throws: CorpusError.invalidLabels(reason: "\(wrapped)/dataset is the only label folder, and a classifier needs at least two "
                                                  + "classes; if it holds the label folders, name it as the corpus")) {
            try CorpusLoader.folders(directory: wrapped)
        }
        #expect(try CorpusLoader.folders(directory: folder.path("dataset")).labels == ["cheerful", "gloomy"])
    }
}

@Suite("fold planning")
struct FoldPlanningTests {
    @Test func speakersSortNumerically() {
        let names = ["Actor_10", "Actor_2", "Actor_1", "b", "Actor_02"]
        let corpus = LabelledCorpus(labels: ["a"], clips: names.map { LabelledClip(path: $0, label: 0, speaker: $0) }, description: "")
        #expect(corpus.speakers == ["Actor_1", "Actor_02", "Actor_2", "Actor_10", "b"])
    }

    /// Checks the invariants every speaker-grouped plan must hold.
    private func checkPartition(_ folds: [Fold], _ corpus: LabelledCorpus) {
        var timesTested = [Int](repeating: 0, count: corpus.clips.count)
        for fold in folds {
            let trainSpeakers = Set(fold.train.map { corpus.clips[$0].speaker })
            let testSpeakers = Set(fold.test.map { corpus.clips[$0].speaker })
            #expect(trainSpeakers.isDisjoint(with: testSpeakers))
            #expect(testSpeakers == Set(fold.testSpeakers))
            #expect((fold.train + fold.test).sorted() == Array(corpus.clips.indices))
            #expect(fold.train == fold.train.sorted() && fold.test == fold.test.sorted())
            for index in fold.test { timesTested[index] += 1 }
        }
        #expect(timesTested.allSatisfy { $0 == 1 })
    }

    @Test func sixFoldsOverTwentyFourActors() throws {
        let corpus = syntheticCorpus()
        let folds = try FoldPlanner.speakerFolds(corpus, k: 6)
        #expect(folds.map(\.index) == Array(0..<6))
        checkPartition(folds, corpus)
        for (k, fold) in folds.enumerated() {
            #expect(fold.testSpeakers == actors(4 * k + 1...4 * k + 4))
            #expect(fold.test.count == 20 && fold.train.count == 100)
        }
    }

    @Test func unevenSpeakerCountsAreDealtEvenly() throws {
        let corpus = syntheticCorpus(actors: 10, perActor: 2)
        let folds = try FoldPlanner.speakerFolds(corpus, k: 3)
        checkPartition(folds, corpus)
        #expect(folds.map(\.testSpeakers.count) == [4, 3, 3])
        #expect(folds[2].testSpeakers == actors(8...10))
        let leaveOneOut = try FoldPlanner.speakerFolds(corpus, k: 10)
        checkPartition(leaveOneOut, corpus)
        #expect(leaveOneOut.allSatisfy { $0.testSpeakers.count == 1 })
    }

    @Test func tooManyFoldsForTheSpeakers() {
        let corpus = syntheticCorpus(actors: 3, perActor: 2)
        #expect(throws: CorpusError.tooFewSpeakers(found: 3, needed: 4)) { try FoldPlanner.speakerFolds(corpus, k: 4) }
        #expect(CorpusError.tooFewSpeakers(found: 3, needed: 4).description
            == "speaker-grouped folds need at least 4 speakers; the corpus has 3")
        #expect(throws: CorpusError.invalidFoldCount(k: 1)) { try FoldPlanner.speakerFolds(corpus, k: 1) }
    }

    @Test func validationTakesWholeTrainingSpeakersOnly() throws {
        let corpus = syntheticCorpus()
        let folds = try FoldPlanner.speakerFolds(corpus, k: 6)
        for fold in folds {
            let split = FoldPlanner.validationSplit(corpus, trainIndices: fold.train, fraction: 0.2, seed: 7)
            let trainSpeakers = Set(split.train.map { corpus.clips[$0].speaker })
            let validationSpeakers = Set(split.validation.map { corpus.clips[$0].speaker })
            #expect(validationSpeakers.count == 4)  // round(20 × 0.2)
            #expect(trainSpeakers.isDisjoint(with: validationSpeakers))
            #expect(validationSpeakers.isDisjoint(with: fold.testSpeakers))
            #expect((split.train + split.validation).sorted() == fold.train)
            let again = FoldPlanner.validationSplit(corpus, trainIndices: fold.train, fraction: 0.2, seed: 7)
            #expect(again.train == split.train && again.validation == split.validation)
        }
        let picks = Set((0..<8).map { seed in
            FoldPlanner.validationSplit(corpus, trainIndices: folds[0].train, fraction: 0.2, seed: UInt64(seed)).validation
        })
        #expect(picks.count > 1)
        // At least one speaker each side, however small or large the fraction; 0 holds out none.
        let two = syntheticCorpus(actors: 2, perActor: 3)
        for fraction in [0.01, 0.5, 1.0] {
            let split = FoldPlanner.validationSplit(two, trainIndices: Array(two.clips.indices), fraction: fraction, seed: 1)
            #expect(split.train.count == 3 && split.validation.count == 3)
        }
        let all = FoldPlanner.validationSplit(two, trainIndices: Array(two.clips.indices), fraction: 0, seed: 1)
        #expect(all.train == Array(two.clips.indices) && all.validation.isEmpty)
        let one = syntheticCorpus(actors: 1, perActor: 3)
        let none = FoldPlanner.validationSplit(one, trainIndices: [0, 1, 2], fraction: 0.5, seed: 1)
        #expect(none.train == [0, 1, 2] && none.validation.isEmpty)
    }

    @Test func randomSplitIsStratifiedAndSeeded() {
        let corpus = syntheticCorpus(actors: 24, perActor: 10)  // 30 clips per label
        let fold = FoldPlanner.randomSplit(corpus, testFraction: 0.2, seed: 42)
        #expect((fold.train + fold.test).sorted() == Array(corpus.clips.indices))
        #expect(Set(fold.train).isDisjoint(with: fold.test))
        for label in corpus.labels.indices {
            #expect(fold.test.filter { corpus.clips[$0].label == label }.count == 6)
        }
        #expect(fold.testSpeakers == Set(fold.test.map { corpus.clips[$0].speaker }).sorted())
        #expect(FoldPlanner.randomSplit(corpus, testFraction: 0.2, seed: 42) == fold)
        #expect(FoldPlanner.randomSplit(corpus, testFraction: 0.2, seed: 43) != fold)
        #expect(FoldPlanner.randomSplit(corpus, testFraction: 0, seed: 1).test.isEmpty)
        #expect(SplitProtocol.speakerIndependent.rawValue == "speaker-independent")
    }
}

@Suite("RAVDESS corpus")
struct RavdessCorpusTests {
    @Test(.enabled(if: Corpus.isAvailable, Comment(rawValue: Corpus.absentMessage)))
    func realCorpusLoadsAndFolds() throws {
        let corpus = try CorpusLoader.load(Corpus.speech16k.path)
        #expect(corpus.clips.count == 1440)
        #expect(corpus.speakers == actors(1...24))
        #expect(corpus.count(ofLabel: 0) == 96)
        for label in 1..<8 { #expect(corpus.count(ofLabel: label) == 192) }
        #expect(corpus.description == "RAVDESS speech (1440 clips, 24 speakers)")
        #expect(corpus.clips.map(\.path) == Corpus.allClips())
        let folds = try FoldPlanner.speakerFolds(corpus, k: 6)
        #expect(folds.map(\.test.count) == [240, 240, 240, 240, 240, 240])
        for (k, fold) in folds.enumerated() {
            #expect(fold.testSpeakers == actors(4 * k + 1...4 * k + 4))
            #expect(Set(fold.train.map { corpus.clips[$0].speaker }).isDisjoint(with: fold.testSpeakers))
        }
    }
}
