import EmoscopeCore

/// One train/test split; indices refer to corpus.clips.
public struct Fold: Codable, Equatable, Sendable {
    /// The fold's number, from 0.
    public var index: Int
    /// Training clip indices, ascending.
    public var train: [Int]
    /// Test clip indices, ascending.
    public var test: [Int]
    /// Speakers of the test clips, sorted as `LabelledCorpus.speakers`.
    public var testSpeakers: [String]

    public init(index: Int, train: [Int], test: [Int], testSpeakers: [String]) {
        self.index = index
        self.train = train
        self.test = test
        self.testSpeakers = testSpeakers
    }
}

/// How test clips were chosen; outputs record it so that results are read correctly.
public enum SplitProtocol: String, Codable, Sendable {
    /// Test speakers are never heard in training.
    case speakerIndependent = "speaker-independent"
    /// Clips drawn at random: a speaker may be in train and test, so scores are optimistic.
    case random
}

/// Train/test and train/validation splits of a corpus.
public enum FoldPlanner {
    /// K folds grouped by speaker: every speaker's clips are in exactly one test fold, never in train and test of the same fold.
    /// Speakers (sorted as LabelledCorpus.speakers) are dealt into K contiguous groups as evenly as possible
    /// (the first `speakers % k` groups take one more), so for RAVDESS (Actor_01…Actor_24) with K = 6,
    /// fold k (0-based) tests actors 4k+1…4k+4.
    public static func speakerFolds(_ corpus: LabelledCorpus, k: Int) throws(CorpusError) -> [Fold] {
        guard k >= 2 else { throw .invalidFoldCount(k: k) }
        let speakers = corpus.speakers
        guard k <= speakers.count else { throw .tooFewSpeakers(found: speakers.count, needed: k) }
        let base = speakers.count / k, extra = speakers.count % k
        var groupOf: [String: Int] = [:]
        var groups: [[String]] = []
        var start = 0
        for group in 0..<k {
            let size = base + (group < extra ? 1 : 0)
            let members = Array(speakers[start..<start + size])
            for speaker in members { groupOf[speaker] = group }
            groups.append(members)
            start += size
        }
        var tests = [[Int]](repeating: [], count: k)
        for (index, clip) in corpus.clips.enumerated() { tests[groupOf[clip.speaker]!].append(index) }
        let all = Array(corpus.clips.indices)
        return (0..<k).map { group in
            let test = Set(tests[group])
            return Fold(index: group, train: all.filter { !test.contains($0) }, test: tests[group], testSpeakers: groups[group])
        }
    }

    /// A random, label-stratified split holding out `testFraction` of the clips (speakers may be shared: label outputs as "random").
    ///
    /// Each label's clips are shuffled with the seed and `round(count × testFraction)` of them go to test;
    /// `testFraction` must be in 0…1. The returned fold has index 0.
    public static func randomSplit(_ corpus: LabelledCorpus, testFraction: Double, seed: UInt64) -> Fold {
        precondition((0...1).contains(testFraction), "testFraction must be in 0…1, not \(testFraction)")
        var generator = SeededGenerator(seed: seed)
        var byLabel: [Int: [Int]] = [:]
        for (index, clip) in corpus.clips.enumerated() { byLabel[clip.label, default: []].append(index) }
        var test: [Int] = []
        for label in byLabel.keys.sorted() {
            var indices = byLabel[label]!
            indices.seededShuffle(using: &generator)
            test += indices.prefix(Int((Double(indices.count) * testFraction).rounded()))
        }
        test.sort()
        let testSet = Set(test)
        let speakers = Set(test.map { corpus.clips[$0].speaker }).sorted(by: SpeakerOrder.areInIncreasingOrder)
        return Fold(index: 0, train: corpus.clips.indices.filter { !testSet.contains($0) }, test: test, testSpeakers: speakers)
    }

    /// Splits training indices into (train, validation) by speaker: the validation set takes whole speakers,
    /// about `fraction` of them (at least 1, and at least 1 left for training), chosen with the seed; balance
    /// between speakers' genders is NOT attempted. Used for early stopping and calibration — never from the test
    /// speakers, as it draws only on `trainIndices`. Both parts keep the order of `trainIndices`.
    /// With a fraction of 0, or fewer than two speakers, validation is empty.
    public static func validationSplit(_ corpus: LabelledCorpus, trainIndices: [Int], fraction: Double, seed: UInt64) -> (train: [Int], validation: [Int]) {
        var speakers = Set(trainIndices.map { corpus.clips[$0].speaker }).sorted(by: SpeakerOrder.areInIncreasingOrder)
        guard speakers.count >= 2, fraction > 0 else { return (trainIndices, []) }
        let wanted = fraction.isFinite ? Int((Double(speakers.count) * fraction).rounded()) : 1
        let count = min(max(wanted, 1), speakers.count - 1)
        var generator = SeededGenerator(seed: seed)
        speakers.seededShuffle(using: &generator)
        let held = Set(speakers.prefix(count))
        var train: [Int] = [], validation: [Int] = []
        for index in trainIndices {
            if held.contains(corpus.clips[index].speaker) { validation.append(index) } else { train.append(index) }
        }
        return (train, validation)
    }
}
