import EmoscopeAudio
import Foundation

/// Expands command-line paths into the audio files to process.
enum ClipWalker {
    /// Files named directly, in order, then each directory's audio files, recursively and sorted.
    static func expand(_ paths: [String]) -> [String] {
        paths.flatMap { path -> [String] in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
            guard let walker = FileManager.default.enumerator(atPath: path) else { return [] }
            var found: [String] = []
            while let relative = walker.nextObject() as? String {
                let name = (relative as NSString).lastPathComponent
                guard !name.hasPrefix("."), AudioFileReader.audioExtensions.contains((name as NSString).pathExtension.lowercased()) else { continue }
                found.append((path as NSString).appendingPathComponent(relative))
            }
            return found.sorted()
        }
    }
}
