import ArgumentParser
import EmoscopeAudio
import EmoscopeCore
import Foundation

/// `--model PATH`, shared by every command that classifies.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Model file (.emomodel), or a shipped model by name (default, adaptive). Default: $EMOSCOPE_MODEL, else the shipped default.",
        valueName: "path"))
    var model: String?

    /// The chosen model's file name, for status lines.
    var displayName: String {
        if case .found(let path) = ModelStore.resolve(explicit: model) { return (path as NSString).lastPathComponent }
        return "none"
    }

    /// Loads the chosen model, or exits with status 2 and a message naming the file and the
    /// field at fault (or where it looked, when there is no model).
    func load() throws -> EmotionModel {
        switch ModelStore.resolve(explicit: model) {
        case .found(let path):
            do {
                return try ModelStore.load(path: path)
            } catch {
                printError("emoscope: \(error)")
                throw ExitCode(2)
            }
        case .notFound(let searched):
            throw ValidationError("""
                no model found. Pass --model PATH or set \(ModelStore.environmentVariable). Looked for:
                \(searched.prefix(6).map { "  " + $0 }.joined(separator: "\n"))
                """)
        }
    }
}
