/// The characters used for bars, waveforms and frames: block elements where the locale is UTF-8,
/// plain ASCII otherwise.
public struct Glyphs: Equatable, Sendable {
    /// Horizontal bar fill from 1/8 to 8/8 of a cell (index 0 = 1/8).
    public var horizontalEighths: [Character]
    /// Vertical fill from 1/8 to 8/8 of a cell, growing up (index 0 = 1/8).
    public var verticalEighths: [Character]
    /// The empty part of a bar.
    public var barTrack: Character
    /// A cell of the waveform centre line where the signal is silent.
    public var waveCentre: Character
    /// A filled waveform cell.
    public var waveFull: Character
    /// Upper and lower half cells (waveform edges).
    public var upperHalf: Character, lowerHalf: Character
    /// A playback or selection cursor column.
    public var cursor: Character
    /// Horizontal and vertical rules.
    public var horizontalRule: Character, verticalRule: Character
    /// Markers for right and wrong predictions.
    public var right: Character, wrong: Character
    /// The ellipsis used when text is cut.
    public var ellipsis: Character
    /// Whether these are the Unicode glyphs.
    public var isUnicode: Bool

    /// Block elements (UTF-8 locales).
    public static let unicode = Glyphs(
        horizontalEighths: ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"],
        verticalEighths: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
        barTrack: "·", waveCentre: "─", waveFull: "█", upperHalf: "▀", lowerHalf: "▄", cursor: "│",
        horizontalRule: "─", verticalRule: "│", right: "✓", wrong: "✗", ellipsis: "…", isUnicode: true)

    /// Plain ASCII (any other locale).
    public static let ascii = Glyphs(
        horizontalEighths: [" ", " ", " ", "-", "-", "-", "=", "#"],
        verticalEighths: [".", ".", "-", "-", "=", "=", "#", "#"],
        barTrack: ".", waveCentre: "-", waveFull: "#", upperHalf: "'", lowerHalf: ",", cursor: "|",
        horizontalRule: "-", verticalRule: "|", right: "+", wrong: "x", ellipsis: "~", isUnicode: false)

    /// A horizontal bar of `fraction` (0…1) over `width` cells, at 1/8-cell resolution.
    public func bar(_ fraction: Double, width: Int) -> (filled: String, track: String) {
        guard width > 0 else { return ("", "") }
        let eighths = Int((min(max(fraction.isFinite ? fraction : 0, 0), 1) * Double(width * 8)).rounded())
        var filled = String(repeating: horizontalEighths[7], count: eighths / 8)
        if eighths % 8 > 0 { filled.append(horizontalEighths[eighths % 8 - 1]) }
        return (filled, String(repeating: barTrack, count: max(0, width - filled.count)))
    }

    /// The ASCII stand-in for a character, used when the locale is not UTF-8 (text in labels,
    /// messages and file names): common punctuation is mapped, anything else becomes "?".
    public static func asciiFallback(_ character: Character) -> Character {
        if character.isASCII { return character }
        switch character {
        case "—", "–", "─", "━": return "-"
        case "…": return "~"
        case "│", "┃": return "|"
        case "×": return "x"
        case "±": return "~"
        case "●", "•", "·": return "*"
        case "✓": return "+"
        case "✗": return "x"
        case "↑", "▲": return "^"
        case "↓", "▼": return "v"
        case "←": return "<"
        case "→": return ">"
        case "‘", "’": return "'"
        case "“", "”": return "\""
        default: return "?"
        }
    }
}
