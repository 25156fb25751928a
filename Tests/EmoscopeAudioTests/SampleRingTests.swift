import EmoscopeAudio
import Foundation
import Synchronization
import Testing

/// The ring keeps the newest samples by absolute position and refuses ranges it does not hold.
@Suite("sample ring")
struct SampleRingTests {
    /// The value a ramp holds at `position` (exact in Float below 2^24).
    static func ramp(_ position: Int) -> Float { Float(position & 0xFF_FFFF) }

    static func rampChunk(from start: Int, count: Int) -> [Float] { (start..<start + count).map(ramp) }

    @Test func appendAndCopyAcrossWrapAround() {
        let ring = SampleRing(capacity: 10)
        ring.append(Self.rampChunk(from: 0, count: 7))
        ring.append(Self.rampChunk(from: 7, count: 8))
        #expect(ring.written == 15)
        #expect(ring.oldest == 5)
        #expect(ring.samples(from: 5, count: 10) == Self.rampChunk(from: 5, count: 10))
        // Slots 8, 9, 0, 1: the range crosses the end of the storage.
        #expect(ring.samples(from: 8, count: 4) == Self.rampChunk(from: 8, count: 4))
        #expect(ring.samples(from: 14, count: 1) == [14])
    }

    @Test func overwrittenAndFutureRangesAreRefused() {
        let ring = SampleRing(capacity: 10)
        ring.append(Self.rampChunk(from: 0, count: 15))
        #expect(ring.samples(from: 4, count: 3) == nil, "position 4 was overwritten")
        #expect(ring.samples(from: 12, count: 4) == nil, "position 15 is not written yet")
        #expect(ring.samples(from: -1, count: 2) == nil)
        #expect(ring.samples(from: 5, count: 11) == nil, "more than the capacity")
        #expect(ring.samples(from: 5, count: 10) != nil)
    }

    @Test func oversizedAppendKeepsTheNewest() {
        let ring = SampleRing(capacity: 10)
        ring.append(Self.rampChunk(from: 0, count: 3))
        ring.append(Self.rampChunk(from: 3, count: 22))
        #expect(ring.written == 25)
        #expect(ring.samples(from: 15, count: 10) == Self.rampChunk(from: 15, count: 10))
        #expect(ring.samples(from: 14, count: 1) == nil)
    }

    @Test func appendRecordsItsTime() {
        let ring = SampleRing(capacity: 4)
        #expect(ring.lastAppendNanoseconds == 0)
        let before = DispatchTime.now().uptimeNanoseconds
        ring.append([1, 2])
        #expect(ring.lastAppendNanoseconds >= before)
        #expect(ring.lastAppendNanoseconds <= DispatchTime.now().uptimeNanoseconds)
    }

    /// A writer thread appends a ramp while this thread copies ranges at the tail, where the writer
    /// overwrites them: every copy the ring accepts must hold exactly the ramp. Runs until enough copies
    /// were both accepted and refused (a refusal means the copy raced with the writer), or for 20 s.
    @Test func concurrentReaderNeverSeesTornData() {
        let capacity = 4_096
        let ring = SampleRing(capacity: capacity)
        let stop = Flag(), stopped = Flag()
        let writer = Thread {
            var position = 0, step = 1
            var chunk = [Float](repeating: 0, count: 1_024)
            while !stop.value.load(ordering: .acquiring) {
                for i in 0..<step { chunk[i] = Self.ramp(position + i) }
                chunk.withUnsafeBufferPointer { ring.append(UnsafeBufferPointer(rebasing: $0[0..<step])) }
                position += step
                step = step % 997 + 7
            }
            stopped.value.store(true, ordering: .releasing)
        }
        writer.start()
        let deadline = Date().addingTimeInterval(20)
        var destination = [Float](repeating: 0, count: 2_048)
        var accepted = 0, refused = 0, wrong = 0, offset = 0
        while (accepted < 20_000 || refused < 2_000) && Date() < deadline {
            offset = (offset + 37) % 600
            let start = max(0, ring.written - capacity + offset)
            let ok = destination.withUnsafeMutableBufferPointer { ring.copy(from: start, into: $0) }
            guard ok else {
                refused += 1
                continue
            }
            accepted += 1
            for (i, value) in destination.enumerated() where value != Self.ramp(start + i) { wrong += 1 }
        }
        stop.value.store(true, ordering: .releasing)
        while !stopped.value.load(ordering: .acquiring) { Thread.sleep(forTimeInterval: 0.001) }
        #expect(wrong == 0, "\(wrong) wrong samples in \(accepted) accepted copies")
        #expect(accepted >= 20_000 && refused >= 2_000, "accepted \(accepted), refused \(refused) in 20 s")
    }
}

/// A flag shared between test threads.
final class Flag: Sendable {
    let value = Atomic<Bool>(false)
}
