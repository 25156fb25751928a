import EmoscopeCore
import Foundation

/// The model's answer for one clip.
public struct ClipPrediction: Codable, Equatable, Sendable {
    /// Index of the clip in the corpus.
    public var index: Int
    public var status: Classification.Status
    /// Class probabilities; nil unless classified.
    public var probabilities: [Float]?

    /// The most probable class, or nil.
    public var predicted: Int? { probabilities.flatMap { p in p.indices.max { p[$0] < p[$1] } } }
}

/// Classifies clips exactly as the app does (`EmotionClassifier.classify` on the whole
/// clip), on several threads.
public enum Evaluator {
    public static func predict(_ model: EmotionModel, clips: [PreparedClip], indices: [Int], threads: Int) -> [ClipPrediction] {
        let classifiers = (0..<max(1, min(threads, indices.count))).map { _ in try! EmotionClassifier(model: model) }
        return parallelMap(indices.count, threads: threads) { chunk, position in
            let result = classifiers[chunk].classify(clips[indices[position]].samples)
            return ClipPrediction(index: indices[position], status: result.status, probabilities: result.probabilities)
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

    /// Log-probabilities as logits (softmax of them gives the probabilities back), for temperature fitting.
    public static func logits(_ predictions: [ClipPrediction]) -> [[Float]] {
        predictions.compactMap { $0.probabilities?.map { logf(max($0, 1e-12)) } }
    }

    /// True labels of the classified predictions, in the order of `logits`.
    public static func truths(_ predictions: [ClipPrediction], clips: [PreparedClip]) -> [Int] {
        predictions.compactMap { $0.probabilities == nil ? nil : clips[$0.index].label }
    }
}
