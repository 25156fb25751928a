import EmoscopeCore
import EmoscopeTestSupport
import EmoscopeTraining
import Foundation
import Testing

/// Standardising each clip with its own speaker's statistics (`--speaker-normalization`).
@Suite("speaker normalisation", .serialized)
struct SpeakerNormalizationTests {
    @Test func eachClipCarriesItsOwnSpeakersStatistics() throws {
        let folder = TemporaryDirectory()
        let (_, clips, configuration) = try TrainingTests.setUp(folder)
        let adapted = CorpusPreparation.withSpeakerNormalization(clips, features: configuration.features, subtractWindowMean: false,
                                                                  subtractSpeechLevel: true, threads: 2)
        #expect(adapted.map(\.path) == clips.map(\.path))
        let speakers = Set(clips.map(\.speaker))
        #expect(speakers.count > 1)
        var seen: [[Float]] = []
        for speaker in speakers {
            let own = clips.indices.filter { clips[$0].speaker == speaker }
            let expected = CorpusPreparation.normalization(of: clips, indices: own, features: configuration.features, subtractSpeechLevel: true)
            #expect(own.allSatisfy { adapted[$0].speakerNormalization == expected })
            #expect(expected.subtractSpeechLevel)
            seen.append(expected.mean)
        }
        #expect(Set(seen.map { $0.map(\.bitPattern) }).count == speakers.count, "speakers differ in their statistics")
    }

    /// A clip that carries its speaker's statistics is classified as the model with those
    /// statistics in place of its own would classify it.
    @Test func predictionsUseEachSpeakersStatistics() throws {
        let folder = TemporaryDirectory()
        let (corpus, clips, configuration) = try TrainingTests.setUp(folder)
        let adapted = CorpusPreparation.withSpeakerNormalization(clips, features: configuration.features, subtractWindowMean: false,
                                                                  subtractSpeechLevel: true, threads: 2)
        let all = Array(clips.indices)
        let corpusStatistics = CorpusPreparation.normalization(of: clips, indices: all, features: configuration.features, subtractSpeechLevel: true)
        let provenance = ModelHeader.Provenance(corpus: "test", evaluationProtocol: "test", metrics: [:], date: "2026-12-06", seed: 1, codeRevision: "test")
        let model = try EmotionModel.initialized(header: configuration.header(labels: corpus.labels, normalization: corpusStatistics,
                                                                              provenance: provenance), seed: 7)
        let plain = Evaluator.predict(model, clips: clips, indices: all, threads: 2)
        let perSpeaker = Evaluator.predict(model, clips: adapted, indices: all, threads: 2)
        #expect(perSpeaker.map(\.index) == all)
        for index in [0, clips.count / 2, clips.count - 1] {
            var own = model
            own.header.normalization = try #require(adapted[index].speakerNormalization)
            let expected = Evaluator.predict(own, clips: clips, indices: [index], threads: 1)[0]
            #expect(perSpeaker[index] == expected)
            #expect(perSpeaker[index].probabilities != plain[index].probabilities)
        }
    }

    @Test func aTinyRunWithIt() throws {
        let folder = TemporaryDirectory()
        var (corpus, clips, configuration) = try TrainingTests.setUp(folder)
        configuration.speakerNormalization = true
        let (report, _) = try #require(try TrainingTests.crossValidation(corpus, clips, configuration)
            .run(resuming: nil, checkpointPath: nil, finalFit: false, shouldStop: { false }))
        #expect(report.configuration.speakerNormalization == true)
        // Chance is 1/3 on three balanced classes.
        #expect(report.unweightedAverageRecall.mean > 0.6, "UAR \(report.unweightedAverageRecall.mean)")
    }
}
