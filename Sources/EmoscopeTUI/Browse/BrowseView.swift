import Foundation

/// Draws the browse screen from its state: a header with the folder and the progress, a line saying how
/// the list is sorted and filtered, the list (only the rows on screen), the clip preview and a prompt line.
///
///      ravdess-speech-16k                 classifying 456/1440 ████▌······ 32%
///      sort name ▲ · filter: true angry, wrong · 12 of 1440 shown
///        name                              duration  predicted    conf  true
///      ✓ Actor_01/03-01-05-01-01-01-01.flac   3.80s  angry         87%  angry
///      ────────────────────────────────────────────────────────────────────────
///      (preview: waveform, bars, timeline)
///      /search text▏                Enter apply · Esc cancel
public enum BrowseView {
    /// Width of the fixed columns after the name: duration, predicted, confidence, true label.
    static let durationWidth = 9, labelWidth = 12, confidenceWidth = 6  // "duration▲" fits

    /// Rows of the list that fit in `area` (the controller tells the state before drawing).
    public static func listRows(in area: Rect, labels: Int) -> Int { layout(area, labels: labels).list.height }

    /// Renders the screen, with `preview` drawing the clip panel into the rectangle it is given.
    public static func draw(_ state: BrowseState, into canvas: inout Canvas, area: Rect, context: DrawingContext,
                            preview: (inout Canvas, Rect) -> Void) {
        let parts = layout(area, labels: state.labels.count)
        drawHeader(state, in: parts.header, canvas: &canvas, glyphs: context.glyphs)
        guard state.folder != nil else {
            canvas.put("No folder open. Press o to open a folder of clips (or start with: emoscope browse DIR).",
                       x: parts.list.x + 1, y: parts.list.y, style: .normal, maxWidth: parts.list.width - 2)
            drawPrompt(state, in: parts.prompt, canvas: &canvas, glyphs: context.glyphs)
            return
        }
        canvas.line(" " + statusLine(state, glyphs: context.glyphs), in: parts.status, row: 0, style: .dim)
        BrowseListView.draw(state, columns: parts.columns, list: parts.list, canvas: &canvas, context: context)
        if parts.preview.height > 0 {
            for x in parts.rule.x..<parts.rule.maxX { canvas.set(x, parts.rule.y, context.glyphs.horizontalRule, .dim) }
            preview(&canvas, parts.preview)
        }
        drawPrompt(state, in: parts.prompt, canvas: &canvas, glyphs: context.glyphs)
    }

    /// The screen's rectangles, top to bottom.
    static func layout(_ area: Rect, labels: Int) -> (header: Rect, status: Rect, columns: Rect, list: Rect, rule: Rect, preview: Rect, prompt: Rect) {
        let (header, afterHeader) = area.splitTop(1)
        let (status, afterStatus) = afterHeader.splitTop(1)
        let (columns, afterColumns) = afterStatus.splitTop(1)
        let (middle, prompt) = afterColumns.splitBottom(1)
        let previewHeight = min(labels + 2, max(0, (middle.height - 1) / 2))
        let (list, lower) = middle.splitBottom(previewHeight > 2 ? previewHeight + 1 : 0)
        let (rule, preview) = lower.splitTop(lower.height > 0 ? 1 : 0)
        return (header, status, columns, list, rule, preview, prompt)
    }

    static func drawHeader(_ state: BrowseState, in rect: Rect, canvas: inout Canvas, glyphs: Glyphs) {
        canvas.line(" " + (state.folder ?? "Browse"), in: rect, row: 0, style: .title)
        guard state.folder != nil else { return }
        let progress = state.progress
        let text: String
        if progress.scanning {
            text = "scanning… \(progress.found) audio files found "
        } else if let clips = progress.adaptingClips {
            text = "adapting to each folder's voice: statistics of \(clips) clips… "
        } else if !progress.isComplete {
            let fraction = Double(progress.done) / Double(max(1, progress.found))
            let bar = glyphs.bar(fraction, width: 20)
            text = "classifying \(progress.done)/\(progress.found) \(bar.filled)\(bar.track) \(Int(fraction * 100))% "
        } else {
            var parts = ["done: \(progress.found) clips"]
            if let seconds = progress.seconds { parts[0] += String(format: " in %.1f s", seconds) }
            if progress.right + progress.wrong > 0 { parts.append("\(progress.right) \(glyphs.right) \(progress.wrong) \(glyphs.wrong)") }
            if progress.failed > 0 { parts.append("\(progress.failed) errors") }
            if progress.cached > 0 { parts.append("\(progress.cached) cached") }
            if let folders = progress.adaptedFolders { parts.append("adapted to \(folders) folder\(folders == 1 ? "" : "s")") }
            text = parts.joined(separator: " · ") + " "
        }
        let cut = text.truncated(to: max(0, rect.width - 20))
        canvas.put(cut, x: rect.maxX - cut.count, y: rect.y, style: progress.isComplete ? Style(.success) : Style(.accent))
    }

    /// "sort name ▲ · filter: predicted angry, wrong · search "x" · 12 of 1440 shown".
    static func statusLine(_ state: BrowseState, glyphs: Glyphs) -> String {
        let arrow = glyphs.isUnicode ? (state.sort.ascending ? "▲" : "▼") : (state.sort.ascending ? "^" : "v")
        var filters: [String] = []
        if let predicted = state.filter.predicted { filters.append("predicted \(state.labels[predicted])") }
        if let truth = state.filter.truth { filters.append("true \(state.labels[truth])") }
        if let outcome = state.filter.outcome { filters.append(outcome.title) }
        var parts = ["sort \(state.sort.column.title) \(arrow)", "filter: " + (filters.isEmpty ? "none" : filters.joined(separator: ", "))]
        if !state.filter.search.isEmpty { parts.append("search \"\(state.filter.search)\"") }
        parts.append("\(state.visible.count) of \(state.rows.count) shown")
        return parts.joined(separator: " · ")
    }

    static func drawPrompt(_ state: BrowseState, in rect: Rect, canvas: inout Canvas, glyphs: Glyphs) {
        let caret = glyphs.isUnicode ? "▏" : "_"
        switch state.mode {
        case .list:
            guard let notice = state.notice else { return }
            canvas.line(" " + notice.text, in: rect, row: 0, style: notice.isError ? Style(.error) : Style(.success))
        case .searching(let text):
            canvas.line(" /\(text)\(caret)   Enter apply · Esc cancel", in: rect, row: 0, style: .bold)
        case .opening(let text):
            canvas.line(" open folder: \(text)\(caret)   Enter open · Esc cancel", in: rect, row: 0, style: .bold)
        case .exporting(let text):
            canvas.line(" export to: \(text)\(caret)   Tab csv/json · Enter write · Esc cancel", in: rect, row: 0, style: .bold)
        }
    }

    /// Key hints of the browse screen; `playing` turns "play" into "stop".
    public static func hints(_ state: BrowseState, playing: Bool = false) -> [KeyHint] {
        switch state.mode {
        case .list:
            return [KeyHint("Enter", playing ? "stop" : "play"), KeyHint("/", "search"), KeyHint("s", "sort"), KeyHint("f t w", "filter"),
                    KeyHint("e", "export"), KeyHint("o", "open")]
        case .exporting: return [KeyHint("Enter", "write"), KeyHint("Tab", "csv/json"), KeyHint("Esc", "cancel")]
        case .searching, .opening: return [KeyHint("Enter", "apply"), KeyHint("Esc", "cancel")]
        }
    }

    /// Help text of the browse screen.
    public static let help = [
        "Browse: every audio file under a folder, classified in the background (cached).",
        "",
        "  ↑ ↓ j k  PgUp PgDn  Home End g G   move",
        "  Enter / p   play the selected clip, again to stop",
        "  s / S       sort by the next column / reverse the order",
        "  f / F       filter by predicted emotion (next / previous)",
        "  t / T       filter by true emotion (next / previous)",
        "  w           show wrong → right → errors → all",
        "  x           clear filters and search",
        "  /           search names (Enter applies, Esc cancels; Esc in the list clears it)",
        "  e           export the list as shown (CSV, or JSON when the name ends .json)",
        "  o           open another folder",
        "",
        "True labels come from manifest.csv / labels.csv in the folder, RAVDESS file",
        "names, or folders named after an emotion. ✓ right, ✗ wrong, ! unreadable file.",
    ]
}
