/// Every setting of the feature front end; stored in the model file so that what was trained
/// is what is served.
///
/// Defaults follow librosa where librosa has one (Slaney mel, periodic Hann, centred frames
/// padded with zeros, `power_to_db(ref=1, amin=1e-10)`, orthonormal DCT-II).
public struct FeatureSettings: Codable, Hashable, Sendable {
    /// Sample rate of the analysed signal, Hz.
    public var sampleRate: Int = 16_000
    /// FFT size in samples.
    public var fftSize: Int = 512
    /// Hann window length in samples (≤ `fftSize`, centred in the FFT frame as librosa does).
    public var windowLength: Int = 400
    /// Hop between frames in samples.
    public var hopLength: Int = 160
    /// Number of mel bands.
    public var melBands: Int = 64
    /// Lowest mel band edge, Hz.
    public var minFrequency: Double = 0
    /// Highest mel band edge, Hz (at most half the sample rate).
    public var maxFrequency: Double = 8_000
    /// Number of MFCCs kept.
    public var mfccCount: Int = 20
    /// Clamp log-mel values to at most this many dB below the signal's maximum; nil keeps all.
    public var topDB: Float? = 80
    /// Pitch analysis frame in samples (YIN uses the first half as its window).
    public var pitchFrameLength: Int = 1_024
    /// Lowest F0 searched, Hz.
    public var pitchMinFrequency: Double = 60
    /// Highest F0 searched, Hz.
    public var pitchMaxFrequency: Double = 500
    /// YIN threshold on the cumulative mean normalised difference.
    public var pitchThreshold: Float = 0.15
    /// Frames quieter than this (dBFS RMS) are never speech.
    public var vadFloorDB: Float = -70
    /// Frames more than this many dB below the loudest frame are not speech.
    public var vadRangeDB: Float = 40
    /// Speech frames must be this many dB above the noise floor (the 10th-percentile frame).
    public var vadNoiseMarginDB: Float = 6
    /// A clip whose loudest frame is less than this many dB above its noise floor (steady
    /// noise, hum) holds no speech.
    public var vadMinimumDynamicsDB: Float = 12

    /// The standard settings.
    public init() {}

    /// Number of frequency bins of the one-sided spectrum.
    public var binCount: Int { fftSize / 2 + 1 }

    /// Number of frames produced for `sampleCount` samples (centred framing).
    public func frameCount(forSampleCount sampleCount: Int) -> Int {
        1 + sampleCount / hopLength
    }

    /// Checks that the settings describe a valid analysis.
    public func validate() throws(FeatureSettingsError) {
        func fail(_ field: String, _ why: String) -> FeatureSettingsError {
            FeatureSettingsError(field: field, reason: why)
        }
        guard (1_000...384_000).contains(sampleRate) else { throw fail("sampleRate", "must be 1000–384000 Hz") }
        guard fftSize >= 16, fftSize <= 65_536, fftSize % 2 == 0 else { throw fail("fftSize", "must be even, 16–65536") }
        guard windowLength >= 2, windowLength <= fftSize else { throw fail("windowLength", "must be 2…fftSize") }
        guard hopLength >= 1 else { throw fail("hopLength", "must be positive") }
        guard melBands >= 1, melBands <= binCount else { throw fail("melBands", "must be 1…fftSize/2+1") }
        guard minFrequency >= 0, minFrequency < maxFrequency else { throw fail("minFrequency", "must be ≥ 0 and below maxFrequency") }
        guard maxFrequency <= Double(sampleRate) / 2 else { throw fail("maxFrequency", "must be at most half the sample rate") }
        guard mfccCount >= 1, mfccCount <= melBands else { throw fail("mfccCount", "must be 1…melBands") }
        if let topDB { guard topDB > 0 else { throw fail("topDB", "must be positive") } }
        guard pitchFrameLength >= 64, pitchFrameLength <= 65_536 else { throw fail("pitchFrameLength", "must be 64–65536") }
        guard pitchMinFrequency > 0, pitchMinFrequency < pitchMaxFrequency,
              pitchMaxFrequency < Double(sampleRate) / 2 else { throw fail("pitchMinFrequency", "need 0 < min < max < Nyquist") }
        guard Double(sampleRate) / pitchMinFrequency <= Double(pitchFrameLength / 2) else {
            throw fail("pitchFrameLength", "too short for pitchMinFrequency (needs two periods)")
        }
        guard pitchThreshold > 0, pitchThreshold < 1 else { throw fail("pitchThreshold", "must be in (0, 1)") }
        guard vadRangeDB > 0 else { throw fail("vadRangeDB", "must be positive") }
        guard vadNoiseMarginDB >= 0 else { throw fail("vadNoiseMarginDB", "must not be negative") }
        guard vadMinimumDynamicsDB >= 0 else { throw fail("vadMinimumDynamicsDB", "must not be negative") }
    }
}

/// A feature setting that cannot work, named by its field.
public struct FeatureSettingsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The offending field of `FeatureSettings`.
    public let field: String
    /// Why it is rejected.
    public let reason: String
    public var description: String { "feature setting \(field): \(reason)" }
}
