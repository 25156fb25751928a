import Foundation

/// Draws the live meter from its state.
///
///     ┌ waveform (scrolling, last few seconds) ───────────┐ level  -23 dBFS  CLIP
///     │▁▃█▇▅▂ ...                                          │ pitch  182 Hz   energy -31 dB
///     neutral  ███████▍·········  38%
///     ...      (one bar per emotion, the dominant highlighted)
///     timeline (last 60 s, one cell per analysis, coloured by the dominant emotion)
public enum LiveView {
    /// Renders `state` into `area`.
    public static func draw(_ state: LiveState, into canvas: inout Canvas, area: Rect, context: DrawingContext) {
        let glyphs = context.glyphs
        let (header, rest) = area.splitTop(1)
        drawHeader(state, in: header, canvas: &canvas)
        let barsHeight = state.labels.count
        let waveHeight = max(2, min(16, rest.height - barsHeight - 5))
        let (waveArea, below) = rest.splitTop(waveHeight)
        let fullScale = max(0.05, state.waveform.peak)
        let envelope = rebin(state.waveform, columns: waveArea.width)
        Widgets.waveform(envelope, fullScale: fullScale, in: waveArea, canvas: &canvas, glyphs: glyphs,
                         style: Style(state.isClipping ? .error : .accent))
        let (readouts, afterReadouts) = below.splitTop(1)
        drawReadouts(state, in: readouts, canvas: &canvas, fullScale: fullScale)
        let (bars, afterBars) = afterReadouts.inset(dx: 1).splitTop(barsHeight)
        Widgets.confidenceBars(state.probabilities, labels: state.labels, dominant: state.dominant, in: bars, canvas: &canvas,
                               glyphs: glyphs, dimmed: state.phase != .speech || state.input != .running && state.input != .finished)
        drawPhase(state, in: afterBars, canvas: &canvas, glyphs: glyphs)
    }

    static func drawHeader(_ state: LiveState, in rect: Rect, canvas: inout Canvas) {
        var text = " \(state.sourceName.isEmpty ? "no input" : state.sourceName)"
        if let seconds = state.adaptedSeconds { text += String(format: "   voice: %.0f s heard", seconds) }
        if state.paused { text += "   PAUSED" }
        canvas.line(text, in: rect, row: 0, style: .title)
        if let recording = state.recording {
            let seconds = max(0, state.time - recording.since)
            let label = String(format: "● REC %02d:%02d ", Int(seconds) / 60, Int(seconds) % 60)
            canvas.put(label, x: rect.maxX - label.count, y: rect.y, style: Style(.error, bold: true))
        } else if !state.smoothing {
            canvas.put("raw ", x: rect.maxX - 4, y: rect.y, style: .dim)
        }
    }

    static func drawReadouts(_ state: LiveState, in rect: Rect, canvas: inout Canvas, fullScale: Float) {
        var x = rect.x + 1
        x += canvas.put(String(format: "level %4.0f dBFS ", max(-99, state.levelDB)), x: x, y: rect.y)
        x += canvas.put(state.isClipping ? "CLIP " : "     ", x: x, y: rect.y, style: Style(.error, bold: true, reverse: state.isClipping))
        let pitch = state.pitchHz.map { String(format: "pitch %3.0f Hz ", $0) } ?? "pitch   -- Hz "
        x += canvas.put(" " + pitch, x: x, y: rect.y)
        let energy = state.energyDB.map { String(format: " energy %4.0f dB ", max(-99, $0)) } ?? " energy   -- dB "
        x += canvas.put(energy, x: x, y: rect.y)
        let scale = String(format: " scale ±%.2f", fullScale)
        if x + scale.count < rect.maxX { canvas.put(scale, x: rect.maxX - scale.count - 1, y: rect.y, style: .dim) }
    }

    static func drawPhase(_ state: LiveState, in rect: Rect, canvas: inout Canvas, glyphs: Glyphs) {
        guard rect.height > 0 else { return }
        var row = 0
        let status: (String, Style)
        switch state.phase {
        case .listening: status = ("listening…", .dim)
        case .noSpeech: status = ("no speech", Style(.warning))
        case .speech:
            let top = Widgets.dominantSummary(state.probabilities, labels: state.labels)
            status = ("dominant: " + (top?.text ?? "-"), Style(top.map { .emotion($0.index) } ?? .normal, bold: true))
        }
        let used = canvas.put(status.0, x: rect.x, y: rect.y + row, style: status.1, maxWidth: rect.width)
        if state.input == .finished {
            canvas.put("   end of input — q to quit, Tab for other screens", x: rect.x + used, y: rect.y + row, style: .dim,
                       maxWidth: rect.width - used)
        }
        row += 1
        if case .failed(let message, let hint) = state.input {
            canvas.line(message, in: rect, row: row - 1, style: Style(.error, bold: true))
            for line in hint.wrapped(to: rect.width).prefix(3) where row < rect.height - 1 {
                canvas.put(line, x: rect.x, y: rect.y + row, style: .normal)
                row += 1
            }
        }
        // A notice (a recording saved or refused) outranks the timeline when only one row is left.
        if row < rect.height - (state.notice == nil ? 0 : 1) {
            let label = "last \(Int(state.timelineSeconds)) s "
            canvas.put(label, x: rect.x, y: rect.y + row, style: .dim)
            Widgets.timeline(state.timeline, in: Rect(x: rect.x + label.count, y: rect.y + row, width: rect.width - label.count, height: 1),
                             canvas: &canvas, glyphs: glyphs, labels: state.labels)
            row += 1
        }
        if let notice = state.notice, row < rect.height {
            canvas.put(notice, x: rect.x, y: rect.y + row, style: .dim, maxWidth: rect.width)
        }
    }

    /// Merges a fixed-resolution envelope into `columns` columns (min of minima, max of maxima).
    public static func rebin(_ envelope: WaveformEnvelope, columns: Int) -> WaveformEnvelope {
        let count = envelope.maxima.count
        guard columns > 0, count > 0 else { return WaveformEnvelope(minima: [], maxima: []) }
        var minima = [Float](repeating: 0, count: columns), maxima = [Float](repeating: 0, count: columns)
        for column in 0..<columns {
            let start = column * count / columns, end = max(start + 1, (column + 1) * count / columns)
            for index in start..<min(end, count) {
                minima[column] = min(minima[column], envelope.minima[index])
                maxima[column] = max(maxima[column], envelope.maxima[index])
            }
        }
        return WaveformEnvelope(minima: minima, maxima: maxima)
    }

    /// Key hints of the live screen.
    public static func hints(_ state: LiveState) -> [KeyHint] {
        var hints = [KeyHint("space", state.paused ? "resume" : "pause"), KeyHint("r", state.recording == nil ? "record" : "stop rec"),
                     KeyHint("s", state.smoothing ? "raw" : "smooth")]
        if state.adaptedSeconds != nil { hints.append(KeyHint("a", "new voice")) }
        if case .failed = state.input { hints.insert(KeyHint("Enter", "retry"), at: 0) }
        return hints
    }

    /// Help text of the live screen.
    public static let help = [
        "Live meter: the emotion in the voice coming in, updated every hop.",
        "",
        "  space   pause / resume the meter",
        "  r       start / stop recording the input (FLAC or WAV, saved when stopped or on quit)",
        "  s       smoothing of the bars on / off",
        "  a       new voice: forget the voice adapted to (models trained with --speaker-normalization)",
        "  Enter   retry the input after a device error",
        "",
        "The bars show the model's probabilities for the last ~3 s of speech; on silence",
        "the meter says \"no speech\" instead. The strip below keeps the dominant emotion",
        "of the last 60 s (each cell one analysis; letter = emotion's initial).",
        "A model trained with --speaker-normalization adapts to the voice it hears: the",
        "header counts the seconds of speech it has learnt the voice's range from.",
    ]
}
