import EmoscopeAudio
import EmoscopeCore
import EmoscopeTestSupport
import Foundation
import Testing

/// `emoscope classify` run as a user runs it, with a generated model.
@Suite("emoscope classify")
struct ClassifyTests {
    let emoscope = ProcessRunner.product("emoscope")
    let folder = TemporaryDirectory()
    let modelPath: String

    init() throws {
        modelPath = folder.path("test.emomodel")
        try ModelStore.save(TestModels.compact(seed: 5), to: modelPath)
    }

    /// A small folder: two clips in a subfolder, one long clip, one silent, one too short, one broken.
    func makeClips() throws -> String {
        let clips = folder.path("clips")
        try FileManager.default.createDirectory(atPath: clips + "/sub", withIntermediateDirectories: true)
        let demo = Corpus.repositoryRoot.appendingPathComponent("Assets/demo/03-01-05-02-01-01-01.flac").path
        try FileManager.default.copyItem(atPath: demo, toPath: clips + "/sub/angry.flac")
        try AudioFileWriter.write(Signals.speechLike(frequency: 180, seconds: 7.5), sampleRate: 16_000, to: clips + "/long.wav", format: .wav16)
        try AudioFileWriter.write([Float](repeating: 0, count: 24_000), sampleRate: 16_000, to: clips + "/silent.wav", format: .wav16)
        try AudioFileWriter.write(Signals.sine(frequency: 180, seconds: 0.3), sampleRate: 44_100, to: clips + "/short.wav", format: .wav16)
        try "not audio".write(toFile: clips + "/sub/broken.wav", atomically: true, encoding: .utf8)
        try "ignored".write(toFile: clips + "/notes.txt", atomically: true, encoding: .utf8)
        return clips
    }

    @Test func csvHasStableColumnsAndReportsEveryFile() throws {
        let clips = try makeClips()
        let result = try ProcessRunner.run([emoscope, "classify", clips, "--model", modelPath, "--format", "csv"])
        #expect(result.status == 1, "one file is broken")
        #expect(result.stderr.contains("\(clips)/sub/broken.wav: not an audio file"))
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "path,duration,status,label,confidence,neutral,calm,happy,sad,angry,fearful,disgust,surprised")
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.map { ($0[0] as NSString).lastPathComponent } == ["long.wav", "short.wav", "silent.wav", "angry.flac"])
        let byName = Dictionary(uniqueKeysWithValues: rows.map { (($0[0] as NSString).lastPathComponent, $0) })
        #expect(byName["short.wav"]?[2] == "too-short")
        #expect(byName["silent.wav"]?[2] == "no-speech")
        let angry = try #require(byName["angry.flac"])
        #expect(angry[1] == "4.104" && angry[2] == "classified")
        let probabilities = angry[5...].compactMap(Double.init)
        #expect(probabilities.count == 8 && abs(probabilities.reduce(0, +) - 1) < 0.002)
        #expect(Double(angry[4]) == probabilities.max())
        #expect(ModelHeader.ravdessLabels[probabilities.firstIndex(of: probabilities.max()!)!] == angry[3])
    }

    @Test func jsonAndJSONLinesCarrySegments() throws {
        let clips = try makeClips()
        let json = try ProcessRunner.run([emoscope, "classify", clips + "/long.wav", clips + "/sub/angry.flac", "--model", modelPath, "--format", "json", "--segments"])
        #expect(json.status == 0, "stderr: \(json.stderr)")
        let array = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(array.count == 2)
        let long = array[0]
        #expect(long["status"] as? String == "classified")
        let segments = try #require(long["segments"] as? [[String: Any]])
        #expect(segments.compactMap { $0["start"] as? Double } == [0, 1, 2, 3, 4, 4.5])
        #expect((long["probabilities"] as? [String: Double])?.count == 8)

        let lines = try ProcessRunner.run([emoscope, "classify", clips + "/long.wav", clips + "/sub/angry.flac", "--model", modelPath, "--format", "jsonl"])
        let objects = try lines.stdout.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(objects.count == 2 && objects.allSatisfy { $0["segments"] == nil })
        #expect(objects[1]["label"] as? String == array[1]["label"] as? String)

        let csv = try ProcessRunner.run([emoscope, "classify", clips + "/long.wav", clips + "/short.wav", clips + "/silent.wav",
                                         "--model", modelPath, "--format", "csv", "--segments"])
        let rows = csv.stdout.split(separator: "\n").map(String.init)
        #expect(rows.first == "path,status,segment,start,end,speech,label,confidence,neutral,calm,happy,sad,angry,fearful,disgust,surprised")
        #expect(rows.filter { $0.hasPrefix(clips + "/long.wav,classified,") }.count == 6)
        #expect(rows.contains { $0.hasPrefix(clips + "/short.wav,too-short,,,,,") }, "a clip without windows still has its row")
        #expect(rows.contains { $0.hasPrefix(clips + "/silent.wav,no-speech,,,,,") })
    }

    /// A one-character path ("-", the stdin habit) is reported as a missing file, not a crash.
    @Test func oneCharacterPathIsAMissingFile() throws {
        let result = try ProcessRunner.run([emoscope, "classify", "-", "--model", modelPath, "--format", "csv"])
        #expect(result.status == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("emoscope: -: no such file"), "stderr: \(result.stderr)")
        #expect(result.stdout.hasPrefix("path,duration,status"))
    }

    @Test func tableShowsLabelsAndConfidence() throws {
        let clips = try makeClips()
        let result = try ProcessRunner.run([emoscope, "classify", clips + "/sub/angry.flac", clips + "/silent.wav", "--model", modelPath])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("file") == true && lines.first?.contains("surpr") == true)
        #expect(lines.contains { line in line.contains("angry.flac") && ModelHeader.ravdessLabels.contains { line.contains(" \($0) ") } })
        #expect(lines.contains { $0.contains("silent.wav") && $0.hasSuffix("no-speech") })
    }

    @Test func modelProblemsAreClearAndExitWithTwo() throws {
        let clip = Corpus.repositoryRoot.appendingPathComponent("Assets/demo/03-01-05-02-01-01-01.flac").path
        var damaged = try [UInt8](Data(contentsOf: URL(fileURLWithPath: modelPath)))
        damaged[damaged.count / 2] ^= 0xFF
        let damagedPath = folder.path("damaged.emomodel")
        #expect(FileManager.default.createFile(atPath: damagedPath, contents: Data(damaged)))
        let broken = try ProcessRunner.run([emoscope, "classify", clip, "--model", damagedPath])
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("\(damagedPath): model file checksum: CRC-32 mismatch"))

        let missing = try ProcessRunner.run([emoscope, "classify", clip, "--model", folder.path("none.emomodel")])
        #expect(missing.status == 2 && missing.stderr.contains("none.emomodel: model file file: no such file"))

        // The environment variable is used when --model is absent.
        let viaEnvironment = try ProcessRunner.run([emoscope, "classify", clip, "--format", "csv"], environment: ["EMOSCOPE_MODEL": modelPath])
        #expect(viaEnvironment.status == 0 && viaEnvironment.stdout.split(separator: "\n").count == 2)
    }

    @Test(.enabled(if: Corpus.isAvailable, Comment(rawValue: Corpus.absentMessage)))
    func classifiesTheWholeCorpus() throws {
        let result = try ProcessRunner.run([emoscope, "classify", Corpus.speech16k.path, "--model", modelPath, "--format", "csv"])
        #expect(result.status == 0, "stderr: \(result.stderr.prefix(500))")
        let rows = result.stdout.split(separator: "\n").dropFirst()
        #expect(rows.count == 1_440)
        #expect(rows.allSatisfy { $0.contains(",classified,") })
        #expect(rows.first?.contains("Actor_01/03-01-01-01-01-01-01.flac") == true)
    }
}
