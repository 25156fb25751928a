import ArgumentParser
import EmoscopeCore

@main
struct EmoscopeTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emoscope-train",
        abstract: "Train Emoscope's emotion model from a labelled corpus.",
        discussion: """
            Training is not built yet (issue 4: speaker-grouped cross-validation, calibration, \
            the default model). This release only has --help and --version.
            """,
        version: EmoscopeVersion.string)

    func run() throws {
        throw ValidationError("training is not implemented in this release (see issue 4)")
    }
}
