/// How many colours the terminal can show (or the user allows).
public enum ColorSupport: Equatable, Sendable {
    case none, basic8, palette256

    /// Chooses from the terminal's colour count and the environment (`NO_COLOR` set, even empty, means none).
    public static func choose(terminalColors: Int, hasColors: Bool, environment: [String: String]) -> ColorSupport {
        if environment["NO_COLOR"] != nil || !hasColors { return .none }
        return terminalColors >= 256 ? .palette256 : terminalColors >= 8 ? .basic8 : .none
    }
}

/// A role's appearance on a terminal: colours (-1 = terminal default) and extra emphasis.
public struct Appearance: Hashable, Sendable {
    public var foreground: Int
    public var background: Int
    public var bold = false
    public var dim = false
    public var reverse = false
}

/// Maps roles to appearances for each level of colour support. Pure, so tests can check that
/// every role stays distinguishable without colour.
public enum Theme {
    // The eight ANSI colours.
    static let black = 0, red = 1, green = 2, yellow = 3, blue = 4, magenta = 5, cyan = 6, white = 7

    /// Emotion colours by RAVDESS label order (neutral, calm, happy, sad, angry, fearful, disgust, surprised).
    static let emotion8 = [white, cyan, yellow, blue, red, magenta, green, white]
    static let emotion256 = [250, 80, 220, 33, 196, 135, 70, 208]
    /// Matrix shading from cold to hot.
    static let heat8 = [-1, -1, blue, blue, cyan, cyan, yellow, red]
    static let heat256 = [-1, 236, 24, 25, 31, 37, 178, 202]

    /// The appearance of `role` under `support`.
    public static func appearance(_ role: Role, support: ColorSupport) -> Appearance {
        switch support {
        case .none: return monochrome(role)
        case .basic8, .palette256:
            let palette = support == .palette256
            switch role {
            case .normal: return Appearance(foreground: -1, background: -1)
            case .dim: return Appearance(foreground: palette ? 244 : -1, background: -1, dim: !palette)
            case .title: return Appearance(foreground: palette ? 117 : cyan, background: -1, bold: true)
            case .accent: return Appearance(foreground: palette ? 75 : cyan, background: -1)
            case .success: return Appearance(foreground: green, background: -1)
            case .warning: return Appearance(foreground: yellow, background: -1, bold: true)
            case .error: return Appearance(foreground: red, background: -1, bold: true)
            case .selection: return Appearance(foreground: palette ? 255 : white, background: palette ? 238 : blue)
            case .hintKey: return Appearance(foreground: palette ? 117 : cyan, background: -1)
            case .emotion(let index):
                let colors = palette ? emotion256 : emotion8
                return Appearance(foreground: colors[((index % colors.count) + colors.count) % colors.count], background: -1,
                                  bold: !palette && index == 7)
            case .heat(let level):
                let level = min(max(level, 0), 7)
                let background = (palette ? heat256 : heat8)[level]
                return Appearance(foreground: background == -1 ? -1 : (level >= 6 ? black : white), background: background,
                                  bold: level >= 6)
            }
        }
    }

    /// Without colour, numbers and emphasis carry the meaning: heat becomes bold and reverse video.
    static func monochrome(_ role: Role) -> Appearance {
        var appearance = Appearance(foreground: -1, background: -1)
        switch role {
        case .normal, .accent, .emotion, .hintKey: break
        case .dim: appearance.dim = true
        case .title, .warning, .error, .success: appearance.bold = true
        case .selection: appearance.reverse = true
        case .heat(let level):
            appearance.bold = level >= 3
            appearance.reverse = level >= 5
        }
        return appearance
    }
}
