import EmoscopeCore

/// One speaker's test clips scored on their own: which voices the model hears well.
public struct SpeakerReport: Codable, Equatable, Sendable {
    public var speaker: String
    /// The fold whose model heard this speaker's test clips (0-based, as in `ReportedPrediction`).
    public var fold: Int
    /// Test clips of this speaker, classified or not.
    public var clips: Int
    /// Clips the classifier declined (no speech / too short): left out of the metrics.
    public var unclassified: Int
    public var accuracy: Double
    /// Mean recall over the classes this speaker has clips of.
    public var unweightedAverageRecall: Double

    public init(speaker: String, fold: Int, clips: Int, unclassified: Int, accuracy: Double, unweightedAverageRecall: Double) {
        self.speaker = speaker
        self.fold = fold
        self.clips = clips
        self.unclassified = unclassified
        self.accuracy = accuracy
        self.unweightedAverageRecall = unweightedAverageRecall
    }

    /// One report per speaker of `predictions`, in speaker order.
    public static func rows(_ predictions: [ReportedPrediction], labels: [String]) -> [SpeakerReport] {
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        return Dictionary(grouping: predictions, by: \.speaker).sorted { $0.key < $1.key }.map { speaker, clips in
            var matrix = ConfusionMatrix(labels: labels)
            for clip in clips {
                guard let truth = index[clip.truth], let predicted = clip.predicted.flatMap({ index[$0] }) else { continue }
                matrix.add(truth: truth, predicted: predicted)
            }
            let metrics = EvaluationMetrics(matrix)
            return SpeakerReport(speaker: speaker, fold: clips[0].fold, clips: clips.count, unclassified: clips.count - matrix.total,
                                 accuracy: metrics.accuracy, unweightedAverageRecall: metrics.unweightedAverageRecall)
        }
    }
}
