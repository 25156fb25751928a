import Glibc
import Synchronization

/// A joinable POSIX thread running one closure, with a stop flag the closure polls.
///
/// The thread blocks every asynchronous signal, so SIGINT, SIGTERM and SIGWINCH reach the UI thread
/// instead of interrupting an audio read.
final class WorkerThread: @unchecked Sendable {
    private let stopFlag = Atomic<Bool>(false)
    private var thread: pthread_t?

    /// Whether `stop()` has been asked for; the body returns soon after it turns true.
    var shouldStop: Bool { stopFlag.load(ordering: .acquiring) }

    private final class Payload {
        let body: (WorkerThread) -> Void
        let owner: WorkerThread
        init(body: @escaping (WorkerThread) -> Void, owner: WorkerThread) {
            self.body = body
            self.owner = owner
        }
    }

    /// Starts `body` on a new thread.
    init(body: @escaping @Sendable (WorkerThread) -> Void) throws(WorkerThreadError) {
        let payload = Unmanaged.passRetained(Payload(body: body, owner: self)).toOpaque()
        var handle = pthread_t()
        let result = pthread_create(&handle, nil, { raw in
            let payload = Unmanaged<Payload>.fromOpaque(raw!).takeRetainedValue()
            var signals = sigset_t()
            sigfillset(&signals)
            for synchronous in [SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP] { sigdelset(&signals, synchronous) }
            pthread_sigmask(SIG_BLOCK, &signals, nil)
            payload.body(payload.owner)
            return nil
        }, payload)
        guard result == 0 else {
            Unmanaged<Payload>.fromOpaque(payload).release()
            throw WorkerThreadError(code: result)
        }
        thread = handle
    }

    /// Asks the body to return and waits until it has; idempotent, not to be called from the thread itself.
    func stopAndJoin() {
        stopFlag.store(true, ordering: .releasing)
        join()
    }

    /// Waits until the body has returned; idempotent.
    func join() {
        guard let handle = thread else { return }
        thread = nil
        pthread_join(handle, nil)
    }
}

/// pthread_create failed.
struct WorkerThreadError: Error {
    let code: Int32
}
