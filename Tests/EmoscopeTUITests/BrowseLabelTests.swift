import EmoscopeCore
import EmoscopeTestSupport
import Foundation
import Testing
import EmoscopeTUI

@Suite struct BrowseLabelTests {
    let labels = ModelHeader.ravdessLabels

    @Test func ravdessNamesAndLabelFoldersRevealTheTruth() {
        let labeler = TrueLabeler(folder: "/nowhere", labels: labels)
        #expect(labeler.label(path: "/nowhere/Actor_01/03-01-05-01-01-01-01.flac", relative: "Actor_01/03-01-05-01-01-01-01.flac") == 4)
        #expect(labeler.label(path: "/nowhere/Sad/take1.wav", relative: "Sad/take1.wav") == 3, "folder names ignore case")
        #expect(labeler.label(path: "/nowhere/angry/calm/x.wav", relative: "angry/calm/x.wav") == 1, "the nearest folder wins")
        #expect(labeler.label(path: "/nowhere/misc/x.wav", relative: "misc/x.wav") == nil)
        #expect(labeler.label(path: "/nowhere/03-01-09-01-01-01-01.wav", relative: "03-01-09-01-01-01-01.wav") == nil, "emotion 09 is no label")
        #expect(labeler.manifestProblem == nil)
    }

    @Test func aManifestWinsAndABrokenOneIsReported() throws {
        let folder = TemporaryDirectory()
        for name in ["a.wav", "03-01-05-01-01-01-01.wav"] { try Data([1]).write(to: URL(fileURLWithPath: folder.path(name))) }
        try "path,label\na.wav,happy\n03-01-05-01-01-01-01.wav,calm\n".write(toFile: folder.path("manifest.csv"), atomically: true, encoding: .utf8)
        let root = TrueLabeler.standardized(folder.url.path)
        let labeler = TrueLabeler(folder: root, labels: labels)
        #expect(labeler.label(path: root + "/a.wav", relative: "a.wav") == 2)
        #expect(labeler.label(path: root + "/03-01-05-01-01-01-01.wav", relative: "03-01-05-01-01-01-01.wav") == 1)

        try "path,label\nmissing.wav,happy\n".write(toFile: folder.path("manifest.csv"), atomically: true, encoding: .utf8)
        let broken = TrueLabeler(folder: root, labels: labels)
        #expect(broken.manifestProblem?.hasPrefix("manifest.csv not used:") == true && broken.manifestProblem?.contains("missing.wav") == true,
                "\(broken.manifestProblem ?? "")")
        #expect(broken.label(path: root + "/03-01-05-01-01-01-01.wav", relative: "03-01-05-01-01-01-01.wav") == 4, "names still count")

        // One bad line costs that line only.
        try "path,label\na.wav,happy\nb.wav,bored\nmissing.wav,sad\n".write(toFile: folder.path("manifest.csv"), atomically: true, encoding: .utf8)
        let partial = TrueLabeler(folder: root, labels: labels)
        #expect(partial.label(path: root + "/a.wav", relative: "a.wav") == 2)
        #expect(partial.manifestProblem?.hasPrefix("2 lines of manifest.csv not used, the first: ") == true
                && partial.manifestProblem?.contains("unknown label \"bored\"") == true, "\(partial.manifestProblem ?? "")")
    }

    @Test func theFolderWalkFindsAudioFilesSortedAndSkipsHiddenOnes() throws {
        let folder = TemporaryDirectory()
        for name in ["b/z.wav", "b/a.FLAC", "a.mp3", ".hidden/x.wav", "notes.txt", "b/.x.wav"] {
            try FileManager.default.createDirectory(atPath: (folder.path(name) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data().write(to: URL(fileURLWithPath: folder.path(name)))
        }
        #expect(AudioFolder.audioFiles(in: folder.url.path) == ["a.mp3", "b/a.FLAC", "b/z.wav"])
        // A link to the folder (e.g. ~/data/ravdess → a disk elsewhere) is browsed like the folder.
        let link = TemporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: link.path("corpus"), withDestinationPath: folder.url.path)
        #expect(AudioFolder.audioFiles(in: link.path("corpus")) == ["a.mp3", "b/a.FLAC", "b/z.wav"])
    }

    @Test func exportsHaveClassifyColumnsPlusTheTruthAndErrors() throws {
        let rows = [
            ClipRow(path: "/c/a,b.wav", name: "a,b.wav", trueLabel: 4, outcome: BrowseFixture.verdict(4, 0.9, duration: 2.5)),
            ClipRow(path: "/c/bad.wav", name: "bad.wav", trueLabel: nil, outcome: .failed(kind: "not-audio", reason: "not an audio file")),
            ClipRow(path: "/c/wait.wav", name: "wait.wav", trueLabel: 1),
        ]
        let lines = ClipTable.csv(rows, labels: labels).split(separator: "\n").map(String.init)
        #expect(lines[0] == "path,duration,status,label,confidence,neutral,calm,happy,sad,angry,fearful,disgust,surprised,true_label,error")
        #expect(lines[1].hasPrefix("\"/c/a,b.wav\",2.500,classified,angry,0.9000,0.0143,") && lines[1].hasSuffix(",angry,"))
        #expect(lines[2] == "/c/bad.wav,,error,,,,,,,,,,,,not an audio file")
        #expect(lines[3] == "/c/wait.wav,,pending,,,,,,,,,,,calm,")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(ClipTable.json(rows, labels: labels).utf8)) as? [[String: Any]])
        #expect(json.count == 3)
        #expect(json[0]["label"] as? String == "angry" && json[0]["true_label"] as? String == "angry" && json[0]["duration"] as? Double == 2.5)
        #expect((json[0]["probabilities"] as? [String: Double])?.count == 8)
        #expect(json[1]["error"] as? String == "not an audio file" && json[1]["status"] as? String == "error")
    }
}
