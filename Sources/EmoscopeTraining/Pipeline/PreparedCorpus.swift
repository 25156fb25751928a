import EmoscopeAudio
import EmoscopeCore
import Foundation

/// A clip decoded for training: samples at the model's rate and the span the classifier analyses.
public struct PreparedClip: Sendable {
    public var path: String
    public var label: Int
    public var speaker: String
    public var samples: [Float]
    public var span: Range<Int>
    /// Its speaker's own statistics, used instead of the model's when standardising per speaker.
    public var speakerNormalization: ModelHeader.Normalization?

    /// Adds the log-mel frames of its speech span to `statistics`, with what `flags` removes
    /// from each window removed, as the classifier will see them.
    public func addSpeech(to statistics: inout SpeakerStatistics, extractor: FeatureExtractor, removing flags: ModelHeader.Normalization) {
        statistics.add(extractor.logMelSpectrogram(Array(samples[span])), removing: flags)
    }
}

/// Decodes every clip of a corpus once (in parallel) and finds its speech span.
public enum CorpusPreparation {
    /// The decoded clips in corpus order; throws the first decoding error, naming the file.
    public static func prepare(_ corpus: LabelledCorpus, features: FeatureSettings, minimumSamples: Int, threads: Int) throws -> [PreparedClip] {
        let extractors = (0..<max(1, threads)).map { _ in try! FeatureExtractor(settings: features) }
        let decoder = AudioDecoder(targetRate: features.sampleRate)
        let results = parallelMap(corpus.clips.count, threads: threads) { chunk, index in
            Result { () throws(AudioError) -> PreparedClip in
                let clip = corpus.clips[index]
                let audio = try decoder.decode(path: clip.path)
                let activity = VoiceActivity(rms: extractors[chunk].rms(audio.samples), settings: features)
                let span = EmotionClassifier.speechSpan(activity, sampleCount: audio.samples.count, settings: features,
                                                        minimumSamples: minimumSamples)
                return PreparedClip(path: clip.path, label: clip.label, speaker: clip.speaker, samples: audio.samples, span: span)
            }
        }
        return try results.map { try $0.get() }
    }

    /// `clips` with each one's `speakerNormalization` set to `normalization` over its speaker's
    /// clips: all of them, or `clipsPerSpeaker` of them drawn with `seed`.
    public static func withSpeakerNormalization(_ clips: [PreparedClip], features: FeatureSettings, subtractWindowMean: Bool,
                                                subtractSpeechLevel: Bool, clipsPerSpeaker: Int? = nil, seed: UInt64 = 0,
                                                threads: Int) -> [PreparedClip] {
        let clipsOf = Dictionary(grouping: clips.indices, by: { clips[$0].speaker })
        let speakers = clipsOf.keys.sorted()
        let statistics = parallelMap(speakers.count, threads: threads) { _, s in
            var own = clipsOf[speakers[s]]!
            if let clipsPerSpeaker, clipsPerSpeaker < own.count {
                var generator = SeededGenerator(seed: mix(seed, UInt64(s), 0x57A7))
                own.seededShuffle(using: &generator)
                own = Array(own.prefix(clipsPerSpeaker))
            }
            return normalization(of: clips, indices: own, features: features, subtractWindowMean: subtractWindowMean,
                                 subtractSpeechLevel: subtractSpeechLevel)
        }
        let bySpeaker = Dictionary(uniqueKeysWithValues: zip(speakers, statistics))
        return clips.map { clip in
            var adapted = clip
            adapted.speakerNormalization = bySpeaker[clip.speaker]
            return adapted
        }
    }

    /// Per-band mean and standard deviation of the log-mel frames of the clips' speech spans,
    /// after removing each clip's speech level (`subtractSpeechLevel`) and band means
    /// (`subtractWindowMean`) as the classifier will.
    public static func normalization(of clips: [PreparedClip], indices: [Int], features: FeatureSettings,
                                     subtractWindowMean: Bool = false, subtractSpeechLevel: Bool = false) -> ModelHeader.Normalization {
        let extractor = try! FeatureExtractor(settings: features)
        let flags = ModelHeader.Normalization(mean: [], standardDeviation: [], subtractWindowMean: subtractWindowMean,
                                              subtractSpeechLevel: subtractSpeechLevel)
        var statistics = SpeakerStatistics(bands: features.melBands)
        for index in indices { clips[index].addSpeech(to: &statistics, extractor: extractor, removing: flags) }
        return statistics.normalization(over: flags)
    }
}

/// Builds network inputs from clips: crop and augment the waveform, compute the log-mel with
/// the app's own feature code, standardise, transpose to band-major, mask.
final class ExampleBuilder {
    let header: ModelHeader
    let settings: AugmentationSettings
    /// Draws each example's speaker statistics (`--varied-adaptation`); nil: each clip's own
    /// `speakerNormalization`, or the header's.
    let adaptation: AdaptationSampler?
    private let extractor: FeatureExtractor
    private var logMel: FeatureMatrix

    init(header: ModelHeader, settings: AugmentationSettings, adaptation: AdaptationSampler? = nil) {
        self.header = header
        self.settings = settings
        self.adaptation = adaptation
        extractor = try! FeatureExtractor(settings: header.features)
        logMel = FeatureMatrix(frameCount: 0, featureCount: header.features.melBands)
    }

    /// One augmented example of `clip`: the input and its width in frames.
    func example(_ clip: PreparedClip, generator: inout SeededGenerator) -> (input: [Float], width: Int) {
        let wave = Augmenter.waveform(clip.samples, span: clip.span, maximumSamples: header.windowSamples,
                                      sampleRate: header.features.sampleRate, settings: settings, generator: &generator)
        let warp = settings.frequencyWarp.map { generator.uniform($0) } ?? 1
        let stretch = settings.timeStretch.map { generator.uniform($0) } ?? 1
        let response = settings.equalizerDB.map {
            Augmenter.randomResponse(bands: header.features.melBands, largestDB: $0, generator: &generator)
        }
        let normalization = adaptation?.normalization(for: clip.speaker, base: header.normalization, generator: &generator)
            ?? clip.speakerNormalization ?? header.normalization
        var input = standardised(wave, normalization: normalization, frequencyWarp: warp, timeStretch: stretch, equalizer: response)
        Augmenter.maskSpectrogram(&input, bands: header.features.melBands, frames: logMel.frameCount, settings: settings, generator: &generator)
        return (input, logMel.frameCount)
    }

    /// Log-mel of `wave` (its frequency axis stretched by `frequencyWarp`, its time axis by
    /// `timeStretch`, its bands raised by `equalizer` dB), standardised with `normalization` and
    /// transposed to `bands × frames` exactly as the classifier does.
    private func standardised(_ wave: [Float], normalization: ModelHeader.Normalization, frequencyWarp: Double,
                              timeStretch: Double, equalizer: [Float]?) -> [Float] {
        wave.withUnsafeBufferPointer { extractor.logMelSpectrogram($0, into: &logMel) }
        Augmenter.warpFrequencies(&logMel, factor: frequencyWarp, features: header.features)
        Augmenter.stretchTime(&logMel, factor: timeStretch, maximumFrames: header.windowFrames)
        if let equalizer { Augmenter.equalize(&logMel, response: equalizer) }
        var input = [Float](repeating: 0, count: logMel.frameCount * logMel.featureCount)
        input.withUnsafeMutableBufferPointer { normalization.standardize(logMel, into: $0.baseAddress!) }
        return input
    }
}
