import Dispatch
import EmoscopeAudio
import EmoscopeCore
import Foundation

/// The worker behind the live meter: every hop it copies the newest window from the source's
/// ring, classifies it with the model and queues the result for the UI; it also streams the ring
/// into a recording. The source's thread only appends to the ring, so neither the UI nor this
/// worker can hold the audio up.
public final class LiveEngine: @unchecked Sendable {
    public let source: LiveAudioSource
    public let hopSeconds: Double
    private let classifier: EmotionClassifier
    private let pitchTracker: PitchTracker
    private let lock = NSLock()
    private let analyses = Mailbox<LiveAnalysis>()
    private var paused = false
    private var stopping = false
    private var recorder: (writer: AudioFileWriter, next: Int)?
    private var recordingError: AudioError?
    private let finished = DispatchSemaphore(value: 0)
    private var isRunning = false
    /// The last few seconds of samples for the UI's frame (UI thread only; reused every frame).
    private var frameSamples: [Float] = []
    /// The voice heard so far, for a model trained with `--speaker-normalization` (worker thread only).
    private var voice: SpeakerStatistics?
    private var resetRequested = false

    /// Prepares the engine for `source` and `model`; nothing runs until `start`.
    public init(source: LiveAudioSource, model: EmotionModel, hopSeconds: Double = 0.25) throws {
        self.source = source
        self.hopSeconds = hopSeconds
        classifier = try EmotionClassifier(model: model)
        pitchTracker = try PitchTracker(settings: model.header.features)
        if model.header.speakerNormalized { voice = SpeakerStatistics(bands: model.header.features.melBands) }
    }

    /// Forgets the voice adapted to so far; the next analyses use the model's corpus statistics again.
    public func resetAdaptation() {
        lock.withLock { resetRequested = true }
    }

    /// Samples per second of the stream.
    public var sampleRate: Int { source.sampleRate }

    /// Starts the source and the worker.
    public func start() throws(AudioDeviceError) {
        try source.start()
        isRunning = true
        BackgroundThread.start(name: "emoscope-live") { [self] in run() }
    }

    /// Stops the worker and the source, finishing a recording in progress.
    public func stop() {
        lock.withLock { stopping = true }
        if isRunning { finished.wait(); isRunning = false }
        source.stop()
        _ = stopRecording()
    }

    /// Pauses or resumes analysis; a file source is held too, a microphone keeps capturing.
    public func setPaused(_ value: Bool) {
        lock.withLock { paused = value }
        source.setPaused(value)
    }

    /// The analyses finished since the last call, oldest first.
    public func takeAnalyses() -> [LiveAnalysis] { analyses.take() }

    // MARK: Recording

    /// Starts recording everything that arrives from now on into `path` (written atomically on stop).
    public func startRecording(path: String, format: AudioFileFormat) throws(AudioError) {
        let writer = try AudioFileWriter(path: path, format: format, sampleRate: sampleRate)
        let from = source.ring.written
        lock.withLock { recorder = (writer, from); recordingError = nil }
    }

    /// Whether a recording is in progress.
    public var isRecording: Bool { lock.withLock { recorder != nil } }

    /// Stops the recording and moves the file into place: its path and length, or the error.
    public func stopRecording() -> Result<(path: String, seconds: Double), AudioError>? {
        let taken: (AudioFileWriter, Int)? = lock.withLock {
            defer { recorder = nil }
            return recorder
        }
        guard let (writer, next) = taken else { return nil }
        if let error = lock.withLock({ recordingError }) { writer.cancel(); return .failure(error) }
        do {
            try drain(into: writer, from: next)
            try writer.finish()
            return .success((writer.path, Double(writer.framesWritten) / Double(sampleRate)))
        } catch {
            writer.cancel()
            return .failure(error)
        }
    }

    /// A recording that failed while running (disk full…), reported once.
    public func takeRecordingError() -> AudioError? {
        lock.withLock {
            guard let error = recordingError, recorder != nil else { return nil }
            recorder?.writer.cancel()
            recorder = nil
            return error
        }
    }

    @discardableResult
    private func drain(into writer: AudioFileWriter, from start: Int) throws(AudioError) -> Int {
        let ring = source.ring
        let end = ring.written
        let from = max(start, ring.oldest)
        guard end > from else { return start }
        if let samples = ring.samples(from: from, count: end - from) { try writer.write(samples) }
        return end
    }

    // MARK: Worker

    private func run() {
        let header = classifier.header
        let window = header.windowSamples
        let hop = max(1, Int(hopSeconds * Double(sampleRate)))
        let ring = source.ring
        var nextEnd = hop, analysedUpTo = 0, adaptedUpTo = 0
        var buffer = [Float](repeating: 0, count: window)
        while !lock.withLock({ stopping }) {
            recordNewSamples()
            // Read before `written`: a source that has finished has appended everything.
            let sourceFinished = source.state == .finished
            let written = ring.written
            // Every hop, and once more for the last samples of a source that has finished
            // (less than a hop after the previous analysis), so the last reading covers the end.
            guard written >= nextEnd || (sourceFinished && written > analysedUpTo) else {
                usleep(2_000)
                continue
            }
            let capturedAt = ring.lastAppendNanoseconds
            nextEnd = written + hop
            analysedUpTo = written
            if lock.withLock({ paused }) { continue }
            let count = min(window, written - ring.oldest, written)
            guard count >= header.minimumSamples else { continue }
            let ok = buffer.withUnsafeMutableBufferPointer { ring.copy(from: written - count, into: UnsafeMutableBufferPointer(rebasing: $0[0..<count])) }
            guard ok else { continue }
            if lock.withLock({ defer { resetRequested = false }; return resetRequested }) {
                voice = voice.map { SpeakerStatistics(bands: $0.sums.count) }
                classifier.speakerNormalization = nil
                adaptedUpTo = written
            }
            adaptedUpTo = adapt(upTo: written, from: adaptedUpTo, window: window)
            var analysis = analyse(Array(buffer[0..<count]), endTime: Double(written) / Double(sampleRate), hop: hop)
            analysis.capturedAtNanoseconds = capturedAt
            analysis.adaptedSeconds = voice?.seconds(features: header.features)
            analyses.post(analysis)
        }
        finished.signal()
    }

    /// Adds each full window of the stream after `start` (and before `written`) to the voice's
    /// statistics and standardises with them from then on; returns where the next window starts.
    private func adapt(upTo written: Int, from start: Int, window: Int) -> Int {
        guard voice != nil else { return written }
        let header = classifier.header
        let prior = SpeakerStatistics.frames(ofSeconds: SpeakerStatistics.defaultPriorSeconds, features: header.features)
        var next = max(start, source.ring.oldest)
        while written - next >= window {
            guard let chunk = source.ring.samples(from: next, count: window) else { break }
            if classifier.addSpeech(of: chunk, to: &voice!) {
                classifier.speakerNormalization = voice!.normalization(over: header.normalization, priorFrames: prior)
            }
            next += window
        }
        return next
    }

    private func recordNewSamples() {
        lock.lock()
        defer { lock.unlock() }
        guard let (writer, next) = recorder, recordingError == nil else { return }
        do {
            recorder?.next = try drain(into: writer, from: next)
        } catch {
            recordingError = error
        }
    }

    /// Classification, pitch and energy of one window.
    func analyse(_ samples: [Float], endTime: Double, hop: Int) -> LiveAnalysis {
        let result = classifier.classify(samples)
        let recent = Array(samples.suffix(sampleRate))
        let voiced = pitchTracker.track(recent).voicedFrequencies.sorted()
        let pitch = voiced.isEmpty ? nil : voiced[voiced.count / 2]
        let last = samples.suffix(hop)
        let meanSquare = last.reduce(Float(0)) { $0 + $1 * $1 } / Float(max(1, last.count))
        return LiveAnalysis(time: endTime, probabilities: result.status == .classified ? result.probabilities : nil,
                            pitchHz: pitch, energyDB: 10 * log10(max(meanSquare, 1e-12)))
    }

    // MARK: Frames for the UI

    /// The waveform and level of the last `seconds`, computed on the caller's thread from the ring
    /// (before the stream has that much, the front is silence).
    public func frame(seconds: Double = 4, columns: Int = 400, levelSeconds: Double = 0.05) -> LiveFrame {
        let ring = source.ring
        let written = ring.written
        let span = Int(seconds * Double(sampleRate))
        if frameSamples.count != span { frameSamples = [Float](repeating: 0, count: span) }
        let count = min(span, written - ring.oldest)
        let copied = frameSamples.withUnsafeMutableBufferPointer { buffer in
            buffer.update(repeating: 0)
            return ring.copy(from: written - count, into: UnsafeMutableBufferPointer(rebasing: buffer[(span - count)...]))
        }
        if !copied { frameSamples.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
        let level = frameSamples.suffix(min(count, Int(levelSeconds * Double(sampleRate))))
        let meanSquare = level.reduce(Float(0)) { $0 + $1 * $1 } / Float(max(1, level.count))
        let clipped = level.contains { abs($0) >= 0.999 }
        return LiveFrame(waveform: WaveformEnvelope(samples: frameSamples, columns: columns), levelDB: 10 * log10(max(meanSquare, 1e-12)),
                         clipped: clipped, time: Double(written) / Double(sampleRate))
    }
}
