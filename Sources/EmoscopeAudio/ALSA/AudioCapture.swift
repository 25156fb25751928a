import CALSA
import Glibc

/// ALSA capture into a SampleRing on its own thread: 16 kHz mono, periods of about 20 ms.
///
/// The device is asked for interleaved 16-bit (else 32-bit or float) samples, one channel and the target rate with
/// ALSA's resampling, so `default` and `plughw:` convert; a hardware device that insists on more channels
/// is downmixed, and one that insists on another rate is resampled here with soxr. Overruns (EPIPE,
/// ESTRPIPE) are recovered and counted; a device that goes away (ENODEV, EIO), keeps failing or stops
/// delivering for 5 s turns the state to `.failed(.disconnected …)`. The thread never waits on a reader:
/// it only appends to the ring.
public final class AudioCapture: LiveAudioSource, @unchecked Sendable {
    /// Samples per second delivered into the ring.
    public let sampleRate: Int
    /// The ring the capture appends to.
    public let ring: SampleRing
    /// Rate the device delivers, Hz (resampled to `sampleRate` when different).
    public var deviceRate: Int { device.rate }
    /// Channels the device delivers (downmixed to mono).
    public var deviceChannels: Int { device.channels }
    /// Frames per ALSA read.
    public var periodFrames: Int { device.periodFrames }
    /// Once the ring has received this many samples the capture finishes (state `.finished`); nil: it runs until `stop()`.
    public let frameLimit: Int?

    private let device: ALSADevice
    private let resampler: Resampler?
    private let status = SourceStatus()
    private let worker = WorkerSlot()

    /// Opens and configures `device`; errors name the cause (no sound card, not found, busy, unsupported).
    ///
    /// `configFile`: an ALSA configuration that defines `device` by itself, used instead of the system's
    /// (tests feed a raw file through the `file` plugin this way). `frameLimit`: see the property.
    public init(device name: String = "default", sampleRate: Int = 16_000, ringSeconds: Double = 90,
                configFile: String? = nil, frameLimit: Int? = nil) throws(AudioDeviceError) {
        device = try ALSADevice(name: name, direction: .capture, configFile: configFile)
        try device.configure(rate: sampleRate)
        if device.rate == sampleRate {
            resampler = nil
        } else {
            do {
                resampler = try Resampler(inputRate: Double(device.rate), outputRate: Double(sampleRate))
            } catch {
                throw AudioDeviceError(kind: .unsupported, device: name, message: "cannot convert the device's \(device.rate) Hz",
                                       hint: "use a converting device such as default or plughw:CARD")
            }
        }
        self.sampleRate = sampleRate
        self.frameLimit = frameLimit
        ring = SampleRing(capacity: max(sampleRate, Int(ringSeconds * Double(sampleRate))))
    }

    deinit { stop() }

    /// The ALSA device name.
    public var displayName: String { device.name }
    /// Current state, safe to read from any thread.
    public var state: LiveSourceState { status.state }
    /// Overruns recovered so far.
    public var overruns: Int { status.overruns }

    /// Starts capturing on its own thread; does nothing while already running.
    public func start() throws(AudioDeviceError) {
        try worker.start(isRunning: state == .running) { () throws(AudioDeviceError) -> WorkerThread in
            let pcm = device.pcm
            snd_pcm_drop(pcm)
            let prepared = snd_pcm_prepare(pcm)
            guard prepared == 0 else { throw device.error(prepared) }
            let started = snd_pcm_start(pcm)
            guard started == 0 else { throw device.error(started) }
            status.state = .running
            let loop = CaptureLoop(device: device, ring: ring, resampler: resampler, status: status, limit: frameLimit)
            do throws(WorkerThreadError) {
                return try WorkerThread { thread in loop.run(thread) }
            } catch {
                status.state = .idle
                throw AudioDeviceError(kind: .failed, device: device.name, message: "could not start the capture thread (error \(error.code))",
                                       hint: "close other programs and try again")
            }
        }
    }

    /// Stops capturing and joins the thread; idempotent. A finished or failed capture keeps its state.
    public func stop() {
        worker.stop()
        snd_pcm_drop(device.pcm)
        status.transition(from: .running, to: .idle)
    }
}
