import EmoscopeCore
import EmoscopeTraining
import Foundation
import Testing

/// The speaker adversary (a confusion loss): the gradient the network receives, the ramp of its
/// weight, that its classifier learns speakers and that the network can leave it guessing.
@Suite("speaker adversary")
struct SpeakerAdversaryTests {
    /// No ReLU between convolution and pooling: a step of 1e-2 on a convolution weight would move
    /// activations across its kink (see `GradientCheckTests`); the classifier is linear.
    static let layers: [LayerSpec] = [GradientCheckTests.conv(2), .globalPool(.meanStd), .dense(outFeatures: 3)]

    static func adversary(weight: Double, speakers: Int = 3, layers: [LayerSpec] = layers) -> SpeakerAdversary {
        SpeakerAdversary(networkLayers: layers, input: ActivationShape(channels: 1, height: GradientCheckTests.height, width: 7),
                         speakers: speakers, weight: weight, weightDecay: 0, seed: 5, threads: 2)!
    }

    /// The network's gradient with the adversary's gradient added at its pooling layer equals the
    /// finite-difference gradient of `Σ r·logits + w·CE(classifier(embedding), uniform)`, the
    /// speaker classifier held fixed: the confusion loss's input gradient is right, scaled by the
    /// ramped weight, and enters the backward pass where the embedding leaves the network.
    @Test func theNetworkGetsTheGradientOfTheConfusionLoss() throws {
        let widths = GradientCheckTests.widths
        let inputs = GradientCheckTests.inputs(widths: widths, seed: 4)
        let speakers = [2, 0, 1]
        let network = TrainableNetwork(model: GradientCheckTests.model(Self.layers, seed: 2), threads: 2)
        let adversary = Self.adversary(weight: 0.7)
        #expect(adversary.poolingLayer == 1)
        let start = adversary.state
        var generator = SeededGenerator(seed: 11)
        let projection = network.forward(inputs, widths: widths, training: true, seed: 7).map { $0.map { _ in generator.nextUniform() * 2 - 1 } }
        let weight = adversary.rampedWeight(at: 1)
        func loss() -> Double {
            let logits = network.forward(inputs, widths: widths, training: true, seed: 7)
            adversary.state = start
            let confusion = adversary.step(embeddings: network.pooledOutput(ofLayer: 1), speakers: speakers, learningRate: 0, progress: 1).confusionLoss
            let projected = zip(logits, projection).reduce(0.0) { total, pair in zip(pair.0, pair.1).reduce(total) { $0 + Double($1.0) * Double($1.1) } }
            return projected + weight * confusion
        }
        _ = network.forward(inputs, widths: widths, training: true, seed: 7)
        adversary.state = start
        let added = adversary.step(embeddings: network.pooledOutput(ofLayer: 1), speakers: speakers, learningRate: 0, progress: 1).networkGradients
        network.backward(projection, adding: (layer: 1, gradients: added))
        let analytic = network.gradients
        var checked = 0, mismatches: [String] = []
        let step: Float = 1e-2
        for name in network.trainableNames {
            let count = network.parameters[name]!.count
            for index in stride(from: 0, to: count, by: max(1, count / 12)) {
                let original = network.parameters[name]![index]
                network.parameters[name]![index] = original + step
                let plus = loss()
                network.parameters[name]![index] = original - step
                let minus = loss()
                network.parameters[name]![index] = original
                let numeric = Float((plus - minus) / Double(2 * step)), a = analytic[name]![index]
                checked += 1
                if abs(a - numeric) > 0.02 * max(0.05, abs(a), abs(numeric)) { mismatches.append("\(name)[\(index)]: \(a) vs \(numeric)") }
            }
        }
        #expect(checked > 20)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        // Without the added gradient the convolution's gradient differs: the confusion loss reached it.
        _ = network.forward(inputs, widths: widths, training: true, seed: 7)
        network.backward(projection)
        #expect(network.gradients["layers.0.weight"] != analytic["layers.0.weight"])
    }

    @Test func theConfusionWeightRampsFromNothingToItsWeight() {
        let adversary = Self.adversary(weight: 0.5)
        #expect(adversary.rampedWeight(at: 0) == 0)
        #expect(abs(adversary.rampedWeight(at: 1) - 0.5) < 1e-4)
        let ramp = stride(from: 0.0, through: 1, by: 0.1).map(adversary.rampedWeight(at:))
        #expect(zip(ramp, ramp.dropFirst()).allSatisfy { $0 < $1 })
        #expect(abs(adversary.rampedWeight(at: 0.1) - 0.5 * 0.4621) < 1e-3, "a fifth of the way in, half of the weight or less")
    }

    /// On embeddings that give the speaker away, the classifier learns to name the speaker, and
    /// with a weight of 0 the network gets nothing back.
    @Test func itsClassifierLearnsTheSpeakers() {
        let adversary = Self.adversary(weight: 0, speakers: 4, layers: [.globalPool(.mean), .dense(outFeatures: 3)])
        var generator = SeededGenerator(seed: 3)
        var losses: [Double] = []
        for _ in 0..<150 {
            let speakers = (0..<16).map { $0 % 4 }
            let result = adversary.step(embeddings: Self.revealing(speakers, generator: &generator), speakers: speakers, learningRate: 1e-2, progress: 0.5)
            losses.append(result.speakerLoss)
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
        let adversary = Self.adversary(weight: 1, speakers: 4, layers: [.globalPool(.mean), .dense(outFeatures: 3)])
        var generator = SeededGenerator(seed: 4)
        let speakers = (0..<16).map { $0 % 4 }
        var embeddings = Self.revealing(speakers, generator: &generator)
        var losses: [Double] = []
        for _ in 0..<400 {
            let result = adversary.step(embeddings: embeddings, speakers: speakers, learningRate: 1e-2, progress: 1)
            losses.append(result.speakerLoss)
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
