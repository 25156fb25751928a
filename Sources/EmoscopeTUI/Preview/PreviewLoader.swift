import Dispatch
import EmoscopeAudio
import EmoscopeCore
import Foundation

/// A decoded clip: its samples (for playback) and what the preview draws.
struct LoadedClip: Sendable {
    var samples: [Float]
    var data: ClipPreviewData
}

/// Decodes and classifies clips on one background thread with its own classifier. Only the newest
/// request matters: one asked for while another is being decoded replaces any still waiting.
final class PreviewLoader: @unchecked Sendable {
    /// Columns of the waveform envelope handed to the view.
    static let envelopeColumns = 1_024

    private let model: EmotionModel
    private let normalizations: ClipNormalizations
    private let lock = NSLock()
    private let wake = DispatchSemaphore(value: 0)
    private var waiting: String?
    private var done: (path: String, result: Result<LoadedClip, AudioError>)?
    private var stopping = false
    private var started = false

    init(model: EmotionModel, normalizations: ClipNormalizations) {
        self.model = model
        self.normalizations = normalizations
    }

    /// Asks for the clip at `path`; the thread starts with the first request.
    func request(_ path: String) {
        let start = lock.withLock {
            waiting = path
            defer { started = true }
            return !started
        }
        if start { BackgroundThread.start(name: "emoscope-preview") { [self] in run() } }
        wake.signal()
    }

    /// The newest finished clip, once.
    func take() -> (path: String, result: Result<LoadedClip, AudioError>)? {
        lock.withLock {
            defer { done = nil }
            return done
        }
    }

    /// Ends the thread after its current clip.
    func stop() {
        lock.withLock { stopping = true }
        wake.signal()
    }

    private func run() {
        let classifier = try? EmotionClassifier(model: model)
        let decoder = AudioDecoder(targetRate: model.header.features.sampleRate, maximumDuration: 3_600)
        while true {
            wake.wait()
            let (path, stop) = lock.withLock {
                defer { waiting = nil }
                return (waiting, stopping)
            }
            if stop { return }
            guard let path else { continue }
            classifier?.speakerNormalization = normalizations.normalization(of: path)
            let result = Result { () throws(AudioError) in try Self.load(path, decoder: decoder, classifier: classifier) }
            lock.withLock { if waiting == nil { done = (path, result) } }
        }
    }

    /// Decodes and classifies one clip (without a classifier, the clip is shown unclassified).
    static func load(_ path: String, decoder: AudioDecoder, classifier: EmotionClassifier?) throws(AudioError) -> LoadedClip {
        let audio = try decoder.decode(path: path)
        let classification = classifier?.classify(audio.samples)
        let envelope = WaveformEnvelope(samples: audio.samples, columns: envelopeColumns)
        return LoadedClip(samples: audio.samples, data: ClipPreviewData(envelope: envelope, duration: audio.duration,
                                                                         classification: classification))
    }
}
