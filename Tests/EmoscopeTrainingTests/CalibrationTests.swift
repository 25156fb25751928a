import EmoscopeCore
import EmoscopeTraining
import Testing

/// Cross-fitted temperature scaling over cross-validation folds.
@Suite("cross-fitted calibration")
struct CrossFittedCalibrationTests {
    /// Clips of `folds` folds whose one-window scores are `overconfidence` times too sharp.
    static func clips(folds: Int, perFold: Int, overconfidence: [Float], seed: UInt64) -> [CrossFittedCalibration.Clip] {
        var generator = SeededGenerator(seed: seed)
        return (0..<folds).flatMap { fold in
            (0..<perFold).map { _ in
                let windows = [WindowScores(weight: 1, logProbabilities: (0..<4).map { _ in 3 * generator.nextGaussian() })]
                let p = WindowScores.clipProbabilities(windows, temperature: overconfidence[fold])
                let u = generator.nextUniform()
                var cumulative: Float = 0, truth = p.count - 1
                for (k, value) in p.enumerated() { cumulative += value; if u < cumulative { truth = k; break } }
                return CrossFittedCalibration.Clip(fold: fold, windows: windows, truth: truth)
            }
        }
    }

    @Test func eachFoldIsScaledByATemperatureFittedOnTheOtherFoldsOnly() throws {
        let clips = Self.clips(folds: 3, perFold: 1500, overconfidence: [2, 2, 2], seed: 11)
        let result = CrossFittedCalibration.fit(clips, validationTemperatures: [0: 1, 1: 1, 2: 1])
        let temperatures = try #require(result.crossFittedTemperatures)
        for fold in 0..<3 {
            let others = clips.filter { $0.fold != fold }
            #expect(temperatures[fold] == WindowScores.fitTemperature(others.map(\.windows), truths: others.map(\.truth)))
            #expect(abs(temperatures[fold]! - 2) < 0.3)
        }
        // Changing fold 0's truths leaves fold 0's temperature alone and moves the others'.
        var relabelled = clips
        for i in relabelled.indices where relabelled[i].fold == 0 { relabelled[i].truth = 0 }
        let moved = try #require(CrossFittedCalibration.fit(relabelled, validationTemperatures: [:]).crossFittedTemperatures)
        #expect(moved[0] == temperatures[0])
        #expect(moved[1] != temperatures[1] && moved[2] != temperatures[2])

        let summary = result.summary
        #expect(try #require(summary.pooledCrossFitted) < summary.pooledBefore / 2)
        #expect(summary.pooledValidation == summary.pooledBefore, "validation temperature 1 changes nothing")
        #expect(summary.modelTemperature == WindowScores.fitTemperature(clips.map(\.windows), truths: clips.map(\.truth)))
        #expect(result.crossFittedECE.count == 3)
    }

    @Test func aSingleSplitKeepsTheValidationTemperature() {
        let clips = Self.clips(folds: 1, perFold: 400, overconfidence: [2], seed: 12)
        let result = CrossFittedCalibration.fit(clips, validationTemperatures: [0: 1.8])
        #expect(result.crossFittedTemperatures == nil)
        #expect(result.summary.pooledCrossFitted == nil)
        #expect(result.summary.modelTemperature == 1.8)
        #expect(result.summary.method == "temperature fitted on each fold's validation speakers")
        #expect(result.summary.pooledValidation < result.summary.pooledBefore)
    }

    @Test func aSingleSplitWithoutValidationSpeakersSaysItIsUncalibrated() {
        let clips = Self.clips(folds: 1, perFold: 400, overconfidence: [2], seed: 13)
        let result = CrossFittedCalibration.fit(clips, validationTemperatures: [:])
        #expect(result.crossFittedTemperatures == nil)
        #expect(result.summary.method.hasPrefix("none:"))
        #expect(result.summary.modelTemperature == 1)
        #expect(result.summary.pooledValidation == result.summary.pooledBefore)
    }
}
