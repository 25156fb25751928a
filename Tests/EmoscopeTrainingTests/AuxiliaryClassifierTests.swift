import EmoscopeCore
import EmoscopeTraining
import Foundation
import Testing

/// The auxiliary classifiers (a speaker adversary's confusion loss, an intensity classifier's
/// assisting loss): the gradient the network receives, the ramp of the adversary's weight, that
/// the classifier learns its labels and that the network can leave an adversary guessing.
@Suite("auxiliary classifiers")
struct AuxiliaryClassifierTests {
    /// No ReLU between convolution and pooling: a step of 1e-2 on a convolution weight would move
    /// activations across its kink (see `GradientCheckTests`); the classifier is linear.
    static let layers: [LayerSpec] = [GradientCheckTests.conv(2), .globalPool(.meanStd), .dense(outFeatures: 3)]

    static func classifier(_ objective: AuxiliaryClassifier.Objective = .confuse, weight: Double, classes: Int = 3,
                           layers: [LayerSpec] = layers) -> AuxiliaryClassifier {
        AuxiliaryClassifier(objective: objective, networkLayers: layers, input: ActivationShape(channels: 1, height: GradientCheckTests.height, width: 7),
                            classes: classes, weight: weight, weightDecay: 0, seed: 5, threads: 2)!
    }

    /// The network's gradient with the classifier's gradient added at its pooling layer equals
    /// the finite-difference gradient of `Σ r·logits + w·L(classifier(embedding))`, the classifier
    /// held fixed, where L is the cross-entropy against the uniform distribution (`confuse`) or
    /// against the labels (`assist`; the unlabelled example does not count): the loss's input
    /// gradient is right, scaled by the weight, and enters the backward pass where the embedding
    /// leaves the network.
    @Test(arguments: [AuxiliaryClassifier.Objective.confuse, .assist])
    func theNetworkGetsTheGradientOfItsLoss(_ objective: AuxiliaryClassifier.Objective) throws {
        let widths = GradientCheckTests.widths
        let inputs = GradientCheckTests.inputs(widths: widths, seed: 4)
        let labels = [2, nil, 1]
        let network = TrainableNetwork(model: GradientCheckTests.model(Self.layers, seed: 2), threads: 2)
        let classifier = Self.classifier(objective, weight: 0.7)
        #expect(classifier.poolingLayer == 1)
        let start = classifier.state
        var generator = SeededGenerator(seed: 11)
        let projection = network.forward(inputs, widths: widths, training: true, seed: 7).map { $0.map { _ in generator.nextUniform() * 2 - 1 } }
        let weight = classifier.rampedWeight(at: 1)
        func loss() -> Double {
            let logits = network.forward(inputs, widths: widths, training: true, seed: 7)
            classifier.state = start
            let auxiliary = classifier.step(embeddings: network.pooledOutput(ofLayer: 1), labels: labels, learningRate: 0, progress: 1).networkLoss
            let projected = zip(logits, projection).reduce(0.0) { total, pair in zip(pair.0, pair.1).reduce(total) { $0 + Double($1.0) * Double($1.1) } }
            return projected + weight * auxiliary
        }
        _ = network.forward(inputs, widths: widths, training: true, seed: 7)
        classifier.state = start
        let added = classifier.step(embeddings: network.pooledOutput(ofLayer: 1), labels: labels, learningRate: 0, progress: 1).networkGradients
        if objective == .assist { #expect(added[1].allSatisfy { $0 == 0 }, "the unlabelled example gets nothing") }
        network.backward(projection, adding: (layer: 1, gradients: added))
        let analytic = network.gradients
        let (checked, mismatches) = GradientCheckTests.checkParameters(network, analytic: analytic, loss: loss)
        #expect(checked > 20)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        // Without the added gradient the convolution's gradient differs: the auxiliary loss reached it.
        _ = network.forward(inputs, widths: widths, training: true, seed: 7)
        network.backward(projection)
        #expect(network.gradients["layers.0.weight"] != analytic["layers.0.weight"])
    }

    @Test func theConfusionWeightRampsFromNothingToItsWeight() {
        let adversary = Self.classifier(weight: 0.5)
        #expect(adversary.rampedWeight(at: 0) == 0)
        #expect(abs(adversary.rampedWeight(at: 1) - 0.5) < 1e-4)
        let ramp = stride(from: 0.0, through: 1, by: 0.1).map(adversary.rampedWeight(at:))
        #expect(zip(ramp, ramp.dropFirst()).allSatisfy { $0 < $1 })
        #expect(abs(adversary.rampedWeight(at: 0.1) - 0.5 * 0.4621) < 1e-3, "a tenth of the way in, less than half of the weight")
        let assisting = Self.classifier(.assist, weight: 0.5)
        #expect(assisting.rampedWeight(at: 0) == 0.5 && assisting.rampedWeight(at: 1) == 0.5, "an assisting loss is not ramped")
    }

    /// On embeddings that give the speaker away, the classifier learns to name the speaker, and
    /// with a weight of 0 the network gets nothing back.
    @Test func itsClassifierLearnsTheSpeakers() {
        let adversary = Self.classifier(weight: 0, classes: 4, layers: [.globalPool(.mean), .dense(outFeatures: 3)])
        var generator = SeededGenerator(seed: 3)
        var losses: [Double] = []
        for _ in 0..<150 {
            let speakers = (0..<16).map { $0 % 4 }
            let result = adversary.step(embeddings: Self.revealing(speakers, generator: &generator), labels: speakers, learningRate: 1e-2, progress: 0.5)
            losses.append(result.classifierLoss)
            #expect(result.networkGradients.allSatisfy { $0.allSatisfy { $0 == 0 } })
        }
        let chance = log(4.0), first = losses[0]
        let last: Double = losses.suffix(10).reduce(0, +) / 10
        #expect(abs(first - chance) < 1, "starts near chance: \(first)")
        #expect(last < 0.1 * chance, "ends far below chance: \(last)")
    }

    /// Embeddings moved by the network's gradient (plain gradient descent standing in for the
    /// network) stop giving the speaker away: the classifier, still learning, ends near chance,
    /// neither blind nor wrong on purpose.
    @Test func followingItsGradientLeavesTheClassifierGuessing() {
        let adversary = Self.classifier(weight: 1, classes: 4, layers: [.globalPool(.mean), .dense(outFeatures: 3)])
        var generator = SeededGenerator(seed: 4)
        let speakers = (0..<16).map { $0 % 4 }
        var embeddings = Self.revealing(speakers, generator: &generator)
        var losses: [Double] = []
        for _ in 0..<400 {
            let result = adversary.step(embeddings: embeddings, labels: speakers, learningRate: 1e-2, progress: 1)
            losses.append(result.classifierLoss)
            for i in embeddings.indices { for k in embeddings[i].indices { embeddings[i][k] -= 2 * result.networkGradients[i][k] } }
        }
        let chance = log(4.0)
        let last: Double = losses.suffix(50).reduce(0, +) / 50
        #expect(abs(last - chance) < 0.15 * chance, "the speaker loss ends near chance: \(last)")
    }

    /// One embedding per speaker: a 2 on the speaker's own dimension, noise of 0.3 everywhere.
    static func revealing(_ speakers: [Int], generator: inout SeededGenerator) -> [[Float]] {
        speakers.map { speaker in (0..<GradientCheckTests.height).map { k in (k == speaker ? 2 : 0) + generator.nextGaussian() * 0.3 } }
    }
}
