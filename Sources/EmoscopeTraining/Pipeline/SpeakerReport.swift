import EmoscopeCore
import Foundation

/// One speaker's test clips scored on their own: which voices the model hears well.
public struct SpeakerReport: Codable, Equatable, Sendable {
    /// One clip as the per-speaker scores need it: labels as indices, nil when not classified.
    public typealias Clip = (speaker: String, fold: Int?, truth: Int, predicted: Int?)

    public var speaker: String
    /// The fold whose model heard this speaker's test clips (0-based, as in `ReportedPrediction`);
    /// nil outside a cross-validation.
    public var fold: Int?
    /// Test clips of this speaker, classified or not.
    public var clips: Int
    /// Clips the classifier declined (no speech / too short): left out of the metrics.
    public var unclassified: Int
    public var accuracy: Double
    /// Mean recall over the classes this speaker has clips of.
    public var unweightedAverageRecall: Double

    public init(speaker: String, fold: Int?, clips: Int, unclassified: Int, accuracy: Double, unweightedAverageRecall: Double) {
        self.speaker = speaker
        self.fold = fold
        self.clips = clips
        self.unclassified = unclassified
        self.accuracy = accuracy
        self.unweightedAverageRecall = unweightedAverageRecall
    }

    /// One report per speaker of `clips`, in speaker order.
    public static func rows(_ clips: [Clip], labels: [String]) -> [SpeakerReport] {
        Dictionary(grouping: clips, by: \.speaker).sorted { $0.key < $1.key }.map { speaker, clips in
            let matrix = ConfusionMatrix(labels: labels, outcomes: clips.lazy.map { ($0.truth, $0.predicted) })
            let metrics = EvaluationMetrics(matrix)
            return SpeakerReport(speaker: speaker, fold: clips[0].fold, clips: clips.count, unclassified: clips.count - matrix.total,
                                 accuracy: metrics.accuracy, unweightedAverageRecall: metrics.unweightedAverageRecall)
        }
    }

    /// One report per speaker of a report's predictions, in speaker order.
    public static func rows(_ predictions: [ReportedPrediction], labels: [String]) -> [SpeakerReport] {
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        return rows(predictions.compactMap { prediction in
            index[prediction.truth].map { (prediction.speaker, prediction.fold, $0, prediction.predicted.flatMap { index[$0] }) }
        }, labels: labels)
    }

    /// Each speaker's UAR, lowest first, six to a line (the 48 lowest when there are more), under
    /// a blank line and a line with the median and range: which voices the model hears least well.
    /// Empty without speakers.
    public static func summaryLines(_ speakers: [SpeakerReport]) -> [String] {
        guard !speakers.isEmpty else { return [] }
        let ranked = speakers.sorted { ($0.unweightedAverageRecall, $0.speaker) < ($1.unweightedAverageRecall, $1.speaker) }
        let values = ranked.map(\.unweightedAverageRecall)
        let shown = ranked.prefix(48).map { String(format: "%@ %.3f", $0.speaker, $0.unweightedAverageRecall) }
        var lines = ["", String(format: "per speaker (UAR on the speaker's own clips), lowest first; median %.3f, range %.3f–%.3f:",
                            values.median!, values.first!, values.last!)]
        let width = shown.map(\.count).max()! + 2
        for start in stride(from: 0, to: shown.count, by: 6) {
            let row = shown[start..<min(shown.count, start + 6)]
            lines.append("  " + row.dropLast().map { $0.padding(toLength: width, withPad: " ", startingAt: 0) }.joined() + row.last!)
        }
        if ranked.count > shown.count { lines.append("  … and \(ranked.count - shown.count) more in the JSON report") }
        return lines
    }
}
