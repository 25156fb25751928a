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
}
