import EmoscopeAudio
import EmoscopeCore
import EmoscopeTestSupport
import Foundation
import Testing

/// `emoscope-train` run as a user runs it.
@Suite("emoscope-train")
struct TrainCommandTests {
    let trainer = ProcessRunner.product("emoscope-train")
    let emoscope = ProcessRunner.product("emoscope")

    /// The synthetic three-class corpus of four speakers as 16 kHz FLAC files; returns its manifest.
    static func flacCorpus(in folder: TemporaryDirectory, clipsPerClass: Int) throws -> String {
        try SyntheticCorpus.write(into: folder, speakers: 4, clipsPerClass: clipsPerClass) { samples, path in
            try AudioFileWriter.write(samples, sampleRate: 16_000, to: path, format: .flac16)
        }
    }

    /// Problems a run would only meet at its end (an output folder that is missing, a class with
    /// no clips, a learning rate that is not a number) stop it before any clip is decoded.
    @Test func refusesBeforeTrainingWhatWouldFailLater() throws {
        let folder = TemporaryDirectory()
        let manifest = try Self.flacCorpus(in: folder, clipsPerClass: 1)
        let common = [trainer, manifest, "--labels", "low,middle,high", "--folds", "2", "--epochs", "1", "--batch-size", "8"]
        let cases: [(arguments: [String], status: Int32, message: String)] = [
            (["--report", folder.path("missing/r.json"), "--output", folder.path("m.emomodel")], 2,
             "\(folder.path("missing/r.json")): the folder \(folder.path("missing")) does not exist"),
            (["--output", folder.path("missing/m.emomodel")], 2, "the folder \(folder.path("missing")) does not exist"),
            (["--output", manifest + "/m.emomodel"], 2, "\(manifest) is not a folder"),
            (["--learning-rate", "nan"], 64, "--learning-rate must be a positive number"),
            (["--learning-rate=-1"], 64, "--learning-rate must be a positive number"),
            (["--output", folder.url.path], 2, "\(folder.url.path) is a folder: name a file"),
            (["--output", folder.path("m.emomodel"), "--fold-models", manifest + "/folds"], 2, "--fold-models \(manifest)/folds: cannot create the folder"),
            // Options that would be silently ignored.
            (["--patience", "5"], 64, "--patience needs --validation-fraction > 0"),
            (["--split", "random"], 64, "--folds does not apply to --split random"),
            // A checkpoint is never overwritten by a run that forgot --resume.
            (["--output", folder.path("interrupted.emomodel")], 2,
             "\(folder.path("interrupted.emomodel.checkpoint")) holds an interrupted run: add --resume to continue it, or delete it to start over"),
        ]
        try Data("{}".utf8).write(to: URL(fileURLWithPath: folder.path("interrupted.emomodel.checkpoint")))
        for (arguments, status, message) in cases {
            let result = try ProcessRunner.run(common + arguments)
            #expect(result.status == status && result.stderr.contains(message), "\(arguments): \(result.status) \(result.stderr)")
            #expect(!(result.stdout + result.stderr).contains("decoding"), "\(arguments) started decoding")
        }
        // Speaker options on a corpus that names no speakers; one class; a clip that cannot be decoded.
        let lines = try String(contentsOfFile: manifest, encoding: .utf8).split(separator: "\n")
        let anonymous = folder.path("anonymous.csv")
        try lines.map { $0.split(separator: ",").prefix(2).joined(separator: ",") }.joined(separator: "\n")
            .write(toFile: anonymous, atomically: true, encoding: .utf8)
        let unnamed = try ProcessRunner.run([trainer, anonymous, "--labels", "low,middle,high", "--speaker-normalization", "--output", folder.path("m.emomodel")])
        #expect(unnamed.status == 2 && unnamed.stderr.contains("need to know each clip's speaker, and this corpus names none"), "stderr: \(unnamed.stderr)")
        let single = try ProcessRunner.run([trainer, manifest, "--labels", "low", "--output", folder.path("m.emomodel")])
        #expect(single.status == 2 && single.stderr.contains("low alone: a classifier needs at least two classes"), "stderr: \(single.stderr)")
        try Data("RIFF\0\0\0\0WAVEjunk".utf8).write(to: URL(fileURLWithPath: folder.path("broken.wav")))
        let withBroken = folder.path("broken.csv")
        try (lines + ["broken.wav,low,speaker0"]).joined(separator: "\n").write(toFile: withBroken, atomically: true, encoding: .utf8)
        let broken = try ProcessRunner.run([trainer, withBroken, "--labels", "low,middle,high", "--folds", "2", "--output", folder.path("m.emomodel")])
        #expect(broken.status == 2 && broken.stderr.contains("broken.wav") && broken.stderr.contains("fix or remove that clip"), "stderr: \(broken.stderr)")

        let extra = try ProcessRunner.run([trainer, manifest, "--labels", "low,middle,high,shrill", "--output", folder.path("m.emomodel")])
        #expect(extra.status == 2 && extra.stderr.contains("no clips for shrill"), "stderr: \(extra.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("m.emomodel")))

        // RAVDESS takes no --labels, so a folder missing emotions is pointed at a manifest.
        let ravdess = folder.path("ravdess")
        for actor in 1...2 {
            try FileManager.default.createDirectory(atPath: "\(ravdess)/Actor_0\(actor)", withIntermediateDirectories: true)
            for emotion in [5, 4] {
                try AudioFileWriter.write(Signals.speechLike(frequency: 150, seconds: 1), sampleRate: 16_000,
                                          to: "\(ravdess)/Actor_0\(actor)/03-01-0\(emotion)-01-01-01-0\(actor).wav", format: .wav16)
            }
        }
        let partial = try ProcessRunner.run([trainer, ravdess, "--folds", "2", "--output", folder.path("m.emomodel")])
        #expect(partial.status == 2 && partial.stderr.contains("no clips for neutral, calm, happy, fearful, disgust, surprised")
                && partial.stderr.contains("list the clips in a manifest"), "stderr: \(partial.stderr)")
    }

    /// --mel-bands reshapes the standard recipe's three networks; the model says so and loads.
    @Test func trainsOnOtherMelBands() throws {
        let folder = TemporaryDirectory()
        let manifest = try Self.flacCorpus(in: folder, clipsPerClass: 1)
        let model = folder.path("forty.emomodel")
        let result = try ProcessRunner.run([trainer, manifest, "--labels", "low,middle,high", "--folds", "2", "--epochs", "1",
                                            "--batch-size", "8", "--mel-bands", "40", "--output", model])
        #expect(result.status == 0, "stderr: \(result.stderr.suffix(800))")
        let header = try ModelStore.load(path: model).header
        #expect(header.features.melBands == 40 && header.ensemble.count == 2)
        let classify = try ProcessRunner.run([emoscope, "classify", folder.path("s0-high-0.flac"), "--model", model, "--format", "csv"])
        #expect(classify.status == 0, "stderr: \(classify.stderr)")
    }

    @Test func trainsEvaluatesAndWritesAModelTheAppLoads() throws {
        let folder = TemporaryDirectory()
        let manifest = try Self.flacCorpus(in: folder, clipsPerClass: 3)
        let model = folder.path("synthetic.emomodel")
        let result = try ProcessRunner.run([trainer, manifest, "--labels", "low,middle,high", "--folds", "2", "--epochs", "2",
                                            "--batch-size", "8", "--output", model, "--fold-models", folder.path("folds")])
        #expect(result.status == 0, "stderr: \(result.stderr.suffix(800))")
        #expect(result.stdout.contains("speaker-independent 2-fold cross-validation"))
        #expect(result.stdout.contains("mean ± std over folds: accuracy"))
        #expect(result.stdout.contains("calibration: temperature cross-fitted") && result.stdout.contains("ECE pooled over test clips"))
        // The standard recipe trains three networks per fold, one after the other: 3 × 2 epochs.
        #expect(result.stderr.contains("fold 1/2 network 1/3 epoch 1/2") && result.stderr.contains("fold 1/2 network 3/3 epoch 2/2")
                && result.stderr.contains("ETA"), "stderr: \(result.stderr.prefix(1500))")
        #expect(result.stdout.contains("Training: 3 networks (an ensemble, logits averaged) per fold, 2 epochs each"))
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.path("synthetic.report.json")))) as! [String: Any]
        #expect(report["split"] as? String == "speaker-independent")
        // The folds' own time, the final fit after them not counted: the "6-fold run" figure.
        let folds = try #require(report["crossValidationSeconds"] as? Double), total = try #require(report["trainingSeconds"] as? Double)
        #expect(folds > 0 && folds < total && result.stdout.contains(String(format: "(the folds %.0f s)", folds)), "stdout: \(result.stdout)")
        #expect((report["folds"] as? [Any])?.count == 2)
        #expect((report["predictions"] as? [Any])?.count == 36)
        let speakers = report["speakers"] as? [[String: Any]]
        #expect(speakers?.map { $0["speaker"] as? String } == ["speaker0", "speaker1", "speaker2", "speaker3"] && speakers?.allSatisfy { $0["clips"] as? Int == 9 } == true)
        #expect(result.stdout.contains("per speaker (UAR on the speaker's own clips), lowest first; median "), "stdout: \(result.stdout)")
        #expect(FileManager.default.fileExists(atPath: folder.path("synthetic.report.txt")))
        #expect(!FileManager.default.fileExists(atPath: model + ".checkpoint"), "the checkpoint is removed after success")
        #expect(try ModelStore.load(path: model).header.normalization.subtractSpeechLevel, "the standard recipe removes the speech level")
        for fold in 1...2 {
            let foldModel = try ModelStore.load(path: folder.path("folds/fold-\(fold).emomodel"))
            #expect(foldModel.header.labels == ["low", "middle", "high"] && foldModel.header.calibration.temperature == 1)
        }
        let classify = try ProcessRunner.run([emoscope, "classify", folder.path("s0-high-0.flac"), "--model", model, "--format", "csv"])
        #expect(classify.status == 0)
        #expect(classify.stdout.hasPrefix("path,duration,status,label,confidence,low,middle,high"))

        let random = try ProcessRunner.run([trainer, manifest, "--labels", "low,middle,high", "--split", "random", "--epochs", "1",
                                            "--batch-size", "8", "--output", folder.path("random.emomodel"), "--evaluate-only"])
        #expect(random.status == 0)
        #expect(random.stdout.contains("RANDOM 80/20 split (speakers shared"))
        // One split cannot be cross-fitted, and the standard recipe holds out no validation speakers.
        #expect(random.stdout.contains("calibration: none: one split and no validation speakers"), "stdout: \(random.stdout)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("random.emomodel")), "--evaluate-only writes no model")
        #expect(FileManager.default.fileExists(atPath: folder.path("random.report.json")))

        let adversarial = try ProcessRunner.run([trainer, manifest, "--labels", "low,middle,high", "--folds", "2", "--epochs", "1", "--batch-size", "8",
                                                 "--speaker-adversary", "0.3", "--output", folder.path("adversary.emomodel"), "--evaluate-only"])
        #expect(adversarial.status == 0, "stderr: \(adversarial.stderr.suffix(800))")
        #expect(adversarial.stdout.contains("1 epochs each, against a speaker adversary (confusion loss weighted up to 0.3)"), "stdout: \(adversarial.stdout)")
        let intensity = try ProcessRunner.run([trainer, manifest, "--labels", "low,middle,high", "--intensity-head", "0.3"])
        #expect(intensity.status == 2 && intensity.stderr.contains("--intensity-head needs clips with RAVDESS file names")
                && intensity.stderr.contains("none of the 36 has one"), "stderr: \(intensity.stderr)")
        let negative = try ProcessRunner.run([trainer, manifest, "--labels", "low,middle,high", "--speaker-adversary=-1"])
        #expect(negative.status == 64 && negative.stderr.contains("--speaker-adversary must be a non-negative number"), "stderr: \(negative.stderr)")
    }

    /// Speaker adaptation is labelled as such in every report, and the model it writes says so:
    /// `classify` and `eval --adapt` then standardise each speaker with that speaker's statistics,
    /// which a model trained on corpus statistics refuses.
    @Test func speakerNormalizationIsLabelledAndWritesAnAdaptingModel() throws {
        let folder = TemporaryDirectory()
        let manifest = try Self.flacCorpus(in: folder, clipsPerClass: 2)
        let model = folder.path("adapted.emomodel")
        let common = [trainer, manifest, "--labels", "low,middle,high", "--folds", "2", "--epochs", "1", "--batch-size", "8",
                      "--speaker-normalization", "--output", model]
        let trained = try ProcessRunner.run(common)
        #expect(trained.status == 0, "stderr: \(trained.stderr.suffix(800))")
        #expect(trained.stdout.contains("SPEAKER-ADAPTED: each clip standardised with the statistics of all its speaker's clips"))
        #expect(try ModelStore.load(path: model).header.speakerNormalized)
        let some = try ProcessRunner.run(common + ["--evaluate-only", "--speaker-statistics-clips", "2", "--output", folder.path("some.emomodel")])
        #expect(some.status == 0 && some.stdout.contains("statistics of 2 of its speaker's clips"), "stderr: \(some.stderr.suffix(800))")
        let alone = try ProcessRunner.run(common.filter { $0 != "--speaker-normalization" } + ["--evaluate-only", "--speaker-statistics-clips", "2"])
        #expect(alone.status == 64 && alone.stderr.contains("--speaker-statistics-clips needs --speaker-normalization"))
        let varied = try ProcessRunner.run(common + ["--evaluate-only", "--varied-adaptation", "--output", folder.path("varied.emomodel")])
        #expect(varied.status == 0 && varied.stdout.contains("all its speaker's clips (in training, of none to all of them)"),
                "stderr: \(varied.stderr.suffix(800))")
        let variedAlone = try ProcessRunner.run(common.filter { $0 != "--speaker-normalization" } + ["--evaluate-only", "--varied-adaptation"])
        #expect(variedAlone.status == 64 && variedAlone.stderr.contains("--varied-adaptation needs --speaker-normalization"))

        let adapted = try ProcessRunner.run([emoscope, "eval", manifest, "--model", model, "--adapt", "--json"])
        #expect(adapted.status == 0, "stderr: \(adapted.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(adapted.stdout.utf8)) as! [String: Any]
        #expect((report["adaptation"] as? String)?.contains("each speaker standardised with the statistics of all its clips") == true)
        let plain = try ProcessRunner.run([emoscope, "eval", manifest, "--model", model, "--json"])
        let plainReport = try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as! [String: Any]
        #expect(plainReport["adaptation"] == nil)
        func confidences(_ report: [String: Any]) -> [Double] {
            (report["predictions"] as! [[String: Any]]).map { ($0["confidence"] as? Double) ?? -1 }
        }
        #expect(confidences(report) != confidences(plainReport), "each speaker's statistics change the answers")
        let fewer = try ProcessRunner.run([emoscope, "eval", manifest, "--model", model, "--adapt", "--adapt-clips", "1", "--adapt-prior", "0"])
        #expect(fewer.status == 0 && fewer.stdout.contains("adapted:  each speaker standardised with the statistics of 1 of its clips"),
                "stdout: \(fewer.stdout)")
        let classify = try ProcessRunner.run([emoscope, "classify", folder.path("s0-high-0.flac"), folder.path("s1-low-0.flac"), "--model", model,
                                              "--adapt", "--format", "csv"])
        #expect(classify.status == 0 && classify.stdout.split(separator: "\n").count == 3, "stderr: \(classify.stderr)")

        let corpusModel = folder.path("corpus.emomodel")
        var plainModel = try ModelStore.load(path: model)
        plainModel.header.speakerNormalized = false
        try ModelStore.save(plainModel, to: corpusModel)
        let refused = try ProcessRunner.run([emoscope, "eval", manifest, "--model", corpusModel, "--adapt"])
        #expect(refused.status == 2 && refused.stderr.contains("--adapt needs a model trained with --speaker-normalization"), "stderr: \(refused.stderr)")
        let unasked = try ProcessRunner.run([emoscope, "classify", manifest, "--adapt-clips", "3"])
        #expect(unasked.status == 64 && unasked.stderr.contains("--adapt-clips and --adapt-prior need --adapt"))
    }

    /// Two --architecture files and --ensemble 3: members use them in turn, and the app loads the ensemble.
    @Test func trainsAnEnsembleOfDifferentNetworks() throws {
        let folder = TemporaryDirectory()
        let manifest = try Self.flacCorpus(in: folder, clipsPerClass: 2)
        let conv = #"{"type": "conv2d", "outChannels": 4, "kernel": [3, 3], "stride": [2, 2], "padding": [1, 1]}, {"type": "relu"}"#
        let plain = folder.path("plain.json"), attentive = folder.path("attentive.json")
        try "[\(conv), {\"type\": \"globalPool\", \"statistics\": \"meanStd\"}, {\"type\": \"dense\", \"outFeatures\": 3}]"
            .write(toFile: plain, atomically: true, encoding: .utf8)
        try "[\(conv), {\"type\": \"attentivePool\", \"hidden\": 4}, {\"type\": \"dense\", \"outFeatures\": 3}]"
            .write(toFile: attentive, atomically: true, encoding: .utf8)
        let model = folder.path("ensemble.emomodel")
        let result = try ProcessRunner.run([trainer, manifest, "--labels", "low,middle,high", "--folds", "2", "--epochs", "1", "--batch-size", "8",
                                            "--architecture", plain, "--architecture", attentive, "--ensemble", "3", "--no-level-normalization",
                                            "--output", model])
        #expect(result.status == 0, "stderr: \(result.stderr.suffix(800))")
        #expect(result.stderr.contains("fold 1/2 network 3/3 epoch 1/1"), "three members of one epoch each")
        let loaded = try ModelStore.load(path: model)
        #expect(loaded.header.members == 3)
        #expect(!loaded.header.normalization.subtractSpeechLevel, "--no-level-normalization turns the standard recipe's off")
        #expect(loaded.header.ensemble.map { $0.contains(.attentivePool(hidden: 4)) } == [true, false])
        let classify = try ProcessRunner.run([emoscope, "classify", folder.path("s0-high-0.flac"), "--model", model, "--format", "csv"])
        #expect(classify.status == 0, "stderr: \(classify.stderr)")
        let info = try ProcessRunner.run([emoscope, "info", "--model", model])
        #expect(info.status == 0 && info.stdout.contains("network    3 networks, their logits averaged"), "stdout: \(info.stdout)")
        #expect(info.stdout.contains("  2. conv 4 3×3/2×2 · relu · attentive mean+std over time (4) · dense 3"), "stdout: \(info.stdout)")
        #expect(info.stdout.contains("labels     low middle high"))
        #expect(info.stdout.contains("recipe     1 epoch on every training speaker; batches of 8; AdamW at a peak learning rate"),
                "the trainer records its recipe in the model file: \(info.stdout)")
        let tooMany = try ProcessRunner.run([trainer, manifest, "--ensemble", "17", "--output", model])
        #expect(tooMany.status != 0 && tooMany.stderr.contains("--ensemble must be 1…16"), "stderr: \(tooMany.stderr)")
    }

    @Test func corpusProblemsAreReportedBeforeTraining() throws {
        let folder = TemporaryDirectory()
        try AudioFileWriter.write(Signals.speechLike(frequency: 150, seconds: 1), sampleRate: 16_000, to: folder.path("a.wav"), format: .wav16)
        let missing = folder.path("missing.csv")
        try "path,label,speaker\na.wav,angry,x\nb.wav,sad,y\n".write(toFile: missing, atomically: true, encoding: .utf8)
        let result = try ProcessRunner.run([trainer, missing, "--output", folder.path("m.emomodel")])
        #expect(result.status == 2)
        #expect(result.stderr.contains("missing.csv:3: no such file") && result.stderr.contains("b.wav"), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("decoding"), "nothing was decoded")

        let badRecipe = try ProcessRunner.run([trainer, missing, "--augmentation", "crop,echo", "--output", folder.path("m.emomodel")])
        #expect(badRecipe.status != 0 && badRecipe.stderr.contains("--augmentation 'crop,echo' is not"), "stderr: \(badRecipe.stderr)")
        let badWidths = try ProcessRunner.run([trainer, missing, "--conv-channels", "8,16", "--output", folder.path("m.emomodel")])
        #expect(badWidths.status != 0 && badWidths.stderr.contains("--conv-channels needs 4 positive counts"), "stderr: \(badWidths.stderr)")

        let layers = folder.path("layers.json")
        try #"[{"type": "globalPool", "statistics": "mean"}, {"type": "dense", "outFeatures": 3}]"#.write(toFile: layers, atomically: true, encoding: .utf8)
        let one = folder.path("one.csv")
        try "path,label,speaker\na.wav,angry,x\n".write(toFile: one, atomically: true, encoding: .utf8)
        let wrongOutputs = try ProcessRunner.run([trainer, one, "--architecture", layers, "--output", folder.path("m.emomodel")])
        #expect(wrongOutputs.status == 2 && wrongOutputs.stderr.contains("--architecture \(layers): the last layer gives 3 values for 8 labels"),
                "stderr: \(wrongOutputs.stderr)")
        #expect(!wrongOutputs.stderr.contains("decoding"), "nothing was decoded")
        let both = try ProcessRunner.run([trainer, missing, "--architecture", layers, "--conv-channels", "8,16,32,64"])
        #expect(both.status != 0 && both.stderr.contains("cannot be combined"), "stderr: \(both.stderr)")

        let unknown = folder.path("unknown.csv")
        try "a.wav,angy,x\n".write(toFile: unknown, atomically: true, encoding: .utf8)
        let second = try ProcessRunner.run([trainer, unknown, "--output", folder.path("m.emomodel")])
        #expect(second.status == 2)
        #expect(second.stderr.contains("unknown.csv:1: unknown label \"angy\"") && second.stderr.contains("angry")
                && second.stderr.contains("(--labels names the classes, comma-separated)"), "stderr: \(second.stderr)")
    }
}
