import EmoscopeCore
import Foundation

/// MixStyle (Zhou et al. 2021): an example's per-row mean and standard deviation — the
/// "style" of each mel band over time (frequency-wise, Kim et al. 2022 and Schmid et al. 2022),
/// or of each channel of an activation over frequency and time — are replaced by a blend of its
/// own and another example's of the same batch, while the pattern within each row and the
/// label stay. Much of a band's long-term level and spread is the speaker and the microphone.
///
/// Data are row-major `rows × length`: a band-major input (`bands × frames`) or a channel-major
/// activation (`channels × height·width`).
public enum MixStyle {
    /// The Beta distribution's α for the blend weight (Zhou et al.'s and Schmid et al.'s
    /// setting): most draws near 0 or 1.
    public static let alpha = 0.3

    /// Each row's mean and standard deviation.
    public struct RowStatistics: Equatable, Sendable {
        public var means: [Float]
        public var deviations: [Float]

        /// The statistics of `rows × length` values; deviations floored at 1e-3.
        public init(_ values: [Float], rows: Int, length: Int) {
            means = [Float](repeating: 0, count: rows)
            deviations = [Float](repeating: 0, count: rows)
            for row in 0..<rows {
                let slice = values[(row * length)..<((row + 1) * length)]
                let mean = slice.reduce(0.0) { $0 + Double($1) } / Double(length)
                let variance = slice.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(length)
                means[row] = Float(mean)
                deviations[row] = Float(max(1e-3, variance.squareRoot()))
            }
        }

        /// `weight` of these statistics and `1 − weight` of `other`'s.
        func blended(with other: RowStatistics, weight: Float) -> RowStatistics {
            var result = self
            for row in means.indices {
                result.means[row] = weight * means[row] + (1 - weight) * other.means[row]
                result.deviations[row] = weight * deviations[row] + (1 - weight) * other.deviations[row]
            }
            return result
        }
    }

    /// `values` with each row standardised by its own statistics and rescaled to `target`'s,
    /// and each row's scale factor (the derivative of an output by its input, the statistics
    /// held fixed as Zhou et al. do).
    public static func restyled(_ values: [Float], rows: Int, length: Int, to target: RowStatistics) -> (values: [Float], scales: [Float]) {
        let own = RowStatistics(values, rows: rows, length: length)
        var output = values
        var scales = [Float](repeating: 1, count: rows)
        for row in 0..<rows {
            let scale = target.deviations[row] / own.deviations[row]
            let shift = target.means[row] - own.means[row] * scale
            for k in (row * length)..<((row + 1) * length) { output[k] = values[k] * scale + shift }
            scales[row] = scale
        }
        return (output, scales)
    }

    /// The batch with each example, with probability `probability`, restyled towards a partner
    /// drawn by a permutation of the batch, with its own weight λ ~ Beta(α, α); and each
    /// example's row scales (1 where it was left alone).
    public static func mix(_ batch: [[Float]], rows: Int, lengths: [Int], probability: Double, alpha: Double = alpha,
                           generator: inout SeededGenerator) -> (values: [[Float]], scales: [[Float]]) {
        let n = batch.count
        var mixed = batch
        var scales = [[Float]](repeating: [Float](repeating: 1, count: rows), count: n)
        guard n > 1, probability > 0 else { return (mixed, scales) }
        var partners = Array(0..<n)
        partners.seededShuffle(using: &generator)
        let statistics = batch.indices.map { RowStatistics(batch[$0], rows: rows, length: lengths[$0]) }
        for i in 0..<n {
            let chosen = Double(generator.nextUniform()) < probability
            let lambda = Float(generator.beta(alpha, alpha))
            guard chosen, partners[i] != i else { continue }
            let target = statistics[i].blended(with: statistics[partners[i]], weight: lambda)
            (mixed[i], scales[i]) = restyled(batch[i], rows: rows, length: lengths[i], to: target)
        }
        return (mixed, scales)
    }
}
