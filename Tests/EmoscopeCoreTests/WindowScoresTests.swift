import EmoscopeCore
import EmoscopeTestSupport
import Testing

/// Re-applying a temperature to stored window scores gives what the classifier gives at that temperature.
@Suite("window scores")
struct WindowScoresTests {
    @Test func storedWindowsReproduceTheClassifierAtAnyTemperature() throws {
        var model = TestModels.compact(seed: 4)
        model.header.calibration.temperature = 1
        // 5.5 s of speech-like sound with a quieter stretch: several windows of different speech ratios.
        var samples = Signals.speechLike(frequency: 180, seconds: 5.5)
        for i in 32_000..<44_000 { samples[i] *= 0.001 }
        let atOne = try EmotionClassifier(model: model).classify(samples)
        let windows = WindowScores.of(atOne)
        #expect(windows.count >= 3)
        #expect(Set(windows.map(\.weight)).count > 1, "windows should differ in speech ratio")
        for temperature: Float in [0.4, 1, 1.7, 3] {
            model.header.calibration.temperature = temperature
            let direct = try #require(try EmotionClassifier(model: model).classify(samples).probabilities)
            let recomputed = WindowScores.clipProbabilities(windows, temperature: temperature)
            for (a, b) in zip(direct, recomputed) { #expect(abs(a - b) < 1e-5, "T = \(temperature): \(direct) vs \(recomputed)") }
        }
    }

    @Test func fittedTemperatureUndoesKnownOverconfidence() {
        var generator = SeededGenerator(seed: 7)
        // Two windows per clip; truths drawn from the clip's probabilities at T = 2.
        let clips: [[WindowScores]] = (0..<3000).map { _ in
            (0..<2).map { w in
                WindowScores(weight: w == 0 ? 1 : 0.5, logProbabilities: (0..<4).map { _ in 3 * generator.nextGaussian() })
            }
        }
        let truths = clips.map { clip -> Int in
            let p = WindowScores.clipProbabilities(clip, temperature: 2)
            let u = generator.nextUniform()
            var cumulative: Float = 0
            for (k, value) in p.enumerated() { cumulative += value; if u < cumulative { return k } }
            return p.count - 1
        }
        let fitted = WindowScores.fitTemperature(clips, truths: truths)
        #expect(abs(fitted - 2) < 0.25, "fitted T = \(fitted)")
        let nll = { (t: Float) in WindowScores.negativeLogLikelihood(clips, truths: truths, temperature: t) }
        #expect(nll(fitted) < nll(1) - 0.05)
        #expect(nll(fitted) <= nll(fitted * 1.05) && nll(fitted) <= nll(fitted / 1.05))
        #expect(WindowScores.fitTemperature([], truths: []) == 1)
    }
}
