import ArgumentParser
import EmoscopeCore

@main
struct Emoscope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emoscope",
        abstract: "Speech emotion recognition in the terminal.",
        discussion: """
            Reads audio with libsndfile (WAV, FLAC, Ogg Vorbis/Opus, MP3, …), resamples it to \
            16 kHz mono and computes the features the emotion model uses.
            """,
        version: EmoscopeVersion.string,
        subcommands: [FeaturesCommand.self, ClassifyCommand.self])
}
