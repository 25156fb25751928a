import Foundation

/// Confidence calibration: expected calibration error and temperature scaling.
public enum CalibrationMetrics {
    /// Expected calibration error: confidence (max probability) split into `bins` equal-width bins over [0, 1];
    /// Σ_b (n_b / n) · |accuracy_b − mean confidence_b|. 0 for no samples.
    ///
    /// Bin `b` holds confidences in [b / bins, (b + 1) / bins), the last bin also 1; the prediction is
    /// the first class of maximal probability.
    public static func expectedCalibrationError(probabilities: [[Float]], truths: [Int], bins: Int = 15) -> Double {
        precondition(probabilities.count == truths.count, "one truth per probability row")
        precondition(bins > 0, "at least one bin")
        guard !probabilities.isEmpty else { return 0 }
        var count = [Int](repeating: 0, count: bins)
        var correct = [Int](repeating: 0, count: bins)
        var confidenceSum = [Double](repeating: 0, count: bins)
        for (row, truth) in zip(probabilities, truths) {
            precondition(!row.isEmpty, "empty probability row")
            var predicted = 0
            for index in row.indices where row[index] > row[predicted] { predicted = index }
            let confidence = Double(row[predicted])
            precondition(confidence.isFinite, "probabilities must be finite")
            let bin = min(max(Int(confidence * Double(bins)), 0), bins - 1)
            count[bin] += 1
            confidenceSum[bin] += confidence
            if predicted == truth { correct[bin] += 1 }
        }
        let n = Double(probabilities.count)
        return (0..<bins).reduce(0) { sum, b in
            guard count[b] > 0 else { return sum }
            let size = Double(count[b])
            return sum + size / n * abs(Double(correct[b]) / size - confidenceSum[b] / size)
        }
    }

    /// Mean negative log-likelihood of the truths under softmax(logits / temperature), computed stably in Double.
    /// 0 for no samples.
    public static func negativeLogLikelihood(logits: [[Float]], truths: [Int], temperature: Double) -> Double {
        precondition(logits.count == truths.count, "one truth per logit row")
        precondition(temperature > 0, "temperature must be positive")
        guard !logits.isEmpty else { return 0 }
        var total = 0.0
        for (row, truth) in zip(logits, truths) {
            precondition(row.indices.contains(truth), "truth index out of range")
            let scaled = row.map { Double($0) / temperature }
            total += logSumExp(scaled) - scaled[truth]
        }
        return total / Double(logits.count)
    }

    /// The temperature in [0.05, 20] that minimises the NLL (golden-section search over log T,
    /// to a relative precision of 1e-4). 1 when there are no samples.
    public static func fitTemperature(logits: [[Float]], truths: [Int]) -> Float {
        precondition(logits.count == truths.count, "one truth per logit row")
        guard !logits.isEmpty else { return 1 }
        // The NLL is convex in 1/T, hence unimodal in log T.
        return fitTemperature { negativeLogLikelihood(logits: logits, truths: truths, temperature: $0) }
    }

    /// The temperature in [0.05, 20] that minimises `loss(T)`, a function unimodal in log T
    /// (golden-section search over log T, to a relative precision of 1e-4).
    public static func fitTemperature(minimising lossAtTemperature: (Double) -> Double) -> Float {
        func loss(_ logT: Double) -> Double { lossAtTemperature(exp(logT)) }
        let ratio = (5.0.squareRoot() - 1) / 2
        var a = log(0.05), b = log(20.0)
        var c = b - ratio * (b - a), d = a + ratio * (b - a)
        var fc = loss(c), fd = loss(d)
        while b - a > 1e-4 {
            if fc < fd {
                b = d; d = c; fd = fc
                c = b - ratio * (b - a); fc = loss(c)
            } else {
                a = c; c = d; fc = fd
                d = a + ratio * (b - a); fd = loss(d)
            }
        }
        return Float(exp((a + b) / 2))
    }

    /// softmax(logits / temperature) per row (Double internally, returned as Float).
    public static func softmax(_ logits: [Float], temperature: Float) -> [Float] {
        precondition(temperature > 0, "temperature must be positive")
        guard !logits.isEmpty else { return [] }
        let scaled = logits.map { Double($0) / Double(temperature) }
        let top = scaled.max()!
        let exps = scaled.map { exp($0 - top) }
        let sum = exps.reduce(0, +)
        return exps.map { Float($0 / sum) }
    }

    /// log Σ exp(x), shifted by the maximum so that it neither overflows nor underflows to −∞.
    private static func logSumExp(_ x: [Double]) -> Double {
        let top = x.max()!
        return top + log(x.reduce(0) { $0 + exp($1 - top) })
    }
}
