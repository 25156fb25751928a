import Foundation

/// Runs `body(chunk, range)` over `0..<count` split into `chunks` contiguous ranges, one per
/// thread. The split depends only on `count` and `chunks`, so results reduced in chunk order
/// are deterministic whatever the scheduling.
func forEachChunk(_ count: Int, chunks: Int, _ body: (Int, Range<Int>) -> Void) {
    let chunks = max(1, min(chunks, count))
    guard chunks > 1 else {
        if count > 0 { body(0, 0..<count) }
        return
    }
    withoutActuallyEscaping(body) { body in
        let box = UncheckedBox(body)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let lower = count * chunk / chunks, upper = count * (chunk + 1) / chunks
            box.value(chunk, lower..<upper)
        }
    }
}

/// `body(chunk, index)` for every index in `0..<count`, on `threads` threads in the fixed
/// chunks of `forEachChunk` (so `chunk` can select per-thread resources); results in index order.
func parallelMap<T>(_ count: Int, threads: Int, _ body: (_ chunk: Int, _ index: Int) -> T) -> [T] {
    let chunks = max(1, min(threads, count))
    var parts = [[T]](repeating: [], count: chunks)
    parts.withUnsafeMutableBufferPointer { buffer in
        let shared = SharedPointer(base: buffer.baseAddress!)
        forEachChunk(count, chunks: chunks) { chunk, range in
            var part: [T] = []
            part.reserveCapacity(range.count)
            for index in range { part.append(body(chunk, index)) }
            shared.base[chunk] = part
        }
    }
    return parts.flatMap { $0 }
}

/// Carries a non-Sendable value into `concurrentPerform`, whose workers touch disjoint data.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A raw pointer handed to parallel workers that write disjoint parts of it.
struct SharedPointer<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
}

/// Items handed out one at a time to parallel workers, until they run out or a worker halts the queue.
final class WorkQueue<Item>: @unchecked Sendable {
    private let lock = NSLock()
    private let items: [Item]
    private var position = 0
    private var stopped = false
    private var failure: (any Error)?

    init(_ items: [Item]) { self.items = items }

    /// The next item; nil once they are all handed out or the queue is halted.
    func next() -> Item? {
        lock.withLock {
            guard position < items.count, !stopped, failure == nil else { return nil }
            defer { position += 1 }
            return items[position]
        }
    }

    /// True once a worker stopped or failed.
    var isHalted: Bool { lock.withLock { stopped || failure != nil } }

    /// Hands out nothing more; keeps the first error.
    func halt(_ error: (any Error)? = nil, stopped: Bool = false) {
        lock.withLock {
            if failure == nil { failure = error }
            self.stopped = self.stopped || stopped
        }
    }

    /// Throws the first error; false when a worker stopped.
    func outcome() throws -> Bool {
        try lock.withLock {
            if let failure { throw failure }
            return !stopped
        }
    }
}

/// A value that several threads may set and read.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
}

/// Adds `other` to `values`, element by element (both of the same shape).
func addElementwise(_ other: [[Float]], to values: inout [[Float]]) {
    for i in values.indices { for k in values[i].indices { values[i][k] += other[i][k] } }
}
