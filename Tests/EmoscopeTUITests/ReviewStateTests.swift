import EmoscopeCore
import Testing
import EmoscopeTUI

/// The Review screen's state machine: loading, the matrix cursor, the counts/percent toggle,
/// the clips behind a cell, and a folder's evaluation arriving clip by clip.
@Suite struct ReviewStateTests {
    static let labels = ["neutral", "calm", "happy"]

    /// Probabilities peaking at `predicted` with `confidence`.
    static func probabilities(_ predicted: Int, _ confidence: Float) -> [Float] {
        labels.indices.map { $0 == predicted ? confidence : (1 - confidence) / Float(labels.count - 1) }
    }

    /// Six clips: matrix [[1, 1, 0], [2, 1, 0], [0, 0, 0]], one happy clip declined.
    static func dataset(pending: Bool = false) -> ReviewDataset {
        let decided: [(truth: Int, outcome: ReviewOutcome)] = [
            (0, .classified(probabilities(0, 0.9))), (0, .classified(probabilities(1, 0.6))),
            (1, .classified(probabilities(0, 0.5))), (1, .classified(probabilities(0, 0.8))),
            (1, .classified(probabilities(1, 0.7))), (2, .declined("no-speech")),
        ]
        let clips = decided.enumerated().map { index, clip in
            ReviewClip(path: "clips/\(index).wav", truth: clip.truth, speaker: "s\(index % 2)", outcome: pending ? .pending : clip.outcome)
        }
        return ReviewDataset(labels: labels, title: "test clips", reviewProtocol: .labelledFolder(model: "test.emomodel"), clips: clips)
    }

    static func loaded(_ dataset: ReviewDataset = dataset()) -> ReviewState {
        var state = ReviewState()
        _ = state.handle(.loaded(dataset))
        return state
    }

    @Test func aReportIsReadyWithItsMatrixAndMetrics() {
        let state = Self.loaded()
        #expect(state.phase == .ready)
        #expect(state.matrix.counts == [[1, 1, 0], [2, 1, 0], [0, 0, 0]])
        #expect(state.metrics == EvaluationMetrics(state.matrix))
        #expect(state.tally == OutcomeTally(Self.dataset().clips))
        #expect(state.tally.summary == "5 of 6 clips classified (1 declined: no speech or too short)")
        #expect(state.cursor == MatrixCell(row: 0, column: 0) && state.mode == .counts && state.list == nil)
    }

    @Test func theCursorMovesWithArrowsAndHJKLAndStopsAtTheEdges() {
        var state = Self.loaded()
        #expect(state.handle(key: .up) == (true, []))
        #expect(state.cursor == MatrixCell(row: 0, column: 0))
        _ = state.handle(key: .character("j"))
        _ = state.handle(key: .character("l"))
        #expect(state.cursor == MatrixCell(row: 1, column: 1))
        for _ in 0..<5 { _ = state.handle(key: .right) }
        #expect(state.cursor == MatrixCell(row: 1, column: 2))
        _ = state.handle(key: .character("G"))
        #expect(state.cursor == MatrixCell(row: 2, column: 2))
        _ = state.handle(key: .character("h"))
        _ = state.handle(key: .character("k"))
        _ = state.handle(key: .left)
        #expect(state.cursor == MatrixCell(row: 1, column: 0))
        _ = state.handle(key: .home)
        #expect(state.cursor == MatrixCell(row: 0, column: 0))
    }

    @Test func nTogglesCountsAndRowPercentages() {
        var state = Self.loaded()
        #expect(state.handle(key: .character("n")).handled)
        #expect(state.mode == .rowPercent)
        #expect(ReviewFormat.cell(state.matrix, row: 1, column: 0, mode: state.mode) == "67")
        #expect(ReviewFormat.cell(state.matrix, row: 2, column: 0, mode: state.mode) == "-")
        _ = state.handle(key: .character("n"))
        #expect(state.mode == .counts)
        #expect(ReviewFormat.cell(state.matrix, row: 1, column: 0, mode: state.mode) == "2")
    }

    @Test func enterListsTheCellsClipsMostConfidentFirstAndEscReturns() {
        var state = Self.loaded()
        let clips = Self.dataset().clips
        _ = state.handle(key: .down)
        #expect(state.handle(key: .enter) == (true, [.preview(clips[3])]))
        #expect(state.list?.cell == MatrixCell(row: 1, column: 0) && state.list?.clips == [3, 2] && state.list?.selected == 0)
        #expect(state.handle(key: .down) == (true, [.preview(clips[2])]))
        #expect(state.handle(key: .down) == (true, []), "already at the last clip")
        #expect(state.handle(key: .pageUp) == (true, [.preview(clips[3])]))
        #expect(state.handle(key: .enter) == (true, [.togglePlayback]))
        #expect(state.handle(key: .character("n")).handled == false, "the toggle belongs to the matrix")
        #expect(state.handle(key: .escape) == (true, [.closePreview]))
        #expect(state.list == nil)
        #expect(state.cursor == MatrixCell(row: 1, column: 0), "back on the same cell")
        #expect(state.handle(key: .escape).handled == false, "Esc on the matrix is not the screen's")
    }

    @Test func enterOnAnEmptyCellSaysSo() {
        var state = Self.loaded()
        _ = state.handle(key: .character("G"))
        #expect(state.handle(key: .enter) == (true, []))
        #expect(state.list == nil && state.notice == "no clips in this cell")
        _ = state.handle(key: .up)
        #expect(state.notice == nil)
    }

    @Test func cJumpsThroughTheConfusionsBiggestFirst() {
        var state = Self.loaded()
        _ = state.handle(key: .character("c"))
        #expect(state.cursor == MatrixCell(row: 1, column: 0))
        #expect(state.notice == "confusion 1 of 2: calm taken for neutral (2 clips)")
        _ = state.handle(key: .character("c"))
        #expect(state.cursor == MatrixCell(row: 0, column: 1))
        _ = state.handle(key: .character("c"))
        #expect(state.cursor == MatrixCell(row: 1, column: 0), "wraps round")
    }

    @Test func aFoldersEvaluationFillsTheMatrixAndAnOpenList() {
        var state = Self.loaded(Self.dataset(pending: true))
        #expect(state.phase == .evaluating && state.tally.pending == 6 && state.matrix.total == 0)
        let outcomes = Self.dataset().clips.map(\.outcome)
        _ = state.handle(.evaluated(index: 2, outcome: outcomes[2]))
        #expect(state.matrix.counts[1][0] == 1 && state.tally.done == 1)
        _ = state.handle(key: .down)
        _ = state.handle(key: .enter)
        #expect(state.list?.clips == [2])
        _ = state.handle(.evaluated(index: 3, outcome: outcomes[3]))
        #expect(state.list?.clips == [3, 2] && state.list?.selected == 1, "the new clip joins; the selection stays on clip 2")
        for index in [0, 1, 4, 5] { _ = state.handle(.evaluated(index: index, outcome: outcomes[index])) }
        _ = state.handle(.evaluationFinished)
        #expect(state.phase == .ready && state.matrix.counts == Self.loaded().matrix.counts)
        #expect(state.handle(.evaluated(index: 99, outcome: outcomes[0])) == [] && state.matrix.total == 5, "out of range is ignored")
    }

    @Test func aFolderWithNothingClassifiedSaysSo() {
        var state = Self.loaded(Self.dataset(pending: true))
        for index in 0..<6 { _ = state.handle(.evaluated(index: index, outcome: .unreadable("clips/\(index).wav: not an audio file"))) }
        _ = state.handle(.evaluationFinished)
        #expect(state.notice == "no clip could be classified")
        #expect(state.tally.summary == "0 of 6 clips classified (6 unreadable)")
    }

    @Test func aSourceThatCannotBeReadFails() {
        var state = ReviewState()
        _ = state.handle(.failed("x.json: no such file"))
        #expect(state.phase == .failed("x.json: no such file"))
        #expect(state.handle(key: .enter).handled == false)
    }

    @Test func sAndShiftSShowOneSpeakerAtATimeThenAllAgain() {
        var state = Self.loaded()
        #expect(state.speakers == ["s0", "s1"])
        _ = state.handle(key: .character("s"))
        // s0 holds clips 0, 2 and 4: neutral→neutral, calm→neutral, calm→calm.
        #expect(state.speaker == "s0" && state.matrix.counts == [[1, 0, 0], [1, 1, 0], [0, 0, 0]])
        #expect(state.metrics == EvaluationMetrics(state.matrix) && state.shownClips.count == 3)
        #expect(state.notice == nil)
        // Only s0's clip behind calm→neutral is listed (clip 3, s1's, is not).
        _ = state.handle(key: .down)
        #expect(state.handle(key: .enter).actions == [.preview(Self.dataset().clips[2])])
        #expect(state.list?.clips == [2])
        _ = state.handle(key: .escape)
        _ = state.handle(key: .character("s"))
        #expect(state.speaker == "s1" && state.matrix.counts == [[0, 1, 0], [1, 0, 0], [0, 0, 0]])
        _ = state.handle(key: .character("s"))
        #expect(state.speaker == nil && state.matrix == Self.dataset().matrix && state.notice == "all 2 speakers: 6 clips")
        _ = state.handle(key: .character("S"))
        #expect(state.speaker == "s1")
    }

    @Test func aFolderClassifiedWhileOneSpeakerIsShownCountsOnlyThatSpeaker() {
        var state = Self.loaded(Self.dataset(pending: true))
        _ = state.handle(key: .character("s"))
        let clips = Self.dataset().clips
        for index in clips.indices { _ = state.handle(.evaluated(index: index, outcome: clips[index].outcome)) }
        #expect(state.speaker == "s0" && state.matrix.counts == [[1, 0, 0], [1, 1, 0], [0, 0, 0]])
        #expect(state.tally.classified == 5, "the progress counts every clip")
        _ = state.handle(key: .character("S"))
        #expect(state.matrix == Self.dataset().matrix)
    }

    @Test func clipsWithoutSpeakersSaySo() {
        let clips = (0..<2).map { ReviewClip(path: "c\($0).wav", truth: 0, outcome: .classified(Self.probabilities(0, 0.9))) }
        var state = Self.loaded(ReviewDataset(labels: Self.labels, title: "t", reviewProtocol: .labelledFolder(model: "m"), clips: clips))
        #expect(state.handle(key: .character("s")).handled)
        #expect(state.speaker == nil && state.notice == "the clips name no speakers")
    }

    @Test func abbreviationsAreThreeLettersAndUnique() {
        #expect(ReviewFormat.abbreviations(["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"])
                == ["neu", "cal", "hap", "sad", "ang", "fea", "dis", "sur"])
        #expect(ReviewFormat.abbreviations(["Sadness", "sad", "joy"]) == ["sa0", "sa1", "joy"])
    }
}
