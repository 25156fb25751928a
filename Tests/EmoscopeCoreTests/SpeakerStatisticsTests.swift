import EmoscopeCore
import EmoscopeTestSupport
import Testing

/// A speaker's statistics, gathered as the trainer gathers them and used in place of the model's.
@Suite struct SpeakerStatisticsTests {
    let plain = ModelHeader.Normalization(mean: [], standardDeviation: [])

    @Test func meanAndSpreadOfEveryFrameByHand() {
        // Band 0: 1, 3, 5 → mean 3, population deviation √(8/3); band 1: −2, −2, −2 → deviation floored at 1e-3.
        var statistics = SpeakerStatistics(bands: 2)
        statistics.add(FeatureMatrix(frameCount: 2, featureCount: 2, values: [1, -2, 3, -2]), removing: plain)
        statistics.add(FeatureMatrix(frameCount: 1, featureCount: 2, values: [5, -2]), removing: plain)
        let result = statistics.normalization(over: plain)
        #expect(statistics.frames == 3)
        #expect(abs(result.mean[0] - 3) < 1e-6 && abs(result.mean[1] + 2) < 1e-6)
        #expect(abs(result.standardDeviation[0] - (8.0 / 3).squareRoot()) < 1e-6)
        #expect(result.standardDeviation[1] == 1e-3)
    }

    /// With the speech level removed, a speaker recorded louder gives the same statistics.
    @Test func theSpeechLevelIsRemovedLikeTheClassifierRemovesIt() {
        let levelled = ModelHeader.Normalization(mean: [], standardDeviation: [], subtractSpeechLevel: true)
        let values: [Float] = (0..<40).map { Float(($0 * 37) % 11) - 60 }
        var quiet = SpeakerStatistics(bands: 4), loud = SpeakerStatistics(bands: 4)
        quiet.add(FeatureMatrix(frameCount: 10, featureCount: 4, values: values), removing: levelled)
        loud.add(FeatureMatrix(frameCount: 10, featureCount: 4, values: values.map { $0 + 12 }), removing: levelled)
        let a = quiet.normalization(over: levelled), b = loud.normalization(over: levelled)
        for band in 0..<4 {
            #expect(abs(a.mean[band] - b.mean[band]) < 1e-4 && abs(a.standardDeviation[band] - b.standardDeviation[band]) < 1e-4)
        }
        #expect(a.subtractSpeechLevel, "the flags are kept")
        var raw = SpeakerStatistics(bands: 4)
        raw.add(FeatureMatrix(frameCount: 10, featureCount: 4, values: values.map { $0 + 12 }), removing: plain)
        #expect(abs(raw.normalization(over: plain).mean[0] - b.mean[0]) > 5, "without the flag the level stays")
    }

    /// The corpus statistics count as `priorFrames` frames: nothing heard gives them back, and
    /// the speaker's pull grows with what is heard.
    @Test func thePriorBlendsTowardTheCorpusStatistics() {
        let corpus = ModelHeader.Normalization(mean: [0, 10], standardDeviation: [1, 2])
        let nothing = SpeakerStatistics(bands: 2).normalization(over: corpus, priorFrames: 50)
        #expect(zip(nothing.mean, corpus.mean).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(zip(nothing.standardDeviation, corpus.standardDeviation).allSatisfy { abs($0 - $1) < 1e-5 })
        var speaker = SpeakerStatistics(bands: 2)
        // 50 frames of a constant 4 in both bands: the pooled mean is halfway, the spread pooled with the corpus's.
        speaker.add(FeatureMatrix(frameCount: 50, featureCount: 2, values: [Float](repeating: 4, count: 100)), removing: plain)
        let blended = speaker.normalization(over: corpus, priorFrames: 50)
        #expect(abs(blended.mean[0] - 2) < 1e-5 && abs(blended.mean[1] - 7) < 1e-5)
        // Band 0: E[x²] = (50·16 + 50·(1 + 0)) / 100 = 8.5, minus 2² → √4.5.
        #expect(abs(blended.standardDeviation[0] - Float(4.5.squareRoot())) < 1e-5)
        let alone = speaker.normalization(over: corpus)
        #expect(alone.mean == [4, 4] && alone.standardDeviation == [1e-3, 1e-3], "no prior: the speaker's alone")
    }

    @Test func mergingEqualsAddingEverything() {
        let a = FeatureMatrix(frameCount: 3, featureCount: 2, values: [1, 2, 3, 4, 5, 6])
        let b = FeatureMatrix(frameCount: 2, featureCount: 2, values: [-1, 0, 7, 9])
        var both = SpeakerStatistics(bands: 2), first = SpeakerStatistics(bands: 2), second = SpeakerStatistics(bands: 2)
        both.add(a, removing: plain)
        both.add(b, removing: plain)
        first.add(a, removing: plain)
        second.add(b, removing: plain)
        first.merge(second)
        #expect(first == both)
    }

    /// The classifier standardises with a speaker's statistics when given them, exactly as a
    /// model with them in its header would.
    @Test func theClassifierUsesASpeakersStatistics() throws {
        let model = TestModels.compact()
        let clip = Signals.speechLike(frequency: 200, seconds: 2)
        let classifier = try EmotionClassifier(model: model)
        var statistics = SpeakerStatistics(bands: model.header.features.melBands)
        #expect(classifier.addSpeech(of: clip, to: &statistics))
        #expect(statistics.frames > 100)
        #expect(!classifier.addSpeech(of: [Float](repeating: 0, count: 16_000), to: &statistics), "silence adds nothing")
        #expect(!classifier.addSpeech(of: Array(clip.prefix(4_000)), to: &statistics), "nor does a clip under the minimum")
        let speaker = statistics.normalization(over: model.header.normalization, priorFrames: 100)
        let plainResult = classifier.classify(clip)
        classifier.speakerNormalization = speaker
        var adapted = model
        adapted.header.normalization = speaker
        #expect(classifier.classify(clip) == (try EmotionClassifier(model: adapted)).classify(clip))
        #expect(classifier.classify(clip) != plainResult)
        classifier.speakerNormalization = nil
        #expect(classifier.classify(clip) == plainResult)
    }
}
