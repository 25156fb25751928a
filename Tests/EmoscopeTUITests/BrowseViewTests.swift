import Dispatch
import EmoscopeCore
import Testing
import EmoscopeTUI

@Suite struct BrowseViewTests {
    typealias F = BrowseFixture

    func render(_ state: BrowseState, width: Int = 100, height: Int = 30, glyphs: Glyphs = .unicode) -> String {
        var canvas = Canvas(width: width, height: height)
        BrowseView.draw(state, into: &canvas, area: canvas.bounds, context: DrawingContext(glyphs: glyphs, labels: F.labels)) { canvas, rect in
            canvas.put("PREVIEW", x: rect.x, y: rect.y)
        }
        return canvas.text
    }

    @Test func rowsShowPredictionsMarksErrorsAndProgress() {
        var state = F.scanned(["Actor_01/03-01-05-01-01-01-01.wav", "Actor_01/03-01-05-01-01-02-01.wav", "broken.wav", "later.wav"],
                              truths: [4, 4, nil, nil], pageRows: 10)
        _ = state.handle(.results([
            RowResult(row: 0, outcome: F.verdict(4, 0.87, duration: 3.8)), RowResult(row: 1, outcome: F.verdict(3, 0.5)),
            RowResult(row: 2, outcome: .failed(kind: "empty", reason: "empty: it holds no audio")),
        ]))
        let text = render(state)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0].contains("/clips") && lines[0].contains("classifying 3/4") && lines[0].contains("75%"))
        #expect(lines[1].contains("sort name ▲") && lines[1].contains("filter: none") && lines[1].contains("4 of 4 shown"))
        let first = lines.first { $0.contains("03-01-05-01-01-01-01.wav") }!
        #expect(first.hasPrefix(" ✓") && first.contains("3.80s") && first.contains("angry") && first.contains("87%"))
        #expect(lines.contains { $0.hasPrefix(" ✗") && $0.contains("sad") && $0.contains("50%") && $0.hasSuffix("angry") })
        #expect(lines.contains { $0.hasPrefix(" !") && $0.contains("broken.wav") && $0.contains("error: empty: it holds no audio") })
        #expect(lines.contains { $0.contains("later.wav") && $0.contains("…") })
        #expect(text.contains("PREVIEW"))

        _ = state.handle(.results([RowResult(row: 3, outcome: .classified(ClipVerdict(duration: 0.2, status: .tooShort, probabilities: nil)))]))
        _ = state.handle(.finished(seconds: 1.3))
        let done = render(state, glyphs: .ascii)
        #expect(done.contains("done: 4 clips in 1.3 s · 1 + 1 x · 1 errors"))
        #expect(done.contains("too short"))
    }

    @Test func promptsAndNoticesUseTheBottomLine() {
        var state = F.scanned(["a.wav"])
        _ = F.press(&state, .character("/"))
        F.type(&state, "abc")
        #expect(render(state).split(separator: "\n").last?.contains("/abc▏   Enter apply · Esc cancel") == true)
        #expect(BrowseView.hints(state).map(\.key) == ["Enter", "Esc"])
        _ = F.press(&state, .escape)
        _ = state.handle(.exportFailed(message: "disk full"))
        #expect(render(state).contains("export failed: disk full"))
        #expect(BrowseView.hints(state).map(\.key).contains("/"))
    }

    /// Adapting to each folder's voice is progress, said in the header: it never replaces a
    /// warning about the folder in the notice row.
    @Test func adaptationShowsInTheHeaderAndKeepsTheWarning() {
        var state = F.scanned(["a.wav", "sub/b.wav"])
        _ = state.handle(.warning(message: "locked: cannot be read: permission denied"))
        _ = state.handle(.adapting(clips: 2))
        var lines = render(state).split(separator: "\n").map(String.init)
        #expect(lines[0].contains("adapting to each folder's voice: statistics of 2 clips…"))
        _ = state.handle(.adapted(folders: 2))
        _ = state.handle(.results([RowResult(row: 0, outcome: F.verdict(4, 0.9)), RowResult(row: 1, outcome: F.verdict(3, 0.8))]))
        _ = state.handle(.finished(seconds: 0.5))
        lines = render(state).split(separator: "\n").map(String.init)
        #expect(lines[0].contains("done: 2 clips in 0.5 s · adapted to 2 folders"))
        #expect(state.notice?.text == "locked: cannot be read: permission denied")
        #expect(lines.contains { $0.contains("locked: cannot be read") })
    }

    @Test func withoutAFolderTheScreenAsksForOne() {
        let text = render(BrowseState(labels: F.labels))
        #expect(text.contains("No folder open. Press o to open a folder"))
    }

    @Test func listRowsLeaveRoomForThePreview() {
        let area = Rect(x: 0, y: 1, width: 100, height: 30)
        #expect(BrowseView.listRows(in: area, labels: 8) == 15)
        #expect(BrowseView.listRows(in: Rect(x: 0, y: 1, width: 60, height: 14), labels: 8) == 5)
    }

    /// Ten thousand rows: results arriving in batches while sorted by confidence with a filter, then a frame
    /// drawn. Prints the time per frame (a benchmark, not an assertion) and checks the order.
    @Test func tenThousandRowsStayCheapPerFrame() {
        let count = 10_000
        var state = F.scanned((0..<count).map { "Actor_\($0 % 24)/clip-\($0).wav" }, truths: (0..<count).map { $0 % 8 }, pageRows: 15)
        _ = F.press(&state, .character("s"), .character("s"), .character("s"), .character("w"))  // confidence, wrong only
        var worst: UInt64 = 0, total: UInt64 = 0
        var frames = 0
        for batch in stride(from: 0, to: count, by: 100) {
            let results = (batch..<batch + 100).map { RowResult(row: $0, outcome: F.verdict(($0 * 7) % 8, 0.3 + Float($0 % 60) / 100)) }
            let start = DispatchTime.now().uptimeNanoseconds
            _ = state.handle(.results(results))
            _ = F.press(&state, .down)
            var canvas = Canvas(width: 120, height: 40)
            BrowseView.draw(state, into: &canvas, area: canvas.bounds, context: DrawingContext(glyphs: .unicode, labels: F.labels)) { _, _ in }
            let elapsed = DispatchTime.now().uptimeNanoseconds - start
            worst = max(worst, elapsed)
            total += elapsed
            frames += 1
        }
        print(String(format: "browse frame with %d rows (results + reindex + draw): mean %.2f ms, worst %.2f ms",
                     count, Double(total) / Double(frames) / 1e6, Double(worst) / 1e6))
        let confidences = state.visible.map { state.rows[$0].verdict!.confidence! }
        #expect(confidences == confidences.sorted())
        #expect(state.visible.allSatisfy { state.rows[$0].correctness == .wrong } && state.progress.isComplete)
    }
}
