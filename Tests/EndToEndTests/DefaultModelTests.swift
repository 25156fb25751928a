import EmoscopeAudio
import EmoscopeCore
import EmoscopeTestSupport
import Foundation
import Testing

/// The default model ships in Assets/ and is found without flags.
@Suite("default model")
struct DefaultModelTests {
    let emoscope = ProcessRunner.product("emoscope")
    let assets = Corpus.repositoryRoot.appendingPathComponent("Assets")
    var demo: String { assets.appendingPathComponent("demo/03-01-05-02-01-01-01.flac").path }

    @Test func theShippedModelIsValidAndDescribesItself() throws {
        let model = try ModelStore.load(path: assets.appendingPathComponent("default.emomodel").path)
        #expect(model.header.labels == ModelHeader.ravdessLabels)
        #expect(model.header.provenance.corpus.contains("RAVDESS"))
        #expect(model.header.provenance.evaluationProtocol.contains("speaker-independent"))
        #expect((model.header.provenance.metrics["uar"] ?? 0) > 0.125, "better than chance on unseen speakers")
        let bytes = try FileManager.default.attributesOfItem(atPath: assets.appendingPathComponent("default.emomodel").path)[.size] as! Int
        #expect(bytes <= 4 << 20)
        // Its cross-validation report is beside it.
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: assets.appendingPathComponent("default.report.json"))) as! [String: Any]
        #expect(report["split"] as? String == "speaker-independent")
        #expect((report["predictions"] as? [Any])?.count == 1_440)
    }

    /// The adapting model ships beside it, says it was trained per speaker, and its report says so too.
    @Test func theAdaptiveModelIsLabelledAndAdapts() throws {
        let path = assets.appendingPathComponent("adaptive.emomodel").path
        let model = try ModelStore.load(path: path)
        #expect(model.header.speakerNormalized && model.header.labels == ModelHeader.ravdessLabels)
        #expect(model.header.provenance.evaluationProtocol.contains("SPEAKER-ADAPTED"))
        let bytes = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        #expect(bytes <= 4 << 20)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: assets.appendingPathComponent("adaptive.report.json"))) as! [String: Any]
        #expect((report["protocolDescription"] as? String)?.contains("SPEAKER-ADAPTED") == true)
        let adapted = try ProcessRunner.run([emoscope, "classify", demo, "--model", path, "--adapt", "--format", "csv"])
        #expect(adapted.status == 0 && adapted.stdout.contains(",classified,"), "stderr: \(adapted.stderr)")
        let byName = try ProcessRunner.run(["/bin/sh", "-c", "cd / && exec \"$0\" info --model adaptive", emoscope])
        #expect(byName.status == 0 && byName.stdout.contains("standardised per speaker"), "a shipped model is found by name from any folder")
        let refused = try ProcessRunner.run([emoscope, "classify", demo, "--adapt"], environment: ["EMOSCOPE_MODEL": ""])
        #expect(refused.status == 2, "the default model is trained on corpus statistics")
    }

    /// The model for other microphones ships beside it: trained with the ±12 dB equaliser, found by name.
    @Test func theRobustModelWasTrainedWithTheEqualiser() throws {
        let path = assets.appendingPathComponent("robust.emomodel").path
        let model = try ModelStore.load(path: path)
        #expect(model.header.labels == ModelHeader.ravdessLabels && !model.header.speakerNormalized)
        #expect(model.header.provenance.evaluationProtocol.contains("speaker-independent"))
        let bytes = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        #expect(bytes <= 4 << 20)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: assets.appendingPathComponent("robust.report.json"))) as! [String: Any]
        let augmentation = (report["configuration"] as? [String: Any])?["augmentation"] as? [String: Any]
        #expect(augmentation?["equalizerDB"] as? Double == 12)
        #expect((report["predictions"] as? [Any])?.count == 1_440)
        let byName = try ProcessRunner.run(["/bin/sh", "-c", "cd / && exec \"$0\" classify \"$1\" --model robust --format csv", emoscope, demo])
        #expect(byName.status == 0 && byName.stdout.contains(",classified,"), "stderr: \(byName.stderr)")
    }

    @Test func foundWithoutFlagsFromAnyFolder() throws {
        let result = try ProcessRunner.run(["/bin/sh", "-c", "cd / && exec \"$0\" classify \"$1\" --format csv", emoscope, demo],
                                           environment: ["EMOSCOPE_MODEL": ""])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains(",classified,"))
    }

    @Test func foundAfterInstallation() throws {
        // The layout `make install PREFIX=…` produces: bin/emoscope and share/emoscope/.
        let prefix = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: prefix.path("bin"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: prefix.path("share"), withIntermediateDirectories: true)
        try ProcessRunner.copyExecutable(from: emoscope, to: prefix.path("bin/emoscope"))
        try FileManager.default.copyItem(atPath: assets.path, toPath: prefix.path("share/emoscope"))
        let result = try ProcessRunner.run(["/bin/sh", "-c", "cd / && exec \"$0\" classify \"$1\" --format csv", prefix.path("bin/emoscope"), demo],
                                           environment: ["EMOSCOPE_MODEL": ""])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains(",classified,"))
        let moved = try ProcessRunner.run([prefix.path("bin/emoscope"), "classify", demo, "--model", prefix.path("nowhere.emomodel")])
        #expect(moved.status == 2, "--model overrides the default")
    }
}
