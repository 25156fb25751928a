import Foundation

/// Classification results as table rows: the CSV and JSON layout shared by `emoscope classify` and the
/// browse screen's export (path, duration, status, label, confidence, one probability per class).
public enum ClipTable {
    /// label, confidence, then one probability per class; empty fields when there are no probabilities.
    public static func labelColumns(_ probabilities: [Float]?, labels: [String]) -> [String] {
        guard let p = probabilities, let top = p.indices.max(by: { p[$0] < p[$1] }) else {
            return [String](repeating: "", count: labels.count + 2)
        }
        return [labels[top], number(Double(p[top]), 4)] + p.map { number(Double($0), 4) }
    }

    /// The JSON fields `label`, `confidence` and `probabilities` (by label name); none without probabilities.
    public static func labelFields(_ probabilities: [Float]?, labels: [String]) -> [String: Any] {
        guard let p = probabilities, let top = p.indices.max(by: { p[$0] < p[$1] }) else { return [:] }
        return ["label": labels[top], "confidence": rounded(Double(p[top]), 4), "probabilities": probabilityObject(p, labels: labels)]
    }

    /// Probabilities by label name, rounded to 4 digits.
    public static func probabilityObject(_ probabilities: [Float], labels: [String]) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: zip(labels, probabilities.map { rounded(Double($0), 4) }))
    }

    /// The browse export as CSV: classify's columns, then `true_label` and `error`.
    public static func csv(_ rows: [ClipRow], labels: [String]) -> String {
        let header = ["path", "duration", "status", "label", "confidence"] + labels + ["true_label", "error"]
        var lines = [header.map(csvField).joined(separator: ",")]
        for row in rows {
            let verdict = row.verdict
            let fields = [row.path, verdict.map { number($0.duration, 3) } ?? "", status(row)]
                + labelColumns(verdict?.probabilities, labels: labels) + [trueLabel(row, labels: labels) ?? "", error(row) ?? ""]
            lines.append(fields.map(csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The browse export as a JSON array of objects with classify's fields plus `true_label` and `error`.
    public static func json(_ rows: [ClipRow], labels: [String]) throws -> String {
        let objects = rows.map { row -> [String: Any] in
            var object = labelFields(row.verdict?.probabilities, labels: labels)
            object["path"] = row.path
            object["status"] = status(row)
            if let verdict = row.verdict { object["duration"] = rounded(verdict.duration, 3) }
            if let truth = trueLabel(row, labels: labels) { object["true_label"] = truth }
            if let error = error(row) { object["error"] = error }
            return object
        }
        let data = try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private static func status(_ row: ClipRow) -> String {
        switch row.outcome {
        case .pending: "pending"
        case .classified(let verdict): verdict.status.rawValue
        case .failed: "error"
        }
    }

    private static func trueLabel(_ row: ClipRow, labels: [String]) -> String? {
        row.trueLabel.flatMap { labels.indices.contains($0) ? labels[$0] : nil }
    }

    private static func error(_ row: ClipRow) -> String? {
        if case .failed(_, let reason) = row.outcome { return reason }
        return nil
    }

    /// `value` with `digits` decimals.
    public static func number(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

    /// `value` rounded to `digits` decimals.
    public static func rounded(_ value: Double, _ digits: Int) -> Double {
        let scale = pow(10, Double(digits))
        return (value * scale).rounded() / scale
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    public static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
