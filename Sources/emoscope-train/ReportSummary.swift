import EmoscopeCore
import EmoscopeTraining
import Foundation

/// The short, human-readable summary written beside the JSON report.
enum ReportSummary {
    static func text(_ report: CrossValidationReport) -> String {
        func f(_ value: Double) -> String { String(format: "%.3f", value) }
        func pm(_ value: MeanAndDeviation) -> String { "\(f(value.mean)) ± \(f(value.standardDeviation))" }
        var lines = [
            "Emoscope training report (\(report.date), code \(report.codeRevision))",
            "Corpus:   \(report.corpus)",
            "Protocol: \(report.protocolDescription)",
            "Training: " + (report.configuration.memberCount == 1 ? "one network" : "\(report.configuration.memberCount) networks (an ensemble, logits averaged)")
                + " per fold, \(report.configuration.epochs) epochs each"
                + (report.configuration.speakerAdversary.map { ", against a speaker adversary (confusion loss weighted up to \($0))" } ?? "")
                + (report.configuration.intensityHead.map { ", with an intensity classifier (loss weighted \($0))" } ?? ""),
            "Recipe:   " + report.configuration.recipeSummary,
            "",
            "fold  test speakers                          accuracy  UAR    macro-F1  ECE before → after  T     best epoch",
        ]
        for fold in report.folds {
            let speakers = fold.testSpeakers.joined(separator: " ").padding(toLength: 38, withPad: " ", startingAt: 0)
            // "after" is the cross-fitted calibration where there is one, else the validation speakers'.
            let after = fold.eceCrossFitted ?? fold.eceAfter, temperature = fold.crossFittedTemperature ?? fold.temperature
            lines.append(String(format: "%-5d %@ %@     %@  %@     %@ → %@       %.2f  %d", fold.fold + 1, speakers, f(fold.metrics.accuracy),
                                f(fold.metrics.unweightedAverageRecall), f(fold.metrics.macroF1), f(fold.eceBefore), f(after),
                                temperature, fold.bestEpoch))
        }
        lines += [
            "",
            "mean ± std over folds: accuracy \(pm(report.accuracy)), UAR \(pm(report.unweightedAverageRecall)), macro-F1 \(pm(report.macroF1))",
        ] + calibrationLines(report) + [
            "",
            "confusion matrix summed over folds (rows: true, columns: predicted):",
            "            " + report.labels.map { String($0.prefix(6)).padding(toLength: 7, withPad: " ", startingAt: 0) }.joined(),
        ]
        for (row, label) in report.labels.enumerated() {
            lines.append(label.padding(toLength: 12, withPad: " ", startingAt: 0)
                         + report.confusion.counts[row].map { String($0).padding(toLength: 7, withPad: " ", startingAt: 0) }.joined())
        }
        lines += ["", "per class (pooled): precision / recall / F1 / support"]
        for metric in report.pooled.perClass {
            lines.append("  " + metric.label.padding(toLength: 10, withPad: " ", startingAt: 0)
                         + [metric.precision, metric.recall, metric.f1].map { $0.map(f) ?? "  —  " }.joined(separator: "  ")
                         + "  \(metric.support)")
        }
        lines += SpeakerReport.summaryLines(report.speakers ?? [])
        lines.append("")
        let folds = report.crossValidationSeconds.map { String(format: " (the folds %.0f s)", $0) } ?? ""
        lines.append(String(format: "training time %.0f s", report.trainingSeconds) + folds
                     + String(format: " on %d threads, %.0f examples/s", report.threads, report.examplesPerSecond))
        return lines.joined(separator: "\n") + "\n"
    }

    /// Expected calibration error (15 bins) for each calibration, pooled over every test clip and averaged over folds.
    static func calibrationLines(_ report: CrossValidationReport) -> [String] {
        func f(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "—" }
        guard let c = report.calibration else {
            return ["calibration (mean ECE over folds): \(f(report.eceBefore)) before, \(f(report.eceAfter)) after temperature scaling"]
        }
        // Without validation speakers the validation temperature is 1: nothing to show beside
        // "uncalibrated"; one split has no cross-fitted value.
        let validated = report.folds.contains { !$0.validationSpeakers.isEmpty }
        func parts(_ before: Double, _ validation: Double, _ crossFitted: Double?) -> String {
            var items = ["\(f(before)) uncalibrated"]
            if validated { items.append("\(f(validation)) validation-speaker T") }
            if let crossFitted { items.append("\(f(crossFitted)) cross-fitted T") }
            return items.joined(separator: ", ")
        }
        return [
            "calibration: \(c.method)",
            "  ECE pooled over test clips:  " + parts(c.pooledBefore, c.pooledValidation, c.pooledCrossFitted),
            "  ECE mean of per-fold values: " + parts(c.meanFoldBefore, c.meanFoldValidation, c.meanFoldCrossFitted),
            String(format: "  model temperature %.3f", c.modelTemperature),
        ]
    }
}
