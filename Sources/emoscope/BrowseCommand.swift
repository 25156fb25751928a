import ArgumentParser
import EmoscopeAudio
import EmoscopeCore
import EmoscopeTUI
import Foundation

/// `emoscope browse DIR`: the browse screen on a folder of clips.
struct BrowseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "browse",
        abstract: "Browse and classify a folder of clips (recursively), with preview, playback and export.",
        discussion: """
            Every audio file under DIR is classified in the background; results are cached (by path, \
            size, modification time and model) under $XDG_CACHE_HOME/emoscope or ~/.cache/emoscope, so \
            reopening a folder is instant. True labels come from manifest.csv or labels.csv in DIR, \
            RAVDESS file names, or folders named after an emotion. Without DIR, the screen asks for a folder.
            Keys: Enter play, / search, s sort, f t w filter, e export, o open, ? help, q quit. \
            With --adapt (a model trained with --speaker-normalization, e.g. --model adaptive) each \
            folder's clips are standardised with that folder's statistics, taking a folder as one \
            speaker; those results are not cached.
            """)

    @Argument(help: ArgumentHelp("The folder of clips.", valueName: "dir"))
    var folder: String?

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup(title: "Speaker adaptation")
    var adaptation: AdaptationOptions

    func validate() throws {
        guard let folder else { return }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("\(folder) is not a folder")
        }
    }

    func run() throws {
        let model = try modelOptions.load()
        let standardizer = try adaptation.standardizer(model: model, threads: ProcessInfo.processInfo.activeProcessorCount,
                                                       maximumDuration: BrowseController.maximumDuration)
        let live = try LiveCommand.makeLiveController(model: model, device: "default", file: nil,
                                                      recording: RecordingSettings(directory: ".", format: .flac16))
        let modelName = modelOptions.displayName + (adaptation.adapt ? ", adapted per folder" : "")
        try AppLauncher.run(.init(initial: .browse, model: model, modelName: modelName, live: live, browseFolder: folder,
                                  browseStandardizer: standardizer))
    }
}
