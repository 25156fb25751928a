import EmoscopeCore
import EmoscopeTraining
import Foundation
import Testing

/// Spectrogram augmentation checked against the feature code itself.
@Suite("augmentation")
struct AugmentationTests {
    let features = FeatureSettings()

    func logMel(ofToneAt frequency: Double) throws -> FeatureMatrix {
        let samples = (0..<16_000).map { Float(0.3 * sin(2 * Double.pi * frequency * Double($0) / 16_000)) }
        return try FeatureExtractor(settings: features).logMelSpectrogram(samples)
    }

    /// The loudest band of the middle frame.
    func peakBand(_ matrix: FeatureMatrix) -> Int {
        let frame = matrix.frameCount / 2, bands = matrix.featureCount
        let row = Array(matrix.values[(frame * bands)..<((frame + 1) * bands)])
        return row.indices.max { row[$0] < row[$1] }!
    }

    /// Stretching the frequency axis by 1.1 puts a 1 kHz tone's energy where a 1.1 kHz tone's
    /// is (two bands up at 64 bands), 0.9 where a 900 Hz tone's is; a factor of 1 changes nothing.
    @Test(arguments: [(1_000.0, 1.1), (1_000.0, 0.9), (2_500.0, 1.08), (400.0, 0.92)])
    func vocalTractLengthPerturbationMovesATone(frequency: Double, factor: Double) throws {
        let original = try logMel(ofToneAt: frequency)
        var warped = original
        Augmenter.warpFrequencies(&warped, factor: factor, features: features)
        let expected = peakBand(try logMel(ofToneAt: frequency * factor))
        #expect(expected != peakBand(original))
        #expect(peakBand(warped) == expected)
        var unchanged = original
        Augmenter.warpFrequencies(&unchanged, factor: 1, features: features)
        #expect(unchanged == original)
    }

    /// Interpolation never leaves the range of the input, and the edge bands repeat rather than
    /// read beyond the spectrum.
    @Test func warpStaysWithinTheInputRange() throws {
        var matrix = FeatureMatrix(frameCount: 3, featureCount: 64)
        for i in matrix.values.indices { matrix.values[i] = Float(i % 64) - 20 }
        for factor in [0.8, 0.95, 1.05, 1.2] {
            var warped = matrix
            Augmenter.warpFrequencies(&warped, factor: factor, features: features)
            #expect(warped.values.allSatisfy { $0 >= -20 && $0 <= 43 })
            // A ramp stays monotone.
            for frame in 0..<3 {
                let row = warped.values[(frame * 64)..<((frame + 1) * 64)]
                #expect(zip(row.dropFirst(), row).allSatisfy { $0 >= $1 })
            }
        }
    }

    /// Frames where the 1 kHz band of a log-mel is loud (within 20 dB of its peak).
    func loudFrames(_ matrix: FeatureMatrix) -> Range<Int> {
        let band = peakBand(matrix)
        let column = matrix.column(band), peak = column.max()!
        let loud = column.indices.filter { column[$0] > peak - 20 }
        return loud.first!..<(loud.last! + 1)
    }

    /// A 1 kHz tone between 0.4 s and 0.8 s of a 1.2 s clip.
    func burst(scaledBy factor: Double) throws -> FeatureMatrix {
        let rate = 16_000.0
        let samples = (0..<Int(1.2 * rate * factor)).map { i -> Float in
            let t = Double(i) / rate
            return t >= 0.4 * factor && t < 0.8 * factor ? Float(0.3 * sin(2 * Double.pi * 1_000 * t)) : 0
        }
        return try FeatureExtractor(settings: features).logMelSpectrogram(samples)
    }

    /// Stretching the time axis by 1.1 puts a tone burst where the same burst played 10 % slower
    /// is (within a frame at each edge) and keeps its band; 0.9 likewise; 1 changes nothing.
    @Test(arguments: [1.1, 0.9, 1.25])
    func tempoPerturbationMovesABurst(factor: Double) throws {
        let original = try burst(scaledBy: 1)
        var stretched = original
        Augmenter.stretchTime(&stretched, factor: factor, maximumFrames: 1_000)
        let expected = try burst(scaledBy: factor)
        #expect(abs(stretched.frameCount - expected.frameCount) <= 1)
        #expect(peakBand(stretched) == peakBand(original))
        let (got, want) = (loudFrames(stretched), loudFrames(expected))
        #expect(abs(got.lowerBound - want.lowerBound) <= 1 && abs(got.upperBound - want.upperBound) <= 1)
        var unchanged = original
        Augmenter.stretchTime(&unchanged, factor: 1, maximumFrames: 1_000)
        #expect(unchanged == original)
    }

    /// A ramp in time stays a ramp with its slope divided by the factor, and a stretch beyond
    /// the window keeps only the window's frames.
    @Test func tempoStretchInterpolatesAndRespectsTheWindow() {
        var matrix = FeatureMatrix(frameCount: 50, featureCount: 4)
        for frame in 0..<50 { for band in 0..<4 { matrix[frame, band] = Float(frame) } }
        var slower = matrix
        Augmenter.stretchTime(&slower, factor: 1.2, maximumFrames: 100)
        #expect(slower.frameCount == 60)
        for frame in 0..<60 {
            #expect(abs(slower[frame, 2] - min(49, Float(frame) / 1.2)) < 1e-4)
        }
        var capped = matrix
        Augmenter.stretchTime(&capped, factor: 1.2, maximumFrames: 55)
        #expect(capped.frameCount == 55 && capped.values == Array(slower.values.prefix(55 * 4)))
    }

    /// A random equaliser stays within its largest gain, is piecewise linear with at most five
    /// kinks, reaches well beyond a few dB, and depends only on the generator's seed.
    @Test func theRandomEqualiserIsABoundedPiecewiseLinearCurve() {
        var kinds = Set<Int>()
        var largest: Float = 0
        for seed in 0..<50 as Range<UInt64> {
            var generator = SeededGenerator(seed: seed)
            let response = Augmenter.randomResponse(bands: 64, largestDB: 12, generator: &generator)
            #expect(response.count == 64 && response.allSatisfy { abs($0) <= 12 })
            let kinks = (1..<63).filter { abs(response[$0 + 1] - 2 * response[$0] + response[$0 - 1]) > 1e-3 }.count
            #expect(kinks <= 10, "each of at most five interior knots bends at most two bands' differences")
            kinds.insert(kinks)
            largest = max(largest, response.map(abs).max()!)
            var again = SeededGenerator(seed: seed)
            #expect(Augmenter.randomResponse(bands: 64, largestDB: 12, generator: &again) == response)
        }
        #expect(largest > 8 && kinds.count > 2)
    }

    /// Raising every band by 20·log10(2) dB gives the log-mel of the signal at twice the
    /// amplitude, and each band moves by exactly its own gain.
    @Test func theEqualiserAddsDecibelsToEachBand() throws {
        let quiet = try logMel(ofToneAt: 700)
        let loud = try FeatureExtractor(settings: features).logMelSpectrogram(
            (0..<16_000).map { Float(0.6 * sin(2 * Double.pi * 700 * Double($0) / 16_000)) })
        var raised = quiet
        Augmenter.equalize(&raised, response: [Float](repeating: Float(20 * log10(2.0)), count: 64))
        let worst = zip(raised.values, loud.values).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-2)
        var tilted = quiet
        let response = (0..<64).map { Float($0) / 4 - 8 }
        Augmenter.equalize(&tilted, response: response)
        for frame in [0, quiet.frameCount / 2] {
            for band in [0, 31, 63] { #expect(tilted[frame, band] == quiet[frame, band] + response[band]) }
        }
    }
}
