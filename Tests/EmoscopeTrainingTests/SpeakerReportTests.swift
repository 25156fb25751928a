import EmoscopeTraining
import Testing

@Suite("Per-speaker report")
struct SpeakerReportTests {
    func prediction(_ speaker: String, fold: Int, _ truth: String, _ predicted: String?) -> ReportedPrediction {
        ReportedPrediction(path: "\(speaker)-\(truth).wav", speaker: speaker, fold: fold, truth: truth, predicted: predicted,
                           probabilities: nil, windows: nil)
    }

    @Test func eachSpeakerIsScoredOnItsOwnClipsWithoutTheDeclinedOnes() {
        let rows = SpeakerReport.rows([
            prediction("s1", fold: 0, "a", "a"), prediction("s1", fold: 0, "a", "b"),
            prediction("s0", fold: 1, "a", "a"),
            prediction("s1", fold: 0, "b", "b"), prediction("s1", fold: 0, "b", nil),
        ], labels: ["a", "b"])
        #expect(rows.map(\.speaker) == ["s0", "s1"])
        // s0 has clips of one class only: its UAR averages that class's recall alone.
        #expect(rows[0] == SpeakerReport(speaker: "s0", fold: 1, clips: 1, unclassified: 0, accuracy: 1, unweightedAverageRecall: 1))
        // s1: recall 1/2 for a, 1/1 for b (its declined clip left out); 2 of 3 classified clips right.
        #expect(rows[1].fold == 0 && rows[1].clips == 4 && rows[1].unclassified == 1)
        #expect(abs(rows[1].accuracy - 2.0 / 3) < 1e-12 && abs(rows[1].unweightedAverageRecall - 0.75) < 1e-12)
    }

    @Test func theMedianIsTheMiddleValueOrTheMeanOfTheTwoMiddleOnes() {
        #expect([3.0, 1, 2].median == 2 && [4.0, 1, 2, 3].median == 2.5 && [0.5].median == 0.5 && [Double]().median == nil)
    }
}
