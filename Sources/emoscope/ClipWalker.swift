import EmoscopeAudio
import EmoscopeTUI
import Foundation

/// Expands command-line paths into the audio files to process.
enum ClipWalker {
    /// Files named directly, in order, then each directory's audio files, recursively and sorted;
    /// each folder that cannot be read goes to `unreadable` as its error.
    static func expand(_ paths: [String], unreadable: (AudioError) -> Void) -> [String] {
        paths.flatMap { path -> [String] in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
            let files = AudioFolder.audioFiles(in: path, unreadable: { relative in
                let folder = relative.isEmpty ? path : (path as NSString).appendingPathComponent(relative)
                unreadable(.unreadable(path: folder, reason: "permission denied"))
            })
            return files.map { (path as NSString).appendingPathComponent($0) }
        }
    }
}
