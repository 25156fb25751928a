import Dispatch
import EmoscopeAudio
import EmoscopeCore
import Foundation

/// The clip preview's I/O side, a self-contained panel for any screen: it decodes and classifies the
/// clip shown on a loader thread (the newest request wins), plays it through a `ClipPlayer` opened off
/// the UI thread, and feeds the results into `ClipPreviewState`. Call it from the UI thread only.
public final class ClipPreviewer {
    /// What the panel shows.
    public private(set) var state = ClipPreviewState()
    private let loader: PreviewLoader
    private let makePlayer: ClipPlayerFactory
    private let sampleRate: Int
    /// The samples of the loaded clip, for playback.
    private var samples: (path: String, values: [Float])?
    private var player: (any ClipPlayer)?
    private let opened = OpenedPlayer()

    /// A preview classifying with `model` (each clip standardised as `normalizations` says, else
    /// with the model's statistics) and playing through `makePlayer` (ALSA `default` unless given).
    public init(model: EmotionModel, normalizations: ClipNormalizations = ClipNormalizations(),
                makePlayer: @escaping ClipPlayerFactory = ClipPreviewer.alsaPlayers()) {
        loader = PreviewLoader(model: model, normalizations: normalizations)
        self.makePlayer = makePlayer
        sampleRate = model.header.features.sampleRate
    }

    /// Shows the clip at `path` (nil: none), stopping playback of the previous one.
    public func show(path: String?) { apply(.show(path: path)) }

    /// Plays the clip shown, or stops it.
    public func togglePlayback() { apply(.togglePlayback) }

    /// Takes in what the loader and the player did; true when the panel changed.
    public func poll() -> Bool {
        let before = state
        if let loaded = loader.take(), loaded.path == state.path {
            switch loaded.result {
            case .success(let result):
                samples = (loaded.path, result.samples)
                apply(.loaded(path: loaded.path, result.data))
            case .failure(let error):
                apply(.loadFailed(path: loaded.path, reason: error.reason))
            }
        }
        switch opened.take() {
        case .success(let newPlayer)? where state.playback == .starting:
            player = newPlayer
            apply(.playbackStarted)
        case .success(let stale)?: stale.stop()
        case .failure(let error)?: apply(.playbackFailed(message: error.message, hint: error.hint))
        case nil: break
        }
        if let player, case .playing = state.playback {
            if player.isPlaying {
                apply(.playbackPosition(player.position))
            } else if let failure = player.failure {
                apply(.playbackFailed(message: failure.message, hint: failure.hint))
            } else {
                apply(.playbackEnded)
            }
        }
        return state != before
    }

    /// Stops playback and the loader thread.
    public func shutdown() {
        player?.stop()
        loader.stop()
    }

    private func apply(_ event: ClipPreviewEvent) {
        for command in state.handle(event) {
            switch command {
            case .load(let path):
                samples = nil
                loader.request(path)
            case .stop:
                player?.stop()
                player = nil
            case .play:
                guard let samples, samples.path == state.path else { continue }
                let (values, rate, factory, opened) = (samples.values, sampleRate, makePlayer, opened)
                BackgroundThread.start(name: "emoscope-play") {
                    do throws(AudioDeviceError) {
                        let player = try factory(values, rate)
                        player.start()
                        opened.put(.success(player))
                    } catch {
                        opened.put(.failure(error))
                    }
                }
            }
        }
    }
}

/// The player a background thread opened (or why it could not), waiting for the UI thread.
private final class OpenedPlayer: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<any ClipPlayer, AudioDeviceError>?

    /// Leaves `result` for the UI thread; a player left before and never taken is stopped.
    func put(_ result: Result<any ClipPlayer, AudioDeviceError>) {
        let replaced = lock.withLock {
            defer { value = result }
            return value
        }
        if case .success(let player)? = replaced { player.stop() }
    }

    func take() -> Result<any ClipPlayer, AudioDeviceError>? {
        lock.withLock {
            defer { value = nil }
            return value
        }
    }
}
