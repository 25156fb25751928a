import EmoscopeCore
import Foundation

/// A linear softmax classifier on a network's pooled embedding, trained beside the network on a
/// second label of each example, to shape what the network pools. A training aid only: the
/// model file never holds it.
///
/// - `confuse` (domain-adversarial training with a confusion loss, Tzeng et al. 2015): the
///   classifier learns to name each example's speaker, while the network is trained, with a
///   weight that ramps from 0 to `weight` over training, to leave it guessing — its loss pulls
///   the classifier's answer towards the uniform distribution — so what the network pools comes
///   to say less about who is speaking.
/// - `assist` (multi-task learning): the network is trained, with weight `weight`, to help the
///   classifier — e.g. to tell RAVDESS's normal from strong intensity.
///
/// Two simpler adversaries failed here (measured on RAVDESS speakers): against a classifier with
/// a ReLU hidden layer the network wins by pushing every hidden unit below zero, and the
/// classifier goes blind (its loss sits exactly at ln S from the fourth epoch) while the embedding
/// still tells the speakers apart; with the plain reversed gradient (Ganin & Lempitsky 2015) the
/// network learns to make a linear classifier confidently wrong (its loss climbs to 3× ln S) and
/// its own emotion loss rises with it. Uniform confusion has its optimum where the classifier can
/// tell nothing.
public final class AuxiliaryClassifier {
    /// What the network is trained to do to the classifier.
    public enum Objective: Sendable {
        /// Leave it guessing (its answers pulled towards uniform), the weight ramped up over training.
        case confuse
        /// Help it (the same cross-entropy the classifier minimises), at a constant weight.
        case assist
    }

    /// What a checkpoint keeps of the classifier.
    public struct State: Codable, Equatable, Sendable {
        public var parameters: TensorMap
        public var optimizer: AdamW
    }

    /// Index of the network's pooling layer whose output the classifier reads.
    public let poolingLayer: Int
    public let objective: Objective
    /// The weight of the network's loss from the classifier (for `confuse`, reached at the end of training).
    public let weight: Double
    let classifier: TrainableNetwork
    var optimizer: AdamW

    /// A classifier of `classes` classes on the pooled embedding of a network of `networkLayers`
    /// over inputs of shape `input`; nil when the network has no pooling layer.
    public init?(objective: Objective, networkLayers: [LayerSpec], input: ActivationShape, classes: Int, weight: Double,
                 weightDecay: Float, seed: UInt64, threads: Int) {
        guard let pooling = networkLayers.firstIndex(where: {
            switch $0 { case .globalPool, .attentivePool: true; default: false }
        }), let plan = try? Architecture.plan(Array(networkLayers[...pooling]), input: input)
        else { return nil }
        let embedding = plan.shapes[pooling].count
        let specs = [TensorSpec(name: "layers.0.weight", shape: [classes, embedding]), TensorSpec(name: "layers.0.bias", shape: [classes])]
        poolingLayer = pooling
        self.objective = objective
        self.weight = weight
        classifier = TrainableNetwork(layers: [.dense(outFeatures: classes)], inputHeight: embedding,
                                      parameters: EmotionModel.initialTensors(specs, seed: seed), trainableNames: specs.map(\.name),
                                      threads: threads)
        optimizer = AdamW(weightDecay: weightDecay)
    }

    /// The classifier's tensors and optimiser, to checkpoint or to restore.
    public var state: State {
        get { State(parameters: TensorMap(classifier.parameters), optimizer: optimizer) }
        set { (classifier.parameters, optimizer) = (newValue.parameters.tensors, newValue.optimizer) }
    }

    /// The weight of the network's loss at `progress` (0…1) through training: for `confuse`
    /// `weight · (2 / (1 + e^(−10·progress)) − 1)`, so the classifier learns before the network is
    /// pushed against it; for `assist` `weight` throughout.
    public func rampedWeight(at progress: Double) -> Double {
        switch objective {
        case .confuse: weight * (2 / (1 + exp(-10 * progress)) - 1)
        case .assist: weight
        }
    }

    /// One training step of the classifier on a batch's `embeddings` (the network's pooling
    /// output) and their `labels` (nil: the example has none and does not count). Returns the
    /// classifier's mean cross-entropy, the network's loss from it before this step's update
    /// (`confuse`: the mean cross-entropy of its answers against the uniform distribution;
    /// `assist`: the classifier's own), and that loss's gradient with respect to each embedding,
    /// scaled by the weight at `progress`, to add at the network's pooling layer.
    public func step(embeddings: [[Float]], labels: [Int?], learningRate: Float, progress: Double)
        -> (classifierLoss: Double, networkLoss: Double, networkGradients: [[Float]]) {
        let logits = classifier.forward(embeddings, widths: embeddings.map { _ in 1 }, training: true, seed: 0)
        let classes = logits.first?.count ?? 0
        let counted = labels.map { $0 == nil ? Float(0) : 1 }
        guard counted.contains(1) else { return (0, 0, embeddings.map { [Float](repeating: 0, count: $0.count) }) }
        let own = CrossEntropy.lossAndGradient(
            logits: logits, targets: labels.map { CrossEntropy.target(label: $0 ?? 0, classes: classes, smoothing: 0) }, weights: counted)
        let network: (loss: Double, gradients: [[Float]])
        switch objective {
        case .confuse:
            let uniform = [Float](repeating: 1 / Float(classes), count: classes)
            network = CrossEntropy.lossAndGradient(logits: logits, targets: embeddings.map { _ in uniform }, weights: counted)
        case .assist:
            network = own
        }
        let embeddingGradients = classifier.backward(network.gradients, inputGradient: true)!
        if objective == .confuse { classifier.backward(own.gradients) }
        optimizer.update(&classifier.parameters, gradients: classifier.gradients, names: classifier.trainableNames, learningRate: learningRate)
        let scale = Float(rampedWeight(at: progress))
        return (own.loss, network.loss, embeddingGradients.map { $0.map { $0 * scale } })
    }
}
