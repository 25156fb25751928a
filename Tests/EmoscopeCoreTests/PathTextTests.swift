import EmoscopeCore
import Foundation
import Testing

/// `PathText.folder(of:)` agrees with `NSString.deletingLastPathComponent` and survives the
/// one-character paths that trap in swift-corelibs-foundation.
@Suite("path text")
struct PathTextTests {
    @Test(arguments: [
        ("/tmp/scratch.tiff", "/tmp"), ("/tmp/lock/", "/tmp"), ("/tmp/", "/"), ("/tmp", "/"), ("/", "/"),
        ("scratch.tiff", ""), ("a/b/c.wav", "a/b"), ("a//b.wav", "a"), ("./x.wav", "."), ("", ""),
        ("x", ""), ("-", ""), ("/x", "/"), ("x/", ""), ("a/b//", "a"),
    ])
    func folderOfPath(path: String, folder: String) {
        #expect(PathText.folder(of: path) == folder, "\(path)")
    }

    @Test func matchesFoundationWhereFoundationWorks() {
        for path in ["/tmp/scratch.tiff", "/tmp/lock/", "/tmp/", "/tmp", "scratch.tiff", "a/b/c.wav", "ab", "a//b.wav", "./x.wav"] {
            #expect(PathText.folder(of: path) == (path as NSString).deletingLastPathComponent, "\(path)")
        }
    }
}
