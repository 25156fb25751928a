import CALSA
import Glibc

/// A PCM device ALSA knows about: the name to pass to `--device` and ALSA's description of it.
public struct AudioDeviceInfo: Sendable, Equatable {
    /// The ALSA PCM name, e.g. `default`, `hw:CARD=USB,DEV=0`.
    public var name: String
    /// ALSA's description, possibly several lines joined by " — ".
    public var description: String

    /// A device from its name and description.
    public init(name: String, description: String) {
        self.name = name
        self.description = description
    }
}

/// Capture and playback devices, from ALSA's device hints (`snd_device_name_hint`) and card list.
public enum AudioDevices {
    /// PCMs that can record.
    public static func captureDevices() -> [AudioDeviceInfo] { devices(ioid: "Input") }

    /// PCMs that can play.
    public static func playbackDevices() -> [AudioDeviceInfo] { devices(ioid: "Output") }

    /// Whether the system has at least one sound card.
    public static var hasSoundCard: Bool {
        var card: Int32 = -1
        return snd_card_next(&card) == 0 && card >= 0
    }

    private static func devices(ioid wanted: String) -> [AudioDeviceInfo] {
        ALSADevice.silenceErrors()
        var hints: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
        guard snd_device_name_hint(-1, "pcm", &hints) == 0, let hints else { return [] }
        defer { snd_device_name_free_hint(hints) }
        var result: [AudioDeviceInfo] = []
        var cursor = hints
        while let hint = cursor.pointee {
            cursor += 1
            // No IOID means the device does both.
            if let ioid = take(snd_device_name_get_hint(hint, "IOID")), ioid != wanted { continue }
            guard let name = take(snd_device_name_get_hint(hint, "NAME")) else { continue }
            let description = take(snd_device_name_get_hint(hint, "DESC")) ?? ""
            let oneLine = description.split(separator: "\n").joined(separator: " — ")
            result.append(AudioDeviceInfo(name: name, description: oneLine))
        }
        return result
    }

    /// The string ALSA allocated, freed.
    private static func take(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}
