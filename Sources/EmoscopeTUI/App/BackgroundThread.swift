import Foundation

/// Starts detached background threads that leave asynchronous signals (SIGINT, SIGTERM, SIGWINCH)
/// to the UI thread.
public enum BackgroundThread {
    /// Runs `body` on a new thread named `name`.
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            var signals = sigset_t()
            sigfillset(&signals)
            for synchronous in [SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP] { sigdelset(&signals, synchronous) }
            pthread_sigmask(SIG_BLOCK, &signals, nil)
            body()
        }
        thread.name = name
        thread.start()
    }
}
