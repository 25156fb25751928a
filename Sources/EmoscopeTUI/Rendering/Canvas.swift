/// A rectangle of terminal cells.
public struct Rect: Equatable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = max(0, width); self.height = max(0, height)
    }

    /// Whether the rectangle has no cells.
    public var isEmpty: Bool { width == 0 || height == 0 }
    /// One past the last column.
    public var maxX: Int { x + width }
    /// One past the last row.
    public var maxY: Int { y + height }

    /// The rectangle shrunk by `dx` columns on each side and `dy` rows top and bottom.
    public func inset(dx: Int = 0, dy: Int = 0) -> Rect {
        Rect(x: x + dx, y: y + dy, width: width - 2 * dx, height: height - 2 * dy)
    }

    /// The top `rows` rows (and the rest below them).
    public func splitTop(_ rows: Int) -> (top: Rect, rest: Rect) {
        let rows = min(max(0, rows), height)
        return (Rect(x: x, y: y, width: width, height: rows), Rect(x: x, y: y + rows, width: width, height: height - rows))
    }

    /// The bottom `rows` rows (and the rest above them).
    public func splitBottom(_ rows: Int) -> (rest: Rect, bottom: Rect) {
        let rows = min(max(0, rows), height)
        return (Rect(x: x, y: y, width: width, height: height - rows), Rect(x: x, y: maxY - rows, width: width, height: rows))
    }

    /// The left `columns` columns (and the rest to their right).
    public func splitLeft(_ columns: Int) -> (left: Rect, rest: Rect) {
        let columns = min(max(0, columns), width)
        return (Rect(x: x, y: y, width: columns, height: height), Rect(x: x + columns, y: y, width: width - columns, height: height))
    }
}

/// What a cell means; the renderer turns roles into colours the terminal can show.
public enum Role: Hashable, Sendable {
    case normal, dim, title, accent, success, warning, error, selection, hintKey
    /// The colour of emotion `index` (in model label order).
    case emotion(Int)
    /// A heat level 0…7 for matrix shading (0 = cold/empty, 7 = hottest).
    case heat(Int)
}

/// The look of one cell: a role plus emphasis.
public struct Style: Hashable, Sendable {
    public var role: Role
    public var bold: Bool
    public var reverse: Bool
    public var underline: Bool

    public init(_ role: Role = .normal, bold: Bool = false, reverse: Bool = false, underline: Bool = false) {
        self.role = role; self.bold = bold; self.reverse = reverse; self.underline = underline
    }

    public static let normal = Style()
    public static let dim = Style(.dim)
    public static let bold = Style(.normal, bold: true)
    public static let title = Style(.title, bold: true)
}

/// One terminal cell: a character and its style. A wide character (two columns) fills its cell
/// and the next, which holds `continuation`.
public struct Cell: Equatable, Sendable {
    public var character: Character
    public var style: Style

    public static let blank = Cell(character: " ", style: .normal)
    /// The right half of a wide character (never text: `put` turns control characters into spaces).
    public static let continuation: Character = "\u{0}"
}

/// An off-screen grid of cells that screens draw into; the terminal renderer copies it out.
/// Tests read it back as text.
public struct Canvas: Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    /// The whole canvas as a rectangle.
    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// The cell at a position (blank outside).
    public subscript(x: Int, y: Int) -> Cell {
        guard x >= 0, y >= 0, x < width, y < height else { return .blank }
        return cells[y * width + x]
    }

    /// Sets one cell; positions outside the canvas are ignored.
    public mutating func set(_ x: Int, _ y: Int, _ character: Character, _ style: Style = .normal) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        cells[y * width + x] = Cell(character: character, style: style)
    }

    /// Writes text from (x, y), clipped to `maxWidth` columns (and to the canvas). Returns the columns used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .normal, maxWidth: Int? = nil) -> Int {
        let limit = min(maxWidth ?? Int.max, width - x)
        var column = 0
        for character in text where column < limit {
            let shown: Character = character.isASCII && character.asciiValue! < 32 ? " " : character
            guard DisplayWidth.of(shown) == 2 else {
                set(x + column, y, shown, style)
                column += 1
                continue
            }
            guard column + 2 <= limit else { break }  // half a wide character never shows
            set(x + column, y, shown, style)
            set(x + column + 1, y, Cell.continuation, style)
            column += 2
        }
        return max(0, column)
    }

    /// Writes text clipped to `rect`'s row `row`, padded with spaces to its full width.
    public mutating func line(_ text: String, in rect: Rect, row: Int, style: Style = .normal) {
        guard row >= 0, row < rect.height else { return }
        fill(Rect(x: rect.x, y: rect.y + row, width: rect.width, height: 1), style: style)
        put(text, x: rect.x, y: rect.y + row, style: style, maxWidth: rect.width)
    }

    /// Fills a rectangle with one character.
    public mutating func fill(_ rect: Rect, _ character: Character = " ", style: Style = .normal) {
        for y in max(0, rect.y)..<min(height, rect.maxY) where rect.x < width {
            for x in max(0, rect.x)..<min(width, rect.maxX) { cells[y * width + x] = Cell(character: character, style: style) }
        }
    }

    /// Changes the style of every cell in a rectangle, keeping the characters.
    public mutating func restyle(_ rect: Rect, _ transform: (inout Style) -> Void) {
        for y in max(0, rect.y)..<min(height, rect.maxY) where rect.x < width {
            for x in max(0, rect.x)..<min(width, rect.maxX) { transform(&cells[y * width + x].style) }
        }
    }

    /// Text of one row, trailing spaces kept.
    public func row(_ y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        return String(cells[(y * width)..<(y * width + width)].lazy.map(\.character).filter { $0 != Cell.continuation })
    }

    /// The whole canvas as lines of text (trailing spaces trimmed), for tests and plain output.
    public var text: String {
        (0..<height).map { y in
            var line = row(y)
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}

extension String {
    /// The longest start of the string that fits in `width` columns.
    func prefix(columns width: Int) -> Substring {
        var used = 0, end = startIndex
        while end < endIndex {
            used += DisplayWidth.of(self[end])
            guard used <= width else { break }
            end = index(after: end)
        }
        return self[..<end]
    }

    /// The longest end of the string that fits in `width` columns.
    func suffix(columns width: Int) -> Substring {
        var used = 0, start = endIndex
        while start > startIndex {
            let previous = index(before: start)
            used += DisplayWidth.of(self[previous])
            guard used <= width else { break }
            start = previous
        }
        return self[start...]
    }

    /// The string cut to `width` columns, ending in "…" (or "~" in ASCII) when cut.
    public func truncated(to width: Int, ellipsis: Character = "…") -> String {
        guard DisplayWidth.of(self) > width else { return self }
        guard width > 1 else { return String(prefix(columns: max(0, width))) }
        return String(prefix(columns: width - 1)) + String(ellipsis)
    }

    /// The string cut from the left to `width` columns, starting with the ellipsis when cut (so
    /// that a path keeps its file name).
    public func leftTruncated(to width: Int, ellipsis: Character = "…") -> String {
        guard DisplayWidth.of(self) > width else { return self }
        guard width > 1 else { return String(suffix(columns: max(0, width))) }
        return String(ellipsis) + suffix(columns: width - 1)
    }

    /// The string broken into lines of at most `width` columns at spaces (long words are cut).
    public func wrapped(to width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var current = "", currentWidth = 0
        for piece in split(separator: " ", omittingEmptySubsequences: true) {
            var word = String(piece)
            while DisplayWidth.of(word) > width {
                if !current.isEmpty { lines.append(current); current = ""; currentWidth = 0 }
                // At least one character per line, or a wide one in a single column would never end.
                let fitting = word.prefix(columns: width)
                let head = fitting.isEmpty ? word.prefix(1) : fitting
                lines.append(String(head))
                word = String(word.dropFirst(head.count))
            }
            let wordWidth = DisplayWidth.of(word)
            if current.isEmpty {
                (current, currentWidth) = (word, wordWidth)
            } else if currentWidth + 1 + wordWidth <= width {
                current += " " + word
                currentWidth += 1 + wordWidth
            } else {
                lines.append(current)
                (current, currentWidth) = (word, wordWidth)
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// The string padded with spaces (or cut) to exactly `width` columns.
    public func padded(to width: Int, alignRight: Bool = false) -> String {
        let cut = truncated(to: width)
        let padding = String(repeating: " ", count: max(0, width - DisplayWidth.of(cut)))
        return alignRight ? padding + cut : cut + padding
    }
}
