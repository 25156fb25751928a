import EmoscopeCore
import EmoscopeTraining
import Foundation

/// What the matrix cells show.
public enum MatrixMode: Equatable, Sendable {
    /// How many clips of the row's class were predicted as the column's.
    case counts
    /// The same as a rounded percentage of the row (its class's support).
    case rowPercent

    /// The legend of the mode.
    public var legend: String { self == .counts ? "counts" : "% of row" }
}

/// The text of the Review screen and of `emoscope eval`: label abbreviations, metrics, matrix
/// cells, shading levels and the per-class table. Pure functions, so both print the same numbers.
public enum ReviewFormat {
    /// Labels cut to `width` characters ("neu", "cal", …), made unique with a digit where two collide.
    public static func abbreviations(_ labels: [String], width: Int = 3) -> [String] {
        let short = labels.map { String($0.lowercased().prefix(width)) }
        return short.enumerated().map { index, text in
            short.filter { $0 == text }.count == 1 ? text : String(text.prefix(max(0, width - 1))) + String(index % 10)
        }
    }

    /// A metric to `digits` decimals, or "-" when it is undefined (e.g. the precision of a class never predicted).
    public static func metric(_ value: Double?, digits: Int = 3) -> String {
        value.map { String(format: "%.\(digits)f", $0) } ?? "-"
    }

    /// "accuracy 0.504   UAR 0.507   macro-F1 0.476" (UAR: unweighted average recall).
    public static func headline(_ metrics: EvaluationMetrics) -> String {
        "accuracy \(metric(metrics.accuracy))   UAR \(metric(metrics.unweightedAverageRecall))   macro-F1 \(metric(metrics.macroF1))"
    }

    /// "6-fold mean: accuracy 0.504 ± 0.046, UAR 0.507 ± 0.054, macro-F1 0.465 ± 0.052" (`plusMinus` "+/-" in ASCII).
    public static func foldLine(_ summary: FoldSummary, plusMinus: String = "±") -> String {
        func pm(_ value: MeanAndDeviation) -> String { "\(metric(value.mean)) \(plusMinus) \(metric(value.standardDeviation))" }
        return "\(summary.folds)-fold mean: accuracy \(pm(summary.accuracy)), UAR \(pm(summary.unweightedAverageRecall)), "
            + "macro-F1 \(pm(summary.macroF1))"
    }

    /// The value of one cell: the count or the row share (0…1).
    public static func value(_ matrix: ConfusionMatrix, row: Int, column: Int, mode: MatrixMode) -> Double {
        let count = Double(matrix.counts[row][column])
        guard mode == .rowPercent else { return count }
        let support = matrix.support(of: row)
        return support == 0 ? 0 : count / Double(support)
    }

    /// What a cell shows: the count, or the row percentage rounded ("-" for a row without clips).
    public static func cell(_ matrix: ConfusionMatrix, row: Int, column: Int, mode: MatrixMode) -> String {
        if mode == .rowPercent && matrix.support(of: row) == 0 { return "-" }
        let value = value(matrix, row: row, column: column, mode: mode)
        return mode == .counts ? String(Int(value)) : String(Int((value * 100).rounded()))
    }

    /// The widest cell text of `matrix` in either mode (so toggling keeps the layout).
    public static func widestCell(_ matrix: ConfusionMatrix) -> Int {
        let widestCount = String(matrix.counts.joined().max() ?? 0).count
        return max(widestCount, 3)
    }

    /// Heat level for a cell holding `value` where the largest cell holds `maximum`: 0 for empty,
    /// then 1, 2, 3, 6, 7 as the share grows. Levels 4 and 5 are skipped: in 8 colours they put
    /// white on cyan, which is hard to read; without colour 3 is bold and 6, 7 bold reverse.
    public static func heat(value: Double, maximum: Double) -> Int {
        guard value > 0, maximum > 0 else { return 0 }
        let share = value / maximum
        return share > 0.7 ? 7 : share > 0.45 ? 6 : share > 0.25 ? 3 : share > 0.1 ? 2 : 1
    }

    /// The matrix as text: a header of column abbreviations, then one line per true class.
    public static func matrixLines(_ matrix: ConfusionMatrix, mode: MatrixMode, cellWidth: Int) -> [String] {
        let names = abbreviations(matrix.labels)
        let header = "    " + names.map { $0.padded(to: cellWidth, alignRight: true) }.joined()
        return [header] + matrix.labels.indices.map { row in
            names[row].padded(to: 4) + matrix.labels.indices.map { column in
                cell(matrix, row: row, column: column, mode: mode).padded(to: cellWidth, alignRight: true)
            }.joined()
        }
    }

    /// The per-class table: a header, then precision, recall, F1 and support per class, each
    /// column `digits + 3` wide; the class names first when `names` is given (padded to the widest).
    public static func perClassLines(_ metrics: EvaluationMetrics, names: [String]?, digits: Int = 3) -> [String] {
        let width = digits + 3
        let nameWidth = (names?.map(\.count).max() ?? 0)
        let lead = names == nil ? "" : String(repeating: " ", count: nameWidth)
        let header = lead + ["prec", "rec", "F1", "n"].map { $0.padded(to: width, alignRight: true) }.joined()
        return [header] + metrics.perClass.enumerated().map { index, scores in
            let name = names.map { $0[index].padded(to: nameWidth) } ?? ""
            let values = [scores.precision, scores.recall, scores.f1].map { metric($0, digits: digits).padded(to: width, alignRight: true) }
            return name + values.joined() + String(scores.support).padded(to: width, alignRight: true)
        }
    }
}
