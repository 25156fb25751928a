import EmoscopeCore
import EmoscopeTUI
import EmoscopeTestSupport
import EmoscopeTraining
import Foundation
import Testing

/// How the Review screen draws a cell's clips (with missing files), a folder's progress, and a
/// source that cannot be read.
@Suite struct ReviewViewTests {
    let reportPath = Corpus.repositoryRoot.path + "/Assets/default.report.json"

    func render(_ state: ReviewState, width: Int = 80, height: Int = 22, glyphs: Glyphs = .unicode) -> String {
        var canvas = Canvas(width: width, height: height)
        ReviewView.draw(state, into: &canvas, area: canvas.bounds, context: DrawingContext(glyphs: glyphs, labels: [])) { canvas, rect, title in
            canvas.put("PREVIEW \(title)", x: rect.x, y: rect.y)
        }
        return canvas.text
    }

    @Test func aCellsClipsShowConfidencePathsAndMissingFilesAboveThePreview() throws {
        let report = try JSONDecoder().decode(CrossValidationReport.self, from: Data(contentsOf: URL(fileURLWithPath: reportPath)))
        var state = ReviewState()
        _ = state.handle(.loaded(try ReviewSource.dataset(from: report, reportPath: reportPath, bases: ["/nonexistent"])))
        _ = state.handle(key: .down)
        _ = state.handle(key: .enter)
        let text = render(state)
        #expect(text.contains("true calm, predicted neutral: 27 clips, most confident first; Esc back"))
        let rows = text.split(separator: "\n").filter { $0.hasSuffix("missing") }
        #expect(rows.count == 9, "a list of half the screen, every file missing:\n\(text)")
        #expect(rows.first?.hasPrefix(">0.67  Actor_17  5     ") == true, "the most confident first, selected:\n\(text)")
        #expect(rows.allSatisfy { $0.contains("/03-01-02-") }, "calm is RAVDESS emotion 02")
        #expect(text.contains("PREVIEW 03-01-02-01-01-01-17.flac, true calm"))
        _ = state.handle(key: .pageDown)
        #expect(render(state).contains("PREVIEW 03-01-02-01-01-01-02.flac"), "the preview follows the selection")
    }

    @Test func aFolderBeingClassifiedShowsItsProgress() {
        let clips = (0..<4).map { ReviewClip(path: "c\($0).wav", truth: $0 % 2) }
        var state = ReviewState()
        _ = state.handle(.loaded(ReviewDataset(labels: ["neutral", "calm"], title: "folder", reviewProtocol: .labelledFolder(model: "m"), clips: clips)))
        _ = state.handle(.evaluated(index: 1, outcome: .classified([0.2, 0.8])))
        let text = render(state, glyphs: .ascii)
        #expect(text.contains("classifying 1/4 ######"), "\(text)")
        #expect(text.contains("labelled folder classified now with m"))
        #expect(text.contains("1 of 4 clips classified (3 pending)"))
    }

    @Test func aSourceThatCannotBeReadSaysWhy() {
        var state = ReviewState()
        _ = state.handle(.failed("x.json: no such file"))
        let text = render(state)
        #expect(text.contains("Nothing to review:") && text.contains("x.json: no such file") && text.contains("emoscope review SOURCE"))
    }
}
