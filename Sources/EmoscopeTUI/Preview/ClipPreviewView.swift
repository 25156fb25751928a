import EmoscopeCore
import Foundation

/// Draws the clip preview: a title line, the waveform (with the playback cursor) beside the confidence
/// bars, the per-window timeline under the waveform when the clip spans several windows, and a line for
/// playback problems.
///
///     ▶ Actor_01/03-01-05-02-01-01-01.flac   4.10 s   angry 87%
///     ▁▃█▇▅▂ …waveform…       │ neutral  ██▍·······   8%
///     timeline AAAACCC        │ …one bar per emotion
public enum ClipPreviewView {
    /// Renders `state` into `area`; `title` names the clip (a relative path reads better than the full one).
    public static func draw(_ state: ClipPreviewState, title: String? = nil, into canvas: inout Canvas, area: Rect,
                            context: DrawingContext) {
        guard area.height >= 2, area.width >= 20 else { return }
        let (header, rest) = area.splitTop(1)
        drawTitle(state, title: title, in: header, canvas: &canvas, context: context)
        let (body, footer) = state.playbackProblem == nil ? (rest, Rect(x: 0, y: 0, width: 0, height: 0)) : rest.splitBottom(1)
        if let problem = state.playbackProblem {
            canvas.put(problem, x: footer.x, y: footer.y, style: Style(.warning), maxWidth: footer.width)
        }
        let barsWidth = min(body.width / 2, 44)
        let (left, right) = body.splitLeft(body.width - barsWidth)
        switch state.phase {
        case .empty:
            canvas.put("no clip selected", x: left.x + 1, y: left.y, style: .dim, maxWidth: left.width - 1)
        case .loading:
            canvas.put("loading…", x: left.x + 1, y: left.y, style: .dim, maxWidth: left.width - 1)
        case .failed(let reason):
            drawWrapped("cannot read: \(reason)", in: left.inset(dx: 1), canvas: &canvas, style: Style(.error))
        case .ready(let data):
            drawWave(data, playback: state.playback, in: Rect(x: left.x, y: left.y, width: left.width - 1, height: left.height),
                     canvas: &canvas, context: context)
            let p = data.classification?.probabilities
            Widgets.confidenceBars(p, labels: context.labels, dominant: data.classification?.topIndex, in: right,
                                   canvas: &canvas, glyphs: context.glyphs, dimmed: p == nil)
        }
    }

    static func drawTitle(_ state: ClipPreviewState, title: String?, in rect: Rect, canvas: inout Canvas, context: DrawingContext) {
        let name = title ?? state.path.map { ($0 as NSString).lastPathComponent } ?? ""
        let marker = state.isPlaying ? (context.glyphs.isUnicode ? "▶ " : "> ") : "  "
        var text = marker + name
        if let data = state.data {
            text += String(format: "   %.2f s", data.duration)
            switch data.classification?.status {
            case .classified: text += "   " + (Widgets.dominantSummary(data.classification?.probabilities, labels: context.labels)?.text ?? "")
            case .tooShort: text += "   too short to classify"
            case .noSpeech: text += "   no speech found"
            case nil: text += "   not classified (the model cannot run)"
            }
            if case .playing(let position) = state.playback { text += String(format: "   playing %.1f s", position) }
        }
        canvas.line(text, in: rect, row: 0, style: Style(.title, bold: true))
    }

    /// The waveform with the playback cursor, and the per-window timeline under it when there are several windows.
    static func drawWave(_ data: ClipPreviewData, playback: ClipPreviewState.Playback, in rect: Rect, canvas: inout Canvas,
                         context: DrawingContext) {
        let segments = data.classification?.segments ?? []
        let (wave, strip) = segments.count > 1 && rect.height >= 3 ? rect.splitBottom(1) : (rect, Rect(x: 0, y: 0, width: 0, height: 0))
        let envelope = LiveView.rebin(data.envelope, columns: wave.width)
        var cursor: Int?
        if case .playing(let position) = playback, data.duration > 0 {
            cursor = min(wave.width - 1, Int(position / data.duration * Double(wave.width)))
        }
        Widgets.waveform(envelope, fullScale: max(0.05, data.envelope.peak), in: wave, canvas: &canvas, glyphs: context.glyphs,
                         cursorColumn: cursor)
        guard !strip.isEmpty else { return }
        Widgets.timeline(timeline(segments, duration: data.duration, columns: strip.width), in: strip, canvas: &canvas,
                         glyphs: context.glyphs, labels: context.labels)
    }

    /// The dominant emotion under each of `columns` columns spanning the clip: the window whose centre is
    /// nearest the column's time, nil outside the analysed span or where a window holds no speech.
    public static func timeline(_ segments: [ClassifiedSegment], duration: Double, columns: Int) -> [Int?] {
        guard columns > 0, duration > 0, let first = segments.first, let last = segments.last else { return [] }
        return (0..<columns).map { column in
            let time = (Double(column) + 0.5) / Double(columns) * duration
            guard time >= first.start, time <= last.end else { return nil }
            let nearest = segments.min { abs(($0.start + $0.end) / 2 - time) < abs(($1.start + $1.end) / 2 - time) }
            return nearest?.probabilities.flatMap { p in p.indices.max { p[$0] < p[$1] } }
        }
    }

    static func drawWrapped(_ text: String, in rect: Rect, canvas: inout Canvas, style: Style) {
        guard rect.width > 0 else { return }
        var remaining = Substring(text)
        for row in 0..<rect.height where !remaining.isEmpty {
            canvas.put(String(remaining.prefix(rect.width)), x: rect.x, y: rect.y + row, style: style)
            remaining = remaining.dropFirst(rect.width)
        }
    }
}
