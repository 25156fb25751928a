import EmoscopeAudio
import EmoscopeCore
import Foundation

/// What identifies a file's content to the cache: its size and modification time.
public struct ClipFingerprint: Equatable, Hashable, Sendable, Codable {
    /// Bytes.
    public var size: Int64
    /// Modification time, nanoseconds since 1970.
    public var modified: Int64

    /// A fingerprint from its parts.
    public init(size: Int64, modified: Int64) { self.size = size; self.modified = modified }

    /// The fingerprint of the file at `path`; nil when it cannot be examined.
    public static func of(path: String) -> ClipFingerprint? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return ClipFingerprint(size: Int64(status.st_size),
                               modified: Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec))
    }
}

/// Classification results kept between runs, keyed by path and valid only for the same file size,
/// modification time and model checksum. Stored as JSON, written atomically.
public struct ResultCache: Equatable, Sendable {
    /// One stored outcome and what it is valid for.
    struct Entry: Codable, Equatable, Sendable {
        var fingerprint: ClipFingerprint
        var model: UInt32
        var duration: Double?
        var status: Classification.Status?
        var probabilities: [Float]?
        var errorKind: String?
        var errorReason: String?
    }

    private struct File: Codable {
        var version: Int
        var entries: [String: Entry]
    }

    /// Version of the file layout; other versions are ignored.
    static let version = 1
    /// Checksum of the model whose results are looked up and stored.
    public let model: UInt32
    private(set) var entries: [String: Entry] = [:]
    /// Whether something was stored since loading.
    public private(set) var isModified = false

    /// An empty cache for the model with `model` checksum.
    public init(model: UInt32) { self.model = model }

    /// Number of stored outcomes (for any model).
    public var count: Int { entries.count }

    /// The stored outcome of `path`, if it was made by this model from a file with this fingerprint.
    public func lookup(path: String, fingerprint: ClipFingerprint) -> ClipOutcome? {
        guard let entry = entries[path], entry.model == model, entry.fingerprint == fingerprint else { return nil }
        if let kind = entry.errorKind { return .failed(kind: kind, reason: entry.errorReason ?? kind) }
        guard let duration = entry.duration, let status = entry.status else { return nil }
        return .classified(ClipVerdict(duration: duration, status: status, probabilities: entry.probabilities))
    }

    /// Stores `outcome` for `path`; pending outcomes and failures that may pass (missing, unreadable) are not kept.
    public mutating func store(path: String, fingerprint: ClipFingerprint, outcome: ClipOutcome) {
        var entry = Entry(fingerprint: fingerprint, model: model)
        switch outcome {
        case .pending: return
        case .failed(let kind, _) where Self.transientKinds.contains(kind): return
        case .failed(let kind, let reason):
            entry.errorKind = kind
            entry.errorReason = reason
        case .classified(let verdict):
            entry.duration = verdict.duration
            entry.status = verdict.status
            entry.probabilities = verdict.probabilities
        }
        entries[path] = entry
        isModified = true
    }

    /// Failure kinds that depend on more than the file's content and are tried again each time.
    static let transientKinds: Set<String> = ["missing", "unreadable", "not-a-file"]

    /// The cache at `path`; empty when there is none or it cannot be read.
    public static func load(from path: String, model: UInt32) -> ResultCache {
        var cache = ResultCache(model: model)
        guard let data = FileManager.default.contents(atPath: path),
              let file = try? JSONDecoder().decode(File.self, from: data), file.version == version else { return cache }
        cache.entries = file.entries
        return cache
    }

    /// Writes the cache to `path` atomically, creating its folder.
    public func save(to path: String) throws {
        try FileManager.default.createDirectory(atPath: PathText.folder(of: path), withIntermediateDirectories: true)
        try AtomicFile.write(JSONEncoder().encode(File(version: Self.version, entries: entries)), to: path)
    }

    /// Where the cache of `folder` lives: `$XDG_CACHE_HOME/emoscope/` (else `~/.cache/emoscope/`),
    /// `browse-<CRC-32 of the folder's path>.json`; nil without either variable.
    public static func location(folder: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let base: String
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else if let home = environment["HOME"], !home.isEmpty {
            base = (home as NSString).appendingPathComponent(".cache")
        } else {
            return nil
        }
        let crc = Array(folder.utf8).withUnsafeBytes { CRC32.checksum($0) }
        return (base as NSString).appendingPathComponent("emoscope/browse-\(String(format: "%08x", crc)).json")
    }
}
