/// Why a corpus cannot be used (checked before any training starts). Messages name the file and line.
public enum CorpusError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A directory format was asked for, but the path is not a directory.
    case notADirectory(path: String)
    /// Nothing in the corpus matched the format; `hint` says what was expected.
    case noClips(path: String, hint: String)
    /// A manifest line names a file that does not exist.
    case missingFile(manifest: String, line: Int, path: String)
    /// A label (manifest field or folder name) is not in the label set.
    case unknownLabel(source: String, line: Int?, label: String, known: [String])
    /// A manifest line that is not `path,label[,speaker]`.
    case malformedLine(manifest: String, line: Int, reason: String)
    /// A manifest lists the same file twice (it could land in both train and test).
    case duplicateClip(manifest: String, line: Int, path: String, firstLine: Int)
    /// The path does not exist or cannot be read.
    case unreadable(path: String, reason: String)
    /// The label list given by the caller cannot be used (empty, duplicated names, or not the format's).
    case invalidLabels(reason: String)
    /// Speaker-grouped folds need at least as many speakers as folds.
    case tooFewSpeakers(found: Int, needed: Int)
    /// Cross-validation needs at least two folds.
    case invalidFoldCount(k: Int)

    public var description: String {
        switch self {
        case .notADirectory(let path):
            "\(path): not a directory"
        case .noClips(let path, let hint):
            "\(path): no clips found; \(hint)"
        case .missingFile(let manifest, let line, let path):
            "\(manifest):\(line): no such file: \(path)"
        case .unknownLabel(let source, let line, let label, let known):
            "\(source)\(line.map { ":\($0)" } ?? ""): unknown label \"\(label)\"; known labels: \(known.joined(separator: ", "))"
        case .malformedLine(let manifest, let line, let reason):
            "\(manifest):\(line): \(reason)"
        case .duplicateClip(let manifest, let line, let path, let firstLine):
            "\(manifest):\(line): \(path) is already listed on line \(firstLine)"
        case .unreadable(let path, let reason):
            "\(path): cannot be read: \(reason)"
        case .invalidLabels(let reason):
            "invalid label list: \(reason)"
        case .tooFewSpeakers(let found, let needed):
            "speaker-grouped folds need at least \(needed) speakers; the corpus has \(found)"
        case .invalidFoldCount(let k):
            "cross-validation needs at least 2 folds, not \(k)"
        }
    }
}
