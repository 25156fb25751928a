import EmoscopeCore
import Foundation
import Testing

/// Confusion matrices, classification metrics and confidence calibration, against values worked out by hand.
@Suite("evaluation metrics")
struct EvaluationTests {
    func close(_ value: Double?, _ expected: Double, tolerance: Double = 1e-12) -> Bool {
        guard let value else { return false }
        return abs(value - expected) <= tolerance
    }

    /// A class index drawn from the probabilities `p`.
    func draw(_ p: [Float], _ generator: inout SeededGenerator) -> Int {
        let u = generator.nextUniform()
        var cumulative: Float = 0
        for (index, probability) in p.enumerated() {
            cumulative += probability
            if u < cumulative { return index }
        }
        return p.count - 1
    }

    /// `count` rows of `classes` logits, each value `scale` × a standard normal.
    func randomLogits(count: Int, classes: Int, scale: Float, _ generator: inout SeededGenerator) -> [[Float]] {
        (0..<count).map { _ in (0..<classes).map { _ in scale * generator.nextGaussian() } }
    }

    // MARK: Confusion matrix and metrics

    @Test func threeClassMetrics() {
        //            predicted a  b  c   support
        //   truth a            5  1  0     6
        //   truth b            2  3  1     6
        //   truth c            0  1  4     5
        //   predicted          7  5  5    17
        var matrix = ConfusionMatrix(labels: ["a", "b", "c"])
        let pairs = [(0, 0, 5), (0, 1, 1), (1, 0, 2), (1, 1, 3), (1, 2, 1), (2, 1, 1), (2, 2, 4)]
        for (truth, predicted, times) in pairs {
            for _ in 0..<times { matrix.add(truth: truth, predicted: predicted) }
        }
        #expect(matrix == ConfusionMatrix(labels: ["a", "b", "c"], counts: [[5, 1, 0], [2, 3, 1], [0, 1, 4]]))
        #expect(matrix.total == 17)
        #expect((0..<3).map(matrix.support(of:)) == [6, 6, 5])
        #expect((0..<3).map(matrix.predictedCount(of:)) == [7, 5, 5])

        let metrics = EvaluationMetrics(matrix)
        #expect(metrics.count == 17)
        // accuracy = (5 + 3 + 4) / 17 = 12/17
        #expect(close(metrics.accuracy, 12.0 / 17))
        // precision = diagonal / column: a 5/7, b 3/5, c 4/5
        #expect(close(metrics.perClass[0].precision, 5.0 / 7))
        #expect(close(metrics.perClass[1].precision, 3.0 / 5))
        #expect(close(metrics.perClass[2].precision, 4.0 / 5))
        // recall = diagonal / row: a 5/6, b 3/6, c 4/5
        #expect(close(metrics.perClass[0].recall, 5.0 / 6))
        #expect(close(metrics.perClass[1].recall, 1.0 / 2))
        #expect(close(metrics.perClass[2].recall, 4.0 / 5))
        // F1 = 2TP / (2TP + FP + FN): a 10/(10+2+1) = 10/13, b 6/(6+2+3) = 6/11, c 8/(8+1+1) = 4/5
        #expect(close(metrics.perClass[0].f1, 10.0 / 13))
        #expect(close(metrics.perClass[1].f1, 6.0 / 11))
        #expect(close(metrics.perClass[2].f1, 4.0 / 5))
        #expect(metrics.perClass.map(\.support) == [6, 6, 5])
        #expect(metrics.perClass.map(\.label) == ["a", "b", "c"])
        // UAR = (5/6 + 1/2 + 4/5) / 3 = (25 + 15 + 24)/30 / 3 = 32/45 ≈ 0.7111
        #expect(close(metrics.unweightedAverageRecall, 32.0 / 45))
        // macro-F1 = (10/13 + 6/11 + 4/5) / 3 = (550 + 390 + 572)/715 / 3 = 504/715 ≈ 0.7049
        #expect(close(metrics.macroF1, 504.0 / 715))
    }

    @Test func classWithoutSupportIsExcludedFromAverages() {
        //            predicted a  b  c  d   support
        //   truth a            3  1  0  0     4
        //   truth b            0  0  0  0     0   ← no support, but predicted once
        //   truth c            1  0  2  0     3
        //   truth d            0  0  0  0     0   ← no support, never predicted
        //   predicted          4  1  2  0     7
        let matrix = ConfusionMatrix(labels: ["a", "b", "c", "d"],
                                     counts: [[3, 1, 0, 0], [0, 0, 0, 0], [1, 0, 2, 0], [0, 0, 0, 0]])
        let metrics = EvaluationMetrics(matrix)
        // accuracy = 5/7
        #expect(close(metrics.accuracy, 5.0 / 7))
        // a: precision 3/4, recall 3/4, F1 3/4
        #expect(metrics.perClass[0] == ClassMetrics(label: "a", precision: 0.75, recall: 0.75, f1: 0.75, support: 4))
        // b: predicted once, never right → precision 0; no support → recall and F1 nil
        #expect(metrics.perClass[1] == ClassMetrics(label: "b", precision: 0, recall: nil, f1: nil, support: 0))
        // c: precision 2/2 = 1, recall 2/3, F1 = 4/(4 + 0 + 1) = 4/5
        #expect(close(metrics.perClass[2].precision, 1))
        #expect(close(metrics.perClass[2].recall, 2.0 / 3))
        #expect(close(metrics.perClass[2].f1, 4.0 / 5))
        // d: nothing at all → everything nil
        #expect(metrics.perClass[3] == ClassMetrics(label: "d", precision: nil, recall: nil, f1: nil, support: 0))
        // UAR over a and c only: (3/4 + 2/3) / 2 = 17/24 ≈ 0.7083 (over all four it would be 17/48)
        #expect(close(metrics.unweightedAverageRecall, 17.0 / 24))
        // macro-F1 over a and c only: (3/4 + 4/5) / 2 = 31/40 = 0.775
        #expect(close(metrics.macroF1, 31.0 / 40))
    }

    @Test func neverPredictedClassCountsWithRecallZero() {
        //            predicted a  b  c   support
        //   truth a            2  0  1     3
        //   truth b            1  0  1     2   ← never predicted
        //   truth c            0  0  3     3
        //   predicted          3  0  5     8
        let matrix = ConfusionMatrix(labels: ["a", "b", "c"], counts: [[2, 0, 1], [1, 0, 1], [0, 0, 3]])
        let metrics = EvaluationMetrics(matrix)
        // accuracy = (2 + 0 + 3) / 8 = 5/8
        #expect(close(metrics.accuracy, 5.0 / 8))
        // b: precision undefined (nil), recall 0/2 = 0, F1 0
        #expect(metrics.perClass[1] == ClassMetrics(label: "b", precision: nil, recall: 0, f1: 0, support: 2))
        // a: precision 2/3, recall 2/3, F1 2/3; c: precision 3/5, recall 1, F1 = 6/(6 + 2 + 0) = 3/4
        #expect(close(metrics.perClass[0].f1, 2.0 / 3))
        #expect(close(metrics.perClass[2].precision, 3.0 / 5))
        #expect(close(metrics.perClass[2].recall, 1))
        #expect(close(metrics.perClass[2].f1, 3.0 / 4))
        // UAR = (2/3 + 0 + 1) / 3 = 5/9 ≈ 0.5556 (b counts; without it, 5/6)
        #expect(close(metrics.unweightedAverageRecall, 5.0 / 9))
        // macro-F1 = (2/3 + 0 + 3/4) / 3 = 17/36 ≈ 0.4722
        #expect(close(metrics.macroF1, 17.0 / 36))
    }

    @Test func emptyMatrixHasZeroAveragesAndNilClassMetrics() {
        let metrics = EvaluationMetrics(ConfusionMatrix(labels: ["a", "b"]))
        #expect(metrics.count == 0)
        #expect(metrics.accuracy == 0 && metrics.unweightedAverageRecall == 0 && metrics.macroF1 == 0)
        #expect(metrics.perClass.allSatisfy { $0.precision == nil && $0.recall == nil && $0.f1 == nil })
    }

    @Test func rowNormalizedAndSummedMatrices() {
        let first = ConfusionMatrix(labels: ["x", "y", "z"], counts: [[1, 3, 0], [0, 0, 0], [2, 2, 4]])
        // rows / (4, 0, 8); the empty row stays 0
        #expect(first.rowNormalized() == [[0.25, 0.75, 0], [0, 0, 0], [0.25, 0.25, 0.5]])

        var sum = first
        sum.add(ConfusionMatrix(labels: ["x", "y", "z"], counts: [[1, 0, 0], [1, 2, 1], [0, 0, 4]]))
        #expect(sum.counts == [[2, 3, 0], [1, 2, 1], [2, 2, 8]])
        #expect(sum.total == 12 + 9)
        // rows / (5, 4, 12)
        let twelfth: Double = 1.0 / 12
        let expected: [[Double]] = [[0.4, 0.6, 0], [0.25, 0.5, 0.25], [2 * twelfth, 2 * twelfth, 8 * twelfth]]
        #expect(zip(sum.rowNormalized().joined(), expected.joined()).allSatisfy { abs($0 - $1) < 1e-15 })
        #expect(first.counts == [[1, 3, 0], [0, 0, 0], [2, 2, 4]], "add must not change the matrix it was copied from")
    }

    @Test func codableRoundTripAndShapeCheck() throws {
        let matrix = ConfusionMatrix(labels: ["a", "b"], counts: [[4, 1], [2, 3]])
        let decoded = try JSONDecoder().decode(ConfusionMatrix.self, from: JSONEncoder().encode(matrix))
        #expect(decoded == matrix)
        let metrics = EvaluationMetrics(matrix)
        #expect(try JSONDecoder().decode(EvaluationMetrics.self, from: JSONEncoder().encode(metrics)) == metrics)

        for bad in [#"{"labels":["a","b"],"counts":[[1,2]]}"#, #"{"labels":["a"],"counts":[[1,2]]}"#, #"{"labels":["a"],"counts":[[-1]]}"#] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(ConfusionMatrix.self, from: Data(bad.utf8)) }
        }
    }

    // MARK: Calibration

    @Test func expectedCalibrationErrorByHand() {
        // sample  probabilities        truth  predicted  confidence  correct  bin (of 2)
        //   1     0.90 0.05 0.05        0        0         0.90        yes      1
        //   2     0.20 0.70 0.10        0        1         0.70        no       1
        //   3     0.40 0.30 0.30        0        0         0.40        yes      0
        //   4     0.35 0.45 0.20        0        1         0.45        no       0
        let probabilities: [[Float]] = [[0.9, 0.05, 0.05], [0.2, 0.7, 0.1], [0.4, 0.3, 0.3], [0.35, 0.45, 0.2]]
        let truths = [0, 0, 0, 0]
        // bin 0: accuracy 1/2, mean confidence (0.40 + 0.45)/2 = 0.425 → 2/4 · 0.075 = 0.0375
        // bin 1: accuracy 1/2, mean confidence (0.90 + 0.70)/2 = 0.800 → 2/4 · 0.300 = 0.1500
        // ECE = 0.1875
        let ece = CalibrationMetrics.expectedCalibrationError(probabilities: probabilities, truths: truths, bins: 2)
        #expect(close(ece, 0.1875, tolerance: 1e-6))
        // one bin: |1/2 − (0.9 + 0.7 + 0.4 + 0.45)/4| = |0.5 − 0.6125| = 0.1125
        let single = CalibrationMetrics.expectedCalibrationError(probabilities: probabilities, truths: truths, bins: 1)
        #expect(close(single, 0.1125, tolerance: 1e-6))
        #expect(CalibrationMetrics.expectedCalibrationError(probabilities: [], truths: []) == 0)
    }

    @Test func expectedCalibrationErrorOfCalibratedDataIsSmall() {
        var generator = SeededGenerator(seed: 1)
        let logits = randomLogits(count: 20_000, classes: 4, scale: 1.5, &generator)
        let probabilities = logits.map { CalibrationMetrics.softmax($0, temperature: 1) }
        // Truths drawn from the very probabilities reported: calibrated by construction.
        let truths = probabilities.map { draw($0, &generator) }
        let calibrated = CalibrationMetrics.expectedCalibrationError(probabilities: probabilities, truths: truths)
        #expect(calibrated < 0.02)
        // The same truths with sharpened (over-confident) probabilities.
        let sharpened = logits.map { CalibrationMetrics.softmax($0, temperature: 0.4) }
        let overconfident = CalibrationMetrics.expectedCalibrationError(probabilities: sharpened, truths: truths)
        #expect(overconfident > 0.1)
    }

    @Test func softmaxAndNegativeLogLikelihoodByHand() {
        // softmax([ln 3, 0]) = [3/4, 1/4]; at T = 2: [√3, 1] / (√3 + 1)
        let p = CalibrationMetrics.softmax([Float(log(3.0)), 0], temperature: 1)
        #expect(abs(p[0] - 0.75) < 1e-6 && abs(p[1] - 0.25) < 1e-6)
        let warm = CalibrationMetrics.softmax([Float(log(3.0)), 0], temperature: 2)
        #expect(abs(Double(warm[0]) - 3.0.squareRoot() / (3.0.squareRoot() + 1)) < 1e-6)
        // NLL of ([0, 0], truth 0) is ln 2; of ([ln 3, 0], truth 0) is ln(4/3); mean (ln 2 + ln 4/3)/2
        let logits: [[Float]] = [[0, 0], [Float(log(3.0)), 0]]
        let nll = CalibrationMetrics.negativeLogLikelihood(logits: logits, truths: [0, 0], temperature: 1)
        #expect(close(nll, (log(2.0) + log(4.0 / 3)) / 2, tolerance: 1e-7))
        // truth 1 of [ln 3, 0] at T = 2: −ln(1 / (√3 + 1)) = ln(√3 + 1)
        let second = CalibrationMetrics.negativeLogLikelihood(logits: [logits[1]], truths: [1], temperature: 2)
        #expect(close(second, log(3.0.squareRoot() + 1), tolerance: 1e-7))
    }

    @Test func negativeLogLikelihoodIsStableForHugeLogits() {
        let logits: [[Float]] = [[1e4, 0, -1e4], [1e4, 0, -1e4], [1e4, 1e4, -1e4]]
        // row 1, truth 0: −ln(1 / (1 + e^−1e4 + e^−2e4)) ≈ 0
        // row 2, truth 1: ln(e^1e4 + 1 + e^−1e4) − 0 ≈ 1e4
        // row 3, truth 2: ln(2e^1e4 + e^−1e4) + 1e4 ≈ 2e4 + ln 2
        let each = [0, 1e4, 2e4 + log(2.0)]
        for (row, expected) in each.enumerated() {
            let nll = CalibrationMetrics.negativeLogLikelihood(logits: [logits[row]], truths: [row], temperature: 1)
            #expect(nll.isFinite)
            #expect(close(nll, expected, tolerance: 1e-9))
        }
        // At T = 0.5 every logit doubles.
        let cold = CalibrationMetrics.negativeLogLikelihood(logits: logits, truths: [0, 1, 2], temperature: 0.5)
        #expect(close(cold, (0 + 2e4 + 4e4 + log(2.0)) / 3, tolerance: 1e-9))
        #expect(CalibrationMetrics.softmax([1e4, 0, -1e4], temperature: 1) == [1, 0, 0])
        #expect(CalibrationMetrics.softmax([1e4, 1e4], temperature: 0.05) == [0.5, 0.5])
    }

    @Test func fitTemperatureRecoversKnownTemperature() {
        var generator = SeededGenerator(seed: 1)
        let logits = randomLogits(count: 5000, classes: 4, scale: 3, &generator)
        // Labels drawn at temperature 2: the logits are twice as confident as they should be.
        let truths = logits.map { draw(CalibrationMetrics.softmax($0, temperature: 2), &generator) }
        let fitted = CalibrationMetrics.fitTemperature(logits: logits, truths: truths)
        #expect(abs(fitted - 2) < 0.2, "fitted T = \(fitted)")

        // Fitting lowers the NLL of the over-confident logits, and the fit is a minimum.
        func nll(_ t: Double) -> Double { CalibrationMetrics.negativeLogLikelihood(logits: logits, truths: truths, temperature: t) }
        #expect(nll(Double(fitted)) < nll(1) - 0.05)
        #expect(nll(Double(fitted)) <= nll(Double(fitted) * 1.05))
        #expect(nll(Double(fitted)) <= nll(Double(fitted) / 1.05))
    }

    @Test func fitTemperatureLeavesCalibratedLogitsAlone() {
        var generator = SeededGenerator(seed: 2)
        let logits = randomLogits(count: 5000, classes: 4, scale: 3, &generator)
        let truths = logits.map { draw(CalibrationMetrics.softmax($0, temperature: 1), &generator) }
        let fitted = CalibrationMetrics.fitTemperature(logits: logits, truths: truths)
        #expect(abs(fitted - 1) < 0.1, "fitted T = \(fitted)")
        #expect(CalibrationMetrics.fitTemperature(logits: [], truths: []) == 1)
    }
}
