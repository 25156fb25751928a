import Foundation

/// Computes frame features of a mono signal: power and mel spectrograms, log-mel in dB, MFCC,
/// RMS energy and zero-crossing rate.
///
/// One extractor owns its FFT plan and scratch buffers, so the `into:` variants allocate
/// nothing once their output has reached its size. Not thread-safe: use one per thread.
public final class FeatureExtractor {
    /// The settings this extractor was built for.
    public let settings: FeatureSettings
    /// The mel filters.
    public let filterbank: MelFilterbank
    private let fft: RealFFT
    /// The periodic Hann window (`scipy.signal.get_window("hann", N, fftbins=True)`).
    private let window: [Float]
    /// Offset of the window inside the FFT frame (librosa centres a short window).
    private let windowOffset: Int
    /// Orthonormal DCT-II basis, `mfccCount × melBands`.
    private let dctBasis: [Float]
    private var power: [Float]
    private var melScratch: [Float]

    /// Builds an extractor; throws when the settings are invalid.
    public init(settings: FeatureSettings = FeatureSettings()) throws(FeatureSettingsError) {
        try settings.validate()
        self.settings = settings
        filterbank = MelFilterbank(
            sampleRate: settings.sampleRate, fftSize: settings.fftSize, bandCount: settings.melBands,
            minFrequency: settings.minFrequency, maxFrequency: settings.maxFrequency)
        fft = RealFFT(size: settings.fftSize)
        let n = settings.windowLength
        window = (0..<n).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n))) }
        windowOffset = (settings.fftSize - n) / 2
        dctBasis = Self.orthonormalDCT(rows: settings.mfccCount, columns: settings.melBands)
        power = [Float](repeating: 0, count: settings.binCount)
        melScratch = [Float](repeating: 0, count: settings.melBands + 2)
    }

    // MARK: Spectrograms

    /// Power spectrogram `|STFT|²`, frames × bins.
    public func powerSpectrogram(_ samples: [Float]) -> FeatureMatrix {
        var out = FeatureMatrix(frameCount: 0, featureCount: settings.binCount)
        samples.withUnsafeBufferPointer { signal in
            out.resize(frameCount: settings.frameCount(forSampleCount: signal.count))
            out.values.withUnsafeMutableBufferPointer { dst in
                for frame in 0..<out.frameCount {
                    transformFrame(frame, of: signal)
                    powerOfSpectrum(into: dst.baseAddress! + frame * settings.binCount)
                }
            }
        }
        return out
    }

    /// Mel power spectrogram, frames × mel bands.
    public func melSpectrogram(_ samples: [Float]) -> FeatureMatrix {
        var out = FeatureMatrix(frameCount: 0, featureCount: settings.melBands)
        samples.withUnsafeBufferPointer { melSpectrogram($0, into: &out) }
        return out
    }

    /// Mel power spectrogram written into `out` (resized to fit).
    public func melSpectrogram(_ signal: UnsafeBufferPointer<Float>, into out: inout FeatureMatrix) {
        precondition(out.featureCount == settings.melBands, "output has the wrong band count")
        out.resize(frameCount: settings.frameCount(forSampleCount: signal.count))
        let frames = out.frameCount, bands = settings.melBands
        power.withUnsafeMutableBufferPointer { power in
            melScratch.withUnsafeMutableBufferPointer { scratch in
                out.values.withUnsafeMutableBufferPointer { dst in
                    for frame in 0..<frames {
                        transformFrame(frame, of: signal)
                        powerOfSpectrum(into: power.baseAddress!)
                        filterbank.apply(power: power.baseAddress!, to: dst.baseAddress! + frame * bands,
                                         scratch: scratch.baseAddress!)
                    }
                }
            }
        }
    }

    /// Log-mel spectrogram in dB (`librosa.power_to_db(mel, ref=1, amin=1e-10, top_db=…)`).
    public func logMelSpectrogram(_ samples: [Float]) -> FeatureMatrix {
        var out = FeatureMatrix(frameCount: 0, featureCount: settings.melBands)
        samples.withUnsafeBufferPointer { logMelSpectrogram($0, into: &out) }
        return out
    }

    /// Log-mel spectrogram in dB written into `out` (resized to fit).
    public func logMelSpectrogram(_ signal: UnsafeBufferPointer<Float>, into out: inout FeatureMatrix) {
        melSpectrogram(signal, into: &out)
        Self.powerToDecibels(&out.values, topDB: settings.topDB)
    }

    /// Converts power values to dB in place: `10·log10(max(1e-10, x))`, then clamps to
    /// `max − topDB` when `topDB` is set.
    public static func powerToDecibels(_ values: inout [Float], topDB: Float?) {
        values.withUnsafeMutableBufferPointer { v in
            guard let base = v.baseAddress, !v.isEmpty else { return }
            FastMath.decibelsFromPower(base, count: v.count)
            guard let topDB else { return }
            var peak = -Float.infinity
            for i in v.indices { peak = max(peak, v[i]) }
            let floor = peak - topDB
            for i in v.indices { v[i] = max(v[i], floor) }
        }
    }

    /// MFCCs from a log-mel spectrogram: orthonormal DCT-II of each frame, first `mfccCount`.
    public func mfcc(fromLogMel logMel: FeatureMatrix) -> FeatureMatrix {
        precondition(logMel.featureCount == settings.melBands, "log-mel has the wrong band count")
        var out = FeatureMatrix(frameCount: logMel.frameCount, featureCount: settings.mfccCount)
        guard logMel.frameCount > 0 else { return out }
        // out (frames × mfcc) = logMel (frames × bands) · basisᵀ (bands × mfcc)
        BLAS.sgemm(transposeB: true, m: logMel.frameCount, n: settings.mfccCount, k: settings.melBands,
                   a: logMel.values, lda: settings.melBands, b: dctBasis, ldb: settings.melBands,
                   c: &out.values, ldc: settings.mfccCount)
        return out
    }

    /// MFCCs of a signal.
    public func mfcc(_ samples: [Float]) -> FeatureMatrix {
        mfcc(fromLogMel: logMelSpectrogram(samples))
    }

    // MARK: Time-domain frame features

    /// RMS energy per frame (`librosa.feature.rms(frame_length: windowLength, center=True)`).
    public func rms(_ samples: [Float]) -> [Float] {
        let length = settings.windowLength
        let frames = settings.frameCount(forSampleCount: samples.count)
        return samples.withUnsafeBufferPointer { signal in
            (0..<frames).map { frame in
                // Zero padding: only the samples inside the signal contribute.
                let start = frame * settings.hopLength - length / 2
                let first = max(start, 0), end = min(start + length, signal.count)
                let energy = first < end ? FastMath.sumOfSquares(signal.baseAddress! + first, count: end - first) : 0
                return (energy / Float(length)).squareRoot()
            }
        }
    }

    /// Zero-crossing rate per frame, as `librosa.feature.zero_crossing_rate` computes it
    /// (edge padding, |x| ≤ 1e-10 counts as zero, zero counts as positive).
    public func zeroCrossingRate(_ samples: [Float]) -> [Float] {
        let length = settings.windowLength
        return mapFrames(samples, length: length, padding: .edge) { frame in
            var crossings = 0
            var previousNegative = frame[0] < -1e-10
            for i in 1..<frame.count {
                let negative = frame[i] < -1e-10
                if negative != previousNegative { crossings += 1 }
                previousNegative = negative
            }
            return Float(crossings) / Float(length)
        }
    }

    // MARK: Internals

    /// Windows frame `frame` of the centred, zero-padded signal into the FFT input and transforms it.
    @inline(__always)
    private func transformFrame(_ frame: Int, of signal: UnsafeBufferPointer<Float>) {
        let input = fft.input + windowOffset
        let start = frame * settings.hopLength - settings.fftSize / 2 + windowOffset
        let count = signal.count
        window.withUnsafeBufferPointer { window in
            let n = window.count
            if start >= 0 && start + n <= count {
                let src = signal.baseAddress! + start, w = window.baseAddress!
                for j in 0..<n { input[j] = src[j] * w[j] }
            } else {
                for j in 0..<n {
                    let index = start + j
                    input[j] = index >= 0 && index < count ? signal[index] * window[j] : 0
                }
            }
        }
        fft.forward()
    }

    @inline(__always)
    private func powerOfSpectrum(into power: UnsafeMutablePointer<Float>) {
        let spectrum = fft.spectrum
        for bin in 0..<settings.binCount {
            let re = spectrum[2 * bin], im = spectrum[2 * bin + 1]
            power[bin] = re * re + im * im
        }
    }

    enum Padding { case zeros, edge }

    /// Applies `body` to each centred frame of `length` samples (hop `hopLength`).
    private func mapFrames(
        _ samples: [Float], length: Int, padding: Padding, _ body: (UnsafeBufferPointer<Float>) -> Float
    ) -> [Float] {
        let frames = settings.frameCount(forSampleCount: samples.count)
        guard !samples.isEmpty else { return [Float](repeating: 0, count: frames) }
        var scratch = [Float](repeating: 0, count: length)
        return (0..<frames).map { frame in
            let start = frame * settings.hopLength - length / 2
            for j in 0..<length {
                let index = start + j
                if index >= 0 && index < samples.count {
                    scratch[j] = samples[index]
                } else {
                    scratch[j] = padding == .zeros ? 0 : samples[index < 0 ? 0 : samples.count - 1]
                }
            }
            return scratch.withUnsafeBufferPointer(body)
        }
    }

    static func orthonormalDCT(rows: Int, columns: Int) -> [Float] {
        var basis = [Float](repeating: 0, count: rows * columns)
        let n = Double(columns)
        for k in 0..<rows {
            let scale = k == 0 ? (1 / n).squareRoot() : (2 / n).squareRoot()
            for i in 0..<columns {
                basis[k * columns + i] = Float(scale * cos(Double.pi * Double(k) * (2 * Double(i) + 1) / (2 * n)))
            }
        }
        return basis
    }
}
