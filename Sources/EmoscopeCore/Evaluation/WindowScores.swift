import Foundation

/// The uncalibrated result of one analysis window: its weight in the clip (fraction of speech)
/// and its class log-probabilities at temperature 1.
///
/// Softmax of `logProbabilities / T` is exactly what the classifier gives that window at
/// temperature T (log-softmax differs from the logits by a constant), so a clip's calibrated
/// probabilities can be recomputed for any T without the network.
public struct WindowScores: Codable, Equatable, Sendable {
    public var weight: Float
    public var logProbabilities: [Float]

    public init(weight: Float, logProbabilities: [Float]) {
        self.weight = weight
        self.logProbabilities = logProbabilities
    }

    /// The scores of a classification made at temperature 1 (its windows that hold speech).
    public static func of(_ classification: Classification) -> [WindowScores] {
        classification.segments.compactMap { segment in
            segment.probabilities.map { p in
                WindowScores(weight: Float(segment.speechRatio), logProbabilities: p.map { logf(max($0, 1e-30)) })
            }
        }
    }

    /// A clip's probabilities at `temperature`: the weighted mean of its windows' softmax, as
    /// `EmotionClassifier.classify` combines them.
    public static func clipProbabilities(_ windows: [WindowScores], temperature: Float) -> [Float] {
        precondition(!windows.isEmpty, "a classified clip has at least one window")
        var total = [Float](repeating: 0, count: windows[0].logProbabilities.count)
        var weight: Float = 0
        for window in windows {
            let p = CalibrationMetrics.softmax(window.logProbabilities, temperature: temperature)
            for i in total.indices { total[i] += window.weight * p[i] }
            weight += window.weight
        }
        return total.map { $0 / weight }
    }

    /// Mean negative log-likelihood of `truths` over clips at `temperature`.
    public static func negativeLogLikelihood(_ clips: [[WindowScores]], truths: [Int], temperature: Float) -> Double {
        precondition(clips.count == truths.count, "one truth per clip")
        guard !clips.isEmpty else { return 0 }
        let total = zip(clips, truths).reduce(0.0) { sum, pair in
            sum - log(max(Double(clipProbabilities(pair.0, temperature: temperature)[pair.1]), 1e-300))
        }
        return total / Double(clips.count)
    }

    /// The temperature that minimises the clip-level NLL of `truths`; 1 when there are no clips.
    public static func fitTemperature(_ clips: [[WindowScores]], truths: [Int]) -> Float {
        guard !clips.isEmpty else { return 1 }
        return CalibrationMetrics.fitTemperature { negativeLogLikelihood(clips, truths: truths, temperature: Float($0)) }
    }
}
