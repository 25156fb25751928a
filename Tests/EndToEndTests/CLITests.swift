import EmoscopeAudio
import EmoscopeCore
import EmoscopeTestSupport
import Foundation
import Testing

/// The built executables, run as a user runs them.
@Suite("command line")
struct CLITests {
    let emoscope = ProcessRunner.product("emoscope")
    let trainer = ProcessRunner.product("emoscope-train")
    let demoClip = Corpus.repositoryRoot.appendingPathComponent("Assets/demo/03-01-05-02-01-01-01.flac").path

    @Test func versionAndHelp() throws {
        for program in [emoscope, trainer] {
            let version = try ProcessRunner.run([program, "--version"])
            #expect(version.status == 0)
            #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
            let help = try ProcessRunner.run([program, "--help"])
            #expect(help.status == 0)
            #expect(help.stdout.contains("USAGE"))
        }
        #expect(try ProcessRunner.run([emoscope, "--help"]).stdout.contains("features"))
    }

    /// `emoscope info` describes the shipped model from its header, and prints the header as JSON.
    @Test func infoDescribesTheDefaultModel() throws {
        let result = try ProcessRunner.run([emoscope, "info"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let model = try ModelStore.load(path: Corpus.repositoryRoot.appendingPathComponent("Assets/default.emomodel").path)
        #expect(result.stdout.contains("labels     " + model.header.labels.joined(separator: " ")))
        #expect(result.stdout.contains("64 bands 0–8000 Hz; 25 ms Hann window, 512-point FFT, hop 10 ms"))
        #expect(result.stdout.contains(String(format: "UAR %.3f", model.header.provenance.metrics["uar"] ?? -1)), "stdout: \(result.stdout)")
        #expect(result.stdout.contains("multiply-adds per 3 s window"))
        #expect(result.stdout.contains("speech level removed") == model.header.normalization.subtractSpeechLevel)
        #expect(result.stdout.contains("standardised per speaker") == model.header.speakerNormalized)
        let json = try ProcessRunner.run([emoscope, "info", "--json"])
        let header = try JSONDecoder().decode(ModelHeader.self, from: Data(json.stdout.utf8))
        #expect(header == model.header)
        let broken = try ProcessRunner.run([emoscope, "info", "--model", demoClip])
        #expect(broken.status == 2 && broken.stderr.contains("model file magic"), "stderr: \(broken.stderr)")
    }

    @Test func featuresOfTheDemoClipAsJSON() throws {
        let result = try ProcessRunner.run([emoscope, "features", demoClip, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let source = try #require(json["source"] as? [String: Any])
        #expect(source["sampleRate"] as? Int == 16_000)
        #expect(source["channels"] as? Int == 1)
        #expect(json["samples"] as? Int == 65_666)
        let features = try #require(json["features"] as? [String: Any])
        #expect(features["frames"] as? Int == 411)
        let mfcc = try #require(features["mfcc"] as? [String: Any])
        #expect((mfcc["means"] as? [Double])?.count == 20)
        let voice = try #require(features["voiceActivity"] as? [String: Any])
        let speech = try #require(voice["speechRatio"] as? Double)
        #expect(speech > 0.3 && speech < 0.9, "speech ratio \(speech)")
        let pitch = try #require(features["pitch"] as? [String: Any])
        let median = try #require(pitch["medianHertz"] as? Double)
        #expect(median > 80 && median < 500, "median F0 \(median)")
    }

    @Test func featuresTableOfAResampledStereoFile() throws {
        let folder = TemporaryDirectory()
        let path = folder.path("stereo.wav")
        let writer = try AudioFileWriter(path: path, format: .wav24, sampleRate: 48_000, channels: 2)
        try writer.write(Signals.speechLike(frequency: 220, seconds: 2, sampleRate: 48_000).flatMap { [$0, $0] })
        try writer.finish()
        let result = try ProcessRunner.run([emoscope, "features", path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("WAV / PCM 24-bit, 48000 Hz, 2 channels → 16000 Hz mono"))
        #expect(result.stdout.contains("Duration    2.00 s (32000 samples)"))
        #expect(result.stdout.contains("median 220 Hz"), "\(result.stdout)")
    }

    @Test func badFilesAreReportedAndTheRestStillRun() throws {
        let folder = TemporaryDirectory()
        let text = folder.path("notes.wav")
        try "not audio".write(toFile: text, atomically: true, encoding: .utf8)
        let missing = folder.path("missing.flac")
        let result = try ProcessRunner.run([emoscope, "features", missing, text, demoClip])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(missing): no such file"))
        #expect(result.stderr.contains("\(text): not an audio file"))
        #expect(result.stdout.contains("File        \(demoClip)"))
    }

    @Test func unreadableFileSaysPermissionDenied() throws {
        let folder = TemporaryDirectory()
        let path = folder.path("secret.wav")
        try AudioFileWriter.write(Signals.sine(frequency: 200, seconds: 1), sampleRate: 16_000, to: path, format: .wav16)
        chmod(path, 0)
        chmod(folder.url.path, 0o755)
        // root reads everything, so as root the check runs as the unprivileged user `nobody`.
        let command = getuid() == 0
            ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", emoscope, "features", path]
            : [emoscope, "features", path]
        let result = try ProcessRunner.run(command)
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(path): cannot be read: permission denied"), "stderr: \(result.stderr)")
    }

    /// A folder that cannot be entered is reported, not skipped without a word; the readable clips still run.
    @Test func unreadableFolderIsReported() throws {
        let folder = TemporaryDirectory()
        let root = folder.path("clips")
        for sub in ["ok", "locked"] {
            try FileManager.default.createDirectory(atPath: root + "/" + sub, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: demoClip, toPath: root + "/" + sub + "/03-01-05-02-01-01-01.flac")
        }
        // The model beside the clips: `nobody` may not be able to reach the repository's (a clone under a private folder).
        let model = folder.path("test.emomodel")
        try ModelStore.save(TestModels.compact(seed: 5), to: model)
        chmod(model, 0o644)
        chmod(root + "/locked", 0)
        defer { chmod(root + "/locked", 0o755) }
        for path in [folder.url.path, root, root + "/ok"] { chmod(path, 0o755) }
        // root enters every folder, so as root the check runs as the unprivileged user `nobody`.
        let prefix = getuid() == 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
        let classify = try ProcessRunner.run(prefix + [emoscope, "classify", root, "--format", "csv", "--model", model])
        #expect(classify.status == 1)
        #expect(classify.stderr.contains("\(root)/locked: cannot be read: permission denied"), "stderr: \(classify.stderr)")
        #expect(classify.stdout.contains("\(root)/ok/03-01-05-02-01-01-01.flac,"))
        let eval = try ProcessRunner.run(prefix + [emoscope, "eval", root, "--model", model])
        #expect(eval.status == 1 && eval.stderr.contains("\(root)/locked") && eval.stderr.contains("permission denied"), "stderr: \(eval.stderr)")
    }

    @Test func maxDurationMustBeAPositiveNumber() throws {
        for command in ["classify", "features"] {
            for value in ["nan", "-1", "0", "inf"] {
                let result = try ProcessRunner.run([emoscope, command, demoClip, "--max-duration=\(value)"])
                #expect(result.status == 64 && result.stderr.contains("--max-duration must be a positive number of seconds"),
                        "\(command) \(value): \(result.stderr)")
            }
        }
    }

    @Test func liveRefusesOptionsThatCannotWork() throws {
        let loop = try ProcessRunner.run([emoscope, "live", "--loop"])
        #expect(loop.status == 64 && loop.stderr.contains("--loop needs --file"), "stderr: \(loop.stderr)")
        let folder = TemporaryDirectory()
        let record = try ProcessRunner.run([emoscope, "live", "--file", demoClip, "--record-directory", folder.path("missing")])
        #expect(record.status == 64 && record.stderr.contains("--record-directory \(folder.path("missing")) is not an existing folder"),
                "stderr: \(record.stderr)")
    }

    @Test func trainerWithoutACorpusShowsUsage() throws {
        let result = try ProcessRunner.run([trainer])
        #expect(result.status != 0)
        #expect(result.stderr.contains("Missing expected argument"))
    }
}
