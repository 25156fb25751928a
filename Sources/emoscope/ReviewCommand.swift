import ArgumentParser
import EmoscopeAudio
import EmoscopeCore
import EmoscopeTUI
import Foundation

/// `emoscope review [SOURCE]`: the Review screen on a labelled folder or a training report (default: the shipped report).
struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Confusion matrix, per-class metrics and the clips behind each cell.",
        discussion: """
            SOURCE is a JSON report written by emoscope-train (default: the cross-validation report shipped \
            beside the default model, default.report.json), or a \
            labelled folder (RAVDESS names, DIR/<label>/… folders) or CSV manifest, which is classified \
            with the model in the background. Keys: arrows/hjkl move, n counts or % of row, c next \
            confusion, Enter clips of the cell, Esc back, ? help, q quit. Without a UI: emoscope eval. \
            With --adapt (a model trained with --speaker-normalization, e.g. --model adaptive) a folder's \
            clips are standardised with each speaker's statistics before they are classified.
            """)

    @Argument(help: "A report (.json), a labelled folder or a CSV manifest (default: the shipped report).")
    var source: String?

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup(title: "Speaker adaptation")
    var adaptation: AdaptationOptions

    func validate() throws {
        if let source, !FileManager.default.fileExists(atPath: source) { throw ValidationError("\(source): no such file or folder") }
    }

    func run() throws {
        let model = try modelOptions.load()
        let standardizer = try adaptation.standardizer(model: model, threads: ProcessInfo.processInfo.activeProcessorCount,
                                                       maximumDuration: ReviewEvaluator.maximumDuration)
        let modelName = modelOptions.displayName + (adaptation.adapt ? ", adapted per speaker" : "")
        let live = try LiveCommand.makeLiveController(model: model, device: "default", file: nil,
                                                      recording: RecordingSettings(directory: ".", format: .flac16))
        try AppLauncher.run(.init(initial: .review, model: model, modelName: modelName, live: live, reviewSource: source,
                                  reviewStandardizer: standardizer))
    }
}
