import Foundation

/// The minimum and maximum sample value under each column of a waveform.
public struct WaveformEnvelope: Equatable, Sendable {
    public var minima: [Float]
    public var maxima: [Float]

    public init(minima: [Float], maxima: [Float]) { self.minima = minima; self.maxima = maxima }

    /// The envelope of `samples` over `columns` columns (each column covers an equal share).
    public init(samples: some RandomAccessCollection<Float>, columns: Int) {
        let columns = max(0, columns)
        minima = Array(repeating: 0, count: columns)
        maxima = Array(repeating: 0, count: columns)
        guard columns > 0, !samples.isEmpty else { return }
        let count = samples.count
        var index = samples.startIndex
        for column in 0..<columns {
            let end = (column + 1) * count / columns
            var low: Float = 0, high: Float = 0
            var position = column * count / columns
            while position < end {
                let value = samples[index]
                low = min(low, value); high = max(high, value)
                index = samples.index(after: index)
                position += 1
            }
            minima[column] = low; maxima[column] = high
        }
    }

    /// The largest absolute value.
    public var peak: Float { max(maxima.max() ?? 0, -(minima.min() ?? 0)) }
}

/// Widgets shared by the screens, drawn into a canvas from plain values.
public enum Widgets {
    /// Draws a waveform filling `rect`, scaled so that `fullScale` reaches the edges; a cursor column optional.
    public static func waveform(_ envelope: WaveformEnvelope, fullScale: Float, in rect: Rect, canvas: inout Canvas,
                                glyphs: Glyphs, style: Style = Style(.accent), cursorColumn: Int? = nil) {
        guard rect.height > 0 else { return }
        let halfRows = Double(rect.height) / 2
        let scale = Double(max(fullScale, 1e-6))
        for column in 0..<min(rect.width, envelope.maxima.count) {
            // Half-row resolution: positions 0…2·height from the top.
            let top = Int(((1 - min(1, Double(envelope.maxima[column]) / scale)) * halfRows * 2).rounded(.down))
            let bottom = Int(((1 - max(-1, Double(envelope.minima[column]) / scale)) * halfRows * 2).rounded(.up))
            let x = rect.x + column
            if bottom - top <= 1 {
                canvas.set(x, rect.y + min(rect.height - 1, Int(halfRows)), glyphs.waveCentre, .dim)
                continue
            }
            for row in 0..<rect.height {
                let upper = 2 * row, lower = 2 * row + 1
                let upperIn = upper >= top && upper < bottom, lowerIn = lower >= top && lower < bottom
                let glyph: Character? = upperIn && lowerIn ? glyphs.waveFull : upperIn ? glyphs.upperHalf : lowerIn ? glyphs.lowerHalf : nil
                if let glyph { canvas.set(x, rect.y + row, glyph, style) }
            }
        }
        if let cursorColumn, cursorColumn >= 0, cursorColumn < rect.width {
            for row in 0..<rect.height { canvas.set(rect.x + cursorColumn, rect.y + row, glyphs.cursor, Style(.warning, bold: true)) }
        }
    }

    /// One confidence bar per label: name, bar, percentage; the `dominant` one highlighted.
    /// Without probabilities the bars are empty and `placeholder` shows in place of the percentages.
    public static func confidenceBars(_ probabilities: [Float]?, labels: [String], dominant: Int?, in rect: Rect,
                                      canvas: inout Canvas, glyphs: Glyphs, dimmed: Bool = false) {
        let nameWidth = min(10, (labels.map(\.count).max() ?? 0) + 1)
        let barWidth = max(1, rect.width - nameWidth - 6)
        for (index, label) in labels.enumerated() where index < rect.height {
            let y = rect.y + index
            let isDominant = index == dominant && !dimmed
            let nameStyle = isDominant ? Style(.emotion(index), bold: true, reverse: true) : Style(dimmed ? .dim : .normal)
            canvas.put(label.padded(to: nameWidth - 1), x: rect.x, y: y, style: nameStyle)
            let value = probabilities.map { Double($0[index]) }
            let (filled, track) = glyphs.bar(value ?? 0, width: barWidth)
            let x = rect.x + nameWidth
            let barStyle = dimmed ? Style.dim : Style(.emotion(index), bold: isDominant)
            let used = canvas.put(filled, x: x, y: y, style: barStyle)
            canvas.put(track, x: x + used, y: y, style: .dim)
            let percent = value.map { String(format: "%3.0f%%", $0 * 100) } ?? "  --"
            canvas.put(percent, x: x + barWidth + 1, y: y, style: isDominant ? Style(.normal, bold: true) : (dimmed ? .dim : .normal))
        }
    }

    /// A strip of cells coloured by the dominant emotion of each step (nil = no speech).
    public static func timeline(_ entries: [Int?], in rect: Rect, canvas: inout Canvas, glyphs: Glyphs, labels: [String]) {
        let visible = entries.suffix(rect.width)
        let start = rect.x + rect.width - visible.count
        for (offset, entry) in visible.enumerated() {
            if let entry {
                // Without colour the strip still reads: each emotion's initial letter.
                let letter = labels.indices.contains(entry) ? Character(labels[entry].prefix(1).uppercased()) : "?"
                canvas.set(start + offset, rect.y, letter, Style(.emotion(entry), reverse: true))
            } else {
                canvas.set(start + offset, rect.y, glyphs.barTrack, .dim)
            }
        }
    }

    /// A "label 42%" summary of the most probable class, or nil.
    public static func dominantSummary(_ probabilities: [Float]?, labels: [String]) -> (index: Int, text: String)? {
        guard let probabilities, let index = probabilities.indices.max(by: { probabilities[$0] < probabilities[$1] }),
              labels.indices.contains(index) else { return nil }
        return (index, "\(labels[index]) \(Int((probabilities[index] * 100).rounded()))%")
    }
}
