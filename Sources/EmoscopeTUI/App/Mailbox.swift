import Foundation

/// Values handed from background threads to the UI thread, in the order they were posted.
final class Mailbox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Value] = []

    /// Queues a value (any thread).
    func post(_ value: Value) { lock.withLock { values.append(value) } }

    /// Everything queued since the last call.
    func take() -> [Value] {
        lock.withLock {
            defer { values.removeAll() }
            return values
        }
    }
}
