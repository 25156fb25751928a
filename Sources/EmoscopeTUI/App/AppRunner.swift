import CNcursesw
import Foundation

/// Runs the terminal UI: the frame loop that reads keys, lets the screens take in background
/// results, and draws at about 30 frames a second until the user quits or a signal arrives.
public final class AppRunner {
    private var shell: ShellState
    private let controllers: [ScreenController]
    private let labels: [String]
    private let status: String

    /// An app over `controllers` (one per tab, in `ScreenID` order), opening on `initial`.
    public init(controllers: [ScreenController], initial: ScreenID, labels: [String], status: String) {
        precondition(controllers.map(\.id) == ScreenID.allCases, "one controller per screen, in tab order")
        self.controllers = controllers
        self.labels = labels
        self.status = status
        shell = ShellState(current: initial)
    }

    /// Runs until quit; the terminal is restored on every way out. Throws when there is no usable terminal.
    public func run() throws(TerminalError) {
        let terminal = try CursesTerminal()
        SignalTrap.install(onCrash: { _ = endwin() })
        defer {
            for controller in controllers { controller.shutdown() }
            terminal.restore()
        }
        let context = DrawingContext(glyphs: terminal.glyphs, labels: labels)
        var size = terminal.size
        shell.resize(width: size.width, height: size.height)
        var visible = shell.current
        controllers[visible.rawValue].setVisible(true)
        var dirty = true
        let frameNanoseconds: UInt64 = 33_000_000
        var lastDraw: UInt64 = 0
        loop: while SignalTrap.received == nil {
            var resized = false
            if let key = terminal.readKey(resized: &resized) {
                let screen = controllers[shell.current.rawValue]
                switch shell.handle(key: key, screenCapturesText: screen.capturesText) {
                case .quit: break loop
                case .handled: break
                case .forward(let key):
                    if screen.handle(key: key) == .quit { break loop }
                }
                dirty = true
            }
            if resized {
                size = terminal.size
                shell.resize(width: size.width, height: size.height)
                dirty = true
            }
            if shell.current != visible {
                controllers[visible.rawValue].setVisible(false)
                visible = shell.current
                controllers[visible.rawValue].setVisible(true)
            }
            let now = DispatchTime.now().uptimeNanoseconds
            guard now - lastDraw >= frameNanoseconds || dirty else { continue }
            for controller in controllers where controller.poll() && controller.id == visible { dirty = true }
            if dirty {
                terminal.present(ShellView.draw(shell, screen: controllers[visible.rawValue], status: status, context: context))
                lastDraw = now
                dirty = false
            }
        }
    }
}
