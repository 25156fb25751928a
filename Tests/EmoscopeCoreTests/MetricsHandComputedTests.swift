import EmoscopeCore
import Testing

/// Metrics of small matrices worked out by hand, for the Review screen's edge cases: a class with
/// no clips and a class the model never predicts in the same matrix, a matrix with no clips, and
/// row normalisation with an empty row.
@Suite("metrics, hand-computed")
struct MetricsHandComputedTests {
    /// Whether `value` is present and within 1e-12 of `expected`.
    func near(_ value: Double?, _ expected: Double) -> Bool {
        value.map { abs($0 - expected) < 1e-12 } ?? false
    }

    //                 predicted  x  y  z  w   support
    //   truth x                  4  0  2  0     6
    //   truth y                  1  0  3  0     4   ← never predicted (column y is empty)
    //   truth z                  0  0  5  0     5
    //   truth w                  0  0  0  0     0   ← no support, never predicted
    //   predicted                5  0 10  0    15
    let matrix = ConfusionMatrix(labels: ["x", "y", "z", "w"], counts: [[4, 0, 2, 0], [1, 0, 3, 0], [0, 0, 5, 0], [0, 0, 0, 0]])

    @Test func neverPredictedAndUnsupportedClassesTogether() {
        let metrics = EvaluationMetrics(matrix)
        #expect(metrics.count == 15)
        // accuracy = (4 + 0 + 5) / 15 = 3/5
        #expect(near(metrics.accuracy, 0.6))
        // x: precision 4/5, recall 4/6, F1 = 2·4 / (2·4 + 1 + 2) = 8/11
        #expect(near(metrics.perClass[0].precision, 0.8))
        #expect(near(metrics.perClass[0].recall, 2.0 / 3))
        #expect(near(metrics.perClass[0].f1, 8.0 / 11))
        // y: never predicted → precision undefined; recall 0/4; F1 0
        #expect(metrics.perClass[1].precision == nil)
        #expect(metrics.perClass[1].recall == 0 && metrics.perClass[1].f1 == 0)
        // z: precision 5/10, recall 5/5, F1 = 10 / (10 + 5 + 0) = 2/3
        #expect(near(metrics.perClass[2].precision, 0.5))
        #expect(near(metrics.perClass[2].recall, 1))
        #expect(near(metrics.perClass[2].f1, 2.0 / 3))
        // w: no clips, no predictions → nothing defined
        #expect(metrics.perClass[3] == ClassMetrics(label: "w", precision: nil, recall: nil, f1: nil, support: 0))
        // UAR over x, y, z (w has no support): (2/3 + 0 + 1) / 3 = 5/9
        #expect(near(metrics.unweightedAverageRecall, 5.0 / 9))
        // macro-F1 over x, y, z: (8/11 + 0 + 2/3) / 3 = (24 + 22) / 33 / 3 = 46/99
        #expect(near(metrics.macroF1, 46.0 / 99))
    }

    @Test func rowNormalisationLeavesAnEmptyRowAtZero() {
        let shares = matrix.rowNormalized()
        #expect(shares[0] == [4.0 / 6, 0, 2.0 / 6, 0])
        #expect(shares[1] == [0.25, 0, 0.75, 0])
        #expect(shares[2] == [0, 0, 1, 0])
        #expect(shares[3] == [0, 0, 0, 0])
        #expect((0..<4).map(matrix.support(of:)) == [6, 4, 5, 0])
        #expect((0..<4).map(matrix.predictedCount(of:)) == [5, 0, 10, 0])
    }

    @Test func noClipsAtAll() {
        let metrics = EvaluationMetrics(ConfusionMatrix(labels: ["x", "y"]))
        #expect(metrics.count == 0)
        #expect(metrics.accuracy == 0 && metrics.unweightedAverageRecall == 0 && metrics.macroF1 == 0)
        #expect(metrics.perClass.allSatisfy { $0.precision == nil && $0.recall == nil && $0.f1 == nil && $0.support == 0 })
    }

    @Test func everythingPredictedAsOneClass() {
        // Three clips of each class, all predicted "x": accuracy 1/3; x: precision 3/9, recall 1, F1 = 6/(6+6) = 1/2;
        // y, z: precision undefined, recall 0, F1 0. UAR = 1/3 (chance), macro-F1 = 1/6.
        let metrics = EvaluationMetrics(ConfusionMatrix(labels: ["x", "y", "z"], counts: [[3, 0, 0], [3, 0, 0], [3, 0, 0]]))
        #expect(near(metrics.accuracy, 1.0 / 3))
        #expect(near(metrics.perClass[0].precision, 1.0 / 3) && near(metrics.perClass[0].f1, 0.5))
        #expect(metrics.perClass[1...].allSatisfy { $0.precision == nil && $0.recall == 0 && $0.f1 == 0 })
        #expect(near(metrics.unweightedAverageRecall, 1.0 / 3))
        #expect(near(metrics.macroF1, 1.0 / 6))
    }
}
