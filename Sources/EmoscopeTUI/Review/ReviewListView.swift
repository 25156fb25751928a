import Foundation

/// Draws the clips behind one matrix cell: a title, then one row per clip (confidence, speaker,
/// fold, path; a missing file says so), the selection kept in view; the preview below.
public enum ReviewListView {
    /// Rows of the list above the preview (the rest of the area goes to the preview).
    static func listHeight(clips: Int, area: Rect) -> Int {
        min(clips + 2, max(3, area.height / 2))
    }

    /// Renders the open list of `state` into `area`; `preview(canvas, rect, title)` draws the selected clip's preview.
    public static func draw(_ state: ReviewState, into canvas: inout Canvas, area: Rect, context: DrawingContext,
                            preview: (inout Canvas, Rect, String) -> Void) {
        guard let list = state.list, let dataset = state.dataset else { return }
        let (listArea, previewArea) = area.splitTop(listHeight(clips: list.clips.count, area: area))
        let labels = dataset.labels
        let what = list.cell.row == list.cell.column
            ? "\(labels[list.cell.row]) recognised"
            : "true \(labels[list.cell.row]), predicted \(labels[list.cell.column])"
        canvas.line(" \(what): \(list.clips.count) clip\(list.clips.count == 1 ? "" : "s"), most confident first; Esc back",
                    in: listArea, row: 0, style: .title)
        let showsFold = dataset.clips.contains { $0.fold != nil }
        let speakerWidth = min(12, (list.clips.map { DisplayWidth.of(dataset.clips[$0].speaker ?? "") }.max() ?? 0))
        var header = " conf  "
        if speakerWidth > 0 { header += "speaker".padded(to: speakerWidth) + "  " }
        if showsFold { header += "fold  " }
        canvas.line(header + "path", in: listArea, row: 1, style: .dim)
        let rows = max(0, listArea.height - 2)
        let top = min(max(0, list.selected - rows / 2), max(0, list.clips.count - rows))
        for (offset, clipIndex) in list.clips.dropFirst(top).prefix(rows).enumerated() {
            let clip = dataset.clips[clipIndex]
            let selected = top + offset == list.selected
            var text = (selected ? ">" : " ") + ReviewFormat.metric(clip.confidence.map(Double.init), digits: 2) + "  "
            if speakerWidth > 0 { text += (clip.speaker ?? "").padded(to: speakerWidth) + "  " }
            if showsFold { text += (clip.fold.map { String($0 + 1) } ?? "").padded(to: 4) + "  " }
            let missing = clip.fileExists ? "" : "  missing"
            let room = listArea.width - DisplayWidth.of(text) - missing.count - 1
            text += clip.path.leftTruncated(to: room, ellipsis: context.glyphs.ellipsis)
            let y = listArea.y + 2 + offset
            canvas.line(text, in: listArea, row: 2 + offset, style: selected ? Style(.selection, bold: true) : .normal)
            if !missing.isEmpty {
                canvas.put(missing, x: listArea.x + DisplayWidth.of(text), y: y, style: Style(.error, bold: true, reverse: selected))
            }
        }
        if !previewArea.isEmpty {
            canvas.fill(Rect(x: previewArea.x, y: previewArea.y, width: previewArea.width, height: 1), context.glyphs.horizontalRule, style: .dim)
            let clip = dataset.clips[list.clips[list.selected]]
            let title = "\((clip.path as NSString).lastPathComponent), true \(labels[clip.truth]); bars: this model now"
            preview(&canvas, Rect(x: previewArea.x, y: previewArea.y + 1, width: previewArea.width, height: previewArea.height - 1), title)
        }
    }
}
