/// A key press, decoded from the terminal.
public enum Key: Equatable, Hashable, Sendable {
    case character(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    /// Ctrl-C typed while the terminal is in raw mode.
    case interrupt
    /// A function key, F1…F12.
    case function(Int)

    /// Movement keys, with hjkl as arrows.
    public var movement: Movement? {
        switch self {
        case .up, .character("k"): .up(1)
        case .down, .character("j"): .down(1)
        case .left, .character("h"): .left
        case .right, .character("l"): .right
        case .pageUp: .pageUp
        case .pageDown: .pageDown
        case .home, .character("g"): .top
        case .end, .character("G"): .bottom
        default: nil
        }
    }

    /// A cursor movement.
    public enum Movement: Equatable, Sendable {
        case up(Int), down(Int), left, right, pageUp, pageDown, top, bottom
    }
}

/// One line of the key-hint bar: the key and what it does.
public struct KeyHint: Equatable, Sendable {
    public var key: String
    public var action: String

    public init(_ key: String, _ action: String) { self.key = key; self.action = action }
}
