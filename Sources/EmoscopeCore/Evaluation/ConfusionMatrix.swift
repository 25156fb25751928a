/// Counts of (true class, predicted class) pairs; rows are true classes, columns predictions.
public struct ConfusionMatrix: Codable, Equatable, Sendable {
    /// Class names, in the order of the rows and columns.
    public let labels: [String]
    /// `counts[truth][predicted]`: how often a sample of class `truth` was predicted as `predicted`.
    public private(set) var counts: [[Int]]

    /// An empty matrix over `labels`.
    public init(labels: [String]) {
        self.labels = labels
        self.counts = Array(repeating: Array(repeating: 0, count: labels.count), count: labels.count)
    }

    /// Wraps existing counts; `counts` must be `labels.count × labels.count` and non-negative.
    public init(labels: [String], counts: [[Int]]) {
        precondition(Self.isValid(labels: labels, counts: counts), "ConfusionMatrix: counts must be a non-negative square matching the labels")
        self.labels = labels
        self.counts = counts
    }

    /// Decodes and checks the shape, so that a malformed file cannot trap later.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let labels = try container.decode([String].self, forKey: .labels)
        let counts = try container.decode([[Int]].self, forKey: .counts)
        guard Self.isValid(labels: labels, counts: counts) else {
            throw DecodingError.dataCorruptedError(forKey: .counts, in: container,
                                                   debugDescription: "counts must be a non-negative \(labels.count)×\(labels.count) matrix")
        }
        self.labels = labels
        self.counts = counts
    }

    /// The matrix of these outcomes; those without a prediction (declined, pending) are not counted.
    public init(labels: [String], outcomes: some Sequence<(truth: Int, predicted: Int?)>) {
        self.init(labels: labels)
        for outcome in outcomes { if let predicted = outcome.predicted { add(truth: outcome.truth, predicted: predicted) } }
    }

    private static func isValid(labels: [String], counts: [[Int]]) -> Bool {
        counts.count == labels.count && counts.allSatisfy { $0.count == labels.count && $0.allSatisfy { $0 >= 0 } }
    }

    /// Counts one sample of class `truth` predicted as `predicted`.
    public mutating func add(truth: Int, predicted: Int) {
        precondition(labels.indices.contains(truth) && labels.indices.contains(predicted), "ConfusionMatrix: class index out of range")
        counts[truth][predicted] += 1
    }

    /// Adds another matrix over the same labels, e.g. to pool cross-validation folds.
    public mutating func add(_ other: ConfusionMatrix) {
        precondition(other.labels == labels, "ConfusionMatrix: cannot add matrices over different labels")
        for truth in counts.indices {
            for predicted in counts[truth].indices {
                counts[truth][predicted] += other.counts[truth][predicted]
            }
        }
    }

    /// Number of samples counted.
    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }

    /// Number of samples whose true class is `index` (the row sum).
    public func support(of index: Int) -> Int { counts[index].reduce(0, +) }

    /// Number of samples predicted as class `index` (the column sum).
    public func predictedCount(of index: Int) -> Int { counts.reduce(0) { $0 + $1[index] } }

    /// Each row divided by its sum (the share of each prediction per true class); a row with no support is all 0.
    public func rowNormalized() -> [[Double]] {
        counts.map { row in
            let sum = row.reduce(0, +)
            return row.map { sum == 0 ? 0 : Double($0) / Double(sum) }
        }
    }
}
