import EmoscopeCore
import Foundation

/// Each clip's standardisation (nil: the model's own) from the clips' paths and the speakers
/// (or folders) they belong to: speaker adaptation, supplied by the command that opens a screen.
public typealias ClipStandardizer = @Sendable (_ paths: [String], _ groups: [String]) -> [ModelHeader.Normalization?]

/// The standardisation each clip of a screen was classified with, by path, so that the clip
/// preview classifies a clip as its list did. Filled from one thread, read from others.
public final class ClipNormalizations: @unchecked Sendable {
    private let lock = NSLock()
    private var byPath: [String: ModelHeader.Normalization] = [:]

    /// None yet: every clip with the model's own statistics.
    public init() {}

    /// Records `normalizations[i]` for `paths[i]` (nil entries: the model's own).
    public func set(paths: [String], _ normalizations: [ModelHeader.Normalization?]) {
        lock.withLock {
            for (path, normalization) in zip(paths, normalizations) { byPath[path] = normalization }
        }
    }

    /// The standardisation of the clip at `path`; nil: the model's own.
    public func normalization(of path: String) -> ModelHeader.Normalization? {
        lock.withLock { byPath[path] }
    }
}
