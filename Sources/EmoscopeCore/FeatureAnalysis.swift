/// Summary statistics of a series of values.
public struct Statistics: Codable, Equatable, Sendable {
    public var mean: Double
    public var standardDeviation: Double
    public var minimum: Double
    public var maximum: Double

    /// Statistics of `values`; all zero when empty.
    public init<C: Collection>(_ values: C) where C.Element == Float {
        guard !values.isEmpty else {
            (mean, standardDeviation, minimum, maximum) = (0, 0, 0, 0)
            return
        }
        var sum = 0.0, low = Double.infinity, high = -Double.infinity
        for value in values {
            let v = Double(value)
            sum += v
            low = min(low, v)
            high = max(high, v)
        }
        let mean = sum / Double(values.count)
        var squares = 0.0
        for value in values { squares += (Double(value) - mean) * (Double(value) - mean) }
        self.mean = mean
        standardDeviation = (squares / Double(values.count)).squareRoot()
        minimum = low
        maximum = high
    }
}

/// Every frame feature of one signal.
public struct FeatureAnalysis: Sendable {
    /// Log-mel spectrogram in dB, frames × mel bands.
    public var logMel: FeatureMatrix
    /// MFCCs, frames × coefficients.
    public var mfcc: FeatureMatrix
    /// RMS energy per frame (linear).
    public var rms: [Float]
    /// Zero-crossing rate per frame.
    public var zeroCrossingRate: [Float]
    /// F0 track with voicing.
    public var pitch: PitchTrack
    /// Speech / non-speech per frame.
    public var voiceActivity: VoiceActivity

    /// Runs every feature over `samples`.
    public init(samples: [Float], extractor: FeatureExtractor, pitchTracker: PitchTracker) {
        logMel = extractor.logMelSpectrogram(samples)
        mfcc = extractor.mfcc(fromLogMel: logMel)
        rms = extractor.rms(samples)
        zeroCrossingRate = extractor.zeroCrossingRate(samples)
        pitch = pitchTracker.track(samples)
        voiceActivity = VoiceActivity(rms: rms, settings: extractor.settings)
    }

    /// A compact, JSON-ready summary of the analysis.
    public func summary(settings: FeatureSettings) -> FeatureSummary {
        let speechPitch = zip(pitch.frequencies, zip(pitch.voiced, voiceActivity.isSpeech))
            .filter { $0.1.0 && $0.1.1 }.map(\.0)
        let secondsPerFrame = Double(settings.hopLength) / Double(settings.sampleRate)
        return FeatureSummary(
            frames: logMel.frameCount,
            frameRate: 1 / secondsPerFrame,
            logMel: .init(bands: logMel.featureCount, decibels: Statistics(logMel.values),
                          bandMeans: (0..<logMel.featureCount).map { Statistics(logMel.column($0)).mean }),
            mfcc: .init(coefficients: mfcc.featureCount,
                        means: (0..<mfcc.featureCount).map { Statistics(mfcc.column($0)).mean },
                        standardDeviations: (0..<mfcc.featureCount).map { Statistics(mfcc.column($0)).standardDeviation }),
            rmsDBFS: Statistics(voiceActivity.levelsDB),
            zeroCrossingRate: Statistics(zeroCrossingRate),
            pitch: .init(voicedFraction: pitch.voiced.isEmpty ? 0
                            : Double(pitch.voiced.lazy.filter { $0 }.count) / Double(pitch.voiced.count),
                         hertz: Statistics(speechPitch),
                         medianHertz: Self.median(speechPitch)),
            voiceActivity: .init(speechRatio: voiceActivity.speechRatio,
                                 segments: voiceActivity.segments.map {
                                     [Double($0.lowerBound) * secondsPerFrame, Double($0.upperBound) * secondsPerFrame]
                                 }))
    }

    static func median(_ values: [Float]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? Double(sorted[middle]) : Double(sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// What `emoscope features` reports about each feature.
public struct FeatureSummary: Codable, Equatable, Sendable {
    public struct LogMel: Codable, Equatable, Sendable {
        public var bands: Int
        public var decibels: Statistics
        public var bandMeans: [Double]
    }
    public struct MFCC: Codable, Equatable, Sendable {
        public var coefficients: Int
        public var means: [Double]
        public var standardDeviations: [Double]
    }
    public struct Pitch: Codable, Equatable, Sendable {
        /// Fraction of frames YIN calls voiced.
        public var voicedFraction: Double
        /// F0 statistics over frames that are voiced and speech.
        public var hertz: Statistics
        public var medianHertz: Double?
    }
    public struct Voice: Codable, Equatable, Sendable {
        public var speechRatio: Double
        /// Speech segments as [start, end] in seconds.
        public var segments: [[Double]]
    }
    public var frames: Int
    public var frameRate: Double
    public var logMel: LogMel
    public var mfcc: MFCC
    public var rmsDBFS: Statistics
    public var zeroCrossingRate: Statistics
    public var pitch: Pitch
    public var voiceActivity: Voice
}
