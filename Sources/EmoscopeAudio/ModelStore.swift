import EmoscopeCore
import Foundation

/// Reads, writes and finds `.emomodel` files.
public enum ModelStore {
    /// Files larger than this are refused before reading (the default model is under 4 MB).
    public static let maximumFileBytes = 512 << 20
    /// The environment variable that names a model, overriding the default one.
    public static let environmentVariable = "EMOSCOPE_MODEL"
    /// The default model's file name.
    public static let defaultFileName = "default.emomodel"

    /// Loads and validates the model at `path`.
    public static func load(path: String) throws(ModelError) -> EmotionModel {
        func fail(_ reason: String) -> ModelError { ModelError(path: path, field: "file", reason: reason) }
        var status = stat()
        guard stat(path, &status) == 0 else { throw fail(errno == ENOENT ? "no such file" : String(cString: strerror(errno))) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw fail("not a regular file") }
        guard status.st_size <= maximumFileBytes else { throw fail("\(status.st_size) bytes is too large to be a model") }
        guard let data = FileManager.default.contents(atPath: path) else { throw fail("cannot be read") }
        return try ModelFile.decode([UInt8](data), path: path)
    }

    /// Writes `model` to `path` atomically.
    public static func save(_ model: EmotionModel, to path: String) throws {
        try AtomicFile.write(ModelFile.encode(model), to: path)
    }

    /// Where the model comes from: an explicit path (or the name of a shipped model, e.g.
    /// `adaptive`, when no such file exists), `EMOSCOPE_MODEL`, or the default model shipped
    /// beside the executable (`Assets/` in a source tree, `share/emoscope/` once installed).
    public static func resolve(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                               executable: String = "/proc/self/exe") -> Resolution {
        if let explicit {
            if !explicit.contains("/"), !FileManager.default.fileExists(atPath: explicit),
               let shipped = defaultCandidates(executable: executable, fileName: explicit + ".emomodel")
                   .first(where: { FileManager.default.fileExists(atPath: $0) }) {
                return .found(shipped)
            }
            return .found(explicit)
        }
        if let named = environment[environmentVariable], !named.isEmpty { return .found(named) }
        let candidates = defaultCandidates(executable: executable)
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return .found(found) }
        return .notFound(searched: candidates)
    }

    /// The outcome of `resolve`.
    public enum Resolution: Equatable, Sendable {
        case found(String)
        case notFound(searched: [String])
    }

    /// The cross-validation report shipped beside the default model (`default.report.json`), if it is there.
    public static func defaultReport(executable: String = "/proc/self/exe") -> String? {
        defaultCandidates(executable: executable, fileName: defaultReportFileName).first { FileManager.default.fileExists(atPath: $0) }
    }

    /// The default model's report file name.
    public static let defaultReportFileName = "default.report.json"

    /// `Assets/NAME` and `share/emoscope/NAME` (NAME: the default model) in every folder above the executable.
    static func defaultCandidates(executable: String, fileName: String = defaultFileName) -> [String] {
        var folder = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        var candidates: [String] = []
        while true {
            candidates.append(folder.appendingPathComponent("Assets/\(fileName)").path)
            candidates.append(folder.appendingPathComponent("share/emoscope/\(fileName)").path)
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { break }
            folder = parent
        }
        return candidates
    }
}
