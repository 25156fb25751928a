import EmoscopeAudio
import EmoscopeCore
import Foundation

/// Everything needed to resume an interrupted `emoscope-train` run; written atomically after
/// every epoch.
public struct TrainingCheckpoint: Codable, Equatable, Sendable {
    public var configuration: TrainingConfiguration
    /// Identifies the corpus (clip count and a checksum of paths and labels).
    public var corpusFingerprint: String
    public var split: SplitProtocol
    /// Finished folds, in the order they finished.
    public var completedFolds: [FoldReport]
    public var completedPredictions: [ReportedPrediction]
    /// The runs in progress (folds train concurrently) and where each stands.
    public var running: [RunState]
    /// Wall-clock seconds of training so far.
    public var elapsedSeconds: Double
    public var examples: Int
    /// `elapsedSeconds` when the last fold finished (nil before, or when the final fit trains beside the folds).
    public var crossValidationSeconds: Double? = nil

    /// One unfinished run: a fold index, or the number of folds for the final fit.
    public struct RunState: Codable, Equatable, Sendable {
        public var run: Int
        /// The ensemble member `state` belongs to (nil: the first).
        public var member: Int?
        /// Where that member stands; nil between members.
        public var state: FoldState?
        /// The run's members that have finished (nil: none).
        public var finishedMembers: [FinishedMember]?
    }

    /// A trained ensemble member of an unfinished run.
    public struct FinishedMember: Codable, Equatable, Sendable {
        public var header: ModelHeader
        public var tensors: TensorMap
        public var bestEpoch: Int
        public var history: [EpochRecord]

        /// The member's model and training record (its validation predictions are not kept).
        var outcome: TrainingOutcome {
            TrainingOutcome(model: EmotionModel(header: header, tensors: tensors.tensors), bestEpoch: bestEpoch, history: history, validation: [])
        }
    }
}

/// Speaker-grouped (or random) cross-validation, then a final fit on every clip.
///
/// Folds train concurrently, each on its own thread(s): whole runs side by side keep the cores
/// busier than one run splitting each batch over them (measured on RAVDESS with 2 cores: two
/// folds at 100–108 examples/s each, against 160–178 for one run on both threads). How many threads a fold gets
/// depends only on `threads` and the number of folds, so a run is deterministic for a seed and
/// thread count, and a resumed run gives exactly the uninterrupted one.
public final class CrossValidation {
    public let configuration: TrainingConfiguration
    let corpus: LabelledCorpus
    let clips: [PreparedClip]
    let folds: [Fold]
    let split: SplitProtocol
    let protocolDescription: String
    let threads: Int
    let codeRevision: String
    let date: String
    /// Receives progress lines (fold starts, results); called from one thread at a time.
    public var log: (String) -> Void = { _ in }
    /// Receives each epoch: (run, runs, epochs planned, record); called from one thread at a time.
    public var progress: (Int, Int, Int, EpochRecord) -> Void = { _, _, _, _ in }
    /// Receives each fold's trained model as the fold finishes (before calibration: the
    /// temperature is 1, or the validation speakers' one); called from the fold's thread, and
    /// an error it throws stops the run.
    public var foldModel: (Fold, EmotionModel) throws -> Void = { _, _ in }

    public init(configuration: TrainingConfiguration, corpus: LabelledCorpus, clips: [PreparedClip], folds: [Fold], split: SplitProtocol,
                protocolDescription: String, threads: Int, codeRevision: String, date: String) {
        self.configuration = configuration
        self.corpus = corpus
        self.clips = configuration.speakerNormalization == true
            ? CorpusPreparation.withSpeakerNormalization(clips, features: configuration.features, subtractWindowMean: configuration.subtractWindowMean,
                                                         subtractSpeechLevel: configuration.subtractSpeechLevel ?? false,
                                                         clipsPerSpeaker: configuration.speakerStatisticsClips, seed: configuration.seed, threads: threads)
            : clips
        self.folds = folds
        self.split = split
        self.protocolDescription = protocolDescription
        self.threads = threads
        self.codeRevision = codeRevision
        self.date = date
    }

    /// Runs trained at once, and threads for each, for `threads` threads and `folds` runs
    /// (the folds, and the final fit when it trains beside them).
    public static func foldParallelism(threads: Int, folds: Int) -> (concurrentFolds: Int, threadsPerFold: Int) {
        let concurrent = max(1, min(threads, folds))
        return (concurrent, max(1, threads / concurrent))
    }

    /// Whether the final fit trains beside the folds: only without early stopping (its schedule
    /// then does not depend on the folds) and only when that adds no round of runs, i.e. when
    /// the last round of folds would leave a thread idle. Otherwise it trains after them on every
    /// thread (6 folds on 2 cores: 1910 s with it beside them as a seventh single-thread run, 1678 s after them).
    public static func finalFitTrainsAlongside(threads: Int, folds: Int, validationFraction: Double) -> Bool {
        guard validationFraction == 0 else { return false }
        func rounds(_ runs: Int) -> Int {
            let workers = foldParallelism(threads: threads, folds: runs).concurrentFolds
            return (runs + workers - 1) / workers
        }
        return rounds(folds + 1) == rounds(folds)
    }

    /// A fingerprint of the corpus and how it is split: clip count, and CRC-32 of every path,
    /// label and speaker and of every fold's test clips (a checkpoint resumes only the same folds).
    public static func fingerprint(_ corpus: LabelledCorpus, folds: [Fold]) -> String {
        let clips = corpus.clips.map { "\($0.path)\t\($0.label)\t\($0.speaker)" }
        let tests = folds.map { "test " + $0.test.map(String.init).joined(separator: ",") }
        let crc = Array((clips + tests).joined(separator: "\n").utf8).withUnsafeBytes { CRC32.checksum($0) }
        return "\(corpus.clips.count) clips in \(folds.count) fold\(folds.count == 1 ? "" : "s"), crc32 \(String(crc, radix: 16))"
    }

    /// Runs every fold and then (unless `finalFit` is false) the final fit, resuming from
    /// `checkpoint` when given, saving to `checkpointPath` (see `RunProgress` for when). Returns
    /// nil when stopped by `shouldStop`; the model is nil without a final fit.
    public func run(resuming checkpoint: TrainingCheckpoint?, checkpointPath: String?, finalFit: Bool = true,
                    shouldStop: @escaping () -> Bool) throws -> (report: CrossValidationReport, model: EmotionModel?)? {
        let labels = corpus.labels
        let progress = RunProgress(checkpoint: checkpoint, configuration: configuration, fingerprint: Self.fingerprint(corpus, folds: folds), split: split,
                                   path: checkpointPath)
        let provenance = ModelHeader.Provenance(corpus: corpus.description, evaluationProtocol: protocolDescription, metrics: [:],
                                                date: date, seed: configuration.seed, codeRevision: codeRevision,
                                                recipe: configuration.recipeSummary)
        let runs = folds.count + 1

        // Trains every ensemble member of a run one after another, skipping those a checkpoint holds.
        func train(run: Int, trainIndices: [Int], validation: [Int], configuration: TrainingConfiguration, threads: Int,
                   shouldStop: @escaping () -> Bool) throws -> TrainingOutcome? {
            let members = configuration.memberCount
            var outcomes = progress.finishedMembers(of: run).map(\.outcome)
            for member in outcomes.count..<members {
                let trainer = try FoldTrainer(configuration: configuration, labels: labels, clips: clips, train: trainIndices, validation: validation,
                                              run: run, member: member, threads: threads, provenance: provenance)
                guard let outcome = try trainer.run(from: progress.state(of: run, member: member), onEpoch: { record, state in
                    try progress.update(run: run, member: member, state: state, examples: trainIndices.count) {
                        var shown = record
                        shown.epoch += member * configuration.epochs
                        self.progress(run, runs, configuration.epochs * members, shown)
                    }
                }, shouldStop: shouldStop) else { return nil }
                if members > 1 {
                    try progress.finishMember(run: run, .init(header: outcome.model.header, tensors: TensorMap(outcome.model.tensors),
                                                              bestEpoch: outcome.bestEpoch, history: outcome.history))
                }
                outcomes.append(outcome)
            }
            return members == 1 ? outcomes[0] : Self.ensemble(outcomes, clips: clips, validation: validation, threads: threads)
        }

        func runFold(_ fold: Fold, threads: Int, shouldStop: @escaping () -> Bool) throws -> Bool {
            let (trainIndices, validation) = FoldPlanner.validationSplit(corpus, trainIndices: fold.train, fraction: configuration.validationFraction,
                                                                         seed: mix(configuration.seed, UInt64(fold.index), 0x7A1))
            progress.serially {
                log("fold \(fold.index + 1)/\(folds.count): test \(fold.testSpeakers.joined(separator: " ")); "
                    + "\(trainIndices.count) training clips, \(validation.count) validation clips (\(Set(validation.map { clips[$0].speaker }).count) speakers)")
            }
            guard let outcome = try train(run: fold.index, trainIndices: trainIndices, validation: validation, configuration: configuration,
                                          threads: threads, shouldStop: shouldStop) else { return false }
            try foldModel(fold, outcome.model)
            let (report, predictions) = evaluate(fold, outcome: outcome, trainingClips: trainIndices.count, validation: validation, threads: threads)
            try progress.finish(fold: report, predictions: predictions) {
                let calibrationText = validation.isEmpty ? String(format: "ECE %.3f uncalibrated", report.eceBefore)
                    : String(format: "ECE %.3f → %.3f (validation T = %.2f)", report.eceBefore, report.eceAfter, report.temperature)
                log(String(format: "fold %d: accuracy %.3f, UAR %.3f, macro-F1 %.3f, %@, best epoch %d",
                           fold.index + 1, report.metrics.accuracy, report.metrics.unweightedAverageRecall, report.metrics.macroF1,
                           calibrationText, report.bestEpoch))
            }
            return true
        }

        // Beside the folds the final fit goes first, being the longest run; otherwise it waits
        // for them (and, with early stopping, for their best epochs).
        let finalFitAlongside = finalFit && Self.finalFitTrainsAlongside(threads: threads, folds: folds.count,
                                                                          validationFraction: configuration.validationFraction)
        let (concurrent, runThreads) = Self.foldParallelism(threads: threads, folds: folds.count + (finalFitAlongside ? 1 : 0))
        var pending: [Fold?] = folds.filter { fold in !progress.isFinished(fold.index) }
        if finalFitAlongside { pending.insert(nil, at: 0) }
        let finalRun = Locked<EmotionModel?>(nil)
        func fitAll(configuration: TrainingConfiguration, threads: Int, shouldStop: @escaping () -> Bool) throws -> Bool {
            progress.serially { log("final fit on all \(clips.count) clips for \(configuration.epochs) epochs") }
            guard let final = try train(run: folds.count, trainIndices: Array(clips.indices), validation: [], configuration: configuration,
                                        threads: threads, shouldStop: shouldStop) else { return false }
            finalRun.set(final.model)
            return true
        }
        guard try Self.concurrently(pending, workers: concurrent, shouldStop: shouldStop, { fold, stop in
            guard let fold else { return try fitAll(configuration: configuration, threads: runThreads, shouldStop: stop) }
            return try runFold(fold, threads: runThreads, shouldStop: stop)
        }) else {
            try progress.flush()
            return nil
        }

        let crossValidationSeconds = finalFitAlongside ? nil : progress.foldsFinished()
        var (completed, predictions) = progress.finishedInFoldOrder()
        let calibration = Self.crossFitCalibration(folds: &completed, predictions: &predictions, labels: labels)

        // Final fit on every clip, for the median best epoch of the folds (with early stopping), with the calibration's temperature.
        if finalFit && !finalFitAlongside {
            var finalConfiguration = configuration
            if configuration.validationFraction > 0 {
                finalConfiguration.epochs = max(1, Int(Self.median(completed.map { Double($0.bestEpoch) }).rounded()))
            }
            guard try fitAll(configuration: finalConfiguration, threads: threads, shouldStop: shouldStop) else {
                try progress.flush()
                return nil
            }
        }
        var model = finalRun.get()
        model?.header.calibration.temperature = calibration.modelTemperature

        var pooledMatrix = ConfusionMatrix(labels: labels)
        for fold in completed { pooledMatrix.add(fold.confusion) }
        let (elapsed, examples) = progress.totals()
        let report = CrossValidationReport(
            split: split, protocolDescription: protocolDescription, corpus: corpus.description, labels: labels, configuration: configuration,
            folds: completed,
            accuracy: MeanAndDeviation(completed.map(\.metrics.accuracy)),
            unweightedAverageRecall: MeanAndDeviation(completed.map(\.metrics.unweightedAverageRecall)),
            macroF1: MeanAndDeviation(completed.map(\.metrics.macroF1)),
            confusion: pooledMatrix, pooled: EvaluationMetrics(pooledMatrix),
            eceBefore: calibration.pooledBefore, eceAfter: calibration.pooledCrossFitted ?? calibration.pooledValidation,
            calibration: calibration, predictions: predictions, speakers: SpeakerReport.rows(predictions, labels: labels),
            trainingSeconds: elapsed, crossValidationSeconds: crossValidationSeconds, examplesPerSecond: Double(examples) / max(elapsed, 1e-9),
            threads: threads, date: date, codeRevision: codeRevision)
        model?.header.provenance.metrics = [
            "accuracy": report.accuracy.mean, "accuracyStd": report.accuracy.standardDeviation,
            "uar": report.unweightedAverageRecall.mean, "uarStd": report.unweightedAverageRecall.standardDeviation,
            "macroF1": report.macroF1.mean, "eceBefore": report.eceBefore, "eceAfter": report.eceAfter,
        ]
        return (report, model)
    }

    /// The members' outcomes as one: their ensemble, its temperature fitted on the validation
    /// speakers' predictions when there are any, the median best epoch and every member's history.
    static func ensemble(_ outcomes: [TrainingOutcome], clips: [PreparedClip], validation: [Int], threads: Int) -> TrainingOutcome {
        var model = EmotionModel.ensemble(outcomes.map { outcome in
            var single = outcome.model
            single.header.calibration.temperature = 1
            return single
        })
        var predictions: [ClipPrediction] = []
        if !validation.isEmpty {
            let uncalibrated = Evaluator.predict(model, clips: clips, indices: validation, threads: threads)
            model.header.calibration.temperature = Evaluator.fitTemperature(uncalibrated, clips: clips)
            predictions = Evaluator.recalibrated(uncalibrated, temperature: model.header.calibration.temperature)
        }
        let bestEpoch = Int(median(outcomes.map { Double($0.bestEpoch) }).rounded())
        return TrainingOutcome(model: model, bestEpoch: bestEpoch, history: outcomes.flatMap(\.history), validation: predictions)
    }

    /// A fold's test predictions (uncalibrated, then with the outcome's temperature) and its report.
    func evaluate(_ fold: Fold, outcome: TrainingOutcome, trainingClips: Int, validation: [Int], threads: Int)
        -> (FoldReport, [ReportedPrediction]) {
        let labels = corpus.labels
        var uncalibrated = outcome.model
        uncalibrated.header.calibration.temperature = 1
        let before = Evaluator.predict(uncalibrated, clips: clips, indices: fold.test, threads: threads)
        let after = Evaluator.recalibrated(before, temperature: outcome.model.header.calibration.temperature)
        let (matrix, unclassified) = Evaluator.confusion(after, clips: clips, labels: labels)
        let report = FoldReport(
            fold: fold.index, testSpeakers: fold.testSpeakers, validationSpeakers: Array(Set(validation.map { clips[$0].speaker })).sorted(),
            trainingClips: trainingClips, bestEpoch: outcome.bestEpoch, temperature: outcome.model.header.calibration.temperature,
            metrics: EvaluationMetrics(matrix), confusion: matrix,
            eceBefore: Self.ece(before, clips: clips), eceAfter: Self.ece(after, clips: clips),
            unclassified: unclassified, history: outcome.history)
        let predictions = zip(before, after).map { raw, p in
            let clip = clips[p.index]
            return ReportedPrediction(path: clip.path, speaker: clip.speaker, fold: fold.index, truth: labels[clip.label],
                                      predicted: p.predicted.map { labels[$0] }, probabilities: p.probabilities,
                                      windows: raw.probabilities == nil ? nil : raw.windows)
        }
        return (report, predictions)
    }

    /// Runs `body` on every item with `workers` threads taking the next item as they free up.
    /// Each body gets a stop test that is true once `shouldStop` is, or once another body threw
    /// or stopped. Returns false when some body returned false (stopped); rethrows the first error.
    static func concurrently<Item>(_ items: [Item], workers: Int, shouldStop: @escaping () -> Bool,
                                   _ body: (Item, _ shouldStop: @escaping () -> Bool) throws -> Bool) throws -> Bool {
        let queue = WorkQueue(items)
        let stop = UncheckedBox { queue.isHalted || shouldStop() }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: max(1, min(workers, items.count))) { _ in
                while let item = queue.next() {
                    do {
                        if try !box.value(item, stop.value) { queue.halt(stopped: true) }
                    } catch {
                        queue.halt(error)
                    }
                }
            }
        }
        return try queue.outcome()
    }

    /// Cross-fits the temperatures (see `CrossFittedCalibration`), records them in `folds` and
    /// re-calibrates the reported probabilities with them.
    static func crossFitCalibration(folds: inout [FoldReport], predictions: inout [ReportedPrediction], labels: [String]) -> CalibrationSummary {
        let scored = predictions.indices.filter { predictions[$0].windows != nil }
        let result = CrossFittedCalibration.fit(
            scored.map { .init(fold: predictions[$0].fold, windows: predictions[$0].windows!, truth: labels.firstIndex(of: predictions[$0].truth)!) },
            validationTemperatures: Dictionary(uniqueKeysWithValues: folds.filter { !$0.validationSpeakers.isEmpty }.map { ($0.fold, $0.temperature) }))
        guard let temperatures = result.crossFittedTemperatures else { return result.summary }
        for f in folds.indices {
            folds[f].crossFittedTemperature = temperatures[folds[f].fold]
            folds[f].eceCrossFitted = result.crossFittedECE[folds[f].fold]
        }
        for i in scored {
            predictions[i].probabilities = WindowScores.clipProbabilities(predictions[i].windows!, temperature: temperatures[predictions[i].fold]!)
        }
        return result.summary
    }

    static func ece(_ predictions: [ClipPrediction], clips: [PreparedClip]) -> Double {
        let scored = predictions.filter { $0.probabilities != nil }
        return CalibrationMetrics.expectedCalibrationError(probabilities: scored.map { $0.probabilities! },
                                                           truths: scored.map { clips[$0.index].label })
    }

    /// The median of best epochs or temperatures; 1 (one epoch, no scaling) when there are none.
    static func median(_ values: [Double]) -> Double { values.median ?? 1 }
}
