import EmoscopeCore
import Foundation

/// Frequency-wise MixStyle (Zhou et al. 2021; on spectrograms, Kim et al. 2022 and Schmid et
/// al. 2022): an example's per-band mean and standard deviation over time — its long-term
/// spectrum and how much each band moves, much of which is the speaker and the microphone —
/// are replaced by a blend of its own and another example's of the same batch; the pattern
/// within each band and the label stay. Inputs are band-major `bands × width`.
public enum FrequencyMixStyle {
    /// The Beta distribution's α for the blend weight (Schmid et al.'s setting): most draws near 0 or 1.
    public static let alpha = 0.3

    /// Each band's mean and standard deviation over time.
    public struct BandStatistics: Equatable, Sendable {
        public var means: [Float]
        public var deviations: [Float]

        /// The statistics of a band-major `bands × width` input; deviations floored at 1e-3.
        public init(_ input: [Float], bands: Int, width: Int) {
            means = [Float](repeating: 0, count: bands)
            deviations = [Float](repeating: 0, count: bands)
            for band in 0..<bands {
                let row = input[(band * width)..<((band + 1) * width)]
                let mean = row.reduce(0.0) { $0 + Double($1) } / Double(width)
                let variance = row.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(width)
                means[band] = Float(mean)
                deviations[band] = Float(max(1e-3, variance.squareRoot()))
            }
        }

        /// `weight` of these statistics and `1 − weight` of `other`'s.
        func blended(with other: BandStatistics, weight: Float) -> BandStatistics {
            var result = self
            for band in means.indices {
                result.means[band] = weight * means[band] + (1 - weight) * other.means[band]
                result.deviations[band] = weight * deviations[band] + (1 - weight) * other.deviations[band]
            }
            return result
        }
    }

    /// `input` with each band standardised by its own statistics and rescaled to `target`'s.
    public static func restyled(_ input: [Float], bands: Int, width: Int, to target: BandStatistics) -> [Float] {
        let own = BandStatistics(input, bands: bands, width: width)
        var output = input
        for band in 0..<bands {
            let scale = target.deviations[band] / own.deviations[band]
            let shift = target.means[band] - own.means[band] * scale
            for frame in 0..<width { output[band * width + frame] = input[band * width + frame] * scale + shift }
        }
        return output
    }

    /// The batch with each example, with probability `probability`, restyled towards a partner
    /// drawn by a permutation of the batch, with its own weight λ ~ Beta(α, α).
    public static func mix(_ inputs: [[Float]], widths: [Int], bands: Int, probability: Double, alpha: Double,
                           generator: inout SeededGenerator) -> [[Float]] {
        let n = inputs.count
        guard n > 1, probability > 0 else { return inputs }
        var partners = Array(0..<n)
        partners.seededShuffle(using: &generator)
        let statistics = inputs.indices.map { BandStatistics(inputs[$0], bands: bands, width: widths[$0]) }
        var mixed = inputs
        for i in 0..<n {
            let chosen = Double(generator.nextUniform()) < probability
            let lambda = Float(generator.beta(alpha, alpha))
            guard chosen, partners[i] != i else { continue }
            let target = statistics[i].blended(with: statistics[partners[i]], weight: lambda)
            mixed[i] = restyled(inputs[i], bands: bands, width: widths[i], to: target)
        }
        return mixed
    }
}
