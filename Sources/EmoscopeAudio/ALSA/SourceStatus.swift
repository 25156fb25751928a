import Synchronization

/// The state a live source's worker thread shares with readers on other threads.
final class SourceStatus: Sendable {
    private let current = Mutex<LiveSourceState>(.idle)
    private let overrunCount = Atomic<Int>(0)

    var state: LiveSourceState {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }

    /// Sets `state` to `new` only while it is `old`; tells whether it did.
    @discardableResult
    func transition(from old: LiveSourceState, to new: LiveSourceState) -> Bool {
        current.withLock { state in
            guard state == old else { return false }
            state = new
            return true
        }
    }

    var overruns: Int { overrunCount.load(ordering: .relaxed) }

    func countOverrun() { overrunCount.add(1, ordering: .relaxed) }
}

/// Owns a source's worker thread: starts one at a time, stops and joins it.
final class WorkerSlot: Sendable {
    private let worker = Mutex<WorkerThread?>(nil)

    /// Runs `launch` (which starts and returns a worker) unless one is running; a finished worker is joined first.
    func start<E: Error>(isRunning: Bool, _ launch: () throws(E) -> WorkerThread) throws(E) {
        try worker.withLock { (slot: inout WorkerThread?) throws(E) in
            if slot != nil, isRunning { return }
            slot?.join()
            slot = nil
            slot = try launch()
        }
    }

    /// Stops and joins the worker, if any; idempotent.
    func stop() {
        worker.withLock { slot in
            slot?.stopAndJoin()
            slot = nil
        }
    }
}
