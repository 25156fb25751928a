import EmoscopeCore
import Foundation

/// Gives each training example the statistics the app would standardise it with after hearing
/// a random number of its speaker's clips — none (the corpus statistics), one, a few, or all —
/// blended with the corpus statistics as the app blends them, so that a speaker-standardised
/// model learns to work from a voice's first clip onward (`--varied-adaptation`).
public struct AdaptationSampler: Sendable {
    /// Each training speaker's clips' statistics, one entry per clip.
    public let statisticsBySpeaker: [String: [SpeakerStatistics]]
    /// The corpus statistics' weight in frames (the app's default prior).
    public let priorFrames: Int
    /// How often an example gets the corpus statistics alone: a voice not yet heard.
    public static let coldProbability = 0.25

    /// Statistics of every clip in `indices` of `clips`, gathered as `header` standardises them.
    public init(clips: [PreparedClip], indices: [Int], header: ModelHeader, threads: Int) {
        let extractors = (0..<max(1, threads)).map { _ in try! FeatureExtractor(settings: header.features) }
        let statistics = parallelMap(indices.count, threads: threads) { chunk, i in
            var own = SpeakerStatistics(bands: header.features.melBands)
            clips[indices[i]].addSpeech(to: &own, extractor: extractors[chunk], removing: header.normalization)
            return own
        }
        statisticsBySpeaker = Dictionary(zip(indices.map { clips[$0].speaker }, statistics.map { [$0] }), uniquingKeysWith: +)
        priorFrames = SpeakerStatistics.frames(ofSeconds: SpeakerStatistics.defaultPriorSeconds, features: header.features)
    }

    /// The normalisation for one example of `speaker`: `base` itself on a quarter of draws,
    /// else the statistics of `clipCount` of the speaker's clips drawn without replacement,
    /// blended with `base`.
    public func normalization(for speaker: String, base: ModelHeader.Normalization, generator: inout SeededGenerator) -> ModelHeader.Normalization {
        guard let own = statisticsBySpeaker[speaker], let first = own.first,
              Double(generator.nextUniform()) >= Self.coldProbability else { return base }
        var order = Array(own.indices)
        var heard = SpeakerStatistics(bands: first.sums.count)
        for i in 0..<Self.clipCount(available: own.count, generator: &generator) {
            order.swapAt(i, i + generator.nextIndex(below: order.count - i))
            heard.merge(own[order[i]])
        }
        return heard.normalization(over: base, priorFrames: priorFrames)
    }

    /// A number of clips from 1 to `available`, log-uniform: as many draws of 1–2 clips as of
    /// 20–60, as a meter hears a voice for seconds or for minutes.
    public static func clipCount(available: Int, generator: inout SeededGenerator) -> Int {
        let count = Int(exp(generator.uniform(0...log(Double(available) + 1))))
        return min(available, max(1, count))
    }
}
