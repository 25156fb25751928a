import EmoscopeCore
import Foundation

/// A speaker classifier trained against the network (domain-adversarial training with a
/// confusion loss, Tzeng et al. 2015): a linear softmax classifier on the network's pooled
/// embedding learns to tell the training speakers apart, while the network is trained, with a
/// weight that ramps from 0 to `weight` over training, to leave that classifier unable to: its
/// loss pulls the classifier's answer on every example towards the uniform distribution, so
/// what the network pools comes to say less about who is speaking. The classifier is a training
/// aid only: the model file never holds it.
///
/// Two simpler forms failed here (measured on RAVDESS speakers): against a classifier with a ReLU
/// hidden layer the network wins by pushing every hidden unit below zero, and the classifier goes
/// blind (its loss sits exactly at ln S from the fourth epoch) while the embedding still tells the
/// speakers apart; with the plain reversed gradient (Ganin & Lempitsky 2015) the network learns to
/// make a linear classifier confidently wrong (its loss climbs to 3× ln S) and its own emotion loss
/// rises with it. Uniform confusion has its optimum where the classifier can tell nothing.
public final class SpeakerAdversary {
    /// What a checkpoint keeps of the adversary.
    public struct State: Codable, Equatable, Sendable {
        public var parameters: TensorMap
        public var optimizer: AdamW
    }

    /// Index of the network's pooling layer whose output the classifier reads.
    public let poolingLayer: Int
    /// The largest weight of the confusion loss, reached at the end of training.
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
        let specs = [TensorSpec(name: "layers.0.weight", shape: [speakers, embedding]), TensorSpec(name: "layers.0.bias", shape: [speakers])]
        poolingLayer = pooling
        self.weight = weight
        classifier = TrainableNetwork(layers: [.dense(outFeatures: speakers)], inputHeight: embedding,
                                      parameters: EmotionModel.initialTensors(specs, seed: seed), trainableNames: specs.map(\.name),
                                      threads: threads)
        optimizer = AdamW(weightDecay: weightDecay)
    }

    /// The classifier's tensors and optimiser, to checkpoint or to restore.
    public var state: State {
        get { State(parameters: TensorMap(classifier.parameters), optimizer: optimizer) }
        set { (classifier.parameters, optimizer) = (newValue.parameters.tensors, newValue.optimizer) }
    }

    /// The confusion loss's weight at `progress` (0…1) through training: `weight · (2 / (1 + e^(−10·progress)) − 1)`,
    /// so the classifier learns before the network is pushed against it.
    public func rampedWeight(at progress: Double) -> Double {
        weight * (2 / (1 + exp(-10 * progress)) - 1)
    }

    /// One training step of the classifier on a batch's `embeddings` (the network's pooling
    /// output) and their `speakers` (0..<speakers). Returns its mean cross-entropy, the confusion
    /// loss (the mean cross-entropy of its answers against the uniform distribution, before this
    /// step's update), and the gradient to add at the network's pooling layer: the confusion
    /// loss's gradient with respect to each embedding, scaled by the ramped weight at `progress`.
    public func step(embeddings: [[Float]], speakers: [Int], learningRate: Float, progress: Double)
        -> (speakerLoss: Double, confusionLoss: Double, networkGradients: [[Float]]) {
        let logits = classifier.forward(embeddings, widths: embeddings.map { _ in 1 }, training: true, seed: 0)
        let classes = logits.first?.count ?? 0
        let ones = [Float](repeating: 1, count: embeddings.count)
        let uniform = [Float](repeating: 1 / Float(classes), count: classes)
        let confusion = CrossEntropy.lossAndGradient(logits: logits, targets: embeddings.map { _ in uniform }, weights: ones)
        let embeddingGradients = classifier.backward(confusion.gradients, inputGradient: true)!
        let speaker = CrossEntropy.lossAndGradient(logits: logits, targets: speakers.map { CrossEntropy.target(label: $0, classes: classes, smoothing: 0) },
                                                   weights: ones)
        classifier.backward(speaker.gradients)
        optimizer.update(&classifier.parameters, gradients: classifier.gradients, names: classifier.trainableNames, learningRate: learningRate)
        let scale = Float(rampedWeight(at: progress))
        return (speaker.loss, confusion.loss, embeddingGradients.map { $0.map { $0 * scale } })
    }
}
