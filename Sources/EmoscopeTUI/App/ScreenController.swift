/// The three screens, in tab order.
public enum ScreenID: Int, CaseIterable, Sendable {
    case live, browse, review

    /// The tab title.
    public var title: String {
        switch self {
        case .live: "Live"
        case .browse: "Browse"
        case .review: "Review"
        }
    }
}

/// What drawing needs besides the state: glyphs for the locale and the model's labels.
public struct DrawingContext: Sendable {
    public var glyphs: Glyphs
    public var labels: [String]

    public init(glyphs: Glyphs, labels: [String]) { self.glyphs = glyphs; self.labels = labels }
}

/// What a screen did with a key.
public enum KeyOutcome: Equatable, Sendable {
    /// The screen used the key.
    case handled
    /// The screen has no use for it (the shell may: q, ?, Tab, 1/2/3).
    case ignored
    /// Leave the app.
    case quit
}

/// The I/O side of one screen: it owns the screen's pure state machine, turns its commands into
/// work (threads, files, audio) and feeds the results back as events. The shell calls it from
/// the UI thread only.
public protocol ScreenController: AnyObject {
    /// Which tab this is.
    var id: ScreenID { get }
    /// Handles a key the shell passed on.
    func handle(key: Key) -> KeyOutcome
    /// Takes in what background work produced since the last frame; true when the screen changed.
    func poll() -> Bool
    /// Draws the screen's current state into `area`.
    func draw(into canvas: inout Canvas, area: Rect, context: DrawingContext)
    /// Key hints for the bottom bar.
    var keyHints: [KeyHint] { get }
    /// Help lines for `?`.
    var help: [String] { get }
    /// True while the screen edits text (a search or path prompt): then every printable key is its own.
    var capturesText: Bool { get }
    /// Called when the tab becomes visible or hidden.
    func setVisible(_ visible: Bool)
    /// Stops background work and finishes files (recordings); called once before the app exits.
    func shutdown()
}

extension ScreenController {
    public var capturesText: Bool { false }
    public func setVisible(_ visible: Bool) {}
    public func shutdown() {}
}

/// A tab whose issue has not landed yet.
public final class PlaceholderController: ScreenController {
    public let id: ScreenID
    private let message: [String]

    public init(id: ScreenID, message: [String]) { self.id = id; self.message = message }

    public func handle(key: Key) -> KeyOutcome { .ignored }
    public func poll() -> Bool { false }
    public var keyHints: [KeyHint] { [] }
    public var help: [String] { message }

    public func draw(into canvas: inout Canvas, area: Rect, context: DrawingContext) {
        for (row, line) in message.enumerated() {
            canvas.put(line, x: area.x + 2, y: area.y + 1 + row, style: row == 0 ? .title : .dim, maxWidth: area.width - 4)
        }
    }
}
