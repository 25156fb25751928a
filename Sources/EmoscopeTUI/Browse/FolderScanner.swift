import EmoscopeAudio
import EmoscopeCore
import EmoscopeTraining
import Foundation

/// Finds the audio files under a folder.
public enum AudioFolder {
    /// Paths relative to `directory` of its audio files (by extension), recursively, hidden entries skipped, sorted.
    /// `directory` may be a symbolic link to the folder (links below it are not followed).
    /// `isCancelled` is polled between entries; `progress` hears the count found every 256 files;
    /// `unreadable` hears each folder the walk cannot enter ("" for `directory` itself), which
    /// `FileManager` would otherwise skip without a word.
    public static func audioFiles(in directory: String, progress: (Int) -> Void = { _ in },
                                  isCancelled: () -> Bool = { false }, unreadable: (String) -> Void = { _ in }) -> [String] {
        let root = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        guard access(root, R_OK | X_OK) == 0, let walker = FileManager.default.enumerator(atPath: root) else {
            unreadable("")
            return []
        }
        var found: [String] = []
        while let relative = walker.nextObject() as? String, !isCancelled() {
            let name = (relative as NSString).lastPathComponent
            if name.hasPrefix(".") {
                walker.skipDescendants()
                continue
            }
            guard AudioFileReader.audioExtensions.contains((name as NSString).pathExtension.lowercased()) else {
                if CorpusLoader.isUnenterableFolder(root + "/" + relative) { unreadable(relative) }
                continue
            }
            found.append(relative)
            if found.count % 256 == 0 { progress(found.count) }
        }
        return found.sorted()
    }
}

/// Works out a clip's true label from what its folder reveals: a manifest (`manifest.csv` or
/// `labels.csv` in the folder, lines `path,label[,speaker]`), a RAVDESS file name, or the nearest
/// parent folder (below the browsed one) named after a label.
public struct TrueLabeler: Sendable {
    /// The model's labels.
    public let labels: [String]
    private let byPath: [String: Int]
    private let lowercased: [String]
    /// Why a manifest in the folder, or some of its lines, was not used.
    public let manifestProblem: String?

    /// Names of manifest files looked for in the browsed folder.
    public static let manifestNames = ["manifest.csv", "labels.csv"]

    /// A labeller for `folder` (an absolute, standardised path) and the model's `labels`.
    public init(folder: String, labels: [String]) {
        self.labels = labels
        lowercased = labels.map { $0.lowercased() }
        var byPath: [String: Int] = [:]
        var problem: String?
        for name in Self.manifestNames {
            let manifest = (folder as NSString).appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: manifest) else { continue }
            var bad: [CorpusError] = []
            do {
                // A viewer keeps the lines it can use: one typo should not hide every label.
                let corpus = try CorpusLoader.manifest(path: manifest, labels: labels, skipped: { bad.append($0) })
                for clip in corpus.clips { byPath[Self.standardized(clip.path)] = clip.label }
                if let first = bad.first {
                    problem = "\(bad.count) line\(bad.count == 1 ? "" : "s") of \(name) not used, the first: \(first)"
                }
            } catch {
                problem = "\(name) not used: \(bad.first ?? error)"
            }
            break
        }
        self.byPath = byPath
        manifestProblem = problem
    }

    /// The true label of the file at `path`, `relative` to the browsed folder; nil when nothing says.
    public func label(path: String, relative: String) -> Int? {
        if let label = byPath[path] { return label }
        let components = relative.split(separator: "/").map(String.init)
        if let ravdess = CorpusLoader.ravdessLabel(fileName: components.last ?? ""),
           let index = labels.firstIndex(of: ModelHeader.ravdessLabels[ravdess]) {
            return index
        }
        for folder in components.dropLast().reversed() {
            if let index = lowercased.firstIndex(of: folder.lowercased()) { return index }
        }
        return nil
    }

    /// `path` made absolute with `.` and `..` resolved (symbolic links kept).
    public static func standardized(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
