import ArgumentParser
import EmoscopeAudio
import EmoscopeCore
import Foundation

/// `emoscope info`: what a model file says about itself.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a model file: labels, features, networks, calibration, training and evaluation.")

    @OptionGroup var modelOptions: ModelOptions

    @Flag(help: "Print the model's header as JSON (the file's own header, tensor list included).")
    var json = false

    func run() throws {
        let model = try modelOptions.load()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(model.header), as: UTF8.self))
            return
        }
        guard case .found(let path) = ModelStore.resolve(explicit: modelOptions.model) else { return }
        let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        print(ModelDescription.text(model, path: path, bytes: size ?? 0))
    }
}
