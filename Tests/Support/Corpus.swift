import Foundation

/// Where the RAVDESS development corpus is, and whether tests may run without it.
///
/// The corpus lives outside the repository (`../shared/datasets`, licence CC BY-NC-SA 4.0).
/// `EMOSCOPE_DATASETS` points elsewhere. Tests that need it are disabled with a message naming
/// the path when it is absent, except under CI (`CI=true`) or `EMOSCOPE_REQUIRE_CORPUS=1`,
/// where `Corpus.requirementTest` fails instead, so CI always exercises them.
public enum Corpus {
    /// The repository root, found from this file's path.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The datasets folder.
    public static let datasets: URL = {
        if let custom = ProcessInfo.processInfo.environment["EMOSCOPE_DATASETS"] {
            return URL(fileURLWithPath: custom)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/datasets")
    }()

    /// The 1440 RAVDESS speech clips at 16 kHz.
    public static let speech16k = datasets.appendingPathComponent("ravdess-speech-16k")
    /// Eight original 48 kHz WAVs of actor 1.
    public static let sample48k = datasets.appendingPathComponent("ravdess-48k-sample/Actor_01")

    /// Whether the corpus is present.
    public static let isAvailable = FileManager.default.fileExists(atPath: speech16k.appendingPathComponent("Actor_01").path)

    /// Whether this run must have the corpus (CI).
    public static var isRequired: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["CI"] == "true" || environment["EMOSCOPE_REQUIRE_CORPUS"] == "1"
    }

    /// The message shown for tests disabled because the corpus is absent.
    public static let absentMessage = """
        RAVDESS corpus not found at \(speech16k.path): test not run. \
        Get RAVDESS from zenodo.org/record/1188976 (see README) or set EMOSCOPE_DATASETS.
        """

    /// The path of one 16 kHz clip, e.g. `clip("Actor_01", "03-01-05-02-01-01-01")`.
    public static func clip(_ actor: String, _ name: String) -> String {
        speech16k.appendingPathComponent(actor).appendingPathComponent(name + ".flac").path
    }

    /// All 16 kHz clips, sorted.
    public static func allClips() -> [String] {
        let actors = (try? FileManager.default.contentsOfDirectory(atPath: speech16k.path)) ?? []
        return actors.sorted().flatMap { actor -> [String] in
            let folder = speech16k.appendingPathComponent(actor)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            return files.filter { $0.hasSuffix(".flac") }.sorted().map { folder.appendingPathComponent($0).path }
        }
    }
}
