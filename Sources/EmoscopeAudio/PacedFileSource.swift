import Glibc
import Synchronization

/// Plays a decoded clip into a SampleRing at real-time pace, then state `.finished`.
///
/// Chunks of 10 ms are appended when their last sample is due on a monotonic clock measured from
/// `start()`, so sleeping late never accumulates drift. Used by `emoscope live --file CLIP`, demos and tests.
public final class PacedFileSource: LiveAudioSource, @unchecked Sendable {
    /// Samples per second of the clip and the ring.
    public let sampleRate: Int
    /// The ring the clip is played into.
    public let ring: SampleRing
    /// The file name shown on screen.
    public let displayName: String
    /// Whether the clip starts over at its end instead of finishing.
    public let loop: Bool
    /// Playback speed: 2 delivers twice as fast as real time; `.infinity` as fast as possible.
    public let speed: Double
    /// Samples per appended chunk (10 ms).
    public let chunkFrames: Int

    private let samples: [Float]
    private let pause = PauseFlag()
    private let status = SourceStatus()
    private let worker = WorkerSlot()

    /// A source for `samples` at `sampleRate` Hz, shown as `name`; `speed` must be positive.
    public init(samples: [Float], sampleRate: Int, name: String, ringSeconds: Double = 90, loop: Bool = false, speed: Double = 1) {
        precondition(sampleRate > 0 && speed > 0, "PacedFileSource needs a positive sample rate and speed")
        self.samples = samples
        self.sampleRate = sampleRate
        self.displayName = name
        self.loop = loop
        self.speed = speed
        chunkFrames = max(1, sampleRate / 100)
        ring = SampleRing(capacity: max(sampleRate, Int(ringSeconds * Double(sampleRate))))
    }

    deinit { stop() }

    /// Current state, safe to read from any thread.
    public var state: LiveSourceState { status.state }
    /// Always 0: a file never overruns.
    public var overruns: Int { 0 }

    /// Starts playing from the clip's beginning on its own thread; does nothing while already running.
    /// The ring keeps its earlier samples: positions continue where they were.
    public func start() throws(AudioDeviceError) {
        try worker.start(isRunning: state == .running) { () throws(AudioDeviceError) -> WorkerThread in
            status.state = .running
            let pacer = Pacer(samples: samples, rate: sampleRate, chunk: chunkFrames, speed: speed, loop: loop,
                              ring: ring, status: status, pause: pause)
            do throws(WorkerThreadError) {
                return try WorkerThread { thread in pacer.run(thread) }
            } catch {
                status.state = .idle
                throw AudioDeviceError(kind: .failed, device: displayName, message: "could not start the playback thread (error \(error.code))",
                                       hint: "close other programs and try again")
            }
        }
    }

    /// Holds the clip where it is (nothing is appended) until resumed; the pace continues from there.
    public func setPaused(_ paused: Bool) { pause.value.store(paused, ordering: .releasing) }

    /// Stops and joins the thread; idempotent. A finished source stays `.finished`.
    public func stop() {
        worker.stop()
        status.transition(from: .running, to: .idle)
    }
}

/// What the pacing thread owns.
private final class Pacer: @unchecked Sendable {
    let samples: [Float]
    let rate: Int, chunk: Int
    let speed: Double
    let loop: Bool
    let ring: SampleRing
    let status: SourceStatus
    let pause: PauseFlag

    init(samples: [Float], rate: Int, chunk: Int, speed: Double, loop: Bool, ring: SampleRing, status: SourceStatus, pause: PauseFlag) {
        (self.samples, self.rate, self.chunk, self.speed, self.loop, self.ring, self.status, self.pause) =
            (samples, rate, chunk, speed, loop, ring, status, pause)
    }

    func run(_ thread: WorkerThread) {
        var start = Self.now()
        var delivered = 0, offset = 0
        samples.withUnsafeBufferPointer { clip in
            while !thread.shouldStop {
                if offset == clip.count {
                    guard loop, !clip.isEmpty else {
                        status.transition(from: .running, to: .finished)
                        return
                    }
                    offset = 0
                }
                if pause.value.load(ordering: .acquiring) {
                    // The clock stops with the clip: shift the start by the time spent paused.
                    let pausedAt = Self.now()
                    while pause.value.load(ordering: .acquiring) {
                        if thread.shouldStop { return }
                        usleep(10_000)
                    }
                    start += Self.now() - pausedAt
                }
                let count = min(chunk, clip.count - offset)
                let due = start + UInt64(Double(delivered + count) / Double(rate) / speed * 1e9)
                guard sleep(until: due, thread) else { return }
                ring.append(UnsafeBufferPointer(rebasing: clip[offset..<offset + count]))
                offset += count
                delivered += count
            }
        }
    }

    /// Sleeps until `due` in slices of at most 20 ms; false when a stop was asked for meanwhile.
    private func sleep(until due: UInt64, _ thread: WorkerThread) -> Bool {
        while true {
            if thread.shouldStop { return false }
            let now = Self.now()
            if now >= due { return true }
            let wake = min(due, now + 20_000_000)
            var target = timespec(tv_sec: Int(wake / 1_000_000_000), tv_nsec: Int(wake % 1_000_000_000))
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, nil)
        }
    }

    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

/// Whether a paced source is held, shared by the source and its thread.
private final class PauseFlag: Sendable {
    let value = Atomic<Bool>(false)
}
