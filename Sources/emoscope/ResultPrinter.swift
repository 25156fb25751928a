import EmoscopeCore
import EmoscopeTUI
import Foundation

/// Prints classification results in one of `classify`'s formats.
final class ResultPrinter {
    let format: ClassifyCommand.Format
    let labels: [String]
    let segments: Bool
    private var first = true

    init(format: ClassifyCommand.Format, labels: [String], segments: Bool) {
        self.format = format
        self.labels = labels
        self.segments = segments
    }

    func begin() {
        // Column widths of wide characters (CJK, emoji) in file names follow the user's locale.
        if format == .table { setlocale(LC_CTYPE, "") }
        switch format {
        case .csv:
            let lead = segments ? ["path", "status", "segment", "start", "end", "speech"] : ["path", "duration", "status"]
            emit((lead + ["label", "confidence"] + labels).map(Self.csvField).joined(separator: ","))
        case .json:
            emit("[", terminator: "")
        case .table:
            let header = Self.pad("file", 44) + Self.pad("label", 11) + Self.pad("conf", 6) + labels.map { Self.pad(String($0.prefix(5)), 6) }.joined()
            emit(header.trimmingCharacters(in: .whitespaces))
        case .jsonl:
            break
        }
    }

    func print(_ result: ClipResult) {
        let c = result.classification
        switch format {
        case .csv:
            if segments {
                for (index, segment) in c.segments.enumerated() {
                    emit(([result.path, c.status.rawValue, "\(index)", Self.number(segment.start, 3), Self.number(segment.end, 3),
                           Self.number(segment.speechRatio, 3)] + labelColumns(segment.probabilities)).map(Self.csvField).joined(separator: ","))
                }
                if c.segments.isEmpty {  // too short, or no speech: a row all the same, so that no file goes missing
                    emit(([result.path, c.status.rawValue, "", "", "", ""] + labelColumns(nil)).map(Self.csvField).joined(separator: ","))
                }
            } else {
                emit(([result.path, Self.number(c.duration, 3), c.status.rawValue] + labelColumns(c.probabilities))
                    .map(Self.csvField).joined(separator: ","))
            }
        case .json, .jsonl:
            let object = jsonObject(result)
            let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            let text = String(decoding: data, as: UTF8.self)
            if format == .json {
                emit((first ? "\n  " : ",\n  ") + text, terminator: "")
            } else {
                emit(text)
            }
        case .table:
            var line = Self.pad(Self.shorten(result.path, 43), 44)
            if let p = c.probabilities, let top = c.topIndex {
                line += Self.pad(labels[top], 11) + Self.pad(Self.number(Double(p[top]), 2), 6)
                line += p.map { Self.pad(Self.number(Double($0), 2), 6) }.joined()
            } else {
                line += c.status.rawValue
            }
            emit(line.trimmingCharacters(in: .whitespaces))
            if segments {
                for segment in c.segments {
                    var row = "    \(Self.number(segment.start, 2))–\(Self.number(segment.end, 2)) s  speech \(Int((segment.speechRatio * 100).rounded()))%"
                    if let p = segment.probabilities, let top = p.indices.max(by: { p[$0] < p[$1] }) {
                        row += "  \(labels[top]) \(Self.number(Double(p[top]), 2))"
                    } else {
                        row += "  no speech"
                    }
                    emit(row)
                }
            }
        }
        first = false
    }

    func end() {
        if format == .json { emit(first ? "]" : "\n]") }
    }

    /// label, confidence, then one probability per class (empty when not classified).
    private func labelColumns(_ probabilities: [Float]?) -> [String] {
        ClipTable.labelColumns(probabilities, labels: labels)
    }

    private func jsonObject(_ result: ClipResult) -> [String: Any] {
        let c = result.classification
        var object = ClipTable.labelFields(c.probabilities, labels: labels)
        object["path"] = result.path
        object["duration"] = Self.rounded(c.duration, 3)
        object["status"] = c.status.rawValue
        if segments {
            object["segments"] = c.segments.map { segment -> [String: Any] in
                var s: [String: Any] = ["start": Self.rounded(segment.start, 3), "end": Self.rounded(segment.end, 3),
                                        "speech": Self.rounded(segment.speechRatio, 3)]
                if let p = segment.probabilities { s["probabilities"] = ClipTable.probabilityObject(p, labels: labels) }
                return s
            }
        }
        return object
    }

    private func emit(_ text: String, terminator: String = "\n") {
        FileHandle.standardOutput.write(Data((text + terminator).utf8))
    }

    static func number(_ value: Double, _ digits: Int) -> String { ClipTable.number(value, digits) }
    static func rounded(_ value: Double, _ digits: Int) -> Double { ClipTable.rounded(value, digits) }
    static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(1, width - DisplayWidth.of(text)))
    }
    static func shorten(_ path: String, _ width: Int) -> String { path.leftTruncated(to: width) }
    static func csvField(_ text: String) -> String { ClipTable.csvField(text) }
}
