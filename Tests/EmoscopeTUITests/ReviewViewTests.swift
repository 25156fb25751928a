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
        // The cell's clips from the report itself, most confident first.
        let cell = report.predictions.filter { $0.truth == "calm" && $0.predicted == "neutral" }
            .sorted { ($0.probabilities?[0] ?? 0) > ($1.probabilities?[0] ?? 0) }
        let first = try #require(cell.first)
        #expect(text.contains("true calm, predicted neutral: \(cell.count) clips, most confident first; Esc back"))
        let rows = text.split(separator: "\n").filter { $0.hasSuffix("missing") }
        #expect(rows.count == min(9, cell.count), "a list of half the screen, every file missing:\n\(text)")
        let confidence = String(format: "%.2f", first.probabilities?[0] ?? 0)
        #expect(rows.first?.hasPrefix(">\(confidence)  \(first.speaker)  \(first.fold + 1) ") == true,
                "the most confident first, selected:\n\(text)")
        #expect(rows.allSatisfy { $0.contains("/03-01-02-") }, "calm is RAVDESS emotion 02")
        let firstName = (first.path as NSString).lastPathComponent
        #expect(text.contains("PREVIEW \(firstName), true calm"))
        _ = state.handle(key: .pageDown)
        let paged = render(state)
        #expect(!paged.contains("PREVIEW \(firstName)") && cell.contains { paged.contains("PREVIEW \(($0.path as NSString).lastPathComponent)") },
                "the preview follows the selection")
    }

    @Test func oneSpeakersMatrixCarriesThatSpeakersMetricsAndSaysWhoseItIs() throws {
        let report = try JSONDecoder().decode(CrossValidationReport.self, from: Data(contentsOf: URL(fileURLWithPath: reportPath)))
        var state = ReviewState()
        _ = state.handle(.loaded(try ReviewSource.dataset(from: report, reportPath: reportPath, bases: ["/nonexistent"])))
        for _ in 0..<9 { _ = state.handle(key: .character("s")) }
        #expect(state.speaker == "Actor_09")
        let text = render(state, height: 24)
        #expect(text.contains("speaker Actor_09 only: 60 of 1440 clips"), "\(text)")
        #expect(!text.contains("6-fold mean"), "the folds' means are not this speaker's:\n\(text)")
        // The headline is the speaker's own UAR, as the trainer's per-speaker report computes it.
        let own = try #require(SpeakerReport.rows(report.predictions, labels: report.labels).first { $0.speaker == "Actor_09" })
        #expect(text.contains(String(format: "UAR %.3f", own.unweightedAverageRecall)), "\(text)")
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
