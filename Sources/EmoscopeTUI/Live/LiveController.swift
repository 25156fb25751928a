import Dispatch
import EmoscopeAudio
import EmoscopeCore
import Foundation

/// Where and how the live meter records.
public struct RecordingSettings: Sendable {
    public var directory: String
    public var format: AudioFileFormat

    public init(directory: String, format: AudioFileFormat) { self.directory = directory; self.format = format }

    /// A new file name from the current time, e.g. `emoscope-20261122-143005.flac`.
    public func nextPath(now: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let base = (directory as NSString).appendingPathComponent("emoscope-\(formatter.string(from: now))")
        var path = "\(base).\(format.fileExtension)"
        var counter = 2
        while FileManager.default.fileExists(atPath: path) {
            path = "\(base)-\(counter).\(format.fileExtension)"
            counter += 1
        }
        return path
    }
}

/// The live meter's I/O side: it runs a `LiveEngine` on a source and feeds its results into `LiveState`.
public final class LiveController: ScreenController {
    public let id = ScreenID.live
    public private(set) var state: LiveState
    private let model: EmotionModel
    private let makeSource: () throws(AudioDeviceError) -> LiveAudioSource
    private let inputName: String
    private let recording: RecordingSettings
    private var engine: LiveEngine?
    private var reportedSourceState: LiveSourceState = .idle
    /// Sample-to-screen latency of the newest analysis (set when it is taken in, just before drawing), ns.
    public private(set) var lastLatencyNanoseconds: UInt64?

    /// A meter for `model` on the source `makeSource` opens (called again on retry).
    public init(model: EmotionModel, hopSeconds: Double = 0.25, recording: RecordingSettings, inputName: String,
                makeSource: @escaping () throws(AudioDeviceError) -> LiveAudioSource) {
        self.model = model
        self.inputName = inputName
        self.makeSource = makeSource
        self.recording = recording
        state = LiveState(labels: model.header.labels, hopSeconds: hopSeconds)
    }

    /// The source opens when the tab is first shown (a user browsing files never has the microphone opened).
    public func setVisible(_ visible: Bool) {
        if visible && !hasOpened { openSource() }
    }

    private var hasOpened = false

    private func openSource() {
        hasOpened = true
        engine?.stop()
        engine = nil
        reportedSourceState = .idle
        do {
            let source = try makeSource()
            let engine = try LiveEngine(source: source, model: model, hopSeconds: state.hopSeconds)
            try engine.start()
            self.engine = engine
            _ = state.handle(.sourceRunning(name: source.displayName))
        } catch let error as AudioDeviceError {
            state.sourceName = inputName
            _ = state.handle(.sourceFailed(message: error.message, hint: error.hint))
        } catch {
            _ = state.handle(.sourceFailed(message: "the model cannot run: \(error)", hint: "check the model file (--model)"))
        }
    }

    public func handle(key: Key) -> KeyOutcome {
        for command in state.handle(.key(key)) { execute(command) }
        return .handled
    }

    private func execute(_ command: LiveCommand) {
        switch command {
        case .setPaused(let paused): engine?.setPaused(paused)
        case .retrySource: openSource()
        case .resetAdaptation: engine?.resetAdaptation()
        case .startRecording:
            guard let engine else {
                _ = state.handle(.recordingFailed(message: "no input to record"))
                return
            }
            let path = recording.nextPath()
            do {
                try engine.startRecording(path: path, format: recording.format)
                _ = state.handle(.recordingStarted(path: path))
            } catch {
                _ = state.handle(.recordingFailed(message: error.description))
            }
        case .stopRecording:
            finishRecording()
        }
    }

    private func finishRecording() {
        switch engine?.stopRecording() {
        case .success(let saved): _ = state.handle(.recordingStopped(path: saved.path, seconds: saved.seconds))
        case .failure(let error): _ = state.handle(.recordingFailed(message: error.reason))
        case nil: break
        }
    }

    public func poll() -> Bool {
        guard let engine else { return false }
        for analysis in engine.takeAnalyses() {
            _ = state.handle(.analysis(analysis))
            if analysis.capturedAtNanoseconds > 0 {
                lastLatencyNanoseconds = DispatchTime.now().uptimeNanoseconds - analysis.capturedAtNanoseconds
            }
        }
        if let error = engine.takeRecordingError() { _ = state.handle(.recordingFailed(message: error.reason)) }
        let sourceState = engine.source.state
        if sourceState != reportedSourceState {
            reportedSourceState = sourceState
            switch sourceState {
            case .finished: _ = state.handle(.sourceFinished)
            case .failed(let error):
                finishRecording()
                _ = state.handle(.sourceFailed(message: error.message, hint: error.hint))
            case .idle, .running: break
            }
        }
        _ = state.handle(.frame(engine.frame()))
        return true
    }

    public func draw(into canvas: inout Canvas, area: Rect, context: DrawingContext) {
        LiveView.draw(state, into: &canvas, area: area, context: context)
    }

    public var keyHints: [KeyHint] { LiveView.hints(state) }
    public var help: [String] { LiveView.help }

    public func shutdown() {
        finishRecording()
        engine?.stop()
        engine = nil
    }
}
