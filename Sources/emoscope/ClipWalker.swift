import EmoscopeTUI
import Foundation

/// Expands command-line paths into the audio files to process.
enum ClipWalker {
    /// Files named directly, in order, then each directory's audio files, recursively and sorted.
    static func expand(_ paths: [String]) -> [String] {
        paths.flatMap { path -> [String] in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
            return AudioFolder.audioFiles(in: path).map { (path as NSString).appendingPathComponent($0) }
        }
    }
}
