/// Why an audio file could not be decoded or written. Every case names the file.
public enum AudioError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No file at the path.
    case missing(path: String)
    /// The path is a directory or another non-regular file.
    case notAFile(path: String)
    /// The file exists but cannot be read (permissions, I/O error).
    case unreadable(path: String, reason: String)
    /// The file has no bytes, or a valid header but no audio frames.
    case empty(path: String)
    /// The file is not in any format libsndfile recognises.
    case notAudio(path: String)
    /// The file ends before the audio its header announces.
    case truncated(path: String, framesRead: Int, framesExpected: Int)
    /// The decoder failed (malformed header or data), possibly after a partial read.
    case corrupt(path: String, framesRead: Int, reason: String)
    /// Audio, but in an encoding, rate or channel layout Emoscope does not take.
    case unsupported(path: String, reason: String)
    /// Longer than the caller's limit.
    case tooLong(path: String, seconds: Double, limit: Double)
    /// Writing failed.
    case writeFailed(path: String, reason: String)

    /// The file the error is about.
    public var path: String {
        switch self {
        case .missing(let path), .notAFile(let path), .unreadable(let path, _), .empty(let path),
             .notAudio(let path), .truncated(let path, _, _), .corrupt(let path, _, _),
             .unsupported(let path, _), .tooLong(let path, _, _), .writeFailed(let path, _):
            return path
        }
    }

    /// A short, stable name of the cause (`missing`, `corrupt`, …) for tables and JSON.
    public var kind: String {
        switch self {
        case .missing: "missing"
        case .notAFile: "not-a-file"
        case .unreadable: "unreadable"
        case .empty: "empty"
        case .notAudio: "not-audio"
        case .truncated: "truncated"
        case .corrupt: "corrupt"
        case .unsupported: "unsupported"
        case .tooLong: "too-long"
        case .writeFailed: "write-failed"
        }
    }

    /// The cause in words, without the path.
    public var reason: String {
        switch self {
        case .missing: "no such file"
        case .notAFile: "not a regular file"
        case .unreadable(_, let reason): "cannot be read: \(reason)"
        case .empty: "empty: it holds no audio"
        case .notAudio: "not an audio file (format not recognised)"
        case .truncated(_, let read, let expected):
            "truncated: the header announces \(expected) frames but the file ends after \(read)"
        case .corrupt(_, let read, let reason):
            read > 0 ? "corrupt: decoding failed after \(read) frames (\(reason))" : "corrupt: \(reason)"
        case .unsupported(_, let reason): "unsupported: \(reason)"
        case .tooLong(_, let seconds, let limit):
            "too long: \(Int(seconds.rounded())) s, the limit is \(Int(limit)) s"
        case .writeFailed(_, let reason): "could not be written: \(reason)"
        }
    }

    public var description: String { "\(path): \(reason)" }
}
