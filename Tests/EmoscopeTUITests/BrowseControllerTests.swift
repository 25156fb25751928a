import EmoscopeAudio
import EmoscopeCore
import EmoscopeTestSupport
import Foundation
import Testing
import EmoscopeTUI

/// A player that plays nothing: it stays at half the clip until stopped.
final class StandInPlayer: ClipPlayer, @unchecked Sendable {
    let duration: Double
    private(set) var stopped = false
    init(duration: Double) { self.duration = duration }
    func start() {}
    func stop() { stopped = true }
    var position: Double { duration / 2 }
    var isPlaying: Bool { !stopped }
    var failure: AudioDeviceError? { nil }
}

/// The browse controller on a real folder: background scan and classification, cache, preview, export.
@Suite struct BrowseControllerTests {
    let model = TestModels.compact(seed: 3)
    let folder = TemporaryDirectory()
    let cacheHome = TemporaryDirectory()
    var environment: [String: String] { ["XDG_CACHE_HOME": cacheHome.url.path] }
    var clips: String { folder.path("clips") }

    /// Two labelled clips (one long), a silent one and three broken files.
    init() throws {
        for sub in ["angry", "sad"] { try FileManager.default.createDirectory(atPath: folder.path("clips/\(sub)"), withIntermediateDirectories: true) }
        try AudioFileWriter.write(Signals.speechLike(frequency: 180, seconds: 1.5), sampleRate: 16_000, to: clips + "/angry/one.wav", format: .wav16)
        try AudioFileWriter.write(Signals.speechLike(frequency: 220, seconds: 7.5), sampleRate: 16_000, to: clips + "/sad/two.wav", format: .wav16)
        try AudioFileWriter.write([Float](repeating: 0, count: 16_000), sampleRate: 16_000, to: clips + "/silent.wav", format: .wav16)
        try Data().write(to: URL(fileURLWithPath: clips + "/empty.wav"))
        try "just text".write(toFile: clips + "/text.wav", atomically: true, encoding: .utf8)
        let whole = try Data(contentsOf: URL(fileURLWithPath: clips + "/sad/two.wav"))
        try whole.prefix(whole.count / 3).write(to: URL(fileURLWithPath: clips + "/truncated.wav"))
    }

    func controller(model: EmotionModel? = nil, makePlayer: @escaping ClipPlayerFactory = { _, _ throws(AudioDeviceError) in
        throw AudioDeviceError(kind: .noSoundCard, device: "default", message: "no sound card found", hint: "plug in speakers")
    }) -> BrowseController {
        BrowseController(model: model ?? self.model, folder: clips, workers: 2, environment: environment, makePlayer: makePlayer)
    }

    /// Polls like the UI loop until `done` holds (or 60 s pass).
    @discardableResult
    func poll(_ controller: BrowseController, until done: (BrowseController) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            _ = controller.poll()
            if done(controller) { return true }
            usleep(10_000)
        }
        return false
    }

    func finished(_ controller: BrowseController) -> Bool { controller.state.progress.isComplete && controller.state.progress.seconds != nil }

    func screen(_ controller: BrowseController) -> String {
        var canvas = Canvas(width: 100, height: 30)
        controller.draw(into: &canvas, area: canvas.bounds, context: DrawingContext(glyphs: .unicode, labels: model.header.labels))
        return canvas.text
    }

    @Test func classifiesEveryClipAndShowsBadFilesAsErrorRows() throws {
        let browse = controller()
        defer { browse.shutdown() }
        #expect(poll(browse, until: finished))
        let rows = Dictionary(uniqueKeysWithValues: browse.state.rows.map { ($0.name, $0) })
        #expect(rows.keys.sorted() == ["angry/one.wav", "empty.wav", "sad/two.wav", "silent.wav", "text.wav", "truncated.wav"])
        #expect(rows["angry/one.wav"]?.trueLabel == 4 && rows["angry/one.wav"]?.correctness != nil)
        #expect(rows["sad/two.wav"]?.trueLabel == 3 && rows["sad/two.wav"]?.verdict?.status == .classified)
        #expect(rows["silent.wav"]?.verdict?.status == .noSpeech)
        #expect(rows["empty.wav"]?.outcome == .failed(kind: "empty", reason: "empty: it holds no audio"))
        #expect(rows["text.wav"]?.outcome == .failed(kind: "not-audio", reason: "not an audio file (format not recognised)"))
        guard case .failed(let kind, _)? = rows["truncated.wav"]?.outcome else { Issue.record("truncated.wav decoded"); return }
        #expect(kind == "truncated")
        #expect(browse.state.progress.failed == 3 && browse.state.progress.cached == 0)
        let text = screen(browse)
        #expect(text.contains("error: not an audio file") && text.contains("done: 6 clips"))
        let cacheFiles = try FileManager.default.contentsOfDirectory(atPath: cacheHome.path("emoscope"))
        #expect(cacheFiles.count == 1 && cacheFiles[0].hasPrefix("browse-"))
    }

    @Test func reopeningUsesTheCacheUntilAFileOrTheModelChanges() throws {
        let first = controller()
        #expect(poll(first, until: finished))
        first.shutdown()
        let again = controller()
        #expect(poll(again, until: finished))
        #expect(again.state.progress.cached == 6, "every outcome from the cache")
        #expect(again.state.rows == first.state.rows)
        again.shutdown()

        try AudioFileWriter.write(Signals.speechLike(frequency: 200, seconds: 2), sampleRate: 16_000, to: clips + "/sad/two.wav", format: .wav16)
        let changed = controller()
        #expect(poll(changed, until: finished))
        #expect(changed.state.progress.cached == 5, "the rewritten clip is classified again")
        #expect(changed.state.rows.first { $0.name == "sad/two.wav" }?.verdict.map { abs($0.duration - 2) < 0.01 } == true)
        changed.shutdown()

        var retrained = model
        retrained.checksum = 0xC0FFEE
        let otherModel = controller(model: retrained)
        #expect(poll(otherModel, until: finished))
        #expect(otherModel.state.progress.cached == 0, "another model's results do not count")
        otherModel.shutdown()
    }

    /// With a standardiser (`browse --adapt`), each folder's clips are gathered by folder and
    /// classified — in the list and in the preview — with the standardisation it returns, and
    /// nothing is cached.
    @Test func adaptationStandardisesEachFolderAndCachesNothing() throws {
        var shifted = model.header.normalization
        shifted.mean = shifted.mean.map { $0 + 6 }
        let asked = ClipNormalizations()
        let standardizer: ClipStandardizer = { [shifted] paths, groups in
            asked.set(paths: paths.map { "group:" + $0 }, groups.map { _ in shifted })
            #expect(zip(paths, groups).allSatisfy { ($0.0 as NSString).deletingLastPathComponent == $0.1 })
            return paths.map { $0.hasSuffix("two.wav") ? shifted : nil }
        }
        let adapted = BrowseController(model: model, folder: clips, workers: 2, environment: environment, standardizer: standardizer,
                                       makePlayer: { _, _ throws(AudioDeviceError) in throw AudioDeviceError(kind: .noSoundCard, device: "default", message: "none", hint: "") })
        defer { adapted.shutdown() }
        #expect(poll(adapted, until: finished))
        #expect(asked.normalization(of: "group:" + clips + "/sad/two.wav") == shifted, "every clip is handed to the standardiser")
        let plain = controller()
        defer { plain.shutdown() }
        #expect(poll(plain, until: finished))
        func verdict(_ browse: BrowseController, _ name: String) -> ClipVerdict? { browse.state.rows.first { $0.name == name }?.verdict }

        let samples = try AudioDecoder(targetRate: 16_000).decode(path: clips + "/sad/two.wav").samples
        let classifier = try EmotionClassifier(model: model)
        classifier.speakerNormalization = shifted
        let expected = classifier.classify(samples)
        #expect(verdict(adapted, "sad/two.wav")?.probabilities == expected.probabilities)
        #expect(verdict(adapted, "sad/two.wav") != verdict(plain, "sad/two.wav"), "the shifted statistics change the answer")
        #expect(verdict(adapted, "angry/one.wav") == verdict(plain, "angry/one.wav"), "nil: the model's own statistics")
        #expect(adapted.state.progress.adaptedFolders == 3 && adapted.state.progress.adaptingClips == nil, "clips/, clips/angry/, clips/sad/")

        _ = adapted.handle(key: .character("/"))
        for character in "two" { _ = adapted.handle(key: .character(character)) }
        _ = adapted.handle(key: .enter)
        #expect(poll(adapted) { $0.preview.data != nil })
        #expect(adapted.preview.data?.classification?.probabilities == expected.probabilities, "the preview classifies as the list did")
        let cached = (try? FileManager.default.contentsOfDirectory(atPath: cacheHome.path("emoscope"))) ?? []
        #expect(cached.count == 1, "only the plain controller's cache: \(cached)")
    }

    @Test func previewShowsTheClipAndPlaybackWithoutADeviceSaysSo() {
        let browse = controller()
        defer { browse.shutdown() }
        #expect(poll(browse, until: finished))
        _ = browse.handle(key: .character("/"))
        for character in "two" { _ = browse.handle(key: .character(character)) }
        _ = browse.handle(key: .enter)
        #expect(browse.preview.path == clips + "/sad/two.wav")
        #expect(poll(browse) { $0.preview.data != nil })
        #expect((browse.preview.data?.classification?.segments.count ?? 0) > 1)
        #expect(screen(browse).contains("sad/two.wav   7.50 s"))
        #expect(browse.handle(key: .enter) == .handled)
        #expect(poll(browse) { $0.preview.playbackProblem != nil })
        #expect(browse.preview.playback == .stopped)
        #expect(screen(browse).contains("cannot play: no sound card found — plug in speakers"))

        _ = browse.handle(key: .escape)
        _ = browse.handle(key: .character("w"))
        _ = browse.handle(key: .character("w"))
        _ = browse.handle(key: .character("w"))  // errors only
        _ = browse.handle(key: .home)
        #expect(poll(browse) { $0.preview.phase == .failed(reason: "empty: it holds no audio") })
        #expect(screen(browse).contains("cannot read: empty: it holds no audio"))
    }

    @Test func playbackMovesTheCursorAndStopsOnTheSecondPress() {
        let player = Box<StandInPlayer>()
        let browse = controller(makePlayer: { samples, rate throws(AudioDeviceError) in
            let made = StandInPlayer(duration: Double(samples.count) / Double(rate))
            player.value = made
            return made
        })
        defer { browse.shutdown() }
        #expect(poll(browse) { $0.preview.data != nil })
        _ = browse.handle(key: .character("p"))
        #expect(poll(browse) { if case .playing = $0.preview.playback { true } else { false } })
        #expect(browse.preview.playback == .playing(position: 0.75))
        #expect(screen(browse).contains("▶ angry/one.wav") && screen(browse).contains("│"))
        _ = browse.handle(key: .character("p"))
        #expect(browse.preview.playback == .stopped && player.value?.stopped == true)
    }

    @Test func exportWritesTheListAsShown() throws {
        let browse = controller()
        defer { browse.shutdown() }
        #expect(poll(browse, until: finished))
        _ = browse.handle(key: .character("w"))  // wrong only
        _ = browse.handle(key: .character("w"))
        _ = browse.handle(key: .character("w"))  // errors
        _ = browse.handle(key: .character("e"))
        #expect(browse.capturesText)
        for _ in 0..<40 { _ = browse.handle(key: .backspace) }
        for character in folder.path("out.json") { _ = browse.handle(key: .character(character)) }
        _ = browse.handle(key: .enter)
        #expect(poll(browse) { $0.state.notice != nil })
        #expect(browse.state.notice?.text == "exported 3 rows to \(folder.path("out.json"))")
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.path("out.json")))) as? [[String: Any]])
        #expect(objects.map { $0["status"] as? String } == ["error", "error", "error"])
    }
}

/// A value set from another thread, for test doubles.
final class Box<Value>: @unchecked Sendable {
    var value: Value?
}
