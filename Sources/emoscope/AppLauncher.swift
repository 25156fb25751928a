import ArgumentParser
import EmoscopeAudio
import EmoscopeCore
import EmoscopeTUI
import Foundation

/// Builds the three screens and runs the terminal UI.
enum AppLauncher {
    /// What each screen starts with.
    struct Setup {
        var initial: ScreenID
        var model: EmotionModel
        var modelName: String
        var live: LiveController
        var browseFolder: String?
        /// The Browse screen's speaker adaptation (`browse --adapt`); nil: none.
        var browseStandardizer: ClipStandardizer?
        var reviewSource: String?
        /// The Review screen's speaker adaptation (`review --adapt`); nil: none.
        var reviewStandardizer: ClipStandardizer?
    }

    /// Runs the UI; exits with status 2 and a message when there is no usable terminal.
    static func run(_ setup: Setup) throws {
        let controllers: [ScreenController] = [
            setup.live,
            makeBrowse(setup),
            makeReview(setup),
        ]
        let status = "model \(setup.modelName) · \(setup.model.header.labels.count) emotions"
        do {
            try AppRunner(controllers: controllers, initial: setup.initial, labels: setup.model.header.labels, status: status).run()
        } catch {
            printError("emoscope: \(error)")
            throw ExitCode(2)
        }
    }

    static func makeBrowse(_ setup: Setup) -> ScreenController {
        BrowseController(model: setup.model, folder: setup.browseFolder, standardizer: setup.browseStandardizer)
    }

    static func makeReview(_ setup: Setup) -> ScreenController {
        let source = setup.reviewSource ?? ModelStore.defaultReport()
        return ReviewController(source: source, model: setup.model, modelName: setup.modelName, missingSourceMessage:
            "the shipped report (\(ModelStore.defaultReportFileName)) was not found beside the default model",
                                standardizer: setup.reviewStandardizer)
    }
}
