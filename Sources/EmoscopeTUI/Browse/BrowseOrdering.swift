/// The list columns the browse screen sorts by.
public enum SortColumn: Int, CaseIterable, Sendable {
    case name, duration, predicted, confidence, truth, result

    /// The column title.
    public var title: String {
        switch self {
        case .name: "name"
        case .duration: "duration"
        case .predicted: "predicted"
        case .confidence: "confidence"
        case .truth: "true"
        case .result: "result"
        }
    }

    /// The next column, wrapping around.
    public var next: SortColumn { SortColumn(rawValue: (rawValue + 1) % Self.allCases.count)! }

    /// Whether a row's outcome decides its place (so new results can move rows).
    var dependsOnResults: Bool { self != .name && self != .truth }

    /// The row's key in this column; nil sorts last whatever the direction.
    func key(_ row: ClipRow) -> Double? {
        switch self {
        case .name: nil
        case .duration: row.verdict?.duration
        case .predicted: row.predicted.map(Double.init)
        case .confidence: row.verdict?.confidence.map(Double.init)
        case .truth: row.trueLabel.map(Double.init)
        case .result:
            switch (row.correctness, row.isError) {
            case (.wrong, _): 0
            case (.right, _): 1
            case (nil, true): 2
            case (nil, false): nil
            }
        }
    }
}

/// A sort column and direction.
public struct SortOrder: Equatable, Sendable {
    /// The column sorted by.
    public var column: SortColumn
    /// Smallest first (rows without a value stay last either way).
    public var ascending: Bool

    /// An order from its parts (default: by name, ascending).
    public init(column: SortColumn = .name, ascending: Bool = true) { self.column = column; self.ascending = ascending }
}

/// Which outcomes the right/wrong filter keeps.
public enum OutcomeFilter: CaseIterable, Sendable {
    case wrong, right, errors

    /// What the filter line says.
    public var title: String {
        switch self {
        case .wrong: "wrong"
        case .right: "right"
        case .errors: "errors"
        }
    }
}

/// The rows the list keeps: by predicted emotion, true emotion, outcome and a name search.
public struct RowFilter: Equatable, Sendable {
    /// Keep only clips predicted as this label.
    public var predicted: Int?
    /// Keep only clips whose true label is this one.
    public var truth: Int?
    /// Keep only right, wrong or unreadable clips.
    public var outcome: OutcomeFilter?
    /// Text the name must contain, ignoring case (empty: any).
    public var search = ""

    /// A filter from its parts (default: keep everything).
    public init(predicted: Int? = nil, truth: Int? = nil, outcome: OutcomeFilter? = nil, search: String = "") {
        self.predicted = predicted; self.truth = truth; self.outcome = outcome; self.search = search
    }

    /// Whether nothing is filtered out.
    public var isEmpty: Bool { predicted == nil && truth == nil && outcome == nil && search.isEmpty }

    /// Whether a row's outcome decides if it is kept.
    var dependsOnResults: Bool { predicted != nil || outcome != nil }

    /// Whether `row` is kept.
    public func matches(_ row: ClipRow) -> Bool { matches(row, needle: search.lowercased()) }

    private func matches(_ row: ClipRow, needle: String) -> Bool {
        if let predicted, row.predicted != predicted { return false }
        if let truth, row.trueLabel != truth { return false }
        switch outcome {
        case .wrong: if row.correctness != .wrong { return false }
        case .right: if row.correctness != .right { return false }
        case .errors: if !row.isError { return false }
        case nil: break
        }
        return needle.isEmpty || row.searchKey.contains(needle)
    }

    /// The indices of the kept rows in `order`. Rows are stored in name order, so their index is the name rank
    /// and the tie-breaker of every other column.
    public func index(_ rows: [ClipRow], order: SortOrder) -> [Int] {
        let needle = search.lowercased()
        let kept = isEmpty ? Array(rows.indices) : rows.indices.filter { matches(rows[$0], needle: needle) }
        guard order.column != .name else { return order.ascending ? kept : kept.reversed() }
        let keyed = kept.map { (key: order.column.key(rows[$0]), row: $0) }
        let ascending = order.ascending
        return keyed.sorted { a, b in
            switch (a.key, b.key) {
            case let (x?, y?) where x != y: return ascending ? x < y : x > y
            case (nil, _?): return false
            case (_?, nil): return true
            default: return a.row < b.row
            }
        }.map(\.row)
    }
}

/// Cycles an optional label index through nil, 0, 1, … count−1 (forward) or backward.
func cycle(_ value: Int?, count: Int, forward: Bool) -> Int? {
    guard count > 0 else { return nil }
    let position = value.map { $0 + 1 } ?? 0  // 0 = none
    let next = (position + (forward ? 1 : count)) % (count + 1)
    return next == 0 ? nil : next - 1
}
