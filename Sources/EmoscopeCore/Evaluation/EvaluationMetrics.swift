/// Precision, recall and F1 of one class.
///
/// A class with support that is never predicted has precision nil, recall 0 and F1 0;
/// a class without support has recall and F1 nil (precision is 0 if it was predicted, else nil).
public struct ClassMetrics: Codable, Equatable, Sendable {
    public var label: String
    /// Correct / predicted; nil when the class is never predicted (undefined).
    public var precision: Double?
    /// Correct / support; nil when the class has no support (undefined).
    public var recall: Double?
    /// Harmonic mean of precision and recall; nil when recall is nil, 0 when precision is nil or both are 0.
    public var f1: Double?
    /// Number of samples whose true class this is.
    public var support: Int

    public init(label: String, precision: Double?, recall: Double?, f1: Double?, support: Int) {
        self.label = label
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.support = support
    }
}

/// Accuracy, unweighted average recall (UAR), macro-F1 and per-class metrics of a confusion matrix.
///
/// Classes without support are excluded from the macro averages (UAR, macro-F1), since their
/// recall is undefined; a class with support that is never predicted counts with recall 0 and F1 0.
public struct EvaluationMetrics: Codable, Equatable, Sendable {
    /// Number of samples.
    public var count: Int
    /// Share of correct predictions (trace / total); 0 when there are no samples.
    public var accuracy: Double
    /// Mean recall over the classes with support; 0 when no class has support.
    public var unweightedAverageRecall: Double
    /// Mean F1 over the classes with support; 0 when no class has support.
    public var macroF1: Double
    /// Metrics of each class, in label order.
    public var perClass: [ClassMetrics]

    /// The metrics of `matrix`.
    public init(_ matrix: ConfusionMatrix) {
        let classes = matrix.labels.indices
        count = matrix.total
        let correct = classes.reduce(0) { $0 + matrix.counts[$1][$1] }
        accuracy = count == 0 ? 0 : Double(correct) / Double(count)
        perClass = classes.map { index in
            let hits = Double(matrix.counts[index][index])
            let support = matrix.support(of: index), predicted = matrix.predictedCount(of: index)
            let precision = predicted == 0 ? nil : hits / Double(predicted)
            let recall = support == 0 ? nil : hits / Double(support)
            var f1: Double?
            if let recall {
                if let precision, precision + recall > 0 { f1 = 2 * precision * recall / (precision + recall) } else { f1 = 0 }
            }
            return ClassMetrics(label: matrix.labels[index], precision: precision, recall: recall, f1: f1, support: support)
        }
        let supported = perClass.filter { $0.support > 0 }
        func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
        unweightedAverageRecall = mean(supported.map { $0.recall ?? 0 })
        macroF1 = mean(supported.map { $0.f1 ?? 0 })
    }
}
