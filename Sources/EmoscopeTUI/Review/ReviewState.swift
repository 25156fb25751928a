import EmoscopeCore

/// A cell of the confusion matrix: true class (row) and predicted class (column).
public struct MatrixCell: Equatable, Hashable, Sendable {
    /// The true class.
    public var row: Int
    /// The predicted class.
    public var column: Int

    /// The cell of true class `row` predicted as `column`.
    public init(row: Int, column: Int) { self.row = row; self.column = column }
}

/// The clips behind one cell, listed most confident first, with a selection.
public struct CellClips: Equatable, Sendable {
    /// The cell listed.
    public var cell: MatrixCell
    /// Indices into the dataset's clips.
    public var clips: [Int]
    /// Position of the selected clip in `clips`.
    public var selected: Int
}

/// What happens to the Review screen besides keys.
public enum ReviewEvent: Equatable, Sendable {
    /// The source was read: a report (all clips decided) or a folder (clips pending).
    case loaded(ReviewDataset)
    /// A pending clip was evaluated.
    case evaluated(index: Int, outcome: ReviewOutcome)
    /// Every pending clip has been evaluated.
    case evaluationFinished
    /// The source cannot be shown.
    case failed(String)
}

/// What the Review screen asks its controller to do.
public enum ReviewAction: Equatable, Sendable {
    /// Show this clip in the preview panel (the selection in a cell's list changed).
    case preview(ReviewClip)
    /// Play or stop the previewed clip.
    case togglePlayback
    /// Close the preview and stop playback (back to the matrix).
    case closePreview
}

/// The Review screen as a pure state machine: a confusion matrix with a cursor, the clips
/// behind a cell, and the progress of a folder's evaluation. Drawn by `ReviewView`.
public struct ReviewState: Equatable, Sendable {
    /// Where the screen stands.
    public enum Phase: Equatable, Sendable {
        case loading
        /// Clips of a folder are being classified.
        case evaluating
        case ready
        case failed(String)
    }

    /// Rows moved by page up / page down in a clip list.
    public static let pageSize = 10

    /// Loading, evaluating, ready or failed.
    public private(set) var phase: Phase = .loading
    /// What is reviewed, once loaded.
    public private(set) var dataset: ReviewDataset?
    /// The speakers the clips name, in order (set once the source is read).
    public private(set) var speakers: [String] = []
    /// The one speaker whose clips the matrix, metrics and lists show; nil: every clip.
    public private(set) var speaker: String?
    /// The confusion matrix of the clips classified so far (of `speaker`, when one is chosen).
    public private(set) var matrix = ConfusionMatrix(labels: [])
    /// The metrics of `matrix`.
    public private(set) var metrics = EvaluationMetrics(ConfusionMatrix(labels: []))
    /// How many clips ended each way.
    public private(set) var tally = OutcomeTally([])
    /// Counts or row percentages.
    public private(set) var mode = MatrixMode.counts
    /// The cell under the cursor.
    public private(set) var cursor = MatrixCell(row: 0, column: 0)
    /// The open cell list, if any.
    public private(set) var list: CellClips?
    /// A one-line message (e.g. "no clips in this cell").
    public private(set) var notice: String?

    /// A screen waiting for its source.
    public init() {}

    /// Applies a background event.
    public mutating func handle(_ event: ReviewEvent) -> [ReviewAction] {
        switch event {
        case .loaded(let dataset):
            self.dataset = dataset
            speakers = Set(dataset.clips.compactMap(\.speaker)).sorted()
            speaker = nil
            matrix = dataset.matrix
            metrics = EvaluationMetrics(matrix)
            tally = OutcomeTally(dataset.clips)
            cursor = MatrixCell(row: 0, column: 0)
            phase = tally.pending > 0 ? .evaluating : .ready
        case .evaluated(let index, let outcome):
            guard outcome != .pending, dataset?.clips.indices.contains(index) == true, dataset!.clips[index].outcome == .pending else { return [] }
            dataset!.clips[index].outcome = outcome
            tally.resolve(outcome)
            let clip = dataset!.clips[index]
            guard let predicted = clip.predicted, isShown(clip) else { return [] }
            matrix.add(truth: clip.truth, predicted: predicted)
            metrics = EvaluationMetrics(matrix)
            if let list, MatrixCell(row: clip.truth, column: predicted) == list.cell {
                self.list = makeList(list.cell, selecting: list.clips[list.selected])
            }
        case .evaluationFinished:
            phase = .ready
            if tally.classified == 0 { notice = "no clip could be classified" }
        case .failed(let message):
            phase = .failed(message)
        }
        return []
    }

    /// Applies a key; `handled` is false when the screen has no use for it.
    public mutating func handle(key: Key) -> (handled: Bool, actions: [ReviewAction]) {
        list == nil ? handleMatrix(key: key) : handleList(key: key)
    }

    private mutating func handleMatrix(key: Key) -> (handled: Bool, actions: [ReviewAction]) {
        let size = matrix.labels.count
        guard size > 0 else { return (false, []) }
        notice = nil
        if let movement = key.movement {
            switch movement {
            case .up: cursor.row = max(0, cursor.row - 1)
            case .down: cursor.row = min(size - 1, cursor.row + 1)
            case .left: cursor.column = max(0, cursor.column - 1)
            case .right: cursor.column = min(size - 1, cursor.column + 1)
            case .top, .pageUp: cursor.row = 0
            case .bottom, .pageDown: cursor.row = size - 1
            }
            return (true, [])
        }
        switch key {
        case .character("n"):
            mode = mode == .counts ? .rowPercent : .counts
        case .character("c"):
            jumpToNextConfusion()
        case .character("s"), .character("S"):
            chooseSpeaker(step: key == .character("s") ? 1 : -1)
        case .enter:
            let opened = makeList(cursor, selecting: nil)
            guard !opened.clips.isEmpty, let dataset else {
                notice = "no clips in this cell"
                return (true, [])
            }
            list = opened
            return (true, [.preview(dataset.clips[opened.clips[0]])])
        default:
            return (false, [])
        }
        return (true, [])
    }

    private mutating func handleList(key: Key) -> (handled: Bool, actions: [ReviewAction]) {
        guard var list, let dataset else { return (false, []) }
        let last = list.clips.count - 1
        switch key.movement {
        case .up: list.selected = max(0, list.selected - 1)
        case .down: list.selected = min(last, list.selected + 1)
        case .pageUp: list.selected = max(0, list.selected - Self.pageSize)
        case .pageDown: list.selected = min(last, list.selected + Self.pageSize)
        case .top: list.selected = 0
        case .bottom: list.selected = last
        case .left, .right, nil:
            switch key {
            case .escape, .backspace, .left, .character("h"):
                self.list = nil
                return (true, [.closePreview])
            case .enter, .character(" "), .character("p"):
                return (true, [.togglePlayback])
            default:
                return (false, [])
            }
        }
        let moved = list.selected != self.list?.selected
        self.list = list
        return (true, moved ? [.preview(dataset.clips[list.clips[list.selected]])] : [])
    }

    /// The clips of `cell`, most confident first; the selection kept on `selecting` when present.
    private func makeList(_ cell: MatrixCell, selecting: Int?) -> CellClips {
        let all = dataset?.clips ?? []
        let members = all.indices.filter { all[$0].truth == cell.row && all[$0].predicted == cell.column && isShown(all[$0]) }
            .sorted { (all[$0].confidence ?? 0, $1) > (all[$1].confidence ?? 0, $0) }
        return CellClips(cell: cell, clips: members, selected: selecting.flatMap { members.firstIndex(of: $0) } ?? 0)
    }

    /// The clips shown: every clip, or `speaker`'s.
    public var shownClips: [ReviewClip] { dataset?.clips.filter(isShown) ?? [] }

    private func isShown(_ clip: ReviewClip) -> Bool { speaker == nil || clip.speaker == speaker }

    /// Moves to the next (`step` 1) or previous (−1) speaker, every clip counting as the place
    /// before the first and after the last, and recomputes the matrix from the clips shown.
    private mutating func chooseSpeaker(step: Int) {
        guard !speakers.isEmpty else {
            notice = "the clips name no speakers"
            return
        }
        // Position 0 is every clip, 1… the speakers.
        let position = speaker.flatMap { speakers.firstIndex(of: $0) }.map { $0 + 1 } ?? 0
        let next = (position + step + speakers.count + 1) % (speakers.count + 1)
        speaker = next == 0 ? nil : speakers[next - 1]
        let clips = shownClips
        matrix = clips.confusionMatrix(labels: matrix.labels)
        metrics = EvaluationMetrics(matrix)
        // The view names the chosen speaker on a line of its own.
        notice = speaker == nil ? "all \(speakers.count) speakers: \(clips.count) clips" : nil
    }

    /// Moves the cursor to the next off-diagonal cell in order of decreasing count (wrapping).
    private mutating func jumpToNextConfusion() {
        let counts = matrix.counts
        let all = counts.indices.flatMap { row in counts.indices.map { MatrixCell(row: row, column: $0) } }
        let cells = all.filter { $0.row != $0.column && counts[$0.row][$0.column] > 0 }.sorted { a, b in
            let countA = counts[a.row][a.column], countB = counts[b.row][b.column]
            return countA != countB ? countA > countB : (a.row, a.column) < (b.row, b.column)
        }
        guard !cells.isEmpty else {
            notice = "no confusions"
            return
        }
        let position = cells.firstIndex(of: cursor).map { ($0 + 1) % cells.count } ?? 0
        cursor = cells[position]
        let count = matrix.counts[cursor.row][cursor.column]
        notice = "confusion \(position + 1) of \(cells.count): \(matrix.labels[cursor.row]) taken for \(matrix.labels[cursor.column]) (\(count) clip\(count == 1 ? "" : "s"))"
    }
}
