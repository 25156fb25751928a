import EmoscopeCore

/// Draws the Review screen's matrix page from its state:
///
///     RAVDESS speech (1440 clips, 24 speakers), report Assets/default.report.json
///     speaker-independent 6-fold cross-validation (folds by speaker; ...)
///     rows: true class, columns: predicted, counts
///          neu  cal  hap ...       prec   rec    F1     n
///     neu   52   25   10 ...   neu 0.369 0.542 0.439    96
///     ...
///     accuracy 0.504   UAR 0.507   macro-F1 0.476
///     true calm, predicted neutral: 27 clips (14% of calm); Enter lists them
///
/// Lines are dropped from the least important up when the area is short; the per-class table
/// narrows, then leaves, when it is narrow.
public enum ReviewView {
    /// Renders `state` into `area`; `preview(canvas, rect, title)` draws the selected clip's preview under a cell's list.
    public static func draw(_ state: ReviewState, into canvas: inout Canvas, area: Rect, context: DrawingContext,
                            preview: (inout Canvas, Rect, String) -> Void = { _, _, _ in }) {
        guard let dataset = state.dataset else {
            drawWaiting(state, into: &canvas, area: area, glyphs: context.glyphs)
            return
        }
        if state.list != nil {
            ReviewListView.draw(state, into: &canvas, area: area, context: context, preview: preview)
            return
        }
        let matrixHeight = dataset.labels.count + 1
        let lines = chooseLines(state, room: area.height - matrixHeight, width: area.width - 2, glyphs: context.glyphs)
        var y = area.y
        for line in lines.top {
            canvas.put(line.text, x: area.x + 1, y: y, style: line.style, maxWidth: area.width - 2)
            y += 1
        }
        drawMatrix(state, in: Rect(x: area.x + 1, y: y, width: area.width - 2, height: matrixHeight), canvas: &canvas)
        y += matrixHeight
        for line in lines.bottom {
            if let progress = line.progress {
                drawProgress(progress, in: Rect(x: area.x + 1, y: y, width: area.width - 2, height: 1), canvas: &canvas, glyphs: context.glyphs)
            } else {
                canvas.put(line.text, x: area.x + 1, y: y, style: line.style, maxWidth: area.width - 2)
            }
            y += 1
        }
    }

    /// One optional line around the matrix.
    struct Line {
        var text: String
        var style: Style = .normal
        /// Evaluation progress (done, total): drawn as a bar instead of text.
        var progress: (done: Int, total: Int)?
    }

    /// The lines above and below the matrix, in display order, that fit in `room` rows of `width`:
    /// the least important (highest `rank`) are dropped first; the protocol takes a second row when there is room.
    static func chooseLines(_ state: ReviewState, room: Int, width: Int, glyphs: Glyphs) -> (top: [Line], bottom: [Line]) {
        guard let dataset = state.dataset else { return ([], []) }
        let spacer = Line(text: "")
        let protocolStyle = dataset.reviewProtocol.isRandomSplit ? Style(.warning, bold: true) : Style.dim
        let (first, rest) = wrap(dataset.reviewProtocol.line, width: width)
        var top: [(rank: Int, line: Line)] = [(4, Line(text: dataset.title, style: .title)), (2, Line(text: first, style: protocolStyle))]
        if !rest.isEmpty { top.append((8, Line(text: rest, style: protocolStyle))) }
        top += [(5, Line(text: "rows: true class, columns: predicted, \(state.mode.legend)", style: .dim)), (10, spacer)]
        var bottom: [(rank: Int, line: Line)] = [(9, spacer), (0, Line(text: ReviewFormat.headline(state.metrics), style: .bold))]
        if let speaker = state.speaker {
            bottom.append((2, Line(text: "speaker \(speaker) only: \(state.shownClips.count) of \(dataset.clips.count) clips", style: Style(.accent, bold: true))))
        } else if let summary = dataset.foldSummary {
            bottom.append((6, Line(text: ReviewFormat.foldLine(summary, plusMinus: glyphs.isUnicode ? "±" : "+/-"), style: .dim)))
        }
        bottom.append((3, Line(text: cursorLine(state), style: Style(.accent))))
        if state.phase == .evaluating { bottom.append((1, Line(text: "", progress: (state.tally.done, state.tally.total)))) }
        if let notice = state.notice { bottom.append((1, Line(text: notice, style: Style(.warning)))) }
        bottom.append((7, Line(text: state.tally.summary, style: .dim)))
        let all = top + bottom
        let kept = Set(all.indices.sorted { (all[$0].rank, $0) < (all[$1].rank, $1) }.prefix(max(0, room)))
        return (top.indices.filter(kept.contains).map { top[$0].line },
                bottom.indices.filter { kept.contains(top.count + $0) }.map { bottom[$0].line })
    }

    /// `text` split at the last space that leaves a first row of at most `width` columns (and the rest).
    static func wrap(_ text: String, width: Int) -> (first: String, rest: String) {
        guard text.count > width, width > 0 else { return (text, "") }
        let head = text.prefix(width + 1)
        guard let space = head.lastIndex(of: " ") else { return (text, "") }
        return (String(text[..<space]), String(text[text.index(after: space)...]))
    }

    /// "true calm, predicted neutral: 27 clips (14% of calm); Enter lists them".
    static func cursorLine(_ state: ReviewState) -> String {
        let matrix = state.matrix, cell = state.cursor
        guard matrix.labels.indices.contains(cell.row) else { return "" }
        let count = matrix.counts[cell.row][cell.column]
        let share = ReviewFormat.cell(matrix, row: cell.row, column: cell.column, mode: .rowPercent)
        let what = cell.row == cell.column ? "\(matrix.labels[cell.row]) recognised"
            : "true \(matrix.labels[cell.row]), predicted \(matrix.labels[cell.column])"
        return "\(what): \(count) clip\(count == 1 ? "" : "s") (\(share)% of \(matrix.labels[cell.row]))" + (count > 0 ? "; Enter lists them" : "")
    }

    static func drawMatrix(_ state: ReviewState, in rect: Rect, canvas: inout Canvas) {
        let matrix = state.matrix, size = matrix.labels.count
        let names = ReviewFormat.abbreviations(matrix.labels)
        let layout = MatrixLayout(matrix: matrix, metrics: state.metrics, width: rect.width)
        let values = matrix.labels.indices.map { row in matrix.labels.indices.map { ReviewFormat.value(matrix, row: row, column: $0, mode: state.mode) } }
        let maximum = values.joined().max() ?? 0
        for column in 0..<size {
            let style = column == state.cursor.column ? Style(.title, bold: true, reverse: true) : Style.title
            canvas.put(names[column].padded(to: layout.cellWidth - 1, alignRight: true), x: rect.x + 4 + column * layout.cellWidth, y: rect.y, style: style)
        }
        for row in 0..<size {
            let y = rect.y + 1 + row
            canvas.put(names[row], x: rect.x, y: y, style: row == state.cursor.row ? Style(.title, bold: true, reverse: true) : .title)
            for column in 0..<size {
                let text = ReviewFormat.cell(matrix, row: row, column: column, mode: state.mode)
                let x = rect.x + 4 + column * layout.cellWidth
                if MatrixCell(row: row, column: column) == state.cursor {
                    let marked = text.count + 2 <= layout.cellWidth ? "[\(text)]" : text
                    canvas.put(marked.padded(to: layout.cellWidth, alignRight: true), x: x, y: y, style: Style(.selection, bold: true, underline: true))
                } else {
                    let heat = ReviewFormat.heat(value: values[row][column], maximum: maximum)
                    canvas.put((text + " ").padded(to: layout.cellWidth, alignRight: true), x: x, y: y,
                               style: Style(.heat(heat), bold: row == column))
                }
            }
        }
        guard let table = layout.table else { return }
        let lines = ReviewFormat.perClassLines(state.metrics, names: table.showsNames ? names : nil, digits: table.digits)
        let x = rect.x + 4 + size * layout.cellWidth + layout.gap
        for (index, line) in lines.enumerated() {
            canvas.put(line, x: x, y: rect.y + index, style: index == 0 ? .title : (index - 1 == state.cursor.row ? .bold : .normal))
        }
    }

    static func drawProgress(_ progress: (done: Int, total: Int), in rect: Rect, canvas: inout Canvas, glyphs: Glyphs) {
        let label = "classifying \(progress.done)/\(progress.total) "
        let used = canvas.put(label, x: rect.x, y: rect.y, style: Style(.accent, bold: true))
        let (filled, track) = glyphs.bar(Double(progress.done) / Double(max(1, progress.total)), width: max(0, rect.width - used))
        let filledWidth = canvas.put(filled, x: rect.x + used, y: rect.y, style: Style(.accent))
        canvas.put(track, x: rect.x + used + filledWidth, y: rect.y, style: .dim)
    }

    static func drawWaiting(_ state: ReviewState, into canvas: inout Canvas, area: Rect, glyphs: Glyphs) {
        switch state.phase {
        case .failed(let message):
            canvas.put("Nothing to review:", x: area.x + 1, y: area.y + 1, style: Style(.error, bold: true))
            canvas.put(message, x: area.x + 1, y: area.y + 2, maxWidth: area.width - 2)
            canvas.put("Open a labelled folder or an emoscope-train report: emoscope review SOURCE", x: area.x + 1, y: area.y + 4,
                       style: .dim, maxWidth: area.width - 2)
        default:
            canvas.put("loading" + String(glyphs.ellipsis), x: area.x + 1, y: area.y + 1, style: .dim)
        }
    }
}

/// How wide the matrix cells are and whether (and how) the per-class table fits beside them.
struct MatrixLayout {
    struct Table { var digits: Int; var showsNames: Bool }
    var cellWidth: Int
    var table: Table?
    let gap = 2

    init(matrix: ConfusionMatrix, metrics: EvaluationMetrics, width: Int) {
        let size = matrix.labels.count, narrowest = ReviewFormat.widestCell(matrix) + 1
        let tables = [Table(digits: 3, showsNames: true), Table(digits: 2, showsNames: true), Table(digits: 2, showsNames: false)]
        for table in tables {
            let tableWidth = ReviewFormat.perClassLines(metrics, names: table.showsNames ? ReviewFormat.abbreviations(matrix.labels) : nil,
                                                        digits: table.digits).map(\.count).max() ?? 0
            for cell in stride(from: narrowest + 2, through: narrowest, by: -1) where 4 + size * cell + gap + tableWidth <= width {
                cellWidth = cell
                self.table = table
                return
            }
        }
        cellWidth = narrowest
        table = nil
    }
}
