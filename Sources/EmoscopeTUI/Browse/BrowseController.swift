import EmoscopeAudio
import EmoscopeCore
import Foundation

/// The browse screen's I/O side: it runs a `BrowseEngine` on the open folder, feeds its events into
/// `BrowseState`, drives the clip preview and writes exports in the background.
public final class BrowseController: ScreenController {
    /// The Browse tab.
    public let id = ScreenID.browse
    /// The screen's state.
    public private(set) var state: BrowseState
    private let model: EmotionModel
    private let previewer: ClipPreviewer
    private let environment: [String: String]
    private let workers: Int
    private var engine: BrowseEngine?
    private let exports = Mailbox<BrowseEvent>()
    private let standardizer: ClipStandardizer?
    private let adapted = ClipNormalizations()
    /// Longest clip classified, seconds.
    public static let maximumDuration: Double = 3_600

    /// A browse screen for `model`, opening `folder` when given. `environment` locates the result cache
    /// (`XDG_CACHE_HOME`, `HOME`); `makePlayer` plays clips (ALSA by default). With a
    /// `standardizer` (speaker adaptation) each folder's clips are standardised with that folder's
    /// statistics, and nothing is cached.
    public init(model: EmotionModel, folder: String?, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                environment: [String: String] = ProcessInfo.processInfo.environment, standardizer: ClipStandardizer? = nil,
                makePlayer: @escaping ClipPlayerFactory = ClipPreviewer.alsaPlayers()) {
        self.model = model
        self.workers = max(1, workers)
        self.environment = environment
        self.standardizer = standardizer
        previewer = ClipPreviewer(model: model, normalizations: adapted, makePlayer: makePlayer)
        state = BrowseState(labels: model.header.labels)
        if let folder { open(folder) }
    }

    /// The preview panel's state.
    public var preview: ClipPreviewState { previewer.state }

    /// True while a search, folder or export prompt is open.
    public var capturesText: Bool { state.mode != .list }
    /// The hint bar for the current mode.
    public var keyHints: [KeyHint] { BrowseView.hints(state, playing: previewer.state.isPlaying) }
    /// The help text for `?`.
    public var help: [String] { BrowseView.help }

    /// Passes a key to the state and runs what it asks for.
    public func handle(key: Key) -> KeyOutcome {
        guard let actions = state.handle(key: key) else { return .ignored }
        run(actions)
        return .handled
    }

    /// Takes in scan, classification, export and preview results; true when the screen changed.
    public func poll() -> Bool {
        var changed = false
        if let engine {
            let events = engine.take()
            for event in events { run(state.handle(event)) }
            changed = !events.isEmpty
        }
        for event in exports.take() {
            run(state.handle(event))
            changed = true
        }
        return previewer.poll() || changed
    }

    /// Draws the list and the preview, telling the state how many rows fit first.
    public func draw(into canvas: inout Canvas, area: Rect, context: DrawingContext) {
        _ = state.handle(.viewport(rows: BrowseView.listRows(in: area, labels: state.labels.count)))
        let title = state.selected?.name
        BrowseView.draw(state, into: &canvas, area: area, context: context) { canvas, rect in
            ClipPreviewView.draw(previewer.state, title: title, into: &canvas, area: rect, context: context)
        }
    }

    /// Stops the workers, saves the cache and stops playback.
    public func shutdown() {
        engine?.cancel()
        engine?.saveCache()
        previewer.shutdown()
    }

    private func run(_ actions: [BrowseAction]) {
        for action in actions {
            switch action {
            case .open(let folder): open(folder)
            case .preview(let path): previewer.show(path: path)
            case .togglePlayback: previewer.togglePlayback()
            case .export(let rows, let path): export(rows, to: path)
            }
        }
    }

    /// Opens `folder` (a leading `~` is the home folder) unless it is not a folder.
    private func open(_ folder: String) {
        let path = TrueLabeler.standardized((folder as NSString).expandingTildeInPath)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            run(state.handle(.openFailed(message: "\(folder): not a folder")))
            return
        }
        if let engine {
            engine.cancel()
            BackgroundThread.start(name: "emoscope-cache") { engine.saveCache() }
        }
        let cachePath = standardizer == nil ? ResultCache.location(folder: path, environment: environment) : nil
        let engine = BrowseEngine(folder: path, model: model, cachePath: cachePath, workers: workers, maximumDuration: Self.maximumDuration,
                                  adaptation: standardizer.map { ($0, adapted) })
        self.engine = engine
        run(state.handle(.opened(folder: path)))
        engine.start()
    }

    private func export(_ rows: [ClipRow], to path: String) {
        let labels = model.header.labels
        let target = (path as NSString).expandingTildeInPath
        let outbox = exports
        BackgroundThread.start(name: "emoscope-export") {
            do {
                let text = (target as NSString).pathExtension.lowercased() == "json"
                    ? try ClipTable.json(rows, labels: labels) : ClipTable.csv(rows, labels: labels)
                try AtomicFile.write(text, to: target)
                outbox.post(.exported(path: TrueLabeler.standardized(target), rows: rows.count))
            } catch {
                outbox.post(.exportFailed(message: "\(error)"))
            }
        }
    }
}
