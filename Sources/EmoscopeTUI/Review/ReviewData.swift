import EmoscopeCore
import EmoscopeTraining
import Foundation

/// One labelled clip under review: where it is, its true class and what the model said.
public struct ReviewClip: Equatable, Sendable {
    /// The path as the source names it (shown in lists).
    public var path: String
    /// The path to open for preview and playback (resolved against the report's folder).
    public var resolvedPath: String
    /// Whether `resolvedPath` existed when the source was loaded.
    public var fileExists: Bool
    /// Index of the true class.
    public var truth: Int
    /// The speaker, when the source knows it.
    public var speaker: String?
    /// Whose statistics the clip is standardised with under speaker adaptation: its speaker,
    /// or its folder where the source names none.
    public var adaptationGroup: String { speaker ?? PathText.folder(of: path) }
    /// The cross-validation fold that tested the clip (reports only).
    public var fold: Int?
    /// What the model said; `.pending` until a folder's clip has been classified.
    public var outcome: ReviewOutcome

    /// A clip; `resolvedPath` defaults to `path`.
    public init(path: String, resolvedPath: String? = nil, fileExists: Bool = true, truth: Int, speaker: String? = nil,
                fold: Int? = nil, outcome: ReviewOutcome = .pending) {
        self.path = path; self.resolvedPath = resolvedPath ?? path; self.fileExists = fileExists
        self.truth = truth; self.speaker = speaker; self.fold = fold; self.outcome = outcome
    }

    /// The predicted class, when the clip was classified.
    public var predicted: Int? {
        guard case .classified(let probabilities) = outcome else { return nil }
        return probabilities.indices.max { probabilities[$0] < probabilities[$1] }
    }

    /// The probability of the predicted class.
    public var confidence: Float? {
        guard case .classified(let probabilities) = outcome else { return nil }
        return probabilities.max()
    }
}

/// What became of one clip.
public enum ReviewOutcome: Equatable, Sendable {
    /// Not evaluated yet.
    case pending
    /// Classified: the probabilities in label order.
    case classified([Float])
    /// Read, but declined by the classifier (`no-speech`, `too-short`).
    case declined(String)
    /// Could not be read: the error message (naming the file).
    case unreadable(String)
}

/// How the reviewed predictions were obtained; shown above the matrix.
public enum ReviewProtocol: Equatable, Sendable {
    /// A cross-validation report of `emoscope-train`; `speakerIndependent` is false for a random split.
    case crossValidation(speakerIndependent: Bool, description: String)
    /// A labelled folder classified here with the named model.
    case labelledFolder(model: String)

    /// Whether this is a random split (speakers shared by training and test).
    public var isRandomSplit: Bool {
        if case .crossValidation(false, _) = self { true } else { false }
    }

    /// One line that says which protocol this is; a random split is always labelled as such.
    public var line: String {
        switch self {
        case .crossValidation(true, let description):
            description.lowercased().contains("speaker-independent") ? description : "speaker-independent: \(description)"
        case .crossValidation(false, let description):
            "RANDOM split, speakers shared by training and test (optimistic): \(description)"
        case .labelledFolder(let model):
            "labelled folder classified now with \(model) (not a held-out split unless these speakers were unseen in training)"
        }
    }
}

/// Metrics averaged over the folds of a cross-validation.
public struct FoldSummary: Equatable, Sendable {
    /// Number of folds.
    public var folds: Int
    /// Each metric's mean and standard deviation over the folds.
    public var accuracy, unweightedAverageRecall, macroF1: MeanAndDeviation

    /// A summary from its parts.
    public init(folds: Int, accuracy: MeanAndDeviation, unweightedAverageRecall: MeanAndDeviation, macroF1: MeanAndDeviation) {
        self.folds = folds; self.accuracy = accuracy; self.unweightedAverageRecall = unweightedAverageRecall; self.macroF1 = macroF1
    }
}

/// Everything the Review screen shows: labels, protocol and clips (classified or pending).
public struct ReviewDataset: Equatable, Sendable {
    /// Class names in matrix order.
    public var labels: [String]
    /// Where the clips come from, e.g. the corpus description and the report's path.
    public var title: String
    /// How the predictions were obtained.
    public var reviewProtocol: ReviewProtocol
    /// Every clip, in the source's order.
    public var clips: [ReviewClip]
    /// Per-fold averages, for reports.
    public var foldSummary: FoldSummary?

    /// A dataset from its parts.
    public init(labels: [String], title: String, reviewProtocol: ReviewProtocol, clips: [ReviewClip], foldSummary: FoldSummary? = nil) {
        self.labels = labels; self.title = title; self.reviewProtocol = reviewProtocol; self.clips = clips; self.foldSummary = foldSummary
    }

    /// The confusion matrix of the classified clips.
    public var matrix: ConfusionMatrix { clips.confusionMatrix(labels: labels) }
}

extension Sequence<ReviewClip> {
    /// The confusion matrix of those of these clips that were classified.
    public func confusionMatrix(labels: [String]) -> ConfusionMatrix {
        ConfusionMatrix(labels: labels, outcomes: lazy.map { ($0.truth, $0.predicted) })
    }
}

/// How many clips ended each way; for progress and summary lines.
public struct OutcomeTally: Equatable, Sendable {
    /// Clips in all, and how many are pending, classified, declined or unreadable.
    public var total = 0, pending = 0, classified = 0, declined = 0, unreadable = 0

    /// Counts the outcomes of `clips`.
    public init(_ clips: [ReviewClip]) {
        total = clips.count
        for clip in clips { count(clip.outcome) }
    }

    /// Counts the outcome of a clip that was pending.
    public mutating func resolve(_ outcome: ReviewOutcome) {
        pending -= 1
        count(outcome)
    }

    private mutating func count(_ outcome: ReviewOutcome) {
        switch outcome {
        case .pending: pending += 1
        case .classified: classified += 1
        case .declined: declined += 1
        case .unreadable: unreadable += 1
        }
    }

    /// Clips with an outcome.
    public var done: Int { total - pending }

    /// E.g. "1438 of 1440 clips classified (1 declined: no speech or too short, 1 unreadable)".
    public var summary: String {
        var text = "\(classified) of \(total) clips classified"
        var notes: [String] = []
        if declined > 0 { notes.append("\(declined) declined: no speech or too short") }
        if unreadable > 0 { notes.append("\(unreadable) unreadable") }
        if pending > 0 { notes.append("\(pending) pending") }
        if !notes.isEmpty { text += " (" + notes.joined(separator: ", ") + ")" }
        return text
    }
}
