import EmoscopeAudio

/// Something that plays one clip: ALSA playback, or a stand-in in tests.
public protocol ClipPlayer: AnyObject, Sendable {
    /// Plays from the beginning.
    func start()
    /// Stops at once; idempotent.
    func stop()
    /// Seconds heard so far.
    var position: Double { get }
    /// Whether the clip is still playing.
    var isPlaying: Bool { get }
    /// Why playback stopped early, if it did.
    var failure: AudioDeviceError? { get }
}

extension AudioPlayback: ClipPlayer {}

/// Opens a player for mono `samples` at `sampleRate` Hz; throws when there is no usable output device.
public typealias ClipPlayerFactory = @Sendable (_ samples: [Float], _ sampleRate: Int) throws(AudioDeviceError) -> any ClipPlayer

extension ClipPreviewer {
    /// Players on the ALSA output `device`.
    public static func alsaPlayers(device: String = "default") -> ClipPlayerFactory {
        { samples, rate throws(AudioDeviceError) in try AudioPlayback(samples: samples, sampleRate: rate, device: device) }
    }
}
