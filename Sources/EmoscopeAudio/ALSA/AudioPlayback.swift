import CALSA
import Glibc
import Synchronization

/// Plays mono samples through ALSA on its own thread; `position` (seconds) for a cursor on the waveform; stop() any time.
///
/// The device is opened and configured in `init`, so a missing or busy device is reported before anything plays.
public final class AudioPlayback: @unchecked Sendable {
    /// Rate of the samples given, Hz.
    public let sampleRate: Int
    /// Length of the clip in seconds.
    public let duration: Double

    private let device: ALSADevice
    /// The clip at the device's rate.
    private let samples: [Float]
    private let status = PlaybackStatus()
    private let worker = WorkerSlot()

    /// Opens `device` for `samples` (mono, `sampleRate` Hz). `configFile`: an ALSA configuration that defines
    /// `device` by itself, used instead of the system's.
    public init(samples: [Float], sampleRate: Int, device name: String = "default", configFile: String? = nil) throws(AudioDeviceError) {
        device = try ALSADevice(name: name, direction: .playback, configFile: configFile)
        try device.configure(rate: sampleRate)
        self.sampleRate = sampleRate
        duration = Double(samples.count) / Double(sampleRate)
        self.samples = device.rate == sampleRate
            ? samples : SampleRateConversion.resample(samples, from: Double(sampleRate), to: Double(device.rate))
    }

    deinit { stop() }

    /// Seconds of the clip heard so far (what was written minus what ALSA still buffers).
    public var position: Double { Double(status.frames.load(ordering: .relaxed)) / Double(device.rate) }
    /// Whether the clip is playing.
    public var isPlaying: Bool { status.playing.load(ordering: .acquiring) }
    /// Why playback stopped early, if it did (e.g. the device went away).
    public var failure: AudioDeviceError? { status.failure.withLock { $0 } }
    /// The ALSA device name.
    public var deviceName: String { device.name }

    /// Plays from the beginning.
    public func start() { start(at: 0) }

    /// Plays from `seconds` into the clip, stopping what plays now first.
    public func start(at seconds: Double) {
        stop()
        let first = min(samples.count, max(0, Int(seconds * Double(device.rate))))
        status.failure.withLock { $0 = nil }
        status.frames.store(first, ordering: .relaxed)
        status.playing.store(true, ordering: .releasing)
        let player = Player(device: device, samples: samples, first: first, status: status)
        do {
            try worker.start(isRunning: false) { () throws(WorkerThreadError) in
                try WorkerThread { thread in player.run(thread) }
            }
        } catch {
            player.finish(failure: AudioDeviceError(kind: .failed, device: device.name, message: "could not start the playback thread",
                                                    hint: "close other programs and try again"))
        }
    }

    /// Stops playing at once (drops what ALSA buffers); idempotent.
    public func stop() {
        worker.stop()
        status.playing.store(false, ordering: .releasing)
    }
}

/// State shared by the playback thread and readers.
private final class PlaybackStatus: Sendable {
    let frames = Atomic<Int>(0)
    let playing = Atomic<Bool>(false)
    let failure = Mutex<AudioDeviceError?>(nil)
}

/// What the playback thread owns: it converts periods to the device's format and writes them.
private final class Player: @unchecked Sendable {
    let device: ALSADevice
    let samples: [Float]
    let first: Int
    let status: PlaybackStatus

    init(device: ALSADevice, samples: [Float], first: Int, status: PlaybackStatus) {
        (self.device, self.samples, self.first, self.status) = (device, samples, first, status)
    }

    func run(_ thread: WorkerThread) {
        let pcm = device.pcm, period = device.periodFrames
        let raw = UnsafeMutableRawPointer.allocate(byteCount: period * device.bytesPerFrame, alignment: 16)
        defer { raw.deallocate() }
        snd_pcm_drop(pcm)
        let prepared = snd_pcm_prepare(pcm)
        guard prepared == 0 else { return finish(failure: device.error(prepared)) }
        var offset = first
        while offset < samples.count, !thread.shouldStop {
            let count = min(period, samples.count - offset)
            fill(raw, from: offset, count: count)
            var done = 0
            while done < count, !thread.shouldStop {
                let written = snd_pcm_writei(pcm, raw + done * device.bytesPerFrame, snd_pcm_uframes_t(count - done))
                if written == -Int(EAGAIN) || written == -Int(EINTR) { continue }
                if written < 0 {
                    let code = Int32(written)
                    if code == -EPIPE || code == -ESTRPIPE, snd_pcm_recover(pcm, code, 1) == 0 { continue }
                    snd_pcm_drop(pcm)
                    return finish(failure: device.error(code))
                }
                done += written
            }
            offset += count
            var delay = snd_pcm_sframes_t(0)
            let pending = snd_pcm_delay(pcm, &delay) == 0 ? max(0, delay) : 0
            status.frames.store(max(first, offset - pending), ordering: .relaxed)
        }
        if thread.shouldStop {
            snd_pcm_drop(pcm)
        } else {
            snd_pcm_drain(pcm)
            status.frames.store(samples.count, ordering: .relaxed)
        }
        finish(failure: nil)
    }

    /// Marks playback as over, with the error that ended it early.
    func finish(failure: AudioDeviceError?) {
        if let failure { status.failure.withLock { $0 = failure } }
        status.playing.store(false, ordering: .releasing)
    }

    /// Converts `count` mono samples from `offset` to the device's interleaved format.
    private func fill(_ raw: UnsafeMutableRawPointer, from offset: Int, count: Int) {
        switch device.format {
        case .int16: spread(raw.assumingMemoryBound(to: Int16.self), offset, count) { Int16((Double($0) * 32_767).rounded()) }
        case .int32: spread(raw.assumingMemoryBound(to: Int32.self), offset, count) { Int32((Double($0) * 2_147_483_647).rounded()) }
        case .float32: spread(raw.assumingMemoryBound(to: Float.self), offset, count) { $0 }
        }
    }

    /// Writes each sample, clipped to [-1, 1] and converted by `value`, to every channel of its frame.
    @inline(__always)
    private func spread<Sample>(_ out: UnsafeMutablePointer<Sample>, _ offset: Int, _ count: Int, _ value: (Float) -> Sample) {
        let channels = device.channels
        for frame in 0..<count {
            let sample = value(max(-1, min(1, samples[offset + frame])))
            for channel in 0..<channels { out[frame * channels + channel] = sample }
        }
    }
}
