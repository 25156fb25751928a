import Foundation

/// Draws the column titles and the rows of the browse list that are on screen.
enum BrowseListView {
    static func draw(_ state: BrowseState, columns: Rect, list: Rect, canvas: inout Canvas, context: DrawingContext) {
        // mark, name, duration, gap, predicted, confidence, gap, true label; the name column as wide as the longest name
        let room = list.width - 3 - BrowseView.durationWidth - 2 - (BrowseView.labelWidth - 2) - BrowseView.confidenceWidth - 2
            - BrowseView.labelWidth
        let nameWidth = max(8, min(room, state.longestName + 2))
        drawTitles(state, nameWidth: nameWidth, in: columns, canvas: &canvas, glyphs: context.glyphs)
        guard !state.visible.isEmpty else {
            let message = state.progress.scanning ? "scanning…"
                : state.rows.isEmpty ? "no audio files in this folder" : "no clips match (x clears the filters)"
            canvas.put(message, x: list.x + 2, y: list.y, style: .dim, maxWidth: list.width - 2)
            return
        }
        let end = min(state.visible.count, state.scrollTop + list.height)
        for position in state.scrollTop..<end {
            let y = list.y + position - state.scrollTop
            let row = state.rows[state.visible[position]]
            drawRow(row, y: y, x: list.x, width: list.width, nameWidth: nameWidth, selected: position == state.cursor,
                    canvas: &canvas, context: context)
        }
    }

    static func drawTitles(_ state: BrowseState, nameWidth: Int, in rect: Rect, canvas: inout Canvas, glyphs: Glyphs) {
        let arrow = glyphs.isUnicode ? (state.sort.ascending ? "▲" : "▼") : (state.sort.ascending ? "^" : "v")
        func title(_ column: SortColumn, _ text: String) -> String { state.sort.column == column ? text + arrow : text }
        var text = "   " + title(.name, "name").padded(to: nameWidth)
        text += title(.duration, "duration").padded(to: BrowseView.durationWidth, alignRight: true) + "  "
        text += title(.predicted, "predicted").padded(to: BrowseView.labelWidth - 2)
        text += title(.confidence, "conf").padded(to: BrowseView.confidenceWidth, alignRight: true) + "  "
        text += title(.truth, "true") + (state.sort.column == .result ? "  (by result" + arrow + ")" : "")
        canvas.line(text, in: rect, row: 0, style: Style(.normal, bold: true, underline: true))
    }

    static func drawRow(_ row: ClipRow, y: Int, x: Int, width: Int, nameWidth: Int, selected: Bool, canvas: inout Canvas,
                        context: DrawingContext) {
        let glyphs = context.glyphs
        let base = selected ? Style(.selection, bold: true) : Style.normal
        func style(_ role: Role) -> Style { selected ? base : Style(role) }
        canvas.fill(Rect(x: x, y: y, width: width, height: 1), style: base)
        let (mark, markRole): (Character, Role) = switch (row.correctness, row.outcome) {
        case (.right, _): (glyphs.right, .success)
        case (.wrong, _): (glyphs.wrong, .error)
        case (nil, .failed): ("!", .error)
        case (nil, .pending): (glyphs.barTrack, .dim)
        case (nil, .classified): (" ", .normal)
        }
        canvas.set(x + 1, y, mark, style(markRole))
        var column = x + 3
        column += canvas.put(row.name.leftTruncated(to: nameWidth - 1).padded(to: nameWidth), x: column, y: y, style: base)
        let room = x + width - column
        switch row.outcome {
        case .pending:
            canvas.put("…".padded(to: BrowseView.durationWidth, alignRight: true), x: column, y: y, style: style(.dim))
        case .failed(_, let reason):
            canvas.put("error: \(reason)", x: column + 2, y: y, style: style(.error), maxWidth: room - 2)
            return
        case .classified(let verdict):
            canvas.put(String(format: "%.2fs", verdict.duration).padded(to: BrowseView.durationWidth, alignRight: true),
                       x: column, y: y, style: base)
            let labelX = column + BrowseView.durationWidth + 2
            if let predicted = verdict.predicted, let confidence = verdict.confidence {
                canvas.put(context.labels[predicted], x: labelX, y: y, style: style(.emotion(predicted)), maxWidth: BrowseView.labelWidth - 2)
                canvas.put(String(format: "%3.0f%%", confidence * 100).padded(to: BrowseView.confidenceWidth, alignRight: true),
                           x: labelX + BrowseView.labelWidth - 2, y: y, style: base)
            } else {
                canvas.put(verdict.status == .tooShort ? "too short" : "no speech", x: labelX, y: y, style: style(.dim))
            }
        }
        if let truth = row.trueLabel {
            let truthX = column + BrowseView.durationWidth + BrowseView.labelWidth + BrowseView.confidenceWidth + 2
            canvas.put(context.labels[truth], x: truthX, y: y, style: style(.emotion(truth)), maxWidth: x + width - truthX)
        }
    }
}
