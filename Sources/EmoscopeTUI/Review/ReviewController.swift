import EmoscopeCore
import Foundation

/// The Review screen's I/O side: it reads the source (a report, or a labelled folder that it
/// classifies on every core) on background threads and feeds the results into `ReviewState`.
/// Nothing starts until the tab is first shown.
public final class ReviewController: ScreenController {
    /// The Review tab.
    public let id = ScreenID.review
    /// The screen's state, as last fed.
    public private(set) var state = ReviewState()
    private let source: String?
    private let missingSourceMessage: String
    private let model: EmotionModel
    private let modelName: String
    private let inbox = Mailbox<ReviewEvent>()
    private var evaluator: ReviewEvaluator?
    private let previewer: ClipPreviewer
    private let standardizer: ClipStandardizer?
    private let adapted = ClipNormalizations()

    /// A screen for `source` (a `.json` report, or a labelled folder or manifest classified with `model`);
    /// with no source it says `missingSourceMessage`. A folder's clips are standardised as
    /// `standardizer` says when there is one (speaker adaptation), else with the model's
    /// statistics. Clips play through `makePlayer` (ALSA `default` unless given).
    public init(source: String?, model: EmotionModel, modelName: String, missingSourceMessage: String = "no source given",
                standardizer: ClipStandardizer? = nil, makePlayer: @escaping ClipPlayerFactory = ClipPreviewer.alsaPlayers()) {
        previewer = ClipPreviewer(model: model, normalizations: adapted, makePlayer: makePlayer)
        self.source = source
        self.model = model
        self.modelName = modelName
        self.missingSourceMessage = missingSourceMessage
        self.standardizer = standardizer
    }

    /// Starts reading the source the first time the tab shows.
    public func setVisible(_ visible: Bool) {
        if visible && state.phase == .loading && evaluator == nil { start() }
    }

    private func start() {
        guard let source else {
            _ = state.handle(.failed(missingSourceMessage))
            return
        }
        let evaluator = ReviewEvaluator(model: model)
        self.evaluator = evaluator
        let inbox = inbox, labels = model.header.labels, modelName = modelName, standardizer = standardizer, adapted = adapted
        BackgroundThread.start(name: "emoscope-review-load") {
            let dataset: ReviewDataset
            do {
                dataset = ReviewSource.isReport(source)
                    ? try ReviewSource.loadReport(path: source)
                    : try ReviewSource.loadCorpus(path: source, labels: labels, modelName: modelName)
            } catch {
                inbox.post(.failed("\(error)"))
                return
            }
            inbox.post(.loaded(dataset))
            let pending = dataset.clips.indices.filter { dataset.clips[$0].outcome == .pending }
            guard !pending.isEmpty else { return }
            let paths = pending.map { dataset.clips[$0].path }
            let normalizations = standardizer?(paths, pending.map { dataset.clips[$0].adaptationGroup }) ?? []
            adapted.set(paths: paths, normalizations)
            evaluator.start(paths: paths, normalizations: normalizations,
                            report: { inbox.post(.evaluated(index: pending[$0], outcome: $1)) },
                            finished: { inbox.post(.evaluationFinished) })
        }
    }

    /// Passes a key to the state and carries out what it asks.
    public func handle(key: Key) -> KeyOutcome {
        let (handled, actions) = state.handle(key: key)
        actions.forEach(execute)
        return handled ? .handled : .ignored
    }

    private func execute(_ action: ReviewAction) {
        switch action {
        case .preview(let clip): previewer.show(path: clip.resolvedPath)
        case .togglePlayback: previewer.togglePlayback()
        case .closePreview: previewer.show(path: nil)
        }
    }

    /// Takes in evaluated clips and the preview's progress; true when something changed.
    public func poll() -> Bool {
        let events = inbox.take()
        for event in events { state.handle(event).forEach(execute) }
        let previewChanged = previewer.poll()
        return !events.isEmpty || previewChanged
    }

    /// Draws the matrix page, or a cell's clips with the preview.
    public func draw(into canvas: inout Canvas, area: Rect, context: DrawingContext) {
        ReviewView.draw(state, into: &canvas, area: area, context: context) { [previewer] canvas, rect, title in
            ClipPreviewView.draw(previewer.state, title: title, into: &canvas, area: rect, context: context)
        }
    }

    /// Hints for the matrix or for the clip list.
    public var keyHints: [KeyHint] {
        guard state.dataset != nil else { return [] }
        if state.list != nil {
            return [KeyHint("Up/Dn", "clip"), KeyHint("Enter", previewer.state.isPlaying ? "stop" : "play"), KeyHint("Esc", "matrix")]
        }
        return [KeyHint("arrows", "cell"), KeyHint("Enter", "clips"), KeyHint("n", state.mode == .counts ? "% of row" : "counts"),
                KeyHint("c", "next confusion")] + (state.speakers.isEmpty ? [] : [KeyHint("s", "speaker")])
    }

    /// The Review screen's help.
    public var help: [String] { ReviewController.helpLines }

    /// Help text of the Review screen.
    public static let helpLines = [
        "Review: the confusion matrix of a labelled folder (classified now) or of a training report.",
        "Rows are true classes, columns predictions; shading follows the numbers shown.",
        "",
        "  arrows / hjkl   move the cursor over the cells",
        "  n               counts / percentage of the row (recall on the diagonal)",
        "  c               jump to the next biggest confusion",
        "  s / S           one speaker's clips only: next / previous speaker (then all again)",
        "  Enter           list the clips behind the cell, most confident first",
        "  in the list:    Up Down PgUp PgDn choose a clip; Enter or space play / stop; Esc back",
        "",
        "UAR is the mean recall over classes (chance = 1 / number of classes); macro-F1 the",
        "mean F1. A random-split report is optimistic: its speakers were heard in training.",
    ]

    /// Stops the evaluation and the preview.
    public func shutdown() {
        evaluator?.cancel()
        previewer.shutdown()
    }
}
