import EmoscopeCore
import EmoscopeTestSupport
import Foundation
import Testing

@Suite("features")
struct FeatureTests {
    @Test func slaneyMelScaleIsLinearBelowOneKilohertzAndLogarithmicAbove() {
        #expect(MelScale.mel(fromHz: 0) == 0)
        #expect(abs(MelScale.mel(fromHz: 1_000) - 15) < 1e-12)
        #expect(abs(MelScale.mel(fromHz: 500) - 7.5) < 1e-12)
        // librosa.hz_to_mel(4000) = 15 + log(4) / (log(6.4) / 27)
        #expect(abs(MelScale.mel(fromHz: 4_000) - (15 + log(4.0) / (log(6.4) / 27))) < 1e-12)
        for hz in stride(from: 0.0, through: 8_000, by: 137.5) {
            #expect(abs(MelScale.hz(fromMel: MelScale.mel(fromHz: hz)) - hz) < 1e-9)
        }
    }

    @Test func slaneyFiltersHaveUnitAreaInHertz() {
        // With Slaney normalisation each triangle's area (weight × Hz per bin) is 1,
        // up to the sampling of the triangle by the FFT bins.
        let bank = MelFilterbank(sampleRate: 16_000, fftSize: 4_096, bandCount: 40, minFrequency: 100, maxFrequency: 7_000)
        let hzPerBin = 16_000.0 / 4_096
        for band in bank.bands {
            let area = band.weights.reduce(0.0) { $0 + Double($1) } * hzPerBin
            #expect(abs(area - 1) < 0.02, "area \(area)")
        }
        let dense = bank.denseWeights()
        #expect(dense.count == 40 * 2_049)
        #expect(dense.allSatisfy { $0 >= 0 })
    }

    @Test func invalidSettingsNameTheirField() {
        var settings = FeatureSettings()
        settings.windowLength = 1_024
        #expect(throws: FeatureSettingsError.self) { try FeatureExtractor(settings: settings) }
        do {
            _ = try FeatureExtractor(settings: settings)
        } catch {
            #expect(error.field == "windowLength")
        }
        settings = FeatureSettings()
        settings.maxFrequency = 9_000
        do {
            try settings.validate()
            Issue.record("maxFrequency above Nyquist accepted")
        } catch {
            #expect(error.field == "maxFrequency")
            #expect(error.description.contains("half the sample rate"))
        }
        #expect(throws: Never.self) { try FeatureSettings().validate() }
    }

    @Test func frameCountFollowsCentredFraming() throws {
        let extractor = try FeatureExtractor()
        for count in [0, 1, 159, 160, 161, 48_000] {
            let logMel = extractor.logMelSpectrogram([Float](repeating: 0.1, count: count))
            #expect(logMel.frameCount == 1 + count / 160)
            #expect(logMel.featureCount == 64)
        }
    }

    @Test func powerSpectrumPeaksAtTheSineFrequencyWithParsevalEnergy() throws {
        var settings = FeatureSettings()
        settings.windowLength = 512
        let extractor = try FeatureExtractor(settings: settings)
        let frequency = 1_000.0  // exactly bin 32 of a 512-point FFT at 16 kHz
        let spectrum = extractor.powerSpectrogram(Signals.sine(frequency: frequency, seconds: 0.5, amplitude: 1))
        let middle = spectrum.frameCount / 2
        let row = (0..<spectrum.featureCount).map { spectrum[middle, $0] }
        #expect(row.firstIndex(of: row.max()!) == 32)
        // Hann-windowed unit sine: |X[k]|² = (N/4)² at the peak bin.
        let expectedPeak = Float(512.0 / 4 * 512.0 / 4)
        #expect(abs(row[32] / expectedPeak - 1) < 1e-3)
    }

    @Test func logMelIsReusedWithoutReallocation() throws {
        let extractor = try FeatureExtractor()
        let signal = Signals.noise(count: 48_000)
        var output = FeatureMatrix(frameCount: 0, featureCount: 64)
        signal.withUnsafeBufferPointer { extractor.logMelSpectrogram($0, into: &output) }
        let checksum = output.values.reduce(0, +)  // not a copy: a copy would force copy-on-write
        let storage = output.values.withUnsafeBufferPointer { $0.baseAddress }
        signal.withUnsafeBufferPointer { extractor.logMelSpectrogram($0, into: &output) }
        #expect(output.values.reduce(0, +) == checksum, "the same input gives the same output")
        #expect(output.values.withUnsafeBufferPointer { $0.baseAddress } == storage, "the output buffer was reused")
    }

    @Test func rmsOfASineIsAmplitudeOverRootTwo() throws {
        let extractor = try FeatureExtractor()
        let rms = extractor.rms(Signals.sine(frequency: 400, seconds: 1, amplitude: 0.5))
        for value in rms[5..<(rms.count - 5)] {
            #expect(abs(value - 0.5 / 2.0.squareRoot().float) < 1e-3)
        }
    }

    @Test func sumOfSquaresMatchesADoubleSumAtEveryTailLength() {
        let values = (0..<50).map { Float(sin(Double($0) * 0.7)) * 3 }
        for count in 0...values.count {
            let expected = values[0..<count].reduce(0.0) { $0 + Double($1) * Double($1) }
            let sum = values.withUnsafeBufferPointer { FastMath.sumOfSquares($0.baseAddress!, count: count) }
            #expect(abs(Double(sum) - expected) <= 1e-5 * max(1, expected), "count \(count): \(sum) against \(expected)")
        }
    }

    @Test func zeroCrossingRateOfASineIsTwiceItsFrequency() throws {
        let extractor = try FeatureExtractor()
        let zcr = extractor.zeroCrossingRate(Signals.sine(frequency: 1_000, seconds: 1, phase: 0.3))
        let expected: Float = 2 * 1_000 / 16_000
        for value in zcr[5..<(zcr.count - 5)] { #expect(abs(value - expected) <= 1.0 / 400 + 1e-6) }
    }
}

@Suite("pitch and voice activity")
struct PitchAndVoiceTests {
    @Test(arguments: [80.0, 120.0, 220.0, 310.0, 450.0])
    func yinFindsTheFrequencyOfAHarmonicTone(frequency: Double) throws {
        let tracker = try PitchTracker()
        var signal = [Float](repeating: 0, count: 16_000)
        for harmonic in 1...5 {
            let partial = Signals.sine(frequency: frequency * Double(harmonic), seconds: 1, amplitude: 0.3 / Double(harmonic))
            for i in signal.indices { signal[i] += partial[i] }
        }
        let track = tracker.track(signal)
        let inner = track.frequencies[10..<(track.frequencies.count - 10)]
        #expect(track.voiced[10..<(track.voiced.count - 10)].allSatisfy { $0 })
        for f0 in inner { #expect(abs(Double(f0) / frequency - 1) < 0.005, "\(f0) Hz for \(frequency) Hz") }
    }

    @Test func silenceAndNoiseAreUnvoiced() throws {
        let tracker = try PitchTracker()
        #expect(tracker.track([Float](repeating: 0, count: 16_000)).voiced.allSatisfy { !$0 })
        let noise = tracker.track(Signals.noise(count: 16_000, amplitude: 0.3))
        let voicedFraction = Double(noise.voiced.filter { $0 }.count) / Double(noise.voiced.count)
        #expect(voicedFraction < 0.05, "white noise voiced in \(voicedFraction * 100) % of frames")
    }

    @Test func speechIsFoundOnlyWhereTheSignalIsLoud() throws {
        let extractor = try FeatureExtractor()
        // 0.5 s near-silence (−80 dBFS noise), 1 s tone at −12 dBFS, 0.5 s near-silence.
        var signal = Signals.noise(count: 8_000, amplitude: 1e-4, seed: 1)
        signal += Signals.sine(frequency: 200, seconds: 1, amplitude: 0.35)
        signal += Signals.noise(count: 8_000, amplitude: 1e-4, seed: 2)
        let activity = VoiceActivity(rms: extractor.rms(signal), settings: extractor.settings)
        #expect(activity.segments.count == 1)
        let segment = try #require(activity.segments.first)
        #expect(abs(segment.lowerBound - 50) <= 2 && abs(segment.upperBound - 150) <= 2, "segment \(segment)")
        #expect(abs(activity.speechRatio - 0.5) < 0.03)

        let silent = VoiceActivity(rms: extractor.rms(Signals.noise(count: 16_000, amplitude: 1e-4)), settings: extractor.settings)
        #expect(!silent.hasSpeech, "−80 dBFS noise is not speech")
        let hum = VoiceActivity(rms: extractor.rms(Signals.noise(count: 32_000, amplitude: 0.05)), settings: extractor.settings)
        #expect(!hum.hasSpeech, "steady −35 dBFS noise is not speech")
        let empty = VoiceActivity(rms: [], settings: extractor.settings)
        #expect(!empty.hasSpeech && empty.speechRatio == 0)
    }

    @Test func quietRecordingsStillHaveSpeech() throws {
        // Like the quietest RAVDESS clips: syllables at about −55 dBFS over −95 dBFS silence.
        let extractor = try FeatureExtractor()
        var signal = Signals.noise(count: 8_000, amplitude: 2e-5, seed: 3)
        for _ in 0..<4 {
            signal += Signals.sine(frequency: 150, seconds: 0.25, amplitude: 0.0025)
            signal += Signals.noise(count: 2_400, amplitude: 2e-5, seed: 4)
        }
        signal += Signals.noise(count: 8_000, amplitude: 2e-5, seed: 5)
        let activity = VoiceActivity(rms: extractor.rms(signal), settings: extractor.settings)
        #expect(activity.segments.count == 1, "segments \(activity.segments)")
        #expect(abs(activity.speechRatio - 0.5) < 0.1, "speech ratio \(activity.speechRatio)")
    }

    @Test func shortPausesInsideSpeechAreBridged() throws {
        let extractor = try FeatureExtractor()
        var signal = Signals.sine(frequency: 200, seconds: 0.5, amplitude: 0.3)
        signal += [Float](repeating: 0, count: 1_600)  // 100 ms pause: bridged
        signal += Signals.sine(frequency: 200, seconds: 0.5, amplitude: 0.3)
        signal += [Float](repeating: 0, count: 8_000)  // 500 ms pause: splits
        signal += Signals.sine(frequency: 200, seconds: 0.5, amplitude: 0.3)
        let activity = VoiceActivity(rms: extractor.rms(signal), settings: extractor.settings)
        #expect(activity.segments.count == 2, "segments \(activity.segments)")
    }
}

@Suite("BLAS")
struct BLASTests {
    @Test func libraryLoadsWithAKnownKernel() throws {
        try BLAS.ensureLoaded()
        #expect(!BLAS.description.contains("unavailable"))
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func sgemmMatchesNaiveProduct(transposeA: Bool, transposeB: Bool) {
        let (m, n, k) = (7, 33, 19)
        var generator = SeededGenerator(seed: 7)
        func random(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: -1...1, using: &generator) } }
        let a = random(m * k), b = random(k * n)
        var c = random(m * n)
        let c0 = c
        // Stored shapes: A is m×k (or k×m when transposed), B is k×n (or n×k).
        let lda = transposeA ? m : k, ldb = transposeB ? k : n
        func aAt(_ i: Int, _ p: Int) -> Float { transposeA ? a[p * m + i] : a[i * k + p] }
        func bAt(_ p: Int, _ j: Int) -> Float { transposeB ? b[j * k + p] : b[p * n + j] }
        BLAS.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5,
                   a: a, lda: lda, b: b, ldb: ldb, beta: 2, c: &c, ldc: n)
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k { sum += aAt(i, p) * bAt(p, j) }
                #expect(abs(c[i * n + j] - (0.5 * sum + 2 * c0[i * n + j])) < 1e-4)
            }
        }
    }
}

extension Double {
    var float: Float { Float(self) }
}
