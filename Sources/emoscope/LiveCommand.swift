import ArgumentParser
import EmoscopeAudio
import EmoscopeCore
import EmoscopeTUI
import Foundation

/// `emoscope live`: the live microphone emotion meter (the default command).
struct LiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Live emotion meter on the microphone (or on a file played in real time).",
        discussion: """
            Captures 16 kHz mono through ALSA and classifies the last ~3 s every hop. Without a \
            microphone, --file CLIP plays a clip through the same pipeline at real-time pace.
            Keys: space pause, r record, s smoothing, Tab screens, ? help, q quit.
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: ArgumentHelp("ALSA capture device (see --list-devices).", valueName: "name"))
    var device = "default"

    @Flag(name: .long, help: "List capture devices and exit (status 1 when there is none).")
    var listDevices = false

    @Option(name: .long, help: ArgumentHelp("Play this clip through the live pipeline instead of capturing.", valueName: "clip"))
    var file: String?

    @Flag(name: .long, help: "With --file: start again at the end.")
    var loop = false

    @Option(name: .long, help: ArgumentHelp("Stop the input after this many seconds (the screen stays).", valueName: "seconds"))
    var duration: Double?

    @Option(name: .long, help: ArgumentHelp("Seconds between analyses (0.05–1).", valueName: "seconds"))
    var hop = 0.25

    @Option(name: .long, help: ArgumentHelp("Folder for recordings (r).", valueName: "dir"))
    var recordDirectory = "."

    @Option(name: .long, help: ArgumentHelp("Recording format: flac or wav.", valueName: "format"))
    var recordFormat = "flac"

    func validate() throws {
        guard (0.05...1).contains(hop) else { throw ValidationError("--hop must be between 0.05 and 1 seconds") }
        guard ["flac", "wav"].contains(recordFormat) else { throw ValidationError("--record-format must be flac or wav") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be positive") }
        if loop && file == nil { throw ValidationError("--loop needs --file (it replays a clip)") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: recordDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--record-directory \(recordDirectory) is not an existing folder")
        }
        guard access(recordDirectory, W_OK) == 0 else { throw ValidationError("--record-directory \(recordDirectory) is not writable") }
    }

    func run() throws {
        if listDevices {
            // ALSA's `null` device captures silence: not an input anyone wants to meter.
            let devices = AudioDevices.captureDevices().filter { $0.name != "null" }
            if devices.isEmpty {
                print(AudioDevices.hasSoundCard ? "no capture devices found" : "no sound card found")
                print("without a microphone: emoscope live --file CLIP")
            }
            for device in devices { print("\(device.name)\t\(device.description)") }
            if devices.isEmpty { throw ExitCode(1) }
            return
        }
        let model = try modelOptions.load()
        let live = try Self.makeLiveController(model: model, device: device, file: file, loop: loop, hop: hop, duration: duration,
                                               recording: RecordingSettings(directory: recordDirectory,
                                                                            format: recordFormat == "wav" ? .wav16 : .flac16))
        try AppLauncher.run(.init(initial: .live, model: model, modelName: modelOptions.displayName, live: live))
    }

    /// A live controller on a capture device or, with `file`, on that clip played in real time.
    static func makeLiveController(model: EmotionModel, device: String, file: String?, loop: Bool = false, hop: Double = 0.25,
                                   duration: Double? = nil, recording: RecordingSettings) throws -> LiveController {
        let rate = model.header.features.sampleRate
        let frameLimit = duration.map { Int($0 * Double(rate)) }
        if let file {
            let audio: DecodedAudio
            do {
                audio = try AudioDecoder(targetRate: rate, maximumDuration: 3600).decode(path: file)
            } catch {
                printError("emoscope: \(error)")
                throw ExitCode(1)
            }
            let name = (file as NSString).lastPathComponent
            let samples = frameLimit.map { Array(audio.samples.prefix($0)) } ?? audio.samples
            return LiveController(model: model, hopSeconds: hop, recording: recording, inputName: "file \(name)") {
                PacedFileSource(samples: samples, sampleRate: rate, name: "file \(name)", loop: loop)
            }
        }
        return LiveController(model: model, hopSeconds: hop, recording: recording, inputName: "capture device \(device)") { () throws(AudioDeviceError) -> LiveAudioSource in
            try AudioCapture(device: device, sampleRate: rate, frameLimit: frameLimit)
        }
    }
}
