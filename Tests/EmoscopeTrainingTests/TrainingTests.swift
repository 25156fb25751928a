import EmoscopeAudio
import EmoscopeCore
import EmoscopeTestSupport
import EmoscopeTraining
import Foundation
import Testing

/// Whole training runs on a small generated corpus.
@Suite("training", .serialized)
struct TrainingTests {
    static func setUp(_ folder: TemporaryDirectory) throws -> (LabelledCorpus, [PreparedClip], TrainingConfiguration) {
        let manifest = try SyntheticCorpus.write(into: folder) { samples, path in
            try AudioFileWriter.write(samples, sampleRate: 16_000, to: path, format: .flac16)
        }
        let corpus = try CorpusLoader.load(manifest, format: .manifest, labels: SyntheticCorpus.labels)
        var configuration = TrainingConfiguration.standard(labels: 3, seed: 3)
        let recipe = SyntheticCorpus.configuration()
        configuration.architecture = recipe.architecture
        configuration.ensemble = nil
        configuration.epochs = recipe.epochs
        configuration.batchSize = 8
        configuration.patience = 20
        configuration.validationFraction = 0.34
        // The shipped recipe trains without augmentation; these runs keep the augmentation path tested.
        configuration.augmentation = AugmentationSettings()
        let clips = try CorpusPreparation.prepare(corpus, features: configuration.features, minimumSamples: 8_000, threads: 2)
        return (corpus, clips, configuration)
    }

    static func crossValidation(_ corpus: LabelledCorpus, _ clips: [PreparedClip], _ configuration: TrainingConfiguration,
                                threads: Int = 2) throws -> CrossValidation {
        CrossValidation(configuration: configuration, corpus: corpus, clips: clips, folds: try FoldPlanner.speakerFolds(corpus, k: 2),
                        split: .speakerIndependent, protocolDescription: "speaker-independent 2-fold", threads: threads,
                        codeRevision: "test", date: "2026-11-21")
    }

    /// A learning rate that blows the weights up stops the run with what to change, before a
    /// checkpoint or a model of NaNs is written.
    @Test func aDivergingRunStopsWithWhatToChange() throws {
        let folder = TemporaryDirectory()
        var (corpus, clips, configuration) = try Self.setUp(folder)
        configuration.peakLearningRate = 1e30
        configuration.epochs = 3
        let checkpoint = folder.path("run.checkpoint")
        do {
            _ = try Self.crossValidation(corpus, clips, configuration).run(resuming: nil, checkpointPath: checkpoint, shouldStop: { false })
            Issue.record("expected TrainingDiverged")
        } catch let error as TrainingDiverged {
            #expect(error.description.contains("is not a finite number; lower the peak learning rate (1e+30, --learning-rate)"), "\(error)")
        }
        if let data = FileManager.default.contents(atPath: checkpoint) {
            let saved = try JSONDecoder().decode(TrainingCheckpoint.self, from: data)
            #expect(saved.running.allSatisfy { $0.state?.history.allSatisfy { $0.loss.isFinite } ?? true }, "only finite epochs are checkpointed")
        }
    }

    /// A checkpoint belongs to one fold plan: the same corpus split another way fingerprints differently.
    @Test func theCheckpointFingerprintCoversTheFolds() throws {
        let folder = TemporaryDirectory()
        let (corpus, _, _) = try Self.setUp(folder)
        let two = try FoldPlanner.speakerFolds(corpus, k: 2), three = try FoldPlanner.speakerFolds(corpus, k: 3)
        #expect(CrossValidation.fingerprint(corpus, folds: two) == CrossValidation.fingerprint(corpus, folds: two))
        #expect(CrossValidation.fingerprint(corpus, folds: two) != CrossValidation.fingerprint(corpus, folds: three))
        #expect(CrossValidation.fingerprint(corpus, folds: two).hasPrefix("72 clips in 2 folds, crc32 "))
    }

    @Test func aTinyRunBeatsChanceOnUnseenSpeakers() throws {
        let folder = TemporaryDirectory()
        let (corpus, clips, configuration) = try Self.setUp(folder)
        let (report, fitted) = try #require(try Self.crossValidation(corpus, clips, configuration).run(resuming: nil, checkpointPath: nil, shouldStop: { false }))
        #expect(report.folds.count == 2)
        for fold in report.folds {
            // Speaker independence: no test speaker trained on or used for validation.
            let trainedSpeakers = Set(corpus.clips.filter { !fold.testSpeakers.contains($0.speaker) }.map(\.speaker))
            #expect(Set(fold.testSpeakers).isDisjoint(with: fold.validationSpeakers))
            #expect(!trainedSpeakers.isEmpty)
            #expect(fold.metrics.count == 36)
        }
        // Chance is 1/3 on three balanced classes.
        #expect(report.unweightedAverageRecall.mean > 0.6, "UAR \(report.unweightedAverageRecall.mean)")
        #expect(report.predictions.count == 72)
        // Calibration is cross-fitted: each fold's temperature comes from the other fold's test clips,
        // the reported probabilities use it, and the model's temperature is fitted on all of them.
        let calibration = try #require(report.calibration)
        let scored = report.predictions.filter { $0.windows != nil }
        #expect(scored.count == 72)
        func scores(_ members: [ReportedPrediction]) -> ([[WindowScores]], [Int]) {
            (members.map { $0.windows! }, members.map { SyntheticCorpus.labels.firstIndex(of: $0.truth)! })
        }
        for fold in report.folds {
            let (windows, truths) = scores(scored.filter { $0.fold != fold.fold })
            #expect(fold.crossFittedTemperature == WindowScores.fitTemperature(windows, truths: truths))
            for prediction in scored where prediction.fold == fold.fold {
                #expect(prediction.probabilities == WindowScores.clipProbabilities(prediction.windows!, temperature: fold.crossFittedTemperature!))
            }
        }
        #expect(report.eceAfter == calibration.pooledCrossFitted && report.eceBefore == calibration.pooledBefore)
        let model = try #require(fitted)
        let (allWindows, allTruths) = scores(scored)
        #expect(model.header.calibration.temperature == WindowScores.fitTemperature(allWindows, truths: allTruths))
        #expect(model.header.labels == SyntheticCorpus.labels)
        #expect(model.header.provenance.metrics["uar"] == report.unweightedAverageRecall.mean)
        #expect(model.header.provenance.recipe == configuration.recipeSummary)
        // The written model loads and classifies like the app does.
        let path = folder.path("model.emomodel")
        try ModelStore.save(model, to: path)
        let loaded = try ModelStore.load(path: path)
        let result = try EmotionClassifier(model: loaded).classify(clips[0].samples)
        #expect(result.status == .classified)
    }

    @Test func mixupTrainsAndBeatsChanceToo() throws {
        let folder = TemporaryDirectory()
        var (corpus, clips, configuration) = try Self.setUp(folder)
        configuration.mixupAlpha = 0.4
        configuration.augmentation = .none
        let (report, _) = try #require(try Self.crossValidation(corpus, clips, configuration).run(resuming: nil, checkpointPath: nil, finalFit: false,
                                                                                                  shouldStop: { false }))
        #expect(report.configuration.mixupAlpha == 0.4)
        #expect(report.unweightedAverageRecall.mean > 0.55, "UAR \(report.unweightedAverageRecall.mean)")
    }

    /// The corpus statistics are taken after each clip's speech level is removed, when the
    /// model will remove it: then a corpus recorded 12 dB quieter gives the same statistics.
    @Test func levelNormalisedStatisticsDoNotDependOnRecordingGain() throws {
        let folder = TemporaryDirectory()
        let (_, clips, configuration) = try Self.setUp(folder)
        let quieter = clips.map { clip in
            var copy = clip
            copy.samples = clip.samples.map { $0 * 0.25 }
            return copy
        }
        let indices = Array(clips.indices)
        func statistics(_ clips: [PreparedClip], level: Bool) -> ModelHeader.Normalization {
            CorpusPreparation.normalization(of: clips, indices: indices, features: configuration.features, subtractSpeechLevel: level)
        }
        let (plain, plainQuiet) = (statistics(clips, level: false), statistics(quieter, level: false))
        #expect(zip(plain.mean, plainQuiet.mean).allSatisfy { abs($0 - $1 - 12.04) < 0.1 }, "\(plain.mean) against \(plainQuiet.mean)")
        let (levelled, levelledQuiet) = (statistics(clips, level: true), statistics(quieter, level: true))
        #expect(levelled.subtractSpeechLevel && !plain.subtractSpeechLevel)
        #expect(zip(levelled.mean, levelledQuiet.mean).allSatisfy { abs($0 - $1) < 1e-3 })
        #expect(zip(levelled.standardDeviation, levelledQuiet.standardDeviation).allSatisfy { abs($0 - $1) < 1e-3 })
    }

    /// With validation speakers the final fit waits for the folds; without, it trains beside them
    /// when a thread would otherwise be idle (3 threads for 2 folds), else after them. An ensemble
    /// is interrupted with its first member finished and its second under way.
    @Test(arguments: [(nil, 0.34, 2, 1, nil), (0.9, 0.34, 2, 1, nil), (0.9, 0, 2, 1, nil), (0.9, 0, 3, 1, nil), (0.9, 0.34, 2, 2, nil),
                      (0.9, 0, 3, 2, nil), (0.9, 0, 2, 1, 0.5)])
    func resumingAfterAnInterruptionGivesTheSameResult(weightAverageDecay: Double?, validationFraction: Double, threads: Int, members: Int,
                                                       speakerAdversary: Double?) throws {
        let folder = TemporaryDirectory()
        var (corpus, clips, configuration) = try Self.setUp(folder)
        configuration.epochs = 4
        configuration.speakerAdversary = speakerAdversary
        configuration.weightAverageDecay = weightAverageDecay
        configuration.validationFraction = validationFraction
        configuration.ensemble = members == 1 ? nil : Array(repeating: configuration.architecture, count: members - 1)
        let alongside = CrossValidation.finalFitTrainsAlongside(threads: threads, folds: 2, validationFraction: validationFraction)
        #expect(alongside == (validationFraction == 0 && threads == 3))
        let uninterrupted = try #require(try Self.crossValidation(corpus, clips, configuration, threads: threads)
            .run(resuming: nil, checkpointPath: nil, shouldStop: { false }))

        let checkpointPath = folder.path("run.checkpoint")
        let first = try Self.crossValidation(corpus, clips, configuration, threads: threads)
        // Two or three runs train at once. One network each: stop once 6 epochs are done (of 8 for the folds, or 12 with
        // the final fit beside them). An ensemble of two: stop as soon as some run has trained the first epoch of its
        // second network (it cannot finish before the next batch looks at `shouldStop`; a count of epochs would not
        // promise that, as threads share the cores unevenly on a loaded machine and early stopping shortens members).
        let epochs = Counter(), intoSecondMember = Counter()
        let stop = members == 1 ? 6 : configuration.epochs + 1
        first.progress = { _, _, _, record in
            epochs.increment()
            if record.epoch == configuration.epochs + 1 { intoSecondMember.increment() }
        }
        let stopped = try first.run(resuming: nil, checkpointPath: checkpointPath,
                                    shouldStop: { members == 1 ? epochs.value >= stop : intoSecondMember.value > 0 })
        #expect(stopped == nil)
        let checkpoint = try JSONDecoder().decode(TrainingCheckpoint.self, from: Data(contentsOf: URL(fileURLWithPath: checkpointPath)))
        let recorded = checkpoint.completedFolds.count * configuration.epochs * members
            + checkpoint.running.map { ($0.finishedMembers?.count ?? 0) * configuration.epochs + ($0.state?.epochsDone ?? 0) }.reduce(0, +)
        #expect(checkpoint.completedFolds.count < 2 && !checkpoint.running.isEmpty)
        #expect(recorded >= stop && recorded < (members == 1 ? stop + 3 : (alongside ? 3 : 2) * configuration.epochs * members),
                "epochs in the checkpoint: \(recorded)")
        #expect(checkpoint.running.contains { $0.run == 2 } == alongside, "the final fit is running only when it trains beside the folds")
        if members > 1 {
            #expect(checkpoint.running.contains { $0.finishedMembers?.count == 1 && $0.state != nil }, "a fold between its members")
        }

        let resumed = try #require(try Self.crossValidation(corpus, clips, configuration, threads: threads)
            .run(resuming: checkpoint, checkpointPath: checkpointPath, shouldStop: { false }))
        #expect(resumed.model!.tensors == uninterrupted.model!.tensors)
        #expect(resumed.model!.header.calibration == uninterrupted.model!.header.calibration)
        #expect(resumed.report.predictions == uninterrupted.report.predictions)
        #expect(resumed.report.folds.map(\.metrics) == uninterrupted.report.folds.map(\.metrics))
        #expect((resumed.report.crossValidationSeconds == nil) == alongside, "the folds' time is known when the final fit follows them")
        #expect(resumed.model!.header.members == members)
        if speakerAdversary != nil {
            // The adversary's classifier is in the checkpoint (else the resumed run would differ) and its loss in the history.
            #expect(checkpoint.running.contains { $0.state?.auxiliaries?["speaker"] != nil })
            #expect(resumed.report.folds.allSatisfy { $0.history.allSatisfy { $0.speakerLoss.map(\.isFinite) == true } })
        } else {
            #expect(resumed.report.folds.allSatisfy { $0.history.allSatisfy { $0.speakerLoss == nil } })
        }
    }

    /// Each auxiliary classifier changes what is learnt, the run stays deterministic for its seed,
    /// the model holds none of their tensors, and the history has their losses. The intensity
    /// comes from RAVDESS file names: the synthetic clips get such names, intensity strong for
    /// every other clip.
    @Test func auxiliaryClassifiersChangeTheNetworkDeterministically() throws {
        let folder = TemporaryDirectory()
        var (corpus, clips, configuration) = try Self.setUp(folder)
        for i in clips.indices { clips[i].path = folder.path(String(format: "03-01-%02d-%02d-01-01-%02d.flac", clips[i].label + 1, i % 2 + 1, i)) }
        configuration.epochs = 3
        configuration.validationFraction = 0
        func run(adversary: Double?, intensity: Double?) throws -> (model: EmotionModel, history: [EpochRecord]) {
            configuration.speakerAdversary = adversary
            configuration.intensityHead = intensity
            let result = try #require(try Self.crossValidation(corpus, clips, configuration).run(resuming: nil, checkpointPath: nil, shouldStop: { false }))
            return (result.model!, result.report.folds[0].history)
        }
        let plain = try run(adversary: nil, intensity: nil)
        let adversarial = try run(adversary: 0.5, intensity: nil), assisted = try run(adversary: nil, intensity: 0.5)
        #expect(adversarial.model.tensors != plain.model.tensors && assisted.model.tensors != plain.model.tensors)
        #expect(assisted.model.tensors != adversarial.model.tensors)
        #expect(try run(adversary: 0.5, intensity: nil).model.tensors == adversarial.model.tensors)
        #expect(try run(adversary: nil, intensity: 0.5).model.tensors == assisted.model.tensors)
        #expect(adversarial.model.header.tensors == plain.model.header.tensors && assisted.model.header.tensors == plain.model.header.tensors,
                "the classifiers are not part of the model")
        #expect(plain.history.allSatisfy { $0.speakerLoss == nil && $0.intensityLoss == nil })
        #expect(adversarial.history.allSatisfy { $0.speakerLoss != nil && $0.intensityLoss == nil })
        #expect(assisted.history.allSatisfy { $0.speakerLoss == nil && ($0.intensityLoss ?? 9) < 1 })
    }

    @Test func foldsTrainedAtOnceGiveWhatTheyGiveOneAfterAnother() throws {
        let folder = TemporaryDirectory()
        var (corpus, clips, configuration) = try Self.setUp(folder)
        configuration.epochs = 3
        #expect(CrossValidation.foldParallelism(threads: 2, folds: 2) == (2, 1))
        #expect(CrossValidation.foldParallelism(threads: 1, folds: 6) == (1, 1))
        #expect(CrossValidation.foldParallelism(threads: 8, folds: 2) == (2, 4))
        #expect(!CrossValidation.finalFitTrainsAlongside(threads: 2, folds: 6, validationFraction: 0), "a fourth round: after, on both threads")
        #expect(CrossValidation.finalFitTrainsAlongside(threads: 2, folds: 5, validationFraction: 0), "fills the idle thread of the last round")
        #expect(CrossValidation.finalFitTrainsAlongside(threads: 2, folds: 1, validationFraction: 0), "a random split: beside its one fold")
        #expect(!CrossValidation.finalFitTrainsAlongside(threads: 8, folds: 5, validationFraction: 0.1), "early stopping: after the folds")
        func report(threads: Int) throws -> CrossValidationReport {
            let run = CrossValidation(configuration: configuration, corpus: corpus, clips: clips, folds: try FoldPlanner.speakerFolds(corpus, k: 2),
                                      split: .speakerIndependent, protocolDescription: "speaker-independent 2-fold", threads: threads,
                                      codeRevision: "test", date: "2026-11-21")
            return try #require(try run.run(resuming: nil, checkpointPath: nil, finalFit: false, shouldStop: { false })).report
        }
        // Two folds at once on one thread each, against one fold at a time on one thread.
        let together = try report(threads: 2), alone = try report(threads: 1)
        #expect(together.folds.map(\.fold) == [0, 1])
        #expect(together.predictions == alone.predictions)
        #expect(together.folds.map(\.metrics) == alone.folds.map(\.metrics))
        #expect(together.folds.map(\.history.count) == alone.folds.map(\.history.count))
    }

    @Test func aFixedScheduleWithoutValidationSpeakersKeepsTheAveragedWeights() throws {
        let folder = TemporaryDirectory()
        var (corpus, clips, configuration) = try Self.setUp(folder)
        configuration.validationFraction = 0
        configuration.weightAverageDecay = 0.9
        configuration.augmentation = .none
        let fold = try FoldPlanner.speakerFolds(corpus, k: 2)[0]
        let (train, validation) = FoldPlanner.validationSplit(corpus, trainIndices: fold.train, fraction: 0, seed: 1)
        #expect(train == fold.train && validation.isEmpty)
        let trainer = try FoldTrainer(configuration: configuration, labels: corpus.labels, clips: clips, train: train, validation: validation,
                                      run: 0, threads: 2, provenance: .init(corpus: "synthetic", evaluationProtocol: "test", metrics: [:],
                                                                            date: "2026-11-22", seed: 3, codeRevision: "test"))
        var last: FoldState?
        let outcome = try #require(try trainer.run(from: nil, onEpoch: { _, state in last = state }, shouldStop: { false }))
        let state = try #require(last)
        // Every epoch runs, and what is kept is the average, not the last step's weights.
        #expect(outcome.bestEpoch == configuration.epochs && outcome.history.count == configuration.epochs)
        let average = try #require(state.average)
        #expect(average.updates == configuration.epochs * ((train.count + configuration.batchSize - 1) / configuration.batchSize))
        #expect(outcome.model.tensors == average.tensors.tensors)
        #expect(outcome.model.tensors != state.parameters.tensors)
        #expect(outcome.model.header.calibration.temperature == 1)
        // It still learns: well above chance (1/3) on the fold's unseen speakers.
        let predictions = Evaluator.predict(outcome.model, clips: clips, indices: fold.test, threads: 2)
        let metrics = EvaluationMetrics(Evaluator.confusion(predictions, clips: clips, labels: corpus.labels).matrix)
        #expect(metrics.unweightedAverageRecall > 0.6, "UAR \(metrics.unweightedAverageRecall)")
    }
}

/// A count that several threads may bump and read.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func increment() { lock.withLock { count += 1 } }
}
