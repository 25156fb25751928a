import EmoscopeCore
import Foundation

/// The model's answer for one clip.
public struct ClipPrediction: Codable, Equatable, Sendable {
    /// Index of the clip in the corpus.
    public var index: Int
    public var status: Classification.Status
    /// Class probabilities; nil unless classified.
    public var probabilities: [Float]?
    /// The windows behind `probabilities`, scored at the model's temperature (empty unless classified).
    public var windows: [WindowScores] = []

    /// The most probable class, or nil.
    public var predicted: Int? { probabilities.flatMap { p in p.indices.max { p[$0] < p[$1] } } }
}

/// Classifies clips exactly as the app does (`EmotionClassifier.classify` on the whole
/// clip), on several threads.
public enum Evaluator {
    /// Clips that carry their speaker's statistics (`speakerNormalization`) are standardised with
    /// them (`EmotionClassifier.speakerNormalization`), as the app's `--adapt` does.
    public static func predict(_ model: EmotionModel, clips: [PreparedClip], indices: [Int], threads: Int) -> [ClipPrediction] {
        let classifiers = (0..<max(1, min(threads, indices.count))).map { _ in try! EmotionClassifier(model: model) }
        return parallelMap(indices.count, threads: threads) { chunk, position in
            let clip = clips[indices[position]]
            classifiers[chunk].speakerNormalization = clip.speakerNormalization
            let result = classifiers[chunk].classify(clip.samples)
            return ClipPrediction(index: indices[position], status: result.status, probabilities: result.probabilities,
                                  windows: WindowScores.of(result))
        }
    }

    /// Confusion matrix of the classified predictions (unclassified ones are left out and counted).
    public static func confusion(_ predictions: [ClipPrediction], clips: [PreparedClip], labels: [String]) -> (matrix: ConfusionMatrix, unclassified: Int) {
        var matrix = ConfusionMatrix(labels: labels)
        var unclassified = 0
        for prediction in predictions {
            guard let predicted = prediction.predicted else { unclassified += 1; continue }
            matrix.add(truth: clips[prediction.index].label, predicted: predicted)
        }
        return (matrix, unclassified)
    }

    /// Mean negative log-probability of the true class over classified predictions.
    public static func negativeLogLikelihood(_ predictions: [ClipPrediction], clips: [PreparedClip]) -> Double {
        let scored = predictions.compactMap { p in p.probabilities.map { -log(Double(max($0[clips[p.index].label], 1e-12))) } }
        return scored.isEmpty ? 0 : scored.reduce(0, +) / Double(scored.count)
    }

    /// The temperature that minimises the NLL of predictions made at temperature 1 (exactly, window by window).
    public static func fitTemperature(_ predictions: [ClipPrediction], clips: [PreparedClip]) -> Float {
        let classified = predictions.filter { $0.probabilities != nil }
        return WindowScores.fitTemperature(classified.map(\.windows), truths: classified.map { clips[$0.index].label })
    }

    /// Predictions made at temperature 1, recomputed at `temperature`.
    public static func recalibrated(_ predictions: [ClipPrediction], temperature: Float) -> [ClipPrediction] {
        predictions.map { prediction in
            guard prediction.probabilities != nil else { return prediction }
            var calibrated = prediction
            calibrated.probabilities = WindowScores.clipProbabilities(prediction.windows, temperature: temperature)
            calibrated.windows = prediction.windows.map { w in
                WindowScores(weight: w.weight, logProbabilities: CalibrationMetrics.softmax(w.logProbabilities, temperature: temperature).map { logf(max($0, 1e-30)) })
            }
            return calibrated
        }
    }
}
