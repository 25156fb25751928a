import Foundation

/// A fundamental-frequency track: one estimate per hop, with voicing.
public struct PitchTrack: Equatable, Sendable {
    /// F0 per frame in Hz; 0 where the frame is unvoiced.
    public var frequencies: [Float]
    /// Voicing confidence per frame in [0, 1]: `1 − d′(τ)` at the chosen lag.
    public var confidences: [Float]
    /// Whether each frame is voiced.
    public var voiced: [Bool]

    /// F0 of the voiced frames only.
    public var voicedFrequencies: [Float] { zip(frequencies, voiced).filter(\.1).map(\.0) }
}

/// YIN pitch estimation (de Cheveigné & Kawahara 2002), as librosa's `yin` frames it:
/// centred frames of `pitchFrameLength` samples, a window of half that, difference function
/// from an FFT autocorrelation, cumulative-mean normalisation, first dip below the threshold,
/// parabolic refinement. A frame whose normalised difference never dips below the threshold
/// is unvoiced.
public final class PitchTracker {
    /// The settings this tracker was built for.
    public let settings: FeatureSettings
    private let fft: RealFFT
    private let frameLength: Int
    private let windowLength: Int
    private let minPeriod: Int
    private let maxPeriod: Int
    private var frame: [Float]
    private var windowSpectrum: [Float]
    private var difference: [Float]
    private var normalised: [Float]

    /// Builds a tracker; throws when the settings are invalid.
    public init(settings: FeatureSettings = FeatureSettings()) throws(FeatureSettingsError) {
        try settings.validate()
        self.settings = settings
        frameLength = settings.pitchFrameLength
        windowLength = frameLength / 2
        minPeriod = max(2, Int((Double(settings.sampleRate) / settings.pitchMaxFrequency).rounded(.down)))
        maxPeriod = min(frameLength - windowLength - 1,
                        Int((Double(settings.sampleRate) / settings.pitchMinFrequency).rounded(.up)))
        fft = RealFFT(size: frameLength, withInverse: true)
        frame = [Float](repeating: 0, count: frameLength)
        windowSpectrum = [Float](repeating: 0, count: frameLength + 2)
        difference = [Float](repeating: 0, count: maxPeriod + 2)
        normalised = difference
    }

    /// The pitch track of a signal, one frame per `hopLength` samples.
    public func track(_ samples: [Float]) -> PitchTrack {
        let frames = settings.frameCount(forSampleCount: samples.count)
        var track = PitchTrack(
            frequencies: .init(repeating: 0, count: frames),
            confidences: .init(repeating: 0, count: frames),
            voiced: .init(repeating: false, count: frames))
        for index in 0..<frames {
            let start = index * settings.hopLength - frameLength / 2
            for j in 0..<frameLength {
                let s = start + j
                frame[j] = s >= 0 && s < samples.count ? samples[s] : 0
            }
            if let (period, confidence) = estimatePeriod() {
                track.frequencies[index] = Float(Double(settings.sampleRate) / period)
                track.confidences[index] = confidence
                track.voiced[index] = true
            }
        }
        return track
    }

    /// The refined period (in samples) of `frame` and its confidence, or nil when unvoiced.
    private func estimatePeriod() -> (Double, Float)? {
        computeDifferenceFunction()
        // Cumulative-mean normalised difference, d′(0) = 1.
        var runningSum: Float = 0
        normalised[0] = 1
        for tau in 1...maxPeriod {
            runningSum += difference[tau]
            normalised[tau] = runningSum > 0 ? difference[tau] * Float(tau) / runningSum : 1
        }
        var tau = minPeriod
        while tau <= maxPeriod {
            if normalised[tau] < settings.pitchThreshold {
                while tau + 1 <= maxPeriod && normalised[tau + 1] < normalised[tau] { tau += 1 }
                break
            }
            tau += 1
        }
        guard tau <= maxPeriod else { return nil }
        // Parabolic interpolation around the dip.
        var shift = 0.0
        if tau > minPeriod && tau < maxPeriod {
            let (a, b, c) = (Double(normalised[tau - 1]), Double(normalised[tau]), Double(normalised[tau + 1]))
            let denominator = a - 2 * b + c
            if denominator > 0 { shift = max(-1, min(1, 0.5 * (a - c) / denominator)) }
        }
        return (Double(tau) + shift, max(0, min(1, 1 - normalised[tau])))
    }

    /// `difference[τ] = Σ_{j<W} (x[j] − x[j+τ])²` for τ in 0…maxPeriod, via an FFT
    /// cross-correlation of the window with the whole frame (no wrap-around for τ ≤ N − W).
    private func computeDifferenceFunction() {
        let n = frameLength, w = windowLength
        let input = fft.input, spectrum = fft.spectrum
        // Spectrum of the window (first W samples, zero-padded).
        for j in 0..<n { input[j] = j < w ? frame[j] : 0 }
        fft.forward()
        for i in 0..<(n + 2) { windowSpectrum[i] = spectrum[i] }
        // Spectrum of the whole frame; then conj(window) · frame.
        for j in 0..<n { input[j] = frame[j] }
        fft.forward()
        for bin in 0...(n / 2) {
            let (ar, ai) = (windowSpectrum[2 * bin], windowSpectrum[2 * bin + 1])
            let (br, bi) = (spectrum[2 * bin], spectrum[2 * bin + 1])
            spectrum[2 * bin] = ar * br + ai * bi
            spectrum[2 * bin + 1] = ar * bi - ai * br
        }
        fft.inverse()  // input[τ] = N · Σ_j x[j] x[j+τ]
        // Energies of the lagged windows by a running sum.
        var energy0: Float = 0
        for j in 0..<w { energy0 += frame[j] * frame[j] }
        var energyTau = energy0
        let scale = 1 / Float(n)
        for tau in 0...maxPeriod {
            if tau > 0 {
                energyTau += frame[tau + w - 1] * frame[tau + w - 1] - frame[tau - 1] * frame[tau - 1]
            }
            let correlation = input[tau] * scale
            difference[tau] = max(0, energy0 + energyTau - 2 * correlation)
        }
    }
}
