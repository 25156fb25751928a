import CNcursesw
import Foundation

/// Why the terminal UI could not start.
public struct TerminalError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// The one piece that talks to ncursesw: it starts and restores the terminal, reads keys and
/// copies canvases to the screen.
public final class CursesTerminal {
    private let screen: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    /// The glyph set for this locale.
    public let glyphs: Glyphs
    private var pairs: [Appearance: Int16] = [:]
    private var isActive = true

    /// Starts curses on stdin/stdout; throws (without touching the terminal) when stdout is not a
    /// terminal or TERM is unknown.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws(TerminalError) {
        guard isatty(STDOUT_FILENO) == 1, isatty(STDIN_FILENO) == 1 else {
            throw TerminalError(description: "the Emoscope screen needs a terminal (stdin and stdout are not one); "
                                + "for scripts use `emoscope classify`, `emoscope eval` or `emoscope features`")
        }
        glyphs = Self.prepareLocale(environment: environment) ? .unicode : .ascii
        let term = environment["TERM"] ?? ""
        guard !term.isEmpty, let screen = emoscope_newterm_stdio(nil) else {
            throw TerminalError(description: "unknown terminal type TERM=\"\(term)\": set TERM to one your system knows "
                                + "(e.g. TERM=xterm-256color) and try again")
        }
        guard emoscope_can_address_cursor() != 0 else {
            endwin()
            delscreen(screen)
            throw TerminalError(description: "the terminal type TERM=\"\(term)\" cannot move the cursor, so the Emoscope screen cannot be "
                                + "drawn: run it in a full terminal (e.g. TERM=xterm-256color), or use `emoscope classify` in scripts")
        }
        self.screen = screen
        window = emoscope_stdscr()
        var support = ColorSupport.none
        if has_colors() && environment["NO_COLOR"] == nil {
            start_color()
            use_default_colors()
            support = ColorSupport.choose(terminalColors: Int(emoscope_colors()), hasColors: true, environment: environment)
        }
        self.support = support
        cbreak()
        noecho()
        nonl()
        keypad(window, true)
        set_escdelay(25)
        curs_set(0)
        wtimeout(window, 33)
    }

    private var support: ColorSupport = .none

    /// The colour support actually in use.
    public var colors: ColorSupport { support }

    /// The terminal size in cells.
    public var size: (width: Int, height: Int) { (Int(emoscope_cols()), Int(emoscope_lines())) }

    /// Sets how long `readKey` waits, in milliseconds (negative: forever).
    public func setKeyTimeout(milliseconds: Int) { wtimeout(window, Int32(milliseconds)) }

    /// Waits up to the key timeout for a key; nil on timeout. `resized` is set when the terminal changed size.
    public func readKey(resized: inout Bool) -> Key? {
        var character: wint_t = 0
        let result = wget_wch(window, &character)
        if result == ERR { return nil }
        if result == KEY_CODE_YES {
            let code = Int32(character)
            if code == KEY_RESIZE { resized = true; return nil }
            return Self.functionKey(code)
        }
        return Self.characterKey(UInt32(character))
    }

    static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: .up
        case KEY_DOWN: .down
        case KEY_LEFT: .left
        case KEY_RIGHT: .right
        case KEY_PPAGE: .pageUp
        case KEY_NPAGE: .pageDown
        case KEY_HOME: .home
        case KEY_END: .end
        case KEY_ENTER: .enter
        case KEY_BACKSPACE: .backspace
        case KEY_DC: .delete
        case KEY_BTAB: .backTab
        case emoscope_key_f0() + 1 ... emoscope_key_f0() + 12: .function(Int(code - emoscope_key_f0()))
        default: nil
        }
    }

    static func characterKey(_ value: UInt32) -> Key? {
        switch value {
        case 3: return .interrupt
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 0..<32: return nil
        default: return Unicode.Scalar(value).map { .character(Character($0)) }
        }
    }

    /// Copies a canvas to the screen and shows it.
    public func present(_ canvas: Canvas) {
        werase(window)
        var run: [wchar_t] = []
        for y in 0..<canvas.height {
            var x = 0
            while x < canvas.width {
                let style = canvas[x, y].style
                let start = x
                run.removeAll(keepingCapacity: true)
                var lastCell = 0
                while x < canvas.width, canvas[x, y].style == style {
                    let character = canvas[x, y].character
                    lastCell = run.count
                    if character == Cell.continuation {
                        run.append(32)  // a right half whose wide character was overwritten
                        x += 1
                    } else if DisplayWidth.of(character) == 2 {
                        // Both columns at once; a wide character the terminal cannot show becomes "? ".
                        let whole = canvas[x + 1, y].character == Cell.continuation
                        if !(whole && glyphs.isUnicode && DisplayWidth.appendDrawn(character, columns: 2, to: &run)) {
                            run += whole ? [63, 32] : [63]
                        }
                        x += whole ? 2 : 1
                    } else {
                        let shown = glyphs.isUnicode ? character : Glyphs.asciiFallback(character)
                        if let ascii = shown.asciiValue, (32..<127).contains(ascii) {
                            run.append(wchar_t(ascii))
                        } else if !DisplayWidth.appendDrawn(shown, columns: 1, to: &run) {
                            run.append(63)
                        }
                        x += 1
                    }
                }
                // The bottom-right cell cannot be written without scrolling: leave it.
                if y == canvas.height - 1, x == canvas.width { run.removeSubrange(lastCell...) }
                guard !run.isEmpty else { continue }
                apply(style)
                run.append(0)
                _ = mvwaddnwstr(window, Int32(y), Int32(start), run, Int32(run.count - 1))
            }
        }
        wattrset(window, Int32(bitPattern: UInt32(emoscope_a_normal())))
        wrefresh(window)
    }

    private func apply(_ style: Style) {
        let appearance = Theme.appearance(style.role, support: support)
        var attributes = emoscope_a_normal()
        if appearance.bold || style.bold { attributes |= emoscope_a_bold() }
        if appearance.dim { attributes |= emoscope_a_dim() }
        if appearance.reverse != style.reverse { attributes |= emoscope_a_reverse() }
        if style.underline { attributes |= emoscope_a_underline() }
        let pair = support == .none ? 0 : pair(for: appearance)
        wattr_set(window, attributes, pair, nil)
    }

    private func pair(for appearance: Appearance) -> Int16 {
        let key = Appearance(foreground: appearance.foreground, background: appearance.background)
        if key.foreground == -1 && key.background == -1 { return 0 }
        if let pair = pairs[key] { return pair }
        let pair = Int16(pairs.count + 1)
        init_pair(pair, Int16(key.foreground), Int16(key.background))
        pairs[key] = pair
        return pair
    }

    /// Restores the terminal; safe to call more than once.
    public func restore() {
        guard isActive else { return }
        isActive = false
        curs_set(1)
        endwin()
        delscreen(screen)
    }

    deinit { restore() }

    /// Sets the locale from the environment; falls back to C.UTF-8 for characters when that is not UTF-8.
    /// Returns whether the locale is UTF-8 (then block glyphs are drawn).
    static func prepareLocale(environment: [String: String]) -> Bool {
        setlocale(LC_ALL, "")
        if isUTF8() { return true }
        // A C/POSIX locale still draws UTF-8 if the terminal speaks it; honour an explicit non-UTF-8 one.
        let requested = environment["LC_ALL"] ?? environment["LC_CTYPE"] ?? environment["LANG"] ?? ""
        if requested.isEmpty || requested == "C" || requested == "POSIX" { return false }
        if requested.uppercased().contains("UTF-8") || requested.uppercased().contains("UTF8") {
            setlocale(LC_CTYPE, "C.UTF-8")
            return isUTF8()
        }
        return false
    }

    private static func isUTF8() -> Bool {
        guard let codeset = emoscope_codeset() else { return false }
        return String(cString: codeset).uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
    }
}
