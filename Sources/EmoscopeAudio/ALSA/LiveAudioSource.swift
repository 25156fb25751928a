/// Where live samples come from: a microphone (AudioCapture) or a file played at real-time pace (PacedFileSource).
public protocol LiveAudioSource: AnyObject, Sendable {
    /// Samples per second delivered into the ring (16 000 for Emoscope).
    var sampleRate: Int { get }
    /// The ring the source appends to.
    var ring: SampleRing { get }
    /// Starts delivering on the source's own thread.
    func start() throws(AudioDeviceError)
    /// Stops and joins the thread; idempotent.
    func stop()
    /// Current state, safe to read from any thread.
    var state: LiveSourceState { get }
    /// Number of overruns recovered so far (ALSA xruns), 0 for files.
    var overruns: Int { get }
    /// A short name for the screen: device name or file name.
    var displayName: String { get }
    /// Holds or resumes the input where that makes sense (a file); a microphone keeps capturing.
    func setPaused(_ paused: Bool)
}

extension LiveAudioSource {
    public func setPaused(_ paused: Bool) {}
}

/// What a live source is doing.
public enum LiveSourceState: Equatable, Sendable {
    /// Not started, or stopped by `stop()`.
    case idle
    /// Delivering samples.
    case running
    /// Delivered everything it had (a file reached its end, or a capture its frame limit).
    case finished
    /// Stopped by an error it could not recover from.
    case failed(AudioDeviceError)
}
