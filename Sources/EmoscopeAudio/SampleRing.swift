import Dispatch
import Synchronization

/// Single-producer ring of mono Float samples addressed by absolute position. The writer never blocks
/// and overwrites the oldest samples; readers copy any range still held.
///
/// Readers validate a copy like a seqlock: before touching storage the writer publishes how far it is
/// about to write (`reserved`), and a reader checks that bound again after copying, so a copy that
/// raced with an overwrite is reported as failed instead of returning mixed samples.
public final class SampleRing: @unchecked Sendable {
    /// Number of samples held.
    public let capacity: Int
    private let storage: UnsafeMutablePointer<Float>
    /// One past the newest complete sample.
    private let published = Atomic<Int>(0)
    /// One past the newest sample the writer may be storing right now (≥ `published`).
    private let reserved = Atomic<Int>(0)
    private let appendTime = Atomic<UInt64>(0)

    /// An empty ring holding the last `capacity` samples (at least one).
    public init(capacity: Int) {
        precondition(capacity > 0, "SampleRing capacity must be positive")
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
        storage.initialize(repeating: 0, count: capacity)
    }

    deinit { storage.deallocate() }

    /// Total samples ever appended (the absolute position one past the newest sample). Acquire-load.
    public var written: Int { published.load(ordering: .acquiring) }

    /// The oldest absolute position still held.
    public var oldest: Int { max(0, written - capacity) }

    /// Monotonic time (DispatchTime.now().uptimeNanoseconds) of the last append, for latency measurement.
    public var lastAppendNanoseconds: UInt64 { appendTime.load(ordering: .acquiring) }

    /// Appends samples (one producer thread only). Never blocks, never allocates.
    public func append(_ samples: UnsafeBufferPointer<Float>) {
        guard let base = samples.baseAddress, !samples.isEmpty else { return }
        let start = published.load(ordering: .relaxed)
        let end = start + samples.count
        reserved.store(end, ordering: .relaxed)
        // Orders the reservation before the stores below: a reader that sees new data sees the reservation.
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        // Only the newest `capacity` samples of an oversized chunk can be held.
        let kept = min(samples.count, capacity)
        var source = base + (samples.count - kept)
        var position = end - kept
        var remaining = kept
        while remaining > 0 {
            let slot = position % capacity
            let run = min(remaining, capacity - slot)
            (storage + slot).update(from: source, count: run)
            source += run
            position += run
            remaining -= run
        }
        appendTime.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
        published.store(end, ordering: .releasing)
    }

    /// Appends the samples of an array (one producer thread only).
    public func append(_ samples: [Float]) {
        samples.withUnsafeBufferPointer { append($0) }
    }

    /// Copies absolute positions start..<start+destination.count into destination; false when part of the
    /// range is not written yet or already overwritten (checked again after the copy, so a racing writer is detected).
    public func copy(from start: Int, into destination: UnsafeMutableBufferPointer<Float>) -> Bool {
        let count = destination.count
        guard let target = destination.baseAddress, count > 0 else { return start >= 0 && start <= written }
        let end = start + count
        guard start >= 0, count <= capacity, end <= written, start >= reserved.load(ordering: .acquiring) - capacity else {
            return false
        }
        var position = start
        var output = target
        while position < end {
            let slot = position % capacity
            let run = min(end - position, capacity - slot)
            output.update(from: storage + slot, count: run)
            output += run
            position += run
        }
        // Orders the copy before the re-check: an overwrite that touched the copied slots is visible here.
        atomicMemoryFence(ordering: .acquiring)
        return start >= reserved.load(ordering: .relaxed) - capacity
    }

    /// The samples at start..<start+count, or nil when they are not all held.
    public func samples(from start: Int, count: Int) -> [Float]? {
        var result = [Float](repeating: 0, count: count)
        let ok = result.withUnsafeMutableBufferPointer { copy(from: start, into: $0) }
        return ok ? result : nil
    }
}
