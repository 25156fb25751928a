import ArgumentParser
import EmoscopeCore

@main
struct Emoscope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emoscope",
        abstract: "Speech emotion recognition in the terminal.",
        discussion: """
            With no subcommand, opens the live meter on the microphone. Screens: live (microphone \
            or --file), browse (a folder of clips), review (a confusion matrix and the clips behind \
            it). Scripting: classify, eval, features.
            """,
        version: EmoscopeVersion.string,
        subcommands: [LiveCommand.self, BrowseCommand.self, ClassifyCommand.self, FeaturesCommand.self, ReviewCommand.self, EvalCommand.self, InfoCommand.self],
        defaultSubcommand: LiveCommand.self)
}
