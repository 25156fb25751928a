import Foundation

/// Softmax cross-entropy against soft targets, with per-sample weights.
///
/// Targets are distributions over classes: one-hot smoothed by `labelSmoothing`
/// (`(1 − ε)·onehot + ε/K`), or mixtures of two such for mixup.
public enum CrossEntropy {
    /// Smoothed one-hot target for `label` among `classes`.
    public static func target(label: Int, classes: Int, smoothing: Float) -> [Float] {
        var target = [Float](repeating: smoothing / Float(classes), count: classes)
        target[label] += 1 - smoothing
        return target
    }

    /// The weighted mean loss `Σ wᵢ·CE(softmax(zᵢ), tᵢ) / Σ wᵢ` and its gradient with respect to each logit.
    public static func lossAndGradient(logits: [[Float]], targets: [[Float]], weights: [Float]) -> (loss: Double, gradients: [[Float]]) {
        let totalWeight = weights.reduce(0, +)
        var loss = 0.0
        var gradients: [[Float]] = []
        for (i, z) in logits.enumerated() {
            let peak = z.max()!
            let exps = z.map { exp(Double($0 - peak)) }
            let sum = exps.reduce(0, +)
            let logSum = log(sum)
            let probabilities = exps.map { $0 / sum }
            var sampleLoss = 0.0
            for k in z.indices { sampleLoss -= Double(targets[i][k]) * (Double(z[k] - peak) - logSum) }
            let scale = Double(weights[i]) / Double(totalWeight)
            loss += scale * sampleLoss
            // d/dz of Σ −t·log softmax = softmax · Σt − t (Σt = 1 for a distribution).
            let targetMass = targets[i].reduce(0, +)
            gradients.append(z.indices.map { Float(scale * (probabilities[$0] * Double(targetMass) - Double(targets[i][$0]))) })
        }
        return (loss, gradients)
    }

    /// Class weights inversely proportional to class frequency, averaging 1 over the samples:
    /// `n / (K_present · n_c)`; 0 for a class with no samples.
    public static func balancedClassWeights(labels: [Int], classes: Int) -> [Float] {
        var counts = [Int](repeating: 0, count: classes)
        for label in labels { counts[label] += 1 }
        let present = Float(counts.filter { $0 > 0 }.count)
        return counts.map { $0 == 0 ? 0 : Float(labels.count) / (present * Float($0)) }
    }
}
