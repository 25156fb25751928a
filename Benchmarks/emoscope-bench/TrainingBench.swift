import EmoscopeCore
import EmoscopeTraining
import Foundation

/// Training throughput of the default recipe's network: forward, backward and AdamW on batches of
/// 32 inputs of 2.4–3 s (the crops the trainer draws), on `threads` threads. Returns examples/s
/// (median and best of `repeats` batches).
func benchmarkTrainingStep(threads: Int, repeats: Int = 12) throws -> (median: Double, fastest: Double) {
    let configuration = TrainingConfiguration.standard(labels: 8)
    let bands = configuration.features.melBands
    let header = configuration.header(
        labels: ModelHeader.ravdessLabels,
        normalization: .init(mean: .init(repeating: 0, count: bands), standardDeviation: .init(repeating: 1, count: bands)),
        provenance: .init(corpus: "benchmark", evaluationProtocol: "none", metrics: [:], date: "", seed: 1, codeRevision: ""))
    let model = try EmotionModel.initialized(header: header, seed: 1)
    let network = TrainableNetwork(model: model, threads: threads)
    var optimizer = AdamW(weightDecay: configuration.weightDecay)
    var generator = SeededGenerator(seed: 7)
    let batch = 32
    let widths = (0..<batch).map { _ in 241 + Int(generator.next() % 61) }
    let inputs = widths.map { w in (0..<(w * bands)).map { _ in generator.nextGaussian() } }
    let targets = (0..<batch).map { CrossEntropy.target(label: $0 % 8, classes: 8, smoothing: 0.1) }
    let weights = [Float](repeating: 1, count: batch)
    var step: UInt64 = 0
    let timing = measure(repeats: repeats, warmup: 2) {
        step += 1
        let logits = network.forward(inputs, widths: widths, training: true, seed: step)
        let (_, gradients) = CrossEntropy.lossAndGradient(logits: logits, targets: targets, weights: weights)
        network.backward(gradients)
        optimizer.update(&network.parameters, gradients: network.gradients, names: network.trainableNames, learningRate: 1e-3)
    }
    return (Double(batch) / timing.median, Double(batch) / timing.fastest)
}
