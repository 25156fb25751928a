import EmoscopeCore
import Foundation

/// A speaker classifier trained against the network (domain-adversarial training, Ganin &
/// Lempitsky 2015): a small perceptron on the network's pooled embedding learns to tell the
/// training speakers apart, and the network receives the reverse of its gradient, scaled by a
/// weight that ramps from 0 to `weight` over training, so that what the network pools comes to
/// say less about who is speaking. The classifier is a training aid only: the model file never
/// holds it.
public final class SpeakerAdversary {
    /// Hidden units of the speaker classifier.
    public static let hiddenUnits = 64

    /// What a checkpoint keeps of the adversary.
    public struct State: Codable, Equatable, Sendable {
        public var parameters: TensorMap
        public var optimizer: AdamW
    }

    /// Index of the network's pooling layer whose output the classifier reads.
    public let poolingLayer: Int
    /// The largest weight of the reversed gradient, reached at the end of training.
    public let weight: Double
    let classifier: TrainableNetwork
    var optimizer: AdamW

    /// An adversary telling `speakers` speakers apart from the pooled embedding of a network of
    /// `networkLayers` over inputs of shape `input`; nil when the network has no pooling layer.
    public init?(networkLayers: [LayerSpec], input: ActivationShape, speakers: Int, weight: Double, weightDecay: Float,
                 seed: UInt64, threads: Int) {
        guard let pooling = networkLayers.firstIndex(where: {
            switch $0 { case .globalPool, .attentivePool: true; default: false }
        }), let plan = try? Architecture.plan(Array(networkLayers[...pooling]), input: input)
        else { return nil }
        let embedding = plan.shapes[pooling].count
        let specs = [TensorSpec(name: "layers.0.weight", shape: [Self.hiddenUnits, embedding]), TensorSpec(name: "layers.0.bias", shape: [Self.hiddenUnits]),
                     TensorSpec(name: "layers.2.weight", shape: [speakers, Self.hiddenUnits]), TensorSpec(name: "layers.2.bias", shape: [speakers])]
        poolingLayer = pooling
        self.weight = weight
        classifier = TrainableNetwork(layers: [.dense(outFeatures: Self.hiddenUnits), .relu, .dense(outFeatures: speakers)], inputHeight: embedding,
                                      parameters: EmotionModel.initialTensors(specs, seed: seed), trainableNames: specs.map(\.name),
                                      threads: threads)
        optimizer = AdamW(weightDecay: weightDecay)
    }

    /// The classifier's tensors and optimiser, to checkpoint or to restore.
    public var state: State {
        get { State(parameters: TensorMap(classifier.parameters), optimizer: optimizer) }
        set { (classifier.parameters, optimizer) = (newValue.parameters.tensors, newValue.optimizer) }
    }

    /// The reversal's weight at `progress` (0…1) through training: `weight · (2 / (1 + e^(−10·progress)) − 1)`,
    /// so the classifier learns before the network is pushed against it.
    public func rampedWeight(at progress: Double) -> Double {
        weight * (2 / (1 + exp(-10 * progress)) - 1)
    }

    /// One training step of the classifier on a batch's `embeddings` (the network's pooling
    /// output) and their `speakers` (0..<speakers). Returns its mean cross-entropy and the
    /// gradient to add at the network's pooling layer: the classifier's gradient with respect to
    /// each embedding, reversed and scaled by the ramped weight at `progress`.
    public func step(embeddings: [[Float]], speakers: [Int], learningRate: Float, progress: Double) -> (loss: Double, reversed: [[Float]]) {
        let logits = classifier.forward(embeddings, widths: embeddings.map { _ in 1 }, training: true, seed: 0)
        let classes = logits.first?.count ?? 0
        let (loss, gradients) = CrossEntropy.lossAndGradient(logits: logits,
                                                             targets: speakers.map { CrossEntropy.target(label: $0, classes: classes, smoothing: 0) },
                                                             weights: speakers.map { _ in 1 })
        let embeddingGradients = classifier.backward(gradients, inputGradient: true)!
        optimizer.update(&classifier.parameters, gradients: classifier.gradients, names: classifier.trainableNames, learningRate: learningRate)
        let scale = Float(-rampedWeight(at: progress))
        return (loss, embeddingGradients.map { $0.map { $0 * scale } })
    }
}
