import EmoscopeCore
import EmoscopeTraining
import Testing

/// Mixup's blending and its Beta draws.
@Suite("mixup")
struct MixupTests {
    @Test func blendsInputsTargetsAndWeightsWithOneLambdaPerExample() {
        let bands = 2
        // Example 0: width 3, all ones; example 1: width 2, all tens; one-hot targets, weights 1 and 3.
        let batch = Mixup.Batch(inputs: [[Float](repeating: 1, count: bands * 3), [Float](repeating: 10, count: bands * 2)],
                                widths: [3, 2], targets: [[1, 0], [0, 1]], weights: [1, 3])
        for seed: UInt64 in 1...20 {
            var generator = SeededGenerator(seed: seed)
            let mixed = Mixup.mix(batch, bands: bands, alpha: 0.4, generator: &generator)
            for i in 0..<2 {
                let own = i, lambda = mixed.targets[i][own]
                #expect(lambda >= 0.5 && lambda <= 1)
                #expect(abs(mixed.targets[i].reduce(0, +) - 1) < 1e-6)
                #expect(mixed.widths[i] == 3 || mixed.widths[i] == batch.widths[i])
                if lambda == 1 || mixed.targets[i][1 - own] == 0 { continue }  // paired with itself
                // Paired with the other example: widths max(3, 2) = 3, frames beyond width 2 hold only example 0.
                #expect(mixed.widths[i] == 3)
                let other = 1 - own
                let inputOwn: Float = own == 0 ? 1 : 10, inputOther: Float = other == 0 ? 1 : 10
                for band in 0..<bands {
                    for frame in 0..<3 {
                        let expected = (frame < batch.widths[own] ? lambda * inputOwn : 0) + (frame < batch.widths[other] ? (1 - lambda) * inputOther : 0)
                        #expect(abs(mixed.inputs[i][band * 3 + frame] - expected) < 1e-5)
                    }
                }
                #expect(abs(mixed.weights[i] - (lambda * batch.weights[own] + (1 - lambda) * batch.weights[other])) < 1e-5)
            }
        }
        var generator = SeededGenerator(seed: 1)
        #expect(Mixup.mix(batch, bands: bands, alpha: 0, generator: &generator).inputs == batch.inputs, "α = 0 leaves the batch alone")
    }

    @Test func betaAndGammaDrawsHaveTheirMoments() {
        var generator = SeededGenerator(seed: 5)
        let n = 40_000
        for (a, b) in [(0.4, 0.4), (2.0, 5.0)] {
            let draws = (0..<n).map { _ in generator.beta(a, b) }
            let mean = draws.reduce(0, +) / Double(n)
            let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
            #expect(abs(mean - a / (a + b)) < 0.01, "Beta(\(a), \(b)) mean \(mean)")
            #expect(abs(variance - a * b / ((a + b) * (a + b) * (a + b + 1))) < 0.01, "Beta(\(a), \(b)) variance \(variance)")
            #expect(draws.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
        let gammas = (0..<n).map { _ in generator.gamma(3) }
        #expect(abs(gammas.reduce(0, +) / Double(n) - 3) < 0.05)
    }
}
