/// The app frame around the screens: which tab shows, the help overlay, the terminal size.
/// A pure state machine: keys in, actions out.
public struct ShellState: Equatable, Sendable {
    /// Smallest terminal the screens are laid out for.
    public static let minimumWidth = 60
    public static let minimumHeight = 16

    public var current: ScreenID
    public var showingHelp = false
    public var width: Int
    public var height: Int

    public init(current: ScreenID = .live, width: Int = 80, height: Int = 24) {
        self.current = current; self.width = width; self.height = height
    }

    /// Whether the terminal is below the minimum size.
    public var isTooSmall: Bool { width < Self.minimumWidth || height < Self.minimumHeight }

    /// What the shell decided about a key.
    public enum Action: Equatable, Sendable {
        /// The shell used the key (tab switch, help).
        case handled
        /// Pass the key to the current screen.
        case forward(Key)
        /// Leave the app.
        case quit
    }

    /// Handles a key; `screenCapturesText` says the screen is editing text and wants printable keys.
    public mutating func handle(key: Key, screenCapturesText: Bool) -> Action {
        if key == .interrupt { return .quit }
        if showingHelp {
            if key == .character("q") { return .quit }
            showingHelp = false
            return .handled
        }
        if screenCapturesText { return .forward(key) }
        switch key {
        case .character("q"): return .quit
        case .character("?"), .function(1):
            showingHelp = true
        case .tab:
            current = ScreenID(rawValue: (current.rawValue + 1) % ScreenID.allCases.count)!
        case .backTab:
            current = ScreenID(rawValue: (current.rawValue + ScreenID.allCases.count - 1) % ScreenID.allCases.count)!
        case .character("1"): current = .live
        case .character("2"): current = .browse
        case .character("3"): current = .review
        default:
            return isTooSmall ? .handled : .forward(key)
        }
        return .handled
    }

    /// Records a new terminal size.
    public mutating func resize(width: Int, height: Int) {
        self.width = width; self.height = height
    }
}

/// Draws the frame: tab bar, the current screen (or the too-small notice, or help) and the key hints.
public enum ShellView {
    /// The keys every screen shares, shown at the end of the hint bar.
    public static let globalHints = [KeyHint("Tab", "screens"), KeyHint("?", "help"), KeyHint("q", "quit")]

    /// Renders the whole terminal.
    public static func draw(_ shell: ShellState, screen: ScreenController, status: String, context: DrawingContext) -> Canvas {
        var canvas = Canvas(width: shell.width, height: shell.height)
        guard !shell.isTooSmall else {
            drawTooSmall(shell, into: &canvas)
            return canvas
        }
        let (top, rest) = canvas.bounds.splitTop(1)
        let (body, bottom) = rest.splitBottom(1)
        drawTabs(shell, status: status, in: top, canvas: &canvas)
        if shell.showingHelp {
            drawHelp(screen.help, title: screen.id.title, in: body, canvas: &canvas, context: context)
            drawHints([KeyHint("any key", "close help"), KeyHint("q", "quit")], in: bottom, canvas: &canvas)
        } else {
            screen.draw(into: &canvas, area: body, context: context)
            drawHints(screen.keyHints + globalHints, in: bottom, canvas: &canvas)
        }
        return canvas
    }

    static func drawTooSmall(_ shell: ShellState, into canvas: inout Canvas) {
        let lines = ["terminal too small (need \(ShellState.minimumWidth)×\(ShellState.minimumHeight))",
                     "now \(shell.width)×\(shell.height) — enlarge it, or q to quit"]
        for (index, line) in lines.enumerated() {
            let y = max(0, shell.height / 2 - 1 + index)
            canvas.put(line, x: max(0, (shell.width - line.count) / 2), y: y, style: index == 0 ? .title : .normal)
        }
    }

    static func drawTabs(_ shell: ShellState, status: String, in rect: Rect, canvas: inout Canvas) {
        canvas.fill(rect, style: Style(.selection))
        var x = rect.x + canvas.put(" Emoscope ", x: rect.x, y: rect.y, style: Style(.selection, bold: true))
        for screen in ScreenID.allCases {
            let label = " \(screen.rawValue + 1) \(screen.title) "
            let style = screen == shell.current ? Style(.title, bold: true, reverse: true) : Style(.selection)
            x += canvas.put(label, x: x, y: rect.y, style: style)
        }
        let room = rect.maxX - x - 2
        if room > 4 {
            let text = status.truncated(to: room)
            canvas.put(text, x: rect.maxX - text.count - 1, y: rect.y, style: Style(.selection))
        }
    }

    static func drawHints(_ hints: [KeyHint], in rect: Rect, canvas: inout Canvas) {
        var x = rect.x + 1
        for hint in hints {
            let width = hint.key.count + hint.action.count + 3
            guard x + width <= rect.maxX else { break }
            x += canvas.put(hint.key, x: x, y: rect.y, style: Style(.hintKey, bold: true, reverse: true))
            x += canvas.put(" \(hint.action)  ", x: x, y: rect.y, style: .dim)
        }
    }

    static func drawHelp(_ lines: [String], title: String, in rect: Rect, canvas: inout Canvas, context: DrawingContext) {
        let common = ["", "Everywhere:", "  Tab / Shift-Tab / 1 2 3   switch screens", "  ?                         this help",
                      "  q / Ctrl-C                quit (recordings are finished and saved)"]
        let all = lines + common
        let width = min(rect.width - 4, max(40, (all.map(\.count).max() ?? 0) + 4))
        let height = min(rect.height - 2, all.count + 3)
        let box = Rect(x: rect.x + (rect.width - width) / 2, y: rect.y + max(0, (rect.height - height) / 2), width: width, height: height)
        canvas.fill(box, style: .normal)
        frame(box, canvas: &canvas, glyphs: context.glyphs)
        canvas.put(" Help — \(title) ".truncated(to: box.width - 2), x: box.x + 1, y: box.y, style: .title)
        for (index, line) in all.prefix(box.height - 2).enumerated() {
            canvas.put(line, x: box.x + 2, y: box.y + 2 + index, maxWidth: box.width - 4)
        }
    }

    /// Draws a frame of rules around a rectangle's edge (corners as rules).
    public static func frame(_ box: Rect, canvas: inout Canvas, glyphs: Glyphs) {
        for x in box.x..<box.maxX {
            canvas.set(x, box.y, glyphs.horizontalRule, .dim)
            canvas.set(x, box.maxY - 1, glyphs.horizontalRule, .dim)
        }
        for y in box.y..<box.maxY {
            canvas.set(box.x, y, glyphs.verticalRule, .dim)
            canvas.set(box.maxX - 1, y, glyphs.verticalRule, .dim)
        }
    }
}
