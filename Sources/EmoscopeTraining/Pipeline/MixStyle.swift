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
        restyled(values, rows: rows, length: length, from: RowStatistics(values, rows: rows, length: length), to: target)
    }

    /// `restyled(_:rows:length:to:)` for values whose own statistics `own` are known.
    private static func restyled(_ values: [Float], rows: Int, length: Int, from own: RowStatistics,
                                 to target: RowStatistics) -> (values: [Float], scales: [Float]) {
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

    /// A partner for each of `count` examples: a random permutation.
    public static func partners(count: Int, generator: inout SeededGenerator) -> [Int] {
        generator.permutation(count)
    }

    /// A partner for each example with the same label and another speaker, drawn at random
    /// among those of the batch; an example with none is its own partner (left alone). Mixing
    /// then moves what differs between speakers and keeps what the label shares.
    public static func partners(labels: [Int], speakers: [String], generator: inout SeededGenerator) -> [Int] {
        labels.indices.map { i in
            let candidates = labels.indices.filter { labels[$0] == labels[i] && speakers[$0] != speakers[i] }
            return candidates.isEmpty ? i : candidates[generator.nextIndex(below: candidates.count)]
        }
    }

    /// The batch with each example, with probability `probability`, restyled towards its
    /// partner with its own weight λ ~ Beta(α, α); and each example's row scales (1 where it
    /// was left alone).
    public static func mix(_ batch: [[Float]], rows: Int, lengths: [Int], partners: [Int], probability: Double,
                           alpha: Double = alpha, generator: inout SeededGenerator) -> (values: [[Float]], scales: [[Float]]) {
        var mixed = batch
        var scales = [[Float]](repeating: [Float](repeating: 1, count: rows), count: batch.count)
        guard probability > 0 else { return (mixed, scales) }
        let statistics = batch.indices.map { RowStatistics(batch[$0], rows: rows, length: lengths[$0]) }
        for i in batch.indices {
            let chosen = Double(generator.nextUniform()) < probability
            let lambda = Float(generator.beta(alpha, alpha))
            guard chosen, partners[i] != i else { continue }
            let target = statistics[i].blended(with: statistics[partners[i]], weight: lambda)
            (mixed[i], scales[i]) = restyled(batch[i], rows: rows, length: lengths[i], from: statistics[i], to: target)
        }
        return (mixed, scales)
    }
}
