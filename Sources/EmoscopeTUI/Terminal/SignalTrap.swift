import Foundation

/// The signal that asked the app to stop (0 while none did). Written only by the handler.
nonisolated(unsafe) private var pendingSignal: sig_atomic_t = 0
/// Restores the terminal before a crash signal kills the process.
nonisolated(unsafe) private var crashHandler: (@convention(c) () -> Void)?
/// The handlers that were installed before ours (Swift's backtracer), by signal number.
nonisolated(unsafe) private let previousCrashActions = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)

/// Turns SIGINT, SIGTERM and SIGHUP into a flag the UI loop polls, so the loop can finish
/// recordings and restore the terminal; crash signals restore the terminal before dying.
public enum SignalTrap {
    /// Signals that end the app cleanly.
    public static let stopSignals = [SIGINT, SIGTERM, SIGHUP]

    /// Installs the handlers and unblocks the signals (threads of a test runner may have blocked them).
    /// `onCrash` runs (best effort) before a crash signal kills the process.
    public static func install(onCrash: @convention(c) () -> Void) {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in stopSignals + [SIGWINCH] { sigaddset(&unblock, signal) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        for signal in stopSignals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { pendingSignal = $0 }
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, nil)
        }
        crashHandler = onCrash
        for signal in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                crashHandler?()
                // Hand the signal on to whoever had it before (the Swift runtime prints a backtrace).
                sigaction(signal, previousCrashActions + Int(signal), nil)
                raise(signal)
            }
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, previousCrashActions + Int(signal))
        }
    }

    /// The stop signal received, if any.
    public static var received: Int32? { pendingSignal == 0 ? nil : pendingSignal }
}
