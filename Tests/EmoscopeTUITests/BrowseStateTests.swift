import EmoscopeCore
import Testing
import EmoscopeTUI

/// Rows, results and keys for the browse state machine.
enum BrowseFixture {
    static let labels = ModelHeader.ravdessLabels

    /// Probabilities peaking at `peak` with `value`.
    static func probabilities(peak: Int, value: Float) -> [Float] {
        (0..<8).map { $0 == peak ? value : (1 - value) / 7 }
    }

    static func verdict(_ peak: Int, _ value: Float, duration: Double = 3) -> ClipOutcome {
        .classified(ClipVerdict(duration: duration, status: .classified, probabilities: probabilities(peak: peak, value: value)))
    }

    /// A state with `names` opened and scanned (rows pending), `pageRows` rows on screen.
    static func scanned(_ names: [String], truths: [Int?]? = nil, pageRows: Int = 3) -> BrowseState {
        var state = BrowseState(labels: labels)
        _ = state.handle(.viewport(rows: pageRows))
        _ = state.handle(.opened(folder: "/clips"))
        let rows = names.enumerated().map { ClipRow(path: "/clips/" + $1, name: $1, trueLabel: truths?[$0] ?? nil) }
        _ = state.handle(.scanned(rows))
        return state
    }

    static func press(_ state: inout BrowseState, _ keys: Key...) -> [BrowseAction] {
        keys.flatMap { state.handle(key: $0) ?? [] }
    }

    static func type(_ state: inout BrowseState, _ text: String) {
        for character in text { _ = state.handle(key: .character(character)) }
    }

    static func shownNames(_ state: BrowseState) -> [String] { state.visible.map { state.rows[$0].name } }
}

@Suite struct BrowseStateTests {
    typealias F = BrowseFixture

    /// Four classified clips: a (angry 0.9, 2 s, true angry), b (sad 0.5, 4 s, true angry),
    /// c (happy 0.7, 1 s, true happy), d (unreadable).
    func classified() -> BrowseState {
        var state = F.scanned(["a.wav", "b.wav", "c.wav", "d.wav"], truths: [4, 4, 2, nil])
        _ = state.handle(.results([
            RowResult(row: 0, outcome: F.verdict(4, 0.9, duration: 2)), RowResult(row: 1, outcome: F.verdict(3, 0.5, duration: 4)),
            RowResult(row: 2, outcome: F.verdict(2, 0.7, duration: 1)),
            RowResult(row: 3, outcome: .failed(kind: "not-audio", reason: "not an audio file (format not recognised)")),
        ]))
        return state
    }

    @Test func progressCountsCachedRightWrongAndErrors() {
        var state = BrowseState(labels: F.labels)
        _ = state.handle(.opened(folder: "/clips"))
        #expect(state.progress.scanning)
        _ = state.handle(.scanned([ClipRow(path: "/clips/a.wav", name: "a.wav", trueLabel: 4, outcome: F.verdict(4, 0.9)),
                                   ClipRow(path: "/clips/b.wav", name: "b.wav", trueLabel: 4)]))
        #expect(!state.progress.scanning && state.progress.found == 2 && state.progress.done == 1 && state.progress.cached == 1)
        #expect(!state.progress.isComplete)
        _ = state.handle(.results([RowResult(row: 1, outcome: F.verdict(0, 0.6))]))
        #expect(state.progress.isComplete && state.progress.right == 1 && state.progress.wrong == 1 && state.progress.cached == 1)
        #expect(state.rows.map(\.correctness) == [.right, .wrong])
    }

    @Test func sortsByEveryColumnAndReverses() {
        var state = classified()
        #expect(F.shownNames(state) == ["a.wav", "b.wav", "c.wav", "d.wav"])
        let expected: [(SortColumn, [String])] = [
            (.duration, ["c.wav", "a.wav", "b.wav", "d.wav"]),      // errors have no duration: last
            (.predicted, ["c.wav", "b.wav", "a.wav", "d.wav"]),     // happy 2, sad 3, angry 4
            (.confidence, ["b.wav", "c.wav", "a.wav", "d.wav"]),
            (.truth, ["c.wav", "a.wav", "b.wav", "d.wav"]),         // happy, angry, angry (name breaks the tie)
            (.result, ["b.wav", "a.wav", "c.wav", "d.wav"]),        // wrong, right, right, error
            (.name, ["a.wav", "b.wav", "c.wav", "d.wav"]),
        ]
        for (column, names) in expected {
            _ = F.press(&state, .character("s"))
            #expect(state.sort == SortOrder(column: column, ascending: true))
            #expect(F.shownNames(state) == names, "sorted by \(column)")
        }
        _ = F.press(&state, .character("s"), .character("s"), .character("S"))
        #expect(state.sort == SortOrder(column: .predicted, ascending: false))
        #expect(F.shownNames(state) == ["a.wav", "b.wav", "c.wav", "d.wav"], "angry, sad, happy; no prediction stays last")
    }

    @Test func sortingKeepsTheSelectedClipSelected() {
        var state = classified()
        _ = F.press(&state, .down)
        #expect(state.selected?.name == "b.wav")
        _ = F.press(&state, .character("s"), .character("s"), .character("s"))  // confidence: b first
        #expect(state.selected?.name == "b.wav" && state.cursor == 0)
    }

    @Test func filtersByPredictedTrueAndOutcome() {
        var state = classified()
        _ = F.press(&state, .character("t"), .character("t"), .character("t"), .character("t"), .character("t"))
        #expect(state.filter.truth == 4)
        #expect(F.shownNames(state) == ["a.wav", "b.wav"])
        _ = F.press(&state, .character("w"))
        #expect(state.filter.outcome == .wrong && F.shownNames(state) == ["b.wav"], "the misclassified angry clip")
        _ = F.press(&state, .character("w"))
        #expect(F.shownNames(state) == ["a.wav"])
        _ = F.press(&state, .character("w"))
        #expect(state.filter.outcome == .errors && F.shownNames(state).isEmpty)
        _ = F.press(&state, .character("x"))
        #expect(state.filter == RowFilter() && state.visible.count == 4)
        _ = F.press(&state, .character("F"))
        #expect(state.filter.predicted == 7, "F walks backwards from none to the last label")
        _ = F.press(&state, .character("F"), .character("F"), .character("F"))
        #expect(state.filter.predicted == 4 && F.shownNames(state) == ["a.wav"])
        _ = F.press(&state, .character("x"), .character("w"), .character("w"), .character("w"))
        #expect(F.shownNames(state) == ["d.wav"], "errors")
    }

    @Test func resultsArrivingReorderTheListWhenTheSortLooksAtThem() {
        var state = F.scanned(["a.wav", "b.wav", "c.wav"])
        _ = F.press(&state, .character("s"), .character("s"), .character("s"), .character("S"))  // confidence, descending
        _ = state.handle(.results([RowResult(row: 2, outcome: F.verdict(1, 0.8))]))
        #expect(F.shownNames(state) == ["c.wav", "a.wav", "b.wav"], "pending rows sort last")
        _ = state.handle(.results([RowResult(row: 0, outcome: F.verdict(1, 0.9)), RowResult(row: 1, outcome: F.verdict(1, 0.3))]))
        #expect(F.shownNames(state) == ["a.wav", "c.wav", "b.wav"])
        _ = F.press(&state, .character("f"), .character("f"))  // predicted calm
        _ = state.handle(.results([RowResult(row: 1, outcome: F.verdict(0, 0.9))]))
        #expect(F.shownNames(state) == ["a.wav", "c.wav", "b.wav"], "a result for a row that has one is ignored")
    }

    @Test func movingClampsScrollsAndAsksForPreviews() {
        var state = F.scanned((0..<10).map { "clip\($0).wav" }, pageRows: 3)
        #expect(state.selected?.name == "clip0.wav")
        #expect(F.press(&state, .down) == [.preview(path: "/clips/clip1.wav")])
        _ = F.press(&state, .pageDown)
        #expect(state.cursor == 4 && state.scrollTop == 2)
        _ = F.press(&state, .end)
        #expect(state.cursor == 9 && state.scrollTop == 7)
        #expect(F.press(&state, .down).isEmpty, "no move past the end, no new preview")
        _ = F.press(&state, .character("g"))
        #expect(state.cursor == 0 && state.scrollTop == 0)
        _ = F.press(&state, .up, .pageUp)
        #expect(state.cursor == 0)
        #expect(state.handle(key: .left) == nil && state.handle(key: .character("?")) == nil, "left to the shell")
        #expect(F.press(&state, .enter) == [.togglePlayback] && F.press(&state, .character("p")) == [.togglePlayback])
    }

    @Test func searchTypesAppliesOnEnterAndEscapeCancels() {
        var state = F.scanned(["Actor_01/03-01-05.wav", "Actor_02/03-01-05.wav", "Actor_02/03-01-01.wav"])
        _ = F.press(&state, .character("/"))
        #expect(state.mode == .searching(""))
        F.type(&state, "ACTOR_02")
        #expect(state.mode == .searching("ACTOR_02") && state.visible.count == 3, "nothing applies before Enter")
        _ = F.press(&state, .backspace)
        F.type(&state, "2/")
        _ = F.press(&state, .enter)
        #expect(state.mode == .list && state.filter.search == "ACTOR_02/")
        #expect(F.shownNames(state) == ["Actor_02/03-01-05.wav", "Actor_02/03-01-01.wav"])
        _ = F.press(&state, .character("/"))
        F.type(&state, "zzz")
        _ = F.press(&state, .escape)
        #expect(state.mode == .list && state.filter.search == "ACTOR_02/", "Esc keeps the applied search")
        _ = F.press(&state, .escape)
        #expect(state.filter.search.isEmpty && state.visible.count == 3, "Esc in the list clears it")
        #expect(state.handle(key: .escape) == nil)
    }

    @Test func exportPromptOffersANameSwitchesFormatAndSendsTheListAsShown() {
        var state = classified()
        _ = F.press(&state, .character("w"))
        _ = F.press(&state, .character("e"))
        #expect(state.mode == .exporting("emoscope-clips.csv"))
        _ = F.press(&state, .tab)
        #expect(state.mode == .exporting("emoscope-clips.json"))
        _ = F.press(&state, .tab)
        #expect(state.mode == .exporting("emoscope-clips.csv"))
        let actions = F.press(&state, .enter)
        #expect(actions == [.export(rows: [state.rows[1]], path: "emoscope-clips.csv")])
        _ = state.handle(.exported(path: "/tmp/x.csv", rows: 1))
        #expect(state.notice == BrowseNotice(text: "exported 1 rows to /tmp/x.csv", isError: false))
    }

    @Test func openPromptAsksForAFolderAndANewFolderStartsAfresh() {
        var state = classified()
        _ = F.press(&state, .character("o"))
        #expect(state.mode == .opening("/clips"))
        for _ in 0..<6 { _ = F.press(&state, .backspace) }
        F.type(&state, "/other ")
        #expect(F.press(&state, .enter) == [.open(folder: "/other")])
        _ = state.handle(.openFailed(message: "/other: not a folder"))
        #expect(state.rows.count == 4 && state.notice?.isError == true, "a failed open keeps the list")
        let actions = state.handle(.opened(folder: "/other"))
        #expect(state.rows.isEmpty && state.progress.scanning && state.folder == "/other")
        #expect(actions == [.preview(path: nil)], "the old clip leaves the preview")
    }
}
