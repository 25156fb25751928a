import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A detached tmux session running one command, for end-to-end tests of the terminal UI:
/// send keys, read the screen back, resize, and wait for text to appear.
///
/// Each session uses its own tmux server socket (`-L`), so tests running in parallel never see
/// each other's windows.
public final class TmuxSession {
    public let socket: String
    public let name = "emoscope"

    /// Whether tmux is installed.
    public static var isAvailable: Bool {
        (try? ProcessRunner.run(["tmux", "-V"]).status) == 0
    }

    /// Starts `command` (a shell command line) in a `width`×`height` window with `environment` set.
    public init(command: String, width: Int = 100, height: Int = 32, environment: [String: String] = [:]) throws {
        socket = "emoscope-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let exports = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        // Keep the pane after the program exits so its last screen, its exit status and the
        // terminal's modes (restored: "[tty icanon echo]") can be read.
        let script = "env TERM=xterm-256color LANG=C.UTF-8 \(exports) \(command); echo \"[exited $?]\"; "
            + "echo \"[tty $(stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' ' ')]\"; sleep 600"
        let result = try tmux(["new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", script])
        guard result.status == 0 else { throw TmuxError(message: "tmux new-session failed: \(result.stderr)") }
        _ = try? tmux(["set-option", "-g", "window-size", "manual"])
    }

    deinit { _ = try? tmux(["kill-server"]) }

    @discardableResult
    func tmux(_ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.run(["tmux", "-L", socket] + arguments)
    }

    /// Sends keys as tmux names them (`"q"`, `"Enter"`, `"Space"`, `"C-c"`, `"Down"`, …).
    public func send(_ keys: String...) throws {
        try tmux(["send-keys", "-t", name] + keys)
    }

    /// Sends literal text.
    public func type(_ text: String) throws {
        try tmux(["send-keys", "-t", name, "-l", text])
    }

    /// The visible screen as text.
    public func screen() throws -> String {
        try tmux(["capture-pane", "-p", "-t", name]).stdout
    }

    /// Resizes the window (the program gets SIGWINCH).
    public func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Waits until `predicate` holds for the screen; returns the last screen either way.
    @discardableResult
    public func waitFor(timeout: Double = 20, _ predicate: (String) -> Bool) throws -> (ok: Bool, screen: String) {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        repeat {
            last = try screen()
            if predicate(last) {
                // A frame can reach the terminal in pieces (on a loaded machine, visibly): take the
                // screen once two captures agree, or the last that matched within a second.
                let settled = Date().addingTimeInterval(1)
                while Date() < settled {
                    usleep(50_000)
                    let next = try screen()
                    if next == last || !predicate(next) { break }
                    last = next
                }
                return (true, last)
            }
            usleep(100_000)
        } while Date() < deadline
        return (false, last)
    }

    /// Waits until the screen contains `text`.
    @discardableResult
    public func waitFor(_ text: String, timeout: Double = 20) throws -> (ok: Bool, screen: String) {
        try waitFor(timeout: timeout) { $0.contains(text) }
    }

    /// The text quoted for a POSIX shell.
    public static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

/// A tmux command failed.
public struct TmuxError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
