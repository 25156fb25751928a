import Foundation

extension BrowseState {
    /// Handles a key; nil when the screen has no use for it (the shell may).
    public mutating func handle(key: Key) -> [BrowseAction]? {
        var actions: [BrowseAction]?
        switch (mode, key) {
        case (.list, _): actions = listKey(key)
        case (.exporting(let text), .tab):
            mode = .exporting(Self.switchingFormat(text))
            actions = []
        case (.searching(let text), _), (.opening(let text), _), (.exporting(let text), _):
            actions = []
            guard let committed = edit(text, key: key) else { break }
            switch mode {
            case .searching:
                setFilter(RowFilter(predicted: filter.predicted, truth: filter.truth, outcome: filter.outcome, search: committed))
            case .opening where !committed.isEmpty:
                actions = [.open(folder: committed)]
            case .exporting where !committed.isEmpty:
                actions = [.export(rows: visible.map { rows[$0] }, path: committed)]
            default: break
            }
            mode = .list
        }
        return actions.map { $0 + previewIfMoved() }
    }

    private mutating func listKey(_ key: Key) -> [BrowseAction]? {
        if let movement = key.movement {
            switch movement {
            case .up(let count): moveCursor(to: cursor - count)
            case .down(let count): moveCursor(to: cursor + count)
            case .pageUp: moveCursor(to: cursor - pageRows)
            case .pageDown: moveCursor(to: cursor + pageRows)
            case .top: moveCursor(to: 0)
            case .bottom: moveCursor(to: visible.count - 1)
            case .left, .right: return nil
            }
            return []
        }
        var changed = filter
        switch key {
        case .enter, .character("p"): return selectedRow == nil ? [] : [.togglePlayback]
        case .character("/"): mode = .searching(filter.search)
        case .character("o"): mode = .opening(folder ?? "")
        case .character("e"): mode = .exporting(defaultExportName)
        case .character("s"): setSort(SortOrder(column: sort.column.next, ascending: true))
        case .character("S"): setSort(SortOrder(column: sort.column, ascending: !sort.ascending))
        case .character("f"), .character("F"): changed.predicted = cycle(filter.predicted, count: labels.count, forward: key == .character("f"))
        case .character("t"), .character("T"): changed.truth = cycle(filter.truth, count: labels.count, forward: key == .character("t"))
        case .character("w"): changed.outcome = Self.nextOutcome(filter.outcome)
        case .character("x"): changed = RowFilter()
        case .escape:
            guard !filter.search.isEmpty else { return nil }
            changed.search = ""
        default: return nil
        }
        if changed != filter { setFilter(changed) }
        return []
    }

    /// Edits prompt text: printable keys type, Backspace deletes, Escape leaves the prompt.
    /// Returns the trimmed text when Enter commits it (the caller then leaves the prompt).
    private mutating func edit(_ text: String, key: Key) -> String? {
        var text = text
        switch key {
        case .character(let character): text.append(character)
        case .backspace: text = String(text.dropLast())
        case .escape:
            mode = .list
            return nil
        case .enter: return text.trimmingCharacters(in: .whitespaces)
        default: return nil
        }
        switch mode {
        case .searching: mode = .searching(text)
        case .opening: mode = .opening(text)
        case .exporting: mode = .exporting(text)
        case .list: break
        }
        return nil
    }

    /// The outcome filter after `current`: none → wrong → right → errors → none.
    static func nextOutcome(_ current: OutcomeFilter?) -> OutcomeFilter? {
        let all: [OutcomeFilter?] = [nil] + OutcomeFilter.allCases
        return all[(all.firstIndex(of: current)! + 1) % all.count]
    }

    /// The export file name offered: `emoscope-<folder>.csv` in the current directory.
    var defaultExportName: String {
        let base = folder.map { ($0 as NSString).lastPathComponent } ?? ""
        let safe = String(base.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        return "emoscope-\(safe.isEmpty ? "clips" : safe).csv"
    }

    /// `name.csv` ↔ `name.json` (other names get `.json`).
    static func switchingFormat(_ path: String) -> String {
        let ext = (path as NSString).pathExtension.lowercased()
        let stem = ext == "csv" || ext == "json" ? (path as NSString).deletingPathExtension : path
        return stem + (ext == "json" ? ".csv" : ".json")
    }
}
