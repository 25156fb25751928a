import CALSA
import Glibc

/// Why an audio device could not be used, with what the user can do about it.
public struct AudioDeviceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A short, stable name of the cause for tables and JSON.
    public enum Kind: String, Sendable {
        case noSoundCard = "no-sound-card", notFound = "not-found", busy, unsupported, disconnected, failed
    }

    /// The cause.
    public var kind: Kind
    /// The ALSA device name (`default`, `hw:1,0`, …).
    public var device: String
    /// One sentence, e.g. "no sound card found", "device busy (another program is using it)".
    public var message: String
    /// What to do, e.g. "plug in a microphone, pick another with --device … or play a file: emoscope live --file CLIP".
    public var hint: String

    /// An error from its parts.
    public init(kind: Kind, device: String, message: String, hint: String) {
        self.kind = kind
        self.device = device
        self.message = message
        self.hint = hint
    }

    public var description: String { "audio device \(device): \(message); \(hint)" }
}

/// Whether a PCM records or plays.
enum AudioDirection: Sendable {
    case capture, playback

    var stream: snd_pcm_stream_t { self == .capture ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK }
}

extension AudioDeviceError {
    /// What a listener can do instead of using a broken device.
    static func fallback(_ direction: AudioDirection) -> String {
        direction == .capture
            ? "pick another with --device (emoscope live --list-devices) or play a file: emoscope live --file CLIP"
            : "clips play on ALSA's default output (set it in ~/.asoundrc); analysis works without sound"
    }

    /// `advice` about the device, then the fallback; playback (Browse, Review) picks no device, so it gets the fallback alone.
    static func deviceAdvice(_ advice: String, _ direction: AudioDirection) -> String {
        direction == .capture ? "\(advice), or \(fallback(direction))" : fallback(direction)
    }

    /// No sound card at all.
    static func noSoundCard(device: String, direction: AudioDirection) -> AudioDeviceError {
        let plug = direction == .capture ? "plug in a microphone" : "plug in speakers or headphones"
        return AudioDeviceError(kind: .noSoundCard, device: device, message: "no sound card found",
                                hint: "\(plug), \(fallback(direction))")
    }

    /// The device the stream was reading or writing stopped working.
    static func disconnected(device: String, direction: AudioDirection, detail: String = "the device went away") -> AudioDeviceError {
        AudioDeviceError(kind: .disconnected, device: device, message: detail,
                         hint: "reconnect it and start again, or \(fallback(direction))")
    }

    /// Maps ALSA's negative error `code` (from opening the PCM when `whileOpening`, else from configuring or
    /// streaming it) to an error that says what happened and what to do. `soundCardPresent` decides whether a
    /// missing device means "no sound card" (false) or "no device by that name".
    public static func fromALSA(code: Int32, device: String, whileOpening: Bool, forPlayback: Bool = false,
                                soundCardPresent: Bool) -> AudioDeviceError {
        let direction: AudioDirection = forPlayback ? .playback : .capture
        let reason = String(cString: snd_strerror(code))
        switch (-code, whileOpening) {
        case (ENOENT, true), (ENODEV, true), (ENXIO, true):
            guard soundCardPresent else { return noSoundCard(device: device, direction: direction) }
            return AudioDeviceError(kind: .notFound, device: device, message: "no audio device by that name",
                                    hint: deviceAdvice("list them with emoscope live --list-devices and pick one with --device", direction))
        case (EBUSY, _), (EAGAIN, true):
            return AudioDeviceError(kind: .busy, device: device, message: "device busy (another program is using it)",
                                    hint: "close the other program (fuser -v /dev/snd/* names it) or \(fallback(direction))")
        case (EACCES, _), (EPERM, _):
            return AudioDeviceError(kind: .failed, device: device, message: "permission denied",
                                    hint: "add your user to the audio group (sudo usermod -aG audio $USER, then log in again) or \(fallback(direction))")
        case (EINVAL, false):
            let what = direction == .capture ? "record" : "play"
            return AudioDeviceError(kind: .unsupported, device: device,
                                    message: "the device cannot \(what) 16-bit or float audio at the rate asked for (\(reason))",
                                    hint: deviceAdvice("use a converting device such as default or plughw:CARD", direction))
        case (ENODEV, false), (ENXIO, false), (EIO, false), (EBADFD, false), (ESTRPIPE, false):
            return disconnected(device: device, direction: direction)
        default:
            return AudioDeviceError(kind: .failed, device: device, message: "ALSA error \(code) (\(reason))",
                                    hint: fallback(direction))
        }
    }
}
