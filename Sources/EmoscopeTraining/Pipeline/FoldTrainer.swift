import EmoscopeCore
import Foundation

/// One epoch's numbers.
public struct EpochRecord: Codable, Equatable, Sendable {
    public var epoch: Int
    public var loss: Double
    public var learningRate: Float
    /// Validation UAR, accuracy and NLL (0 without validation speakers).
    public var validationUAR: Double
    public var validationAccuracy: Double
    public var validationLoss: Double
    public var seconds: Double
    public var examplesPerSecond: Double
    /// The speaker adversary's mean loss over the epoch (nil without one).
    public var speakerLoss: Double? = nil
    /// The intensity classifier's mean loss over the epoch (nil without one).
    public var intensityLoss: Double? = nil
}

/// Where one training run stands at an epoch's end: enough to resume exactly.
public struct FoldState: Codable, Equatable, Sendable {
    public var epochsDone: Int
    public var parameters: TensorMap
    public var optimizer: AdamW
    public var best: TensorMap
    public var bestEpoch: Int
    /// Validation UAR, then −NLL, of the best epoch (compared in that order).
    public var bestScore: [Double]
    public var history: [EpochRecord]
    /// The moving average of the weights, when the configuration keeps one.
    public var average: WeightAverage?
    /// The auxiliary classifiers the configuration trains, by name (`speaker`, `intensity`).
    public var auxiliaries: [String: AuxiliaryClassifier.State]? = nil
}

/// A training run whose loss stopped being a number: the weights have blown up, and further
/// epochs cannot recover them.
public struct TrainingDiverged: Error, Equatable, Sendable, CustomStringConvertible {
    /// The epoch (from 1) whose mean loss was not finite.
    public var epoch: Int
    public var peakLearningRate: Float

    public var description: String {
        "training diverged: the loss of epoch \(epoch) is not a finite number; lower the peak learning rate "
            + "(\(peakLearningRate), --learning-rate) and start again"
    }
}

/// The result of one training run.
public struct TrainingOutcome: Sendable {
    /// The best epoch's weights; temperature fitted on the validation speakers when there are any.
    public var model: EmotionModel
    public var bestEpoch: Int
    public var history: [EpochRecord]
    /// Validation predictions with the fitted temperature.
    public var validation: [ClipPrediction]
}

/// Trains one network on some clips, validating on held-out speakers after every epoch.
public final class FoldTrainer {
    public let configuration: TrainingConfiguration
    let clips: [PreparedClip]
    let train: [Int]
    let validation: [Int]
    let threads: Int
    /// Seed of this run (the configuration's seed mixed with the fold and, for members after the
    /// first, the ensemble member).
    let runSeed: UInt64
    /// The starting model: header (with normalisation) and initial weights.
    public let initialModel: EmotionModel

    public init(configuration: TrainingConfiguration, labels: [String], clips: [PreparedClip], train: [Int], validation: [Int],
                run: Int, member: Int = 0, threads: Int, provenance: ModelHeader.Provenance) throws {
        self.configuration = configuration.member(member)
        self.clips = clips
        self.train = train
        self.validation = validation
        self.threads = max(1, threads)
        runSeed = member == 0 ? mix(configuration.seed, UInt64(run)) : mix(configuration.seed, UInt64(run), UInt64(member))
        let normalization = CorpusPreparation.normalization(of: clips, indices: train, features: configuration.features,
                                                            subtractWindowMean: configuration.subtractWindowMean,
                                                            subtractSpeechLevel: configuration.subtractSpeechLevel ?? false)
        let header = self.configuration.header(labels: labels, normalization: normalization, provenance: provenance)
        initialModel = try EmotionModel.initialized(header: header, seed: runSeed)
    }

    /// Trains from the start or from `state`. After every epoch `onEpoch` receives its record
    /// and the state to checkpoint. Returns nil when `shouldStop` asks to stop (the last
    /// state passed to `onEpoch` resumes it). Throws `TrainingDiverged` when an epoch's loss is
    /// not finite, before that epoch reaches `onEpoch`.
    public func run(from state: FoldState?, onEpoch: (EpochRecord, FoldState) throws -> Void,
                    shouldStop: () -> Bool) throws -> TrainingOutcome? {
        let c = configuration
        let classes = initialModel.header.labels.count
        let network = TrainableNetwork(model: initialModel, threads: threads)
        if let probability = c.augmentation.channelMixStyle {
            // After the first convolution block: its max pooling, or its ReLU in a network without pooling.
            let layers = initialModel.header.architecture
            let blockEnd = layers.firstIndex { if case .maxPool = $0 { true } else { false } } ?? layers.firstIndex { $0 == .relu }
            network.mixStyle = blockEnd.map { (afterLayer: $0, probability: probability) }
        }
        var optimizer = AdamW(weightDecay: c.weightDecay)
        var best = TensorMap(initialModel.tensors), bestEpoch = 0, bestScore = [-Double.infinity, -Double.infinity]
        var history: [EpochRecord] = []
        var firstEpoch = 0
        var average = c.weightAverageDecay.map { WeightAverage(decay: $0, initial: network.parameters) }
        let auxiliaries = auxiliaryClassifiers()
        if let state {
            network.parameters = state.parameters.tensors
            optimizer = state.optimizer
            average = state.average
            for head in auxiliaries { if let saved = state.auxiliaries?[head.name] { head.classifier.state = saved } }
            (best, bestEpoch, bestScore, history, firstEpoch) = (state.best, state.bestEpoch, state.bestScore, state.history, state.epochsDone)
        }
        let batches = (train.count + c.batchSize - 1) / c.batchSize
        let schedule = LearningRateSchedule(peak: c.peakLearningRate, warmupSteps: c.warmupEpochs * batches, totalSteps: c.epochs * batches)
        let classWeights = c.balanceClasses
            ? CrossEntropy.balancedClassWeights(labels: train.map { clips[$0].label }, classes: classes)
            : [Float](repeating: 1, count: classes)
        let adaptation = c.variedAdaptation == true && c.speakerNormalization == true
            ? AdaptationSampler(clips: clips, indices: train, header: initialModel.header, threads: threads) : nil
        let builders = (0..<threads).map { _ in ExampleBuilder(header: initialModel.header, settings: c.augmentation, adaptation: adaptation) }

        for epoch in firstEpoch..<c.epochs {
            let start = Date()
            var order = train
            var shuffler = SeededGenerator(seed: mix(runSeed, UInt64(epoch), 0x5EED))
            order.seededShuffle(using: &shuffler)
            var lossSum = 0.0, auxiliaryLossSums = [String: Double]()
            for batch in 0..<batches {
                if shouldStop() { return nil }
                let members = Array(order[(batch * c.batchSize)..<min(order.count, (batch + 1) * c.batchSize)])
                let (prepared, partners) = trainingBatch(members, epoch: epoch, batch: batch, builders: builders, classWeights: classWeights)
                network.stylePartners = partners
                let logits = network.forward(prepared.inputs, widths: prepared.widths, training: true,
                                             seed: mix(runSeed, UInt64(epoch), UInt64(batch), 0xD509))
                let (loss, gradients) = CrossEntropy.lossAndGradient(logits: logits, targets: prepared.targets, weights: prepared.weights)
                lossSum += loss
                let step = epoch * batches + batch
                let added = auxiliaryStep(auxiliaries, network: network, members: members, learningRate: schedule.rate(at: step),
                                          progress: Double(step) / Double(c.epochs * batches), lossSums: &auxiliaryLossSums)
                network.backward(gradients, adding: added)
                optimizer.update(&network.parameters, gradients: network.gradients, names: network.trainableNames,
                                 learningRate: schedule.rate(at: step))
                average?.update(with: network.parameters)
            }
            // The weights this epoch offers: the running average when there is one.
            var current = initialModel
            current.tensors = average?.tensors.tensors ?? network.parameters
            var record = EpochRecord(epoch: epoch + 1, loss: lossSum / Double(batches), learningRate: schedule.rate(at: (epoch + 1) * batches - 1),
                                     validationUAR: 0, validationAccuracy: 0, validationLoss: 0, seconds: 0, examplesPerSecond: 0,
                                     speakerLoss: auxiliaryLossSums["speaker"].map { $0 / Double(batches) },
                                     intensityLoss: auxiliaryLossSums["intensity"].map { $0 / Double(batches) })
            guard record.loss.isFinite else { throw TrainingDiverged(epoch: epoch + 1, peakLearningRate: c.peakLearningRate) }
            var score = [Double(epoch), 0]  // without validation speakers the last epoch is the best
            if !validation.isEmpty {
                let predictions = Evaluator.predict(current, clips: clips, indices: validation, threads: threads)
                let metrics = EvaluationMetrics(Evaluator.confusion(predictions, clips: clips, labels: initialModel.header.labels).matrix)
                record.validationUAR = metrics.unweightedAverageRecall
                record.validationAccuracy = metrics.accuracy
                record.validationLoss = Evaluator.negativeLogLikelihood(predictions, clips: clips)
                score = [record.validationUAR, -record.validationLoss]
            }
            record.seconds = Date().timeIntervalSince(start)
            record.examplesPerSecond = Double(train.count) / record.seconds
            history.append(record)
            if score.lexicographicallyPrecedes(bestScore) == false && score != bestScore {
                (best, bestEpoch, bestScore) = (TensorMap(current.tensors), epoch + 1, score)
            }
            let state = FoldState(epochsDone: epoch + 1, parameters: TensorMap(network.parameters), optimizer: optimizer,
                                  best: best, bestEpoch: bestEpoch, bestScore: bestScore, history: history, average: average,
                                  auxiliaries: auxiliaries.isEmpty ? nil : Dictionary(uniqueKeysWithValues: auxiliaries.map { ($0.name, $0.classifier.state) }))
            try onEpoch(record, state)
            if !validation.isEmpty && epoch + 1 - bestEpoch >= c.patience { break }
        }

        var model = initialModel
        model.tensors = best.tensors
        var validationPredictions: [ClipPrediction] = []
        if !validation.isEmpty {
            let uncalibrated = Evaluator.predict(model, clips: clips, indices: validation, threads: threads)
            model.header.calibration.temperature = Evaluator.fitTemperature(uncalibrated, clips: clips)
            validationPredictions = Evaluator.recalibrated(uncalibrated, temperature: model.header.calibration.temperature)
        }
        return TrainingOutcome(model: model, bestEpoch: bestEpoch, history: history, validation: validationPredictions)
    }

    /// An auxiliary classifier and each clip's label for it (nil: none), by clip index.
    private struct AuxiliaryHead {
        var name: String
        var classifier: AuxiliaryClassifier
        var labels: [Int: Int]
    }

    /// The auxiliary classifiers the configuration asks for, all reading the network's first
    /// pooling layer: the speaker adversary (the training speakers as classes) and the intensity
    /// classifier (normal or strong, from the clips' RAVDESS file names; none without any).
    private func auxiliaryClassifiers() -> [AuxiliaryHead] {
        let c = configuration, header = initialModel.header
        func head(_ name: String, _ objective: AuxiliaryClassifier.Objective, weight: Double?, labels: [Int: Int], classes: Int, salt: UInt64) -> AuxiliaryHead? {
            guard let weight, weight > 0, !labels.isEmpty,
                  let classifier = AuxiliaryClassifier(objective: objective, networkLayers: header.architecture,
                                                       input: ActivationShape(channels: 1, height: header.features.melBands, width: header.windowFrames),
                                                       classes: classes, weight: weight, weightDecay: c.weightDecay, seed: mix(runSeed, salt), threads: threads)
            else { return nil }
            return AuxiliaryHead(name: name, classifier: classifier, labels: labels)
        }
        let speakers = Set(train.map { clips[$0].speaker }).sorted()
        let speakerClass = Dictionary(uniqueKeysWithValues: speakers.enumerated().map { ($1, $0) })
        let speakerLabels = Dictionary(uniqueKeysWithValues: train.map { ($0, speakerClass[clips[$0].speaker]!) })
        let intensityLabels = Dictionary(uniqueKeysWithValues: train.compactMap { index in
            CorpusLoader.ravdessIntensity(fileName: (clips[index].path as NSString).lastPathComponent).map { (index, $0) }
        })
        return [head("speaker", .confuse, weight: c.speakerAdversary, labels: speakerLabels, classes: speakers.count, salt: 0xAD5E),
                head("intensity", .assist, weight: c.intensityHead, labels: intensityLabels, classes: 2, salt: 0x1475)].compactMap { $0 }
    }

    /// One step of every auxiliary classifier on the batch the network has just seen (its loss
    /// added to `lossSums` under its name); returns the sum of their gradients for the network's
    /// pooling layer, nil without any.
    private func auxiliaryStep(_ heads: [AuxiliaryHead], network: TrainableNetwork, members: [Int], learningRate: Float, progress: Double,
                               lossSums: inout [String: Double]) -> (layer: Int, gradients: [[Float]])? {
        var added: (layer: Int, gradients: [[Float]])?
        for head in heads {
            let layer = head.classifier.poolingLayer
            let result = head.classifier.step(embeddings: network.pooledOutput(ofLayer: layer), labels: members.map { head.labels[$0] },
                                              learningRate: learningRate, progress: progress)
            lossSums[head.name, default: 0] += result.classifierLoss
            guard var sum = added?.gradients else { added = (layer, result.networkGradients); continue }
            addElementwise(result.networkGradients, to: &sum)
            added = (layer, sum)
        }
        return added
    }

    /// Training batch `batch` of `epoch`: the members' augmented examples, with frequency-wise
    /// MixStyle and mixup when the recipe has them, and the partners the network's own MixStyle
    /// takes (nil: its own random draw).
    private func trainingBatch(_ members: [Int], epoch: Int, batch: Int, builders: [ExampleBuilder],
                               classWeights: [Float]) -> (batch: Mixup.Batch, stylePartners: [Int]?) {
        let c = configuration
        let bands = initialModel.header.features.melBands, classes = initialModel.header.labels.count
        let examples = parallelMap(members.count, threads: threads) { chunk, j in
            var generator = SeededGenerator(seed: mix(runSeed, UInt64(epoch), UInt64(batch * c.batchSize + j)))
            return builders[chunk].example(clips[members[j]], generator: &generator)
        }
        var inputs = examples.map(\.input)
        var styler = SeededGenerator(seed: mix(runSeed, UInt64(epoch), UInt64(batch), 0xF5E))
        let partners = c.augmentation.mixStyleWithinLabel == true
            ? MixStyle.partners(labels: members.map { clips[$0].label }, speakers: members.map { clips[$0].speaker }, generator: &styler)
            : nil
        if let probability = c.augmentation.frequencyMixStyle {
            inputs = MixStyle.mix(inputs, rows: bands, lengths: examples.map(\.width),
                                  partners: partners ?? MixStyle.partners(count: inputs.count, generator: &styler),
                                  probability: probability, generator: &styler).values
        }
        var prepared = Mixup.Batch(inputs: inputs, widths: examples.map(\.width),
                                   targets: members.map { CrossEntropy.target(label: clips[$0].label, classes: classes, smoothing: c.labelSmoothing) },
                                   weights: members.map { classWeights[clips[$0].label] })
        if let alpha = c.mixupAlpha, alpha > 0 {
            var mixer = SeededGenerator(seed: mix(runSeed, UInt64(epoch), UInt64(batch), 0x313))
            prepared = Mixup.mix(prepared, bands: bands, alpha: alpha, generator: &mixer)
        }
        return (prepared, partners)
    }
}

/// Mixes seeds and indices into one seed (SplitMix64 finaliser on a running combination).
func mix(_ values: UInt64...) -> UInt64 {
    var state: UInt64 = 0x243F_6A88_85A3_08D3
    for value in values {
        state = (state ^ value) &* 0x9E37_79B9_7F4A_7C15
        state ^= state >> 29
    }
    var generator = SeededGenerator(seed: state)
    return generator.next()
}
