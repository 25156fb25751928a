import EmoscopeCore

/// The classifier's answer for one clip, without its per-window detail.
public struct ClipVerdict: Equatable, Sendable {
    /// Clip duration, seconds.
    public let duration: Double
    /// Whether probabilities are meaningful (else too short or no speech).
    public let status: Classification.Status
    /// Class probabilities in label order; nil unless classified.
    public let probabilities: [Float]?
    /// Index of the most probable class.
    public let predicted: Int?

    /// A verdict from its parts; the prediction is the most probable class.
    public init(duration: Double, status: Classification.Status, probabilities: [Float]?) {
        self.duration = duration
        self.status = status
        self.probabilities = probabilities
        predicted = probabilities.flatMap { p in p.indices.max { p[$0] < p[$1] } }
    }

    /// The verdict of a full classification.
    public init(_ classification: Classification) {
        self.init(duration: classification.duration, status: classification.status, probabilities: classification.probabilities)
    }

    /// Probability of the predicted class.
    public var confidence: Float? { predicted.flatMap { probabilities?[$0] } }
}

/// Where one clip stands.
public enum ClipOutcome: Equatable, Sendable {
    /// Not classified yet.
    case pending
    /// Decoded and classified (possibly too short or without speech).
    case classified(ClipVerdict)
    /// The file could not be decoded: a stable kind (`not-audio`, `empty`, …) and the reason in words.
    case failed(kind: String, reason: String)
}

/// Whether a prediction matches the clip's true label.
public enum Correctness: Equatable, Sendable {
    case right, wrong
}

/// One line of the browse list: a clip, its true label when the folder reveals it, and its outcome.
public struct ClipRow: Equatable, Sendable {
    /// Absolute path of the file.
    public let path: String
    /// Path relative to the browsed folder (what the list shows and sorts by).
    public let name: String
    /// The name lower-cased, for searching.
    public let searchKey: String
    /// Index of the true label in the model's labels, when known.
    public let trueLabel: Int?
    /// Where the clip stands.
    public var outcome: ClipOutcome

    /// A row; `outcome` is `.pending` until a result (or a cached one) arrives.
    public init(path: String, name: String, trueLabel: Int?, outcome: ClipOutcome = .pending) {
        self.path = path
        self.name = name
        searchKey = name.lowercased()
        self.trueLabel = trueLabel
        self.outcome = outcome
    }

    /// The classifier's verdict, once there is one.
    public var verdict: ClipVerdict? {
        if case .classified(let verdict) = outcome { return verdict }
        return nil
    }

    /// The predicted class, when the clip was classified.
    public var predicted: Int? { verdict?.predicted }

    /// Whether the file failed to decode.
    public var isError: Bool {
        if case .failed = outcome { return true }
        return false
    }

    /// Right or wrong, when both the true label and a prediction are known.
    public var correctness: Correctness? {
        guard let trueLabel, let predicted else { return nil }
        return trueLabel == predicted ? .right : .wrong
    }
}
