import Foundation

/// What the analysis worker found in one window of live audio.
public struct LiveAnalysis: Equatable, Sendable {
    /// Stream time of the window's end, seconds.
    public var time: Double
    /// Probabilities in label order; nil when the window holds no speech.
    public var probabilities: [Float]?
    /// Median pitch of the voiced frames of the window's last second, Hz.
    public var pitchHz: Float?
    /// Energy of the newest hop, dBFS.
    public var energyDB: Float
    /// When the newest sample of the window entered the ring (monotonic ns), for latency measurement.
    public var capturedAtNanoseconds: UInt64 = 0
    /// Seconds of this voice's speech the model has adapted to (a model trained with
    /// `--speaker-normalization`); nil when the model does not adapt.
    public var adaptedSeconds: Double?

    public init(time: Double, probabilities: [Float]?, pitchHz: Float?, energyDB: Float) {
        self.time = time; self.probabilities = probabilities; self.pitchHz = pitchHz; self.energyDB = energyDB
    }
}

/// What the controller sees of the input on each frame.
public struct LiveFrame: Equatable, Sendable {
    /// The waveform of the last few seconds (fixed resolution; the view re-bins it).
    public var waveform: WaveformEnvelope
    /// RMS level of the last 50 ms, dBFS.
    public var levelDB: Float
    /// Whether a sample reached full scale in the last frame.
    public var clipped: Bool
    /// Stream time, seconds.
    public var time: Double

    public init(waveform: WaveformEnvelope, levelDB: Float, clipped: Bool, time: Double) {
        self.waveform = waveform; self.levelDB = levelDB; self.clipped = clipped; self.time = time
    }
}

/// Everything that can happen to the live meter.
public enum LiveEvent: Equatable, Sendable {
    case key(Key)
    case frame(LiveFrame)
    case analysis(LiveAnalysis)
    case sourceRunning(name: String)
    case sourceFinished
    case sourceFailed(message: String, hint: String)
    case recordingStarted(path: String)
    case recordingStopped(path: String, seconds: Double)
    case recordingFailed(message: String)
}

/// What the live meter asks its controller to do.
public enum LiveCommand: Equatable, Sendable {
    case setPaused(Bool)
    case startRecording
    case stopRecording
    /// Open the capture device again after a failure.
    case retrySource
    /// Forget the voice adapted to so far (a new speaker).
    case resetAdaptation
}

/// A recording in progress.
public struct Recording: Equatable, Sendable {
    public var path: String
    /// Stream time when it started, seconds.
    public var since: Double
}

/// The live meter as a pure state machine: events in, commands out; drawn by `LiveView`.
public struct LiveState: Equatable, Sendable {
    /// What the newest analysis heard.
    public enum Phase: Equatable, Sendable {
        /// No full window yet.
        case listening
        /// The newest window holds speech.
        case speech
        /// The newest window holds none.
        case noSpeech
    }

    /// What the input is doing.
    public enum InputStatus: Equatable, Sendable {
        case running
        /// A file (or a capture with a duration) delivered everything.
        case finished
        /// The source failed: what happened and what the user can do.
        case failed(message: String, hint: String)
    }

    public let labels: [String]
    /// Seconds of history in the timeline.
    public let timelineSeconds: Double
    /// Seconds between analyses.
    public let hopSeconds: Double

    public var sourceName = ""
    public private(set) var phase: Phase = .listening
    public private(set) var input: InputStatus = .running
    public private(set) var paused = false
    public private(set) var smoothing = true
    /// The bars as drawn (smoothed when smoothing is on).
    public private(set) var probabilities: [Float]?
    /// The latest probabilities before smoothing.
    public private(set) var rawProbabilities: [Float]?
    /// Dominant emotion per analysis, oldest first (nil = no speech); at most `timelineCapacity`.
    public private(set) var timeline: [Int?] = []
    public private(set) var pitchHz: Float?
    public private(set) var energyDB: Float?
    /// Seconds of the voice adapted to (see `LiveAnalysis.adaptedSeconds`); nil when the model does not adapt.
    public private(set) var adaptedSeconds: Double?
    public private(set) var levelDB: Float = -120
    public private(set) var waveform = WaveformEnvelope(minima: [], maxima: [])
    /// Stream time until which the clip indicator stays lit.
    public private(set) var clipUntil: Double = -1
    public private(set) var time: Double = 0
    /// The file being recorded, and since when (stream time).
    public private(set) var recording: Recording?
    /// A one-line notice (recording saved, errors).
    public private(set) var notice: String?

    public init(labels: [String], hopSeconds: Double = 0.25, timelineSeconds: Double = 60) {
        self.labels = labels; self.hopSeconds = hopSeconds; self.timelineSeconds = timelineSeconds
    }

    /// Number of analyses the timeline keeps.
    public var timelineCapacity: Int { Int((timelineSeconds / hopSeconds).rounded()) }

    /// The highlighted emotion.
    public var dominant: Int? {
        guard phase == .speech, let probabilities else { return nil }
        return probabilities.indices.max { probabilities[$0] < probabilities[$1] }
    }

    /// Whether the clip indicator is lit.
    public var isClipping: Bool { time <= clipUntil }

    /// Applies an event; returns what the controller must do.
    public mutating func handle(_ event: LiveEvent) -> [LiveCommand] {
        switch event {
        case .key(let key): return handle(key: key)
        case .frame(let frame):
            guard !paused else { return [] }
            waveform = frame.waveform
            levelDB = frame.levelDB
            time = frame.time
            if frame.clipped { clipUntil = frame.time + 1 }
        case .analysis(let analysis):
            guard !paused else { return [] }
            apply(analysis)
        case .sourceRunning(let name):
            sourceName = name
            input = .running
        case .sourceFinished:
            input = .finished
        case .sourceFailed(let message, let hint):
            input = .failed(message: message, hint: hint)
        case .recordingStarted(let path):
            recording = Recording(path: path, since: time)
            notice = "recording to \(path)"
        case .recordingStopped(let path, let seconds):
            recording = nil
            notice = String(format: "saved %.1f s to %@", seconds, path)
        case .recordingFailed(let message):
            recording = nil
            notice = "recording failed: \(message)"
        }
        return []
    }

    private mutating func handle(key: Key) -> [LiveCommand] {
        switch key {
        case .character(" "):
            paused.toggle()
            return [.setPaused(paused)]
        case .character("s"):
            smoothing.toggle()
            if !smoothing { probabilities = rawProbabilities }
            notice = smoothing ? "smoothing on" : "smoothing off"
        case .character("r"):
            return [recording == nil ? .startRecording : .stopRecording]
        case .character("a"):
            guard adaptedSeconds != nil else {
                notice = "this model does not adapt to a voice (train one with --speaker-normalization)"
                return []
            }
            adaptedSeconds = 0
            notice = "adaptation reset: listening to a new voice"
            return [.resetAdaptation]
        case .enter, .character("R"):
            if case .failed = input { return [.retrySource] }
        default: break
        }
        return []
    }

    private mutating func apply(_ analysis: LiveAnalysis) {
        pitchHz = analysis.pitchHz
        energyDB = analysis.energyDB
        adaptedSeconds = analysis.adaptedSeconds
        guard let next = analysis.probabilities else {
            phase = .noSpeech
            append(nil)
            return
        }
        phase = .speech
        rawProbabilities = next
        if smoothing, let previous = probabilities, previous.count == next.count {
            let keep = Float(Self.smoothingTimeConstant / (Self.smoothingTimeConstant + hopSeconds))
            probabilities = zip(previous, next).map { keep * $0 + (1 - keep) * $1 }
        } else {
            probabilities = next
        }
        append(dominant)
    }

    /// Time constant of the exponential smoothing, seconds.
    public static let smoothingTimeConstant = 0.5

    private mutating func append(_ entry: Int?) {
        timeline.append(entry)
        if timeline.count > timelineCapacity { timeline.removeFirst(timeline.count - timelineCapacity) }
    }
}
