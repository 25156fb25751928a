import EmoscopeCore

/// A decoded and classified clip, as the preview shows it.
public struct ClipPreviewData: Equatable, Sendable {
    /// The waveform at a fixed resolution (the view re-bins it to its width).
    public var envelope: WaveformEnvelope
    /// Clip duration, seconds.
    public var duration: Double
    /// The classification, with its per-window segments (nil when the model could not run).
    public var classification: Classification?

    /// Preview data from its parts.
    public init(envelope: WaveformEnvelope, duration: Double, classification: Classification?) {
        self.envelope = envelope; self.duration = duration; self.classification = classification
    }
}

/// Everything that can happen to the clip preview.
public enum ClipPreviewEvent: Equatable, Sendable {
    /// Show this clip (nil: none).
    case show(path: String?)
    /// The clip at `path` was decoded and classified.
    case loaded(path: String, ClipPreviewData)
    /// The clip at `path` could not be decoded.
    case loadFailed(path: String, reason: String)
    /// Play, or stop playing.
    case togglePlayback
    /// Sound is coming out.
    case playbackStarted
    /// Seconds heard so far.
    case playbackPosition(Double)
    /// The clip played to its end (or was stopped).
    case playbackEnded
    /// The clip cannot be played: what happened and what to do.
    case playbackFailed(message: String, hint: String)
}

/// What the preview asks its controller to do.
public enum ClipPreviewCommand: Equatable, Sendable {
    /// Decode and classify the clip at `path` (in the background).
    case load(path: String)
    /// Start playing the loaded clip.
    case play
    /// Stop playing.
    case stop
}

/// The preview of one clip (waveform, confidence bars, per-window timeline, playback) as a pure state machine.
public struct ClipPreviewState: Equatable, Sendable {
    /// Where the clip stands.
    public enum Phase: Equatable, Sendable {
        case empty, loading, ready(ClipPreviewData), failed(reason: String)
    }

    /// Where playback stands.
    public enum Playback: Equatable, Sendable {
        /// Silent.
        case stopped
        /// Asked for; waiting for the clip or the device.
        case starting
        /// Playing, at `position` seconds.
        case playing(position: Double)
    }

    /// The clip shown.
    public private(set) var path: String?
    /// Loading, loaded or failed.
    public private(set) var phase = Phase.empty
    /// Silent, starting or playing.
    public private(set) var playback = Playback.stopped
    /// Why playback failed (message and hint), until the next attempt or clip.
    public private(set) var playbackProblem: String?

    /// An empty preview.
    public init() {}

    /// The loaded clip, if any.
    public var data: ClipPreviewData? {
        if case .ready(let data) = phase { return data }
        return nil
    }

    /// Whether sound is wanted (starting or playing).
    public var isPlaying: Bool { playback != .stopped }

    /// Applies an event; returns what the controller must do.
    public mutating func handle(_ event: ClipPreviewEvent) -> [ClipPreviewCommand] {
        switch event {
        case .show(let newPath):
            guard newPath != path else { return [] }
            let stopping: [ClipPreviewCommand] = isPlaying ? [.stop] : []
            path = newPath
            phase = newPath == nil ? .empty : .loading
            playback = .stopped
            playbackProblem = nil
            return stopping + (newPath.map { [.load(path: $0)] } ?? [])
        case .loaded(let loadedPath, let data):
            guard loadedPath == path else { return [] }
            phase = .ready(data)
            return playback == .starting ? [.play] : []
        case .loadFailed(let failedPath, let reason):
            guard failedPath == path else { return [] }
            phase = .failed(reason: reason)
            playback = .stopped
        case .togglePlayback:
            if isPlaying {
                playback = .stopped
                return [.stop]
            }
            switch phase {
            case .empty, .failed: return []
            case .loading: playback = .starting
            case .ready:
                playback = .starting
                playbackProblem = nil
                return [.play]
            }
        case .playbackStarted:
            if playback == .starting { playback = .playing(position: 0) }
        case .playbackPosition(let seconds):
            if case .playing = playback { playback = .playing(position: seconds) }
        case .playbackEnded:
            playback = .stopped
        case .playbackFailed(let message, let hint):
            playback = .stopped
            playbackProblem = "cannot play: \(message) — \(hint)"
        }
        return []
    }
}
