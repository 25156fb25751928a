/// Per-band statistics of one speaker's speech, gathered the way the trainer gathers a
/// corpus's: log-mel frames of speech spans, each span's speech level removed first when the
/// model removes it. A model trained with `--speaker-normalization` standardises a speaker's
/// clips with these instead of the corpus statistics in its header.
public struct SpeakerStatistics: Equatable, Sendable {
    /// Per-band sums of the frames' values and of their squares.
    public private(set) var sums: [Double]
    public private(set) var squares: [Double]
    /// Frames added so far.
    public private(set) var frames: Int

    /// How many seconds of a speaker's speech the corpus statistics count as by default when
    /// blended with the speaker's (`normalization(over:priorFrames:)`).
    public static let defaultPriorSeconds: Double = 10

    /// Empty statistics over `bands` mel bands.
    public init(bands: Int) {
        sums = [Double](repeating: 0, count: bands)
        squares = sums
        frames = 0
    }

    /// Seconds of audio the frames added so far span, with `features`' hop.
    public func seconds(features: FeatureSettings) -> Double {
        Double(frames * features.hopLength) / Double(features.sampleRate)
    }

    /// The frames that `seconds` of audio give with `features`: what a prior of that many
    /// seconds counts as in `normalization(over:priorFrames:)`; 0 for 0 seconds.
    public static func frames(ofSeconds seconds: Double, features: FeatureSettings) -> Int {
        seconds > 0 ? features.frameCount(forSampleCount: Int(seconds * Double(features.sampleRate))) : 0
    }

    /// Adds every frame of a span's log-mel (`frames × bands`), after removing what `flags`
    /// removes from each window (its speech level, or its band means); `flags`' own mean and
    /// spread are not used.
    public mutating func add(_ logMel: FeatureMatrix, removing flags: ModelHeader.Normalization) {
        let bands = sums.count
        precondition(logMel.featureCount == bands, "statistics over \(bands) bands")
        let level = flags.levelToRemove(logMel)
        let offsets = (0..<bands).map { Double(flags.windowOffset(logMel, band: $0, level: level)) }
        for frame in 0..<logMel.frameCount {
            for band in 0..<bands {
                let v = Double(logMel[frame, band]) - offsets[band]
                sums[band] += v
                squares[band] += v * v
            }
        }
        frames += logMel.frameCount
    }

    /// Adds the frames gathered in `other` (over the same bands).
    public mutating func merge(_ other: SpeakerStatistics) {
        precondition(other.sums.count == sums.count, "statistics over \(sums.count) bands")
        for band in sums.indices {
            sums[band] += other.sums[band]
            squares[band] += other.squares[band]
        }
        frames += other.frames
    }

    /// `base` (its flags kept) with these statistics' per-band mean and standard deviation. With
    /// `priorFrames` > 0 `base`'s own mean and spread count as that many frames more, so that a
    /// speaker heard briefly moves the result only part of the way from the corpus's statistics.
    public func normalization(over base: ModelHeader.Normalization, priorFrames: Int = 0) -> ModelHeader.Normalization {
        let bands = sums.count
        let prior = priorFrames > 0 && base.mean.count == bands ? Double(priorFrames) : 0
        let n = max(1, Double(frames) + prior)
        var result = base
        var means = [Float](repeating: 0, count: bands), deviations = means
        for band in 0..<bands {
            var sum = sums[band], square = squares[band]
            if prior > 0 {
                let mean = Double(base.mean[band]), deviation = Double(base.standardDeviation[band])
                sum += prior * mean
                square += prior * (deviation * deviation + mean * mean)
            }
            let mean = sum / n
            means[band] = Float(mean)
            deviations[band] = Float(max(1e-3, (square / n - mean * mean).squareRoot()))
        }
        result.mean = means
        result.standardDeviation = deviations
        return result
    }
}

extension EmotionClassifier {
    /// Adds a clip's speech span (what `classify` analyses) to `statistics`, as the trainer
    /// gathers a speaker's; false, adding nothing, when the clip is too short or holds no speech.
    @discardableResult
    public func addSpeech(of samples: [Float], to statistics: inout SpeakerStatistics) -> Bool {
        guard samples.count >= header.minimumSamples else { return false }
        let activity = VoiceActivity(rms: extractor.rms(samples), settings: header.features)
        guard activity.hasSpeech else { return false }
        let span = speechSpan(activity, sampleCount: samples.count)
        statistics.add(extractor.logMelSpectrogram(Array(samples[span])), removing: header.normalization)
        return true
    }
}
