import EmoscopeAudio
import EmoscopeCore
import Foundation

/// How training examples are varied. Every draw comes from a generator seeded per example,
/// so an epoch's examples depend only on the seed, the fold, the epoch and the position.
public struct AugmentationSettings: Codable, Equatable, Sendable {
    /// Crop length as a fraction of the speech span (or of the window, when the span is longer).
    public var cropFraction: ClosedRange<Double> = 0.8...1.0
    /// Probability and range of speed perturbation by resampling (tempo and pitch change together).
    public var speedProbability: Double = 0.6
    public var speedRange: ClosedRange<Double> = 0.9...1.1
    /// Gain in dB.
    public var gainDB: ClosedRange<Double> = -6...6
    /// Probability and signal-to-noise range of added white noise.
    public var noiseProbability: Double = 0.4
    public var noiseSNR: ClosedRange<Double> = 10...35
    /// SpecAugment: number and widest extent of frequency masks (bands) and time masks (frames).
    public var frequencyMasks = 2
    public var frequencyMaskWidth = 8
    public var timeMasks = 2
    public var timeMaskWidth = 20
    /// Vocal-tract-length perturbation: the range of the factor that stretches the spectrum's
    /// frequency axis (formants and harmonics move together, timing does not); nil: none.
    public var frequencyWarp: ClosedRange<Double>? = 0.9...1.1
    /// Tempo perturbation: the range of the factor that stretches the log-mel's time axis
    /// (a factor above 1 slows speech down; pitch and formants stay); nil: none.
    public var timeStretch: ClosedRange<Double>? = 0.9...1.1
    /// Frequency-wise MixStyle: the probability that an example's per-band statistics are
    /// blended with another example's of its batch (see `MixStyle`); nil: never.
    public var frequencyMixStyle: Double? = 0.4
    /// MixStyle inside the network: the probability that each channel's statistics after the
    /// first convolution block are blended with another example's; nil: never.
    public var channelMixStyle: Double? = 0.5
    /// Whether both MixStyles pair each example with one of the same label and another
    /// speaker; nil or false: with any example of the batch (optional so that reports written
    /// before it existed still read).
    public var mixStyleWithinLabel: Bool? = true
    /// Random equaliser (FilterAugment, Nam et al. 2022): the largest boost or cut in dB of a
    /// piecewise-linear response over the mel bands, as another microphone or room would add;
    /// nil: none (optional so that reports written before it existed still read).
    public var equalizerDB: Double? = 12

    public init() {}

    /// Small variations only: crop 90–100 %, gain ±6 dB, speed ±5 % on a third of the examples,
    /// no noise, SpecAugment (two 8-band and two 20-frame masks).
    public static let light: AugmentationSettings = {
        var settings = AugmentationSettings()
        settings.cropFraction = 0.9...1
        settings.speedProbability = 0.3
        settings.speedRange = 0.95...1.05
        settings.noiseProbability = 0
        settings.frequencyWarp = nil
        settings.timeStretch = nil
        settings.frequencyMixStyle = nil
        settings.channelMixStyle = nil
        settings.mixStyleWithinLabel = nil
        settings.equalizerDB = nil
        return settings
    }()

    /// No augmentation at all.
    public static let none: AugmentationSettings = {
        var settings = AugmentationSettings()
        settings.cropFraction = 1...1
        settings.speedProbability = 0
        settings.gainDB = 0...0
        settings.noiseProbability = 0
        settings.frequencyMasks = 0
        settings.timeMasks = 0
        settings.frequencyWarp = nil
        settings.timeStretch = nil
        settings.frequencyMixStyle = nil
        settings.channelMixStyle = nil
        settings.mixStyleWithinLabel = nil
        settings.equalizerDB = nil
        return settings
    }()
}

extension AugmentationSettings {
    /// The parts `--augmentation` can combine, each at its full-recipe setting.
    public static let partNames = ["crop", "speed", "gain", "noise", "specaugment", "timemask", "vtlp", "tempo", "freqmix", "mixstyle", "samelabel", "eq"]

    /// Reads a preset (`none`, `light`, `full`) or a comma-separated combination of parts:
    /// `crop` (80–100 % of the speech span), `speed` (0.9–1.1 on 60 % of examples), `gain`
    /// (±6 dB), `noise` (10–35 dB SNR on 40 %), `specaugment` (two band and two frame masks),
    /// `timemask` (the two frame masks alone), `vtlp` (frequency axis stretched by 0.9–1.1),
    /// `tempo` (time axis stretched by 0.9–1.1), `freqmix` (band statistics mixed on 40 %),
    /// `mixstyle` (channel statistics after the first block mixed on 50 %), `samelabel` (both
    /// MixStyles pair examples of one label and two speakers), `eq` (a random equaliser of ±12 dB).
    /// Eight parts take a value: `crop=0.6` (shortest crop, 0–1), `speed=0.05` (largest change,
    /// 0–0.5), `gain=3` and `eq=6` (dB, 0–40), `vtlp=0.05` and `tempo=0.05` (largest stretch,
    /// 0–0.3), `freqmix=0.6` and `mixstyle=0.3` (probability, 0–1).
    /// Nil for anything else.
    public init?(named text: String) {
        switch text {
        case "none": self = .none
        case "light": self = .light
        case "full": self = AugmentationSettings()
        default:
            let full = AugmentationSettings()
            var settings = AugmentationSettings.none
            for part in text.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
                let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let value: Double?
                if pieces.count == 2 {
                    guard let number = Double(pieces[1]), number.isFinite else { return nil }
                    value = number
                } else {
                    value = nil
                }
                switch (pieces[0], value) {
                case ("crop", nil): settings.cropFraction = full.cropFraction
                case ("crop", let shortest?) where shortest > 0 && shortest <= 1: settings.cropFraction = shortest...1
                case ("speed", nil): (settings.speedProbability, settings.speedRange) = (full.speedProbability, full.speedRange)
                case ("speed", let change?) where change > 0 && change <= 0.5:
                    (settings.speedProbability, settings.speedRange) = (full.speedProbability, Self.aroundOne(change))
                case ("gain", nil): settings.gainDB = full.gainDB
                case ("gain", let decibels?) where decibels >= 0 && decibels <= 40: settings.gainDB = -decibels...decibels
                case ("noise", nil): (settings.noiseProbability, settings.noiseSNR) = (full.noiseProbability, full.noiseSNR)
                case ("vtlp", nil): settings.frequencyWarp = full.frequencyWarp
                case ("vtlp", let change?) where change > 0 && change <= 0.3: settings.frequencyWarp = Self.aroundOne(change)
                case ("tempo", nil): settings.timeStretch = full.timeStretch
                case ("tempo", let change?) where change > 0 && change <= 0.3: settings.timeStretch = Self.aroundOne(change)
                case ("freqmix", nil): settings.frequencyMixStyle = full.frequencyMixStyle
                case ("freqmix", let probability?) where probability > 0 && probability <= 1: settings.frequencyMixStyle = probability
                case ("mixstyle", nil): settings.channelMixStyle = full.channelMixStyle
                case ("mixstyle", let probability?) where probability > 0 && probability <= 1: settings.channelMixStyle = probability
                case ("samelabel", nil): settings.mixStyleWithinLabel = true
                case ("eq", nil): settings.equalizerDB = full.equalizerDB
                case ("eq", let decibels?) where decibels > 0 && decibels <= 40: settings.equalizerDB = decibels
                case ("specaugment", nil): (settings.frequencyMasks, settings.timeMasks) = (full.frequencyMasks, full.timeMasks)
                case ("timemask", nil): settings.timeMasks = full.timeMasks
                default: return nil
                }
            }
            self = settings
        }
    }

    /// 1 ± `change`: the range of the parts whose value is the largest relative change.
    private static func aroundOne(_ change: Double) -> ClosedRange<Double> { (1 - change)...(1 + change) }
}

extension SeededGenerator {
    /// A uniform draw from `range`.
    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + Double(nextUniform()) * (range.upperBound - range.lowerBound)
    }
}

/// Waveform and spectrogram augmentation.
public enum Augmenter {
    /// A cropped, speed-perturbed, gain-changed, noisy version of `span` of `samples`, at most `maximumSamples` long.
    static func waveform(_ samples: [Float], span: Range<Int>, maximumSamples: Int, sampleRate: Int,
                         settings: AugmentationSettings, generator: inout SeededGenerator) -> [Float] {
        let available = span.count
        let target = max(1, Int(Double(min(available, maximumSamples)) * generator.uniform(settings.cropFraction)))
        let start = span.lowerBound + Int(generator.uniform(0...Double(available - target)))
        var crop = Array(samples[start..<(start + target)])
        if Double(generator.nextUniform()) < settings.speedProbability {
            let speed = generator.uniform(settings.speedRange)
            crop = SampleRateConversion.resample(crop, from: Double(sampleRate) * speed, to: Double(sampleRate), quality: .quick)
            if crop.count > maximumSamples { crop.removeLast(crop.count - maximumSamples) }
        }
        let gainDB = generator.uniform(settings.gainDB)
        if Double(generator.nextUniform()) < settings.noiseProbability {
            let power = crop.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(1, crop.count))
            let snr = generator.uniform(settings.noiseSNR)
            let deviation = Float((power / pow(10, snr / 10)).squareRoot())
            for i in crop.indices { crop[i] += deviation * generator.nextGaussian() }
        }
        crop.applyGain(decibels: gainDB)
        return crop
    }

    /// Vocal-tract-length perturbation of a frame-major log-mel: each band takes the value the
    /// unwarped spectrum has at the band's centre frequency divided by `factor` (so `factor` > 1
    /// moves formants and harmonics up), interpolated linearly between band centres on the mel
    /// scale; bands that would read beyond the edges repeat the edge band.
    public static func warpFrequencies(_ logMel: inout FeatureMatrix, factor: Double, features: FeatureSettings) {
        let bands = logMel.featureCount
        guard factor != 1, bands > 1 else { return }
        let minMel = MelScale.mel(fromHz: features.minFrequency)
        let step = (MelScale.mel(fromHz: features.maxFrequency) - minMel) / Double(bands + 1)
        let sources = (0..<bands).map { band -> (lower: Int, fraction: Float) in
            let centre = MelScale.hz(fromMel: minMel + Double(band + 1) * step)
            let position = min(Double(bands - 1), max(0, (MelScale.mel(fromHz: centre / factor) - minMel) / step - 1))
            let lower = min(bands - 2, Int(position))
            return (lower, Float(position - Double(lower)))
        }
        var row = [Float](repeating: 0, count: bands)
        logMel.values.withUnsafeMutableBufferPointer { values in
            for frame in 0..<logMel.frameCount {
                let offset = frame * bands
                for band in 0..<bands { row[band] = values[offset + band] }
                for (band, source) in sources.enumerated() {
                    values[offset + band] = row[source.lower] + source.fraction * (row[source.lower + 1] - row[source.lower])
                }
            }
        }
    }

    /// Tempo perturbation of a frame-major log-mel: the time axis resampled by `factor` (> 1
    /// slows down: more frames), each new frame interpolated linearly between the two frames
    /// nearest to its time divided by `factor`; at most `maximumFrames` frames are kept.
    public static func stretchTime(_ logMel: inout FeatureMatrix, factor: Double, maximumFrames: Int) {
        let frames = logMel.frameCount, bands = logMel.featureCount
        guard factor != 1, frames > 1 else { return }
        let original = logMel.values
        let stretched = min(maximumFrames, max(1, Int((Double(frames) * factor).rounded())))
        logMel.resize(frameCount: stretched)
        logMel.values.withUnsafeMutableBufferPointer { values in
            for frame in 0..<stretched {
                let position = min(Double(frames - 1), Double(frame) / factor)
                let lower = min(frames - 2, Int(position))
                let fraction = Float(position - Double(lower))
                for band in 0..<bands {
                    let a = original[lower * bands + band], b = original[(lower + 1) * bands + band]
                    values[frame * bands + band] = a + fraction * (b - a)
                }
            }
        }
    }

    /// A random equaliser's response in dB per band (FilterAugment's linear type): the bands are
    /// cut at 2–5 random points into 3–6 stretches, each cut point and both ends get a gain drawn
    /// from ±`largestDB`, and the bands between are interpolated linearly.
    public static func randomResponse(bands: Int, largestDB: Double, generator: inout SeededGenerator) -> [Float] {
        guard bands > 1 else { return [Float](repeating: 0, count: bands) }
        let stretches = 3 + generator.nextIndex(below: 4)
        let cuts = (1..<stretches).map { _ in generator.uniform(0...Double(bands - 1)) }.sorted()
        let positions = [0] + cuts + [Double(bands - 1)]
        let gains = positions.map { _ in generator.uniform(-largestDB...largestDB) }
        var knot = 0
        return (0..<bands).map { band in
            let position = Double(band)
            while knot < positions.count - 2 && position > positions[knot + 1] { knot += 1 }
            let width = positions[knot + 1] - positions[knot]
            let fraction = width > 0 ? (position - positions[knot]) / width : 0
            return Float(gains[knot] + fraction * (gains[knot + 1] - gains[knot]))
        }
    }

    /// Adds `response` (dB per band) to every frame of a frame-major log-mel in dB.
    public static func equalize(_ logMel: inout FeatureMatrix, response: [Float]) {
        let bands = logMel.featureCount
        precondition(response.count == bands, "one gain per band")
        logMel.values.withUnsafeMutableBufferPointer { values in
            for frame in 0..<logMel.frameCount {
                for band in 0..<bands { values[frame * bands + band] += response[band] }
            }
        }
    }

    /// SpecAugment masks on a band-major `bands × frames` input, set to 0 (the normalised mean).
    static func maskSpectrogram(_ input: inout [Float], bands: Int, frames: Int, settings: AugmentationSettings, generator: inout SeededGenerator) {
        for _ in 0..<settings.frequencyMasks {
            let width = Int(generator.next() % UInt64(settings.frequencyMaskWidth + 1))
            guard width > 0, width < bands else { continue }
            let first = Int(generator.next() % UInt64(bands - width + 1))
            for band in first..<(first + width) {
                for frame in 0..<frames { input[band * frames + frame] = 0 }
            }
        }
        for _ in 0..<settings.timeMasks {
            let width = Int(generator.next() % UInt64(min(settings.timeMaskWidth, frames / 8) + 1))
            guard width > 0 else { continue }
            let first = Int(generator.next() % UInt64(frames - width + 1))
            for band in 0..<bands {
                for frame in first..<(first + width) { input[band * frames + frame] = 0 }
            }
        }
    }
}
