/// The browse screen as a pure state machine: events and keys in, actions out; drawn by `BrowseView`.
///
/// Rows are kept in name order, so a row's index is its name rank. `visible` (the filtered, sorted
/// index of rows shown) is rebuilt only when something it depends on changed: new results rebuild it
/// only when the sort column or the filter looks at outcomes.
public struct BrowseState: Equatable, Sendable {
    /// The model's labels.
    public let labels: [String]
    /// The folder shown, once one is open.
    public private(set) var folder: String?
    /// Every clip of the folder, in name order.
    public private(set) var rows: [ClipRow] = []
    /// Length of the longest name, for the name column's width.
    public private(set) var longestName = 0
    /// Indices of the rows shown, in display order.
    public private(set) var visible: [Int] = []
    /// Position of the selection in `visible`.
    public private(set) var cursor = 0
    /// Position in `visible` of the first row on screen.
    public private(set) var scrollTop = 0
    /// Rows the list has room for.
    public private(set) var pageRows = 10
    /// The column and direction of the list.
    public private(set) var sort = SortOrder()
    /// Which rows the list keeps.
    public private(set) var filter = RowFilter()
    /// Moving around, or typing into a prompt.
    public internal(set) var mode = BrowseMode.list
    /// How far the scan and the classification have come.
    public private(set) var progress = BrowseProgress()
    /// The message under the list (an export written, an error).
    public internal(set) var notice: BrowseNotice?
    /// The path last sent to the preview.
    private var previewed: String?

    /// An empty screen for a model with `labels`.
    public init(labels: [String]) { self.labels = labels }

    /// The selected row's index in `rows`.
    public var selectedRow: Int? { visible.indices.contains(cursor) ? visible[cursor] : nil }

    /// The selected row.
    public var selected: ClipRow? { selectedRow.map { rows[$0] } }

    /// Applies an event; returns what the controller must do.
    public mutating func handle(_ event: BrowseEvent) -> [BrowseAction] {
        switch event {
        case .viewport(let count):
            pageRows = max(1, count)
            scrollIntoView()
            return []
        case .opened(let folder):
            let shown = previewed
            self = BrowseState(labels: labels, folder: folder, sort: sort, pageRows: pageRows)
            previewed = shown
        case .openFailed(let message):
            notice = BrowseNotice(text: message, isError: true)
        case .scanProgress(let found):
            progress.found = found
        case .scanned(let found):
            rows = found
            longestName = found.lazy.map { DisplayWidth.of($0.name) }.max() ?? 0
            progress.scanning = false
            progress.found = found.count
            for row in found where row.outcome != .pending { count(row, cached: true) }
            reindex()
        case .warning(let message):
            notice = BrowseNotice(text: message, isError: false)
        case .scanFailed(let message):
            progress.scanning = false
            notice = BrowseNotice(text: message, isError: true)
        case .adapting(let clips):
            progress.adaptingClips = clips
        case .adapted(let folders):
            progress.adaptingClips = nil
            progress.adaptedFolders = folders
        case .results(let results):
            for result in results where rows.indices.contains(result.row) && rows[result.row].outcome == .pending {
                rows[result.row].outcome = result.outcome
                count(rows[result.row], cached: false)
            }
            if sort.column.dependsOnResults || filter.dependsOnResults { reindex() }
        case .finished(let seconds):
            progress.seconds = seconds
        case .exported(let path, let count):
            notice = BrowseNotice(text: "exported \(count) rows to \(path)", isError: false)
        case .exportFailed(let message):
            notice = BrowseNotice(text: "export failed: \(message)", isError: true)
        }
        return previewIfMoved()
    }

    private init(labels: [String], folder: String, sort: SortOrder, pageRows: Int) {
        self.labels = labels
        self.folder = folder
        self.sort = sort
        self.pageRows = pageRows
        progress.scanning = true
    }

    private mutating func count(_ row: ClipRow, cached: Bool) {
        progress.done += 1
        if cached { progress.cached += 1 }
        if row.isError { progress.failed += 1 }
        switch row.correctness {
        case .right: progress.right += 1
        case .wrong: progress.wrong += 1
        case nil: break
        }
    }

    // MARK: Order, filter and selection

    /// Changes the sort order, keeping the selected row selected.
    mutating func setSort(_ order: SortOrder) {
        sort = order
        reindex()
    }

    /// Changes the filter, keeping the selected row selected when it is still shown.
    mutating func setFilter(_ newFilter: RowFilter) {
        filter = newFilter
        reindex()
    }

    /// Rebuilds `visible` and puts the cursor back on the same row (or the nearest position).
    mutating func reindex() {
        let selected = selectedRow
        visible = filter.index(rows, order: sort)
        if let selected, let position = visible.firstIndex(of: selected) { cursor = position }
        cursor = min(cursor, max(0, visible.count - 1))
        scrollIntoView()
    }

    /// Moves the cursor to `position` in `visible`, clamped to the list.
    mutating func moveCursor(to position: Int) {
        cursor = min(max(0, position), max(0, visible.count - 1))
        scrollIntoView()
    }

    private mutating func scrollIntoView() {
        if cursor < scrollTop { scrollTop = cursor }
        if cursor >= scrollTop + pageRows { scrollTop = cursor - pageRows + 1 }
        scrollTop = max(0, min(scrollTop, visible.count - pageRows))
    }

    /// A preview action when the selected row changed since the last one.
    mutating func previewIfMoved() -> [BrowseAction] {
        let path = selected?.path
        guard path != previewed else { return [] }
        previewed = path
        return [.preview(path: path)]
    }
}
