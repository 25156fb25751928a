/// One training clip: its file, class index and speaker.
public struct LabelledClip: Codable, Equatable, Sendable {
    /// The audio file.
    public var path: String
    /// Index into the corpus's `labels`.
    public var label: Int
    /// The speaker, the unit of grouping for folds (`file:…` when unknown: the file is its own group).
    public var speaker: String

    public init(path: String, label: Int, speaker: String) {
        self.path = path
        self.label = label
        self.speaker = speaker
    }
}

/// A labelled corpus: class names and clips.
public struct LabelledCorpus: Equatable, Sendable {
    /// Class names; a clip's `label` indexes this list.
    public var labels: [String]
    /// The clips, in a stable order (sorted by path for directory formats, file order for manifests).
    public var clips: [LabelledClip]
    /// Human description of where it came from, e.g. "RAVDESS speech (1440 clips, 24 speakers)".
    public var description: String

    public init(labels: [String], clips: [LabelledClip], description: String) {
        self.labels = labels
        self.clips = clips
        self.description = description
    }

    /// Distinct speakers, sorted with numbers compared numerically ("Actor_2" < "Actor_10").
    public var speakers: [String] {
        Set(clips.map(\.speaker)).sorted(by: SpeakerOrder.areInIncreasingOrder)
    }

    /// Number of clips with class index `label`.
    public func count(ofLabel label: Int) -> Int {
        clips.reduce(0) { $0 + ($1.label == label ? 1 : 0) }
    }
}

/// The order of speaker names: digit runs compare as numbers, everything else as text.
enum SpeakerOrder {
    /// Whether `a` sorts before `b` ("Actor_2" < "Actor_10"); a strict total order.
    static func areInIncreasingOrder(_ a: String, _ b: String) -> Bool {
        let left = chunks(a), right = chunks(b)
        for (x, y) in zip(left, right) where x != y {
            switch (x, y) {
            case (.number(let m), .number(let n)):
                if m.count != n.count { return m.count < n.count }
                if m != n { return m < n }
            case (.number, .text): return true
            case (.text, .number): return false
            case (.text(let s), .text(let t)): return s < t
            }
        }
        if left.count != right.count { return left.count < right.count }
        return a < b  // equal numerically ("01" vs "1"): fall back to the text
    }

    private enum Chunk: Equatable {
        /// Digits without leading zeros ("" for zero), so longer means larger.
        case number(String)
        case text(String)
    }

    private static func chunks(_ s: String) -> [Chunk] {
        var result: [Chunk] = []
        var current = "", inDigits = false
        func flush() {
            guard !current.isEmpty else { return }
            result.append(inDigits ? .number(String(current.drop { $0 == "0" })) : .text(current))
            current = ""
        }
        for character in s {
            let isDigit = character.isASCII && character.isNumber
            if isDigit != inDigits { flush(); inDigits = isDigit }
            current.append(character)
        }
        flush()
        return result
    }
}
