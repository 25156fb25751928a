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

    /// Statistics from one clip per speaker are that of one of the speaker's own clips, the same for a seed.
    @Test func statisticsFromSomeOfTheSpeakersClips() throws {
        let folder = TemporaryDirectory()
        let (_, clips, configuration) = try TrainingTests.setUp(folder)
        func adapted(clips count: Int?, seed: UInt64) -> [PreparedClip] {
            CorpusPreparation.withSpeakerNormalization(clips, features: configuration.features, subtractWindowMean: false,
                                                        subtractSpeechLevel: true, clipsPerSpeaker: count, seed: seed, threads: 2)
        }
        let one = adapted(clips: 1, seed: 4)
        #expect(one.map(\.speakerNormalization) == adapted(clips: 1, seed: 4).map(\.speakerNormalization))
        let all = adapted(clips: nil, seed: 4)
        for speaker in Set(clips.map(\.speaker)) {
            let own = clips.indices.filter { clips[$0].speaker == speaker }
            let singles = own.map { CorpusPreparation.normalization(of: clips, indices: [$0], features: configuration.features, subtractSpeechLevel: true) }
            let chosen = try #require(one[own[0]].speakerNormalization)
            #expect(singles.contains(chosen) && own.allSatisfy { one[$0].speakerNormalization == chosen })
            #expect(chosen != all[own[0]].speakerNormalization)
            #expect(adapted(clips: own.count, seed: 9)[own[0]].speakerNormalization == all[own[0]].speakerNormalization)
        }
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

    /// `--varied-adaptation`: an example gets the corpus statistics on about a quarter of draws,
    /// else those of 1 to all of its speaker's clips blended with them as the app blends them —
    /// all of them gives exactly the speaker's full statistics under the 10-s prior.
    @Test func variedAdaptationDrawsWhatTheAppWouldHaveHeard() throws {
        let folder = TemporaryDirectory()
        let (corpus, clips, configuration) = try TrainingTests.setUp(folder)
        let all = Array(clips.indices)
        let corpusStatistics = CorpusPreparation.normalization(of: clips, indices: all, features: configuration.features, subtractSpeechLevel: true)
        let provenance = ModelHeader.Provenance(corpus: "test", evaluationProtocol: "test", metrics: [:], date: "2026-12-06", seed: 1, codeRevision: "test")
        let header = configuration.header(labels: corpus.labels, normalization: corpusStatistics, provenance: provenance)
        let sampler = AdaptationSampler(clips: clips, indices: all, header: header, threads: 2)
        let speaker = clips[0].speaker
        let own = all.filter { clips[$0].speaker == speaker }
        #expect(sampler.statisticsBySpeaker[speaker]?.count == own.count)
        #expect(sampler.priorFrames == SpeakerStatistics.frames(ofSeconds: 10, features: configuration.features))

        let everything = CorpusPreparation.normalization(of: clips, indices: own, features: configuration.features, subtractSpeechLevel: true)
        var merged = SpeakerStatistics(bands: configuration.features.melBands)
        sampler.statisticsBySpeaker[speaker]!.forEach { merged.merge($0) }
        #expect(merged.normalization(over: header.normalization).mean.map { ($0 * 1e3).rounded() }
                == everything.mean.map { ($0 * 1e3).rounded() }, "per-clip statistics merge into the speaker's")
        let full = merged.normalization(over: header.normalization, priorFrames: sampler.priorFrames)

        var generator = SeededGenerator(seed: 3)
        var cold = 0, complete = 0, draws: [ModelHeader.Normalization] = []
        for _ in 0..<400 {
            let drawn = sampler.normalization(for: speaker, base: header.normalization, generator: &generator)
            if drawn == header.normalization { cold += 1 }
            if drawn.mean.map({ ($0 * 1e3).rounded() }) == full.mean.map({ ($0 * 1e3).rounded() }) { complete += 1 }
            #expect(drawn.subtractSpeechLevel == header.normalization.subtractSpeechLevel)
            draws.append(drawn)
        }
        #expect((70...130).contains(cold), "about a quarter cold: \(cold) of 400")
        #expect(complete > 0 && Set(draws.map { $0.mean.map(\.bitPattern) }).count > 20)
        var again = SeededGenerator(seed: 3)
        #expect(sampler.normalization(for: speaker, base: header.normalization, generator: &again) == draws[0])
        #expect(sampler.normalization(for: "nobody", base: header.normalization, generator: &again) == header.normalization)

        var counts = SeededGenerator(seed: 5)
        let drawnCounts = (0..<3_000).map { _ in AdaptationSampler.clipCount(available: 60, generator: &counts) }
        #expect(drawnCounts.allSatisfy { (1...60).contains($0) } && drawnCounts.contains(1) && drawnCounts.contains(60))
        let few = drawnCounts.filter { $0 <= 2 }.count, many = drawnCounts.filter { $0 >= 20 }.count
        #expect(abs(few - many) < 300, "log-uniform: as many draws of 1–2 clips (\(few)) as of 20–60 (\(many))")
    }
}
