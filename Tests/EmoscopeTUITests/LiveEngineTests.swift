import EmoscopeAudio
import EmoscopeCore
import EmoscopeTestSupport
import EmoscopeTUI
import Foundation
import Synchronization
import Testing

/// The live pipeline without a terminal: sources → ring → worker → analyses → state.
@Suite struct LiveEngineTests {
    static let angryClip = "03-01-05-02-01-01-01"

    @Test func pacedFileDeliversWindowsAtTheHop() throws {
        let model = TestModels.compact()
        let samples = Signals.speechLike(frequency: 180, seconds: 2, sampleRate: 16_000)
        let source = PacedFileSource(samples: samples, sampleRate: 16_000, name: "synthetic", speed: 2)
        let engine = try LiveEngine(source: source, model: model, hopSeconds: 0.25)
        try engine.start()
        #expect(ALSAFixture.waitUntil(seconds: 10) { source.state == .finished })
        Thread.sleep(forTimeInterval: 0.2)
        engine.stop()
        let analyses = engine.takeAnalyses()
        // 2 s at hop 0.25 s; windows start once 0.5 s (the model's minimum) has arrived.
        #expect((4...8).contains(analyses.count), "\(analyses.count) analyses")
        let classified = analyses.compactMap(\.probabilities)
        #expect(!classified.isEmpty)
        for probabilities in classified {
            #expect(probabilities.count == 8)
            #expect(abs(probabilities.reduce(0, +) - 1) < 1e-4)
        }
        #expect(zip(analyses, analyses.dropFirst()).allSatisfy { $0.time < $1.time })
    }

    /// A source the test feeds by hand.
    final class ScriptedSource: LiveAudioSource, @unchecked Sendable {
        let sampleRate = 16_000
        let ring = SampleRing(capacity: 160_000)
        let displayName = "scripted"
        let overruns = 0
        private let current = Mutex(LiveSourceState.idle)
        var state: LiveSourceState {
            get { current.withLock { $0 } }
            set { current.withLock { $0 = newValue } }
        }
        func start() throws(AudioDeviceError) { state = .running }
        func stop() {}
    }

    @Test func theLastSamplesOfAFinishedSourceAreAnalysedEvenWithinAHop() throws {
        let samples = Signals.speechLike(frequency: 180, seconds: 2, sampleRate: 16_000)
        let source = ScriptedSource()
        let engine = try LiveEngine(source: source, model: TestModels.compact(), hopSeconds: 0.25)
        try engine.start()
        var analyses: [LiveAnalysis] = []
        source.ring.append(Array(samples[0..<24_000]))
        #expect(ALSAFixture.waitUntil(seconds: 10) { analyses += engine.takeAnalyses(); return analyses.last?.time == 1.5 })
        // 0.1 s more (less than the 0.25 s hop), then the end.
        source.ring.append(Array(samples[24_000..<25_600]))
        source.state = .finished
        #expect(ALSAFixture.waitUntil(seconds: 10) { analyses += engine.takeAnalyses(); return analyses.last?.time == 1.6 })
        Thread.sleep(forTimeInterval: 0.1)
        engine.stop()
        analyses += engine.takeAnalyses()
        #expect(analyses.last?.time == 1.6, "one analysis for the tail, then nothing more")
        #expect(analyses.filter { $0.time == 1.6 }.count == 1)
    }

    @Test func silenceGivesNoSpeechNotProbabilities() throws {
        let source = PacedFileSource(samples: Signals.noise(count: 32_000, amplitude: 0.0005), sampleRate: 16_000, name: "quiet", speed: 4)
        let engine = try LiveEngine(source: source, model: TestModels.compact(), hopSeconds: 0.25)
        try engine.start()
        #expect(ALSAFixture.waitUntil(seconds: 10) { source.state == .finished })
        Thread.sleep(forTimeInterval: 0.2)
        engine.stop()
        let analyses = engine.takeAnalyses()
        #expect(!analyses.isEmpty)
        #expect(analyses.allSatisfy { $0.probabilities == nil })
    }

    @Test func recordingWritesWhatArrivedAtomically() throws {
        let folder = TemporaryDirectory()
        let samples = Signals.sine(frequency: 300, seconds: 1.5, sampleRate: 16_000)
        let source = PacedFileSource(samples: samples, sampleRate: 16_000, name: "tone", speed: 1)
        let engine = try LiveEngine(source: source, model: TestModels.compact(), hopSeconds: 0.25)
        let path = folder.path("take.wav")
        try engine.startRecording(path: path, format: .wav16)
        try engine.start()
        Thread.sleep(forTimeInterval: 0.5)
        #expect(!FileManager.default.fileExists(atPath: path), "the file appears only when finished")
        #expect(ALSAFixture.waitUntil(seconds: 10) { source.state == .finished })
        engine.stop()
        let recorded = try AudioDecoder(targetRate: 16_000).decode(path: path).samples
        #expect(recorded.count == samples.count)
        #expect(zip(recorded, samples).allSatisfy { abs($0 - $1) < 1e-3 })
    }

    @Test(.enabled(if: Corpus.isAvailable || Corpus.isRequired, Comment(rawValue: Corpus.absentMessage)))
    func alsaCaptureOfAnActedClipPutsItsEmotionOnTop() throws {
        let folder = TemporaryDirectory()
        let clip = try AudioDecoder().decode(path: Corpus.clip("Actor_01", Self.angryClip)).samples
        let raw = folder.path("clip.raw")
        try RawPCM.write(clip, to: raw)
        let config = try ALSAFixture.captureConfig(raw: raw, in: folder)
        let capture = try AudioCapture(device: "speech", configFile: config, frameLimit: clip.count)
        let model = try ModelStore.load(path: Corpus.repositoryRoot.appendingPathComponent("Assets/default.emomodel").path)
        let engine = try LiveEngine(source: capture, model: model, hopSeconds: 0.25)
        try engine.start()
        #expect(ALSAFixture.waitUntil(seconds: 10) { capture.state == .finished })
        var analyses: [LiveAnalysis] = []
        #expect(ALSAFixture.waitUntil(seconds: 10) {
            analyses += engine.takeAnalyses()
            return analyses.last.map { $0.time >= Double(clip.count) / 16_000 - 0.01 } ?? false
        })
        engine.stop()
        // The file plugin is not paced: the newest window is the clip's last 3 s.
        let last = try #require(analyses.last?.probabilities)
        let top = last.indices.max { last[$0] < last[$1] }!
        #expect(model.header.labels[top] == "angry", "probabilities \(last)")
    }

    /// A model trained with --speaker-normalization learns the voice window by window, changes
    /// its answer accordingly, and forgets the voice on request; another model never adapts.
    @Test func aSpeakerNormalizedModelAdaptsToTheVoiceItHears() throws {
        var model = TestModels.compact()
        model.header.speakerNormalized = true
        let samples = Signals.speechLike(frequency: 180, seconds: 7, sampleRate: 16_000)
        let source = ScriptedSource()
        let engine = try LiveEngine(source: source, model: model, hopSeconds: 0.25)
        try engine.start()
        // Two full windows of 3 s heard by 6.5 s.
        var analyses = try Self.feed(samples[0..<104_000], to: source, of: engine)
        let heard = analyses.compactMap(\.adaptedSeconds)
        #expect(heard.count == analyses.count && heard.first == 0)
        #expect(zip(heard, heard.dropFirst()).allSatisfy { $0 <= $1 })
        #expect((5.5...6.1).contains(heard.last!), "\(heard.last!) s heard")
        engine.resetAdaptation()
        source.ring.append(Array(samples[104_000..<112_000]))
        source.state = .finished
        #expect(ALSAFixture.waitUntil(seconds: 10) { analyses += engine.takeAnalyses(); return analyses.last?.time == 7 })
        engine.stop()
        #expect(analyses.last?.adaptedSeconds == 0)

        // The same stream without adaptation: the same answers until the first window is heard, others after.
        let plainSource = ScriptedSource()
        let plain = try LiveEngine(source: plainSource, model: TestModels.compact(), hopSeconds: 0.25)
        try plain.start()
        let plainAnalyses = try Self.feed(samples[0..<104_000], to: plainSource, of: plain)
        plain.stop()
        #expect(plainAnalyses.allSatisfy { $0.adaptedSeconds == nil })
        #expect(analyses.count(where: { $0.time <= 6.5 }) == 25 && plainAnalyses.count == 25, "\(analyses.map(\.time)) \(plainAnalyses.map(\.time))")
        for (a, b) in zip(analyses, plainAnalyses) where a.time < 3 { #expect(a.time == b.time && a.probabilities == b.probabilities) }
        let adapted = try #require(analyses.first { $0.time == 6.5 }?.probabilities)
        #expect(adapted != plainAnalyses.last?.probabilities)
    }

    /// Appends `samples` a hop (0.25 s) at a time, each once the previous one is analysed; the analyses.
    static func feed(_ samples: ArraySlice<Float>, to source: ScriptedSource, of engine: LiveEngine) throws -> [LiveAnalysis] {
        var analyses: [LiveAnalysis] = []
        for start in stride(from: samples.startIndex, to: samples.endIndex, by: 4_000) {
            let end = min(start + 4_000, samples.endIndex)
            source.ring.append(Array(samples[start..<end]))
            // Windows start once the model's minimum, 0.5 s, has arrived.
            guard end >= 8_000 else { continue }
            try #require(ALSAFixture.waitUntil(seconds: 10) { analyses += engine.takeAnalyses(); return analyses.last?.time == Double(end) / 16_000 })
        }
        return analyses
    }
}
