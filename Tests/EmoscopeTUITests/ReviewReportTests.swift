import EmoscopeCore
import EmoscopeTestSupport
import EmoscopeTraining
import Foundation
import Testing
import EmoscopeTUI

/// The shipped cross-validation report on the Review screen: its pooled matrix and metrics, and
/// how the screen draws them at the usual sizes, in colour and without.
@Suite struct ReviewReportTests {
    let root = Corpus.repositoryRoot.path
    var reportPath: String { root + "/Assets/default.report.json" }

    func report() throws -> CrossValidationReport {
        try JSONDecoder().decode(CrossValidationReport.self, from: Data(contentsOf: URL(fileURLWithPath: reportPath)))
    }

    func state() throws -> ReviewState {
        var state = ReviewState()
        _ = state.handle(.loaded(try ReviewSource.loadReport(path: reportPath, currentDirectory: root)))
        return state
    }

    func render(_ state: ReviewState, width: Int, height: Int, glyphs: Glyphs = .unicode) -> Canvas {
        var canvas = Canvas(width: width, height: height)
        ReviewView.draw(state, into: &canvas, area: canvas.bounds, context: DrawingContext(glyphs: glyphs, labels: []))
        return canvas
    }

    /// The metrics line as the screen prints it.
    func headline(_ metrics: EvaluationMetrics) -> String {
        "accuracy \(ReviewFormat.metric(metrics.accuracy))   UAR \(ReviewFormat.metric(metrics.unweightedAverageRecall))   "
            + "macro-F1 \(ReviewFormat.metric(metrics.macroF1))"
    }

    /// The numbers on the matrix row of `label` (its first word, followed by a number or the cursor's bracket).
    func numbers(_ text: String, row label: String) -> [Int] {
        let line = text.split(separator: "\n").first { line in
            let words = line.split(separator: " ")
            return words.count > 1 && words[0] == label && (words[1].first?.isNumber == true || words[1].first == "[")
        } ?? ""
        return line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
    }

    @Test func thePooledMatrixIsTheReportsAndSumsToItsClassifiedClips() throws {
        let report = try report(), state = try state()
        let classified = report.predictions.filter { $0.predicted != nil }.count
        #expect(classified == 1_440)
        #expect(state.matrix.total == classified)
        #expect(state.matrix == report.confusion)
        #expect(state.matrix.counts[1][0] == report.folds.reduce(0) { $0 + $1.confusion.counts[1][0] },
                "calm taken for neutral: the sum of the folds' cells")
        #expect(state.metrics == EvaluationMetrics(report.confusion))
        #expect(abs(state.metrics.unweightedAverageRecall - report.pooled.unweightedAverageRecall) < 1e-12)
        #expect(abs(state.metrics.macroF1 - report.pooled.macroF1) < 1e-12)
        let foldMean = report.folds.map(\.metrics.unweightedAverageRecall).reduce(0, +) / Double(report.folds.count)
        #expect(abs(report.unweightedAverageRecall.mean - foldMean) < 1e-12)
        #expect(state.dataset?.reviewProtocol == .crossValidation(speakerIndependent: true, description: report.protocolDescription))
        #expect(state.dataset?.foldSummary?.folds == 6)
    }

    @Test func clipPathsResolveAgainstTheRepositoryRoot() throws {
        let clips = try #require(try state().dataset?.clips)
        #expect(clips[0].path == "../shared/datasets/ravdess-speech-16k/Actor_01/03-01-01-01-01-01-01.flac")
        let expected = Corpus.speech16k.appendingPathComponent("Actor_01/03-01-01-01-01-01-01.flac").resolvingSymlinksInPath().path
        #expect(URL(fileURLWithPath: clips[0].resolvedPath).resolvingSymlinksInPath().path == expected)
        if Corpus.isAvailable || Corpus.isRequired {
            #expect(clips.allSatisfy { $0.fileExists }, Comment(rawValue: Corpus.absentMessage))
        }
        let moved = try ReviewSource.dataset(from: report(), reportPath: reportPath, bases: ["/nonexistent/a"])
        #expect(moved.clips.allSatisfy { !$0.fileExists && $0.resolvedPath.hasPrefix("/nonexistent/shared/datasets/") })
    }

    @Test func at80x24TheMatrixMetricsTableAndProtocolFit() throws {
        let report = try report()
        let counts = report.confusion.counts, metrics = EvaluationMetrics(report.confusion)
        let text = render(try state(), width: 80, height: 22).text
        #expect(text.contains("neu  cal  hap  sad  ang  fea  dis  sur") || text.contains("neu   cal   hap"))
        #expect(numbers(text, row: "neu").prefix(8) == counts[0][...])
        #expect(numbers(text, row: "cal").prefix(8) == counts[1][...])
        #expect(text.contains(headline(metrics)))
        #expect(text.contains("speaker-independent 6-fold cross-validation"))
        let neutralPrecision = ReviewFormat.metric(metrics.perClass[0].precision)
        #expect(text.contains("prec") && text.contains(neutralPrecision) && text.contains("192"), "per-class table beside the matrix")
        #expect(text.contains("[\(counts[0][0])]"), "the cursor cell is marked without colour")
        let percent = Int((Double(counts[0][0]) / Double(counts[0].reduce(0, +)) * 100).rounded())
        #expect(text.contains("neutral recognised: \(counts[0][0]) clips (\(percent)% of neutral); Enter lists them"))
    }

    @Test func at60x16TheMatrixAndHeadlineStay() throws {
        let report = try report()
        let canvas = render(try state(), width: 60, height: 14, glyphs: .ascii)
        #expect(numbers(canvas.text, row: "sur").prefix(8) == report.confusion.counts[7][...])
        #expect(canvas.text.contains(headline(EvaluationMetrics(report.confusion))))
        #expect(canvas.text.contains("prec"), "a narrower per-class table still fits")
        #expect(canvas.text.allSatisfy { $0.isASCII })
    }

    @Test func rowPercentagesReplaceCountsOnN() throws {
        var state = try state()
        _ = state.handle(key: .character("n"))
        let text = render(state, width: 80, height: 22).text
        let counts = try report().confusion.counts
        func percent(_ row: Int, _ column: Int) -> Int {
            Int((Double(counts[row][column]) / Double(counts[row].reduce(0, +)) * 100).rounded())
        }
        #expect(numbers(text, row: "neu").prefix(3) == [percent(0, 0), percent(0, 1), percent(0, 2)][...])
        #expect(numbers(text, row: "cal")[1] == percent(1, 1))
        #expect(text.contains("% of row"))
    }

    @Test func shadingFollowsTheValuesAndStaysReadable() throws {
        let matrix = try state().matrix
        let values = matrix.counts.joined().map(Double.init), maximum = values.max()!
        let levels = values.map { ReviewFormat.heat(value: $0, maximum: maximum) }
        #expect(Set(levels).isDisjoint(with: [4, 5]), "white on cyan is skipped")
        #expect(ReviewFormat.heat(value: maximum, maximum: maximum) == 7 && ReviewFormat.heat(value: 0, maximum: maximum) == 0)
        #expect(zip(values, levels).allSatisfy { pair in zip(values, levels).allSatisfy { pair.0 < $0.0 ? pair.1 <= $0.1 : true } })
        for level in Set(levels) where level > 0 {
            let colour = Theme.appearance(.heat(level), support: .basic8)
            #expect(colour.background == -1 || colour.foreground != colour.background)
        }
        let none = Theme.appearance(.heat(7), support: .none)
        #expect(none.bold && none.reverse, "without colour the hottest cells stand out by emphasis")
    }

    @Test func aRandomSplitIsLabelledAsSuch() throws {
        var random = try report()
        random.split = .random
        random.protocolDescription = "80/20 split"
        let dataset = try ReviewSource.dataset(from: random, reportPath: reportPath, bases: [root])
        #expect(dataset.reviewProtocol.isRandomSplit)
        var state = ReviewState()
        _ = state.handle(.loaded(dataset))
        #expect(render(state, width: 100, height: 28).text.contains("RANDOM split, speakers shared by training and test (optimistic): 80/20 split"))
    }

    @Test func aFileThatIsNotAReportIsAClearError() throws {
        let folder = TemporaryDirectory()
        try #"{"split": "speaker-independent"}"#.write(toFile: folder.path("bad.json"), atomically: true, encoding: .utf8)
        #expect(throws: ReviewSourceError("\(folder.path("bad.json")): not an emoscope-train report (missing \"protocolDescription\")")) {
            try ReviewSource.loadReport(path: folder.path("bad.json"))
        }
        #expect(throws: ReviewSourceError("\(folder.path("none.json")): no such file")) { try ReviewSource.loadReport(path: folder.path("none.json")) }
    }
}
