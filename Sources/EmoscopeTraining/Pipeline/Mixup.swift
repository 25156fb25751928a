import EmoscopeCore
import Foundation

/// Mixup (Zhang et al., 2018): each example of a batch is blended with another one of the same
/// batch, inputs and targets alike, with a weight λ ~ Beta(α, α) kept ≥ ½ so that the first
/// example dominates. Inputs of different widths are mixed over the wider one, the narrower
/// padded with 0 (the standardised mean).
public enum Mixup {
    /// One mixed batch: inputs and widths, soft targets and loss weights.
    public struct Batch: Sendable {
        public var inputs: [[Float]]
        public var widths: [Int]
        public var targets: [[Float]]
        public var weights: [Float]

        public init(inputs: [[Float]], widths: [Int], targets: [[Float]], weights: [Float]) {
            (self.inputs, self.widths, self.targets, self.weights) = (inputs, widths, targets, weights)
        }
    }

    /// Mixes `batch` (band-major `bands × width` inputs) with a partner permutation drawn from `generator`.
    public static func mix(_ batch: Batch, bands: Int, alpha: Double, generator: inout SeededGenerator) -> Batch {
        let n = batch.inputs.count
        guard n > 1, alpha > 0 else { return batch }
        let partners = generator.permutation(n)
        var mixed = batch
        for i in 0..<n {
            let j = partners[i]
            let draw = generator.beta(alpha, alpha)
            let lambda = Float(max(draw, 1 - draw))
            let (wi, wj) = (batch.widths[i], batch.widths[j])
            let width = max(wi, wj)
            var input = [Float](repeating: 0, count: bands * width)
            for band in 0..<bands {
                for frame in 0..<wi { input[band * width + frame] += lambda * batch.inputs[i][band * wi + frame] }
                for frame in 0..<wj { input[band * width + frame] += (1 - lambda) * batch.inputs[j][band * wj + frame] }
            }
            mixed.inputs[i] = input
            mixed.widths[i] = width
            mixed.targets[i] = zip(batch.targets[i], batch.targets[j]).map { lambda * $0 + (1 - lambda) * $1 }
            mixed.weights[i] = lambda * batch.weights[i] + (1 - lambda) * batch.weights[j]
        }
        return mixed
    }
}

extension SeededGenerator {
    /// A Gamma(shape, 1) draw (Marsaglia and Tsang; shapes below 1 boosted by U^(1/shape)).
    public mutating func gamma(_ shape: Double) -> Double {
        precondition(shape > 0, "Gamma shape must be positive")
        if shape < 1 {
            let u = max(Double(nextUniform()), 1e-12)
            return gamma(shape + 1) * pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            let x = Double(nextGaussian())
            let v = pow(1 + c * x, 3)
            guard v > 0 else { continue }
            let u = max(Double(nextUniform()), 1e-12)
            if log(u) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
        }
    }

    /// A Beta(a, b) draw.
    public mutating func beta(_ a: Double, _ b: Double) -> Double {
        let x = gamma(a), y = gamma(b)
        return x + y > 0 ? x / (x + y) : 0.5
    }
}
