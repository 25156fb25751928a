import EmoscopeAudio
import EmoscopeCore
import Foundation

/// How a corpus is laid out on disk.
public enum CorpusFormat: String, CaseIterable, Sendable {
    /// RAVDESS file names (`03-01-EE-II-SS-RR-AA.wav|flac`) anywhere under a directory.
    case ravdess
    /// `DIR/<label>/<file>` or `DIR/<label>/<speaker>/<file>`.
    case folders
    /// A CSV file of `path,label[,speaker]` lines.
    case manifest
}

/// Reads labelled corpora; every problem is found here, before any training starts.
public enum CorpusLoader {
    /// Extensions (lower case) of the audio files the folders format picks up.
    public static var audioExtensions: Set<String> { AudioFileReader.audioExtensions }

    /// Loads `path` in `format`, or in the format `detectFormat` finds; `labels` fixes the class list.
    public static func load(_ path: String, format: CorpusFormat? = nil, labels: [String]? = nil) throws(CorpusError) -> LabelledCorpus {
        let chosen: CorpusFormat
        if let format { chosen = format } else { chosen = try detectFormat(path) }
        switch chosen {
        case .ravdess:
            if let labels, labels != ModelHeader.ravdessLabels {
                throw .invalidLabels(reason: "RAVDESS has fixed labels (\(ModelHeader.ravdessLabels.joined(separator: ", "))); "
                    + "give none, or use the folders or manifest format")
            }
            return try ravdess(directory: path)
        case .folders: return try folders(directory: path, labels: labels)
        case .manifest: return try manifest(path: path, labels: labels)
        }
    }

    /// The format of `path`: a file is a manifest; a directory holding RAVDESS-named files is RAVDESS; else folders.
    public static func detectFormat(_ path: String) throws(CorpusError) -> CorpusFormat {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(path: path, reason: "no such file or directory")
        }
        guard isDirectory.boolValue else { return .manifest }
        let files = try walk(directory: path)
        return files.contains { RavdessName.parse(($0 as NSString).lastPathComponent) != nil } ? .ravdess : .folders
    }

    // MARK: RAVDESS

    /// Every speech file named `03-01-EE-II-SS-RR-AA.(wav|flac)` under `directory`, recursively: label EE−1,
    /// speaker `Actor_AA`; sorted by path. Other files, and RAVDESS-like names with an emotion outside 01…08, are skipped
    /// (the description counts the audio files among them).
    public static func ravdess(directory: String) throws(CorpusError) -> LabelledCorpus {
        var clips: [LabelledClip] = []
        var leftOut = 0
        for relative in try walk(directory: directory) {
            guard let codes = RavdessName.parse((relative as NSString).lastPathComponent) else {
                if audioExtensions.contains((relative as NSString).pathExtension.lowercased()) { leftOut += 1 }
                continue
            }
            clips.append(LabelledClip(path: join(directory, relative), label: codes.emotion - 1, speaker: "Actor_\(codes.actor)"))
        }
        guard !clips.isEmpty else {
            throw .noClips(path: directory, hint: "expected RAVDESS speech files named 03-01-EE-II-SS-RR-AA.wav or .flac "
                + "(03 audio-only, 01 speech, EE emotion 01…08, AA actor), e.g. Actor_01/03-01-05-01-01-01-01.flac")
        }
        clips.sort { $0.path < $1.path }
        let corpus = LabelledCorpus(labels: ModelHeader.ravdessLabels, clips: clips, description: "")
        let others = leftOut == 0 ? "" : "; \(leftOut) other audio file\(leftOut == 1 ? "" : "s") left out: not RAVDESS speech names"
        return with(corpus, description: "RAVDESS speech (\(clips.count) clips, \(corpus.speakers.count) speakers\(others))")
    }

    /// The emotion a RAVDESS speech file name announces, as an index into `ModelHeader.ravdessLabels`; nil for other names.
    public static func ravdessLabel(fileName: String) -> Int? {
        RavdessName.parse(fileName).map { $0.emotion - 1 }
    }

    /// The intensity a RAVDESS speech file name announces: 0 normal, 1 strong; nil for other names.
    public static func ravdessIntensity(fileName: String) -> Int? {
        RavdessName.parse(fileName)?.intensity.map { $0 - 1 }
    }

    // MARK: Folders

    /// `DIR/<label>/<file>` or `DIR/<label>/<speaker>/…/<file>` (extensions in `audioExtensions`), sorted by path.
    ///
    /// The speaker is the first subfolder under the label folder; a file directly in its label folder is its own
    /// group (`file:<path relative to DIR>`). Labels: `labels` (a folder not in it is an error), else the RAVDESS
    /// labels if every folder is one of them, else the folder names sorted. Folders without audio are ignored.
    public static func folders(directory: String, labels: [String]? = nil) throws(CorpusError) -> LabelledCorpus {
        let files = try walk(directory: directory).filter { relative in
            relative.contains("/") && audioExtensions.contains((relative as NSString).pathExtension.lowercased())
        }
        guard !files.isEmpty else {
            throw .noClips(path: directory, hint: "expected DIR/<label>/<file> or DIR/<label>/<speaker>/<file> "
                + "with extension \(audioExtensions.sorted().joined(separator: ", "))")
        }
        let folderNames = Set(files.map { String($0.prefix { $0 != "/" }) }).sorted()
        let labelList: [String]
        if let labels {
            labelList = try validated(labels)
            if let unknown = folderNames.first(where: { !labelList.contains($0) }) {
                throw .unknownLabel(source: join(directory, unknown), line: nil, label: unknown, known: labelList)
            }
        } else if folderNames.allSatisfy(ModelHeader.ravdessLabels.contains) {
            labelList = ModelHeader.ravdessLabels
        } else if folderNames.count == 1 {
            throw .invalidLabels(reason: "\(join(directory, folderNames[0])) is the only label folder, and a classifier needs at least "
                + "two classes; if it holds the label folders, name it as the corpus")
        } else {
            labelList = folderNames
        }
        var perFile = 0
        let clips = files.map { relative -> LabelledClip in
            let parts = relative.split(separator: "/", omittingEmptySubsequences: true)
            let speaker: String
            if parts.count >= 3 {
                speaker = String(parts[1])
            } else {
                speaker = "file:\(relative)"
                perFile += 1
            }
            return LabelledClip(path: join(directory, relative), label: labelList.firstIndex(of: String(parts[0]))!, speaker: speaker)
        }.sorted { $0.path < $1.path }
        let corpus = LabelledCorpus(labels: labelList, clips: clips, description: "")
        let speakerCount = corpus.speakers.count - perFile
        let head = "folders at \(directory) (\(clips.count) clips, \(labelList.count) labels"
        let grouping = perFile == clips.count
            ? "; no speaker subfolders, so each file is its own group and folds are per file, not per speaker)"
            : perFile == 0 ? ", \(speakerCount) speakers from subfolders)"
            : ", \(speakerCount) speakers from subfolders; "
                + (perFile == 1 ? "1 file outside speaker subfolders is its own group)"
                    : "\(perFile) files outside speaker subfolders are each their own group)")
        return with(corpus, description: head + grouping)
    }

    // MARK: Manifest

    /// A CSV manifest of `path,label[,speaker]` lines: optional header (`path,label[,speaker]`), `#` comments and
    /// blank lines skipped, fields may be quoted (`"a,b.wav"`, `""` for a quote). Relative paths are relative to the
    /// manifest's folder. Labels: `labels`, else the RAVDESS labels. Without a speaker, a clip is its own group
    /// (`file:<resolved path>`). Every line is checked, and the first problem is thrown — or, given `skipped`, handed
    /// to it and the line left out (a viewer keeps what it can; a trainer must not). A manifest that cannot be read, or
    /// holds no usable line, always throws.
    public static func manifest(path: String, labels: [String]? = nil,
                                skipped: ((CorpusError) -> Void)? = nil) throws(CorpusError) -> LabelledCorpus {
        var labelList = ModelHeader.ravdessLabels
        if let labels { labelList = try validated(labels) }
        let text = try readText(path)
        let base = PathText.folder(of: path)
        var clips: [LabelledClip] = []
        var firstLine: [String: Int] = [:]
        var seenContent = false
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = first.dropFirst() }
        for (offset, rawLine) in lines.enumerated() {
            let number = offset + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            do throws(CorpusError) {
                let fields: [String]
                switch CSV.fields(line) {
                case .success(let parsed): fields = parsed
                case .failure(let problem): throw .malformedLine(manifest: path, line: number, reason: problem.reason)
                }
                let isFirstContent = !seenContent
                seenContent = true
                if isFirstContent, fields.first?.lowercased() == "path" {
                    let header = fields.map { $0.lowercased() }
                    guard header == ["path", "label"] || header == ["path", "label", "speaker"] else {
                        throw .malformedLine(manifest: path, line: number,
                                             reason: "header must be path,label or path,label,speaker, not \(fields.joined(separator: ","))")
                    }
                    continue
                }
                let clip = try manifestClip(fields, line: number, manifest: path, base: base, labels: labelList)
                // The same file however it is spelled (`a.wav`, `x/../a.wav`, an absolute path, a link).
                let file = URL(fileURLWithPath: clip.path).standardizedFileURL.resolvingSymlinksInPath().path
                if let earlier = firstLine[file] {
                    throw .duplicateClip(manifest: path, line: number, path: clip.path, firstLine: earlier)
                }
                firstLine[file] = number
                clips.append(clip)
            } catch {
                guard let skipped else { throw error }
                skipped(error)
            }
        }
        guard !clips.isEmpty else {
            throw .noClips(path: path, hint: "expected lines path,label[,speaker], an optional header line "
                + "path,label[,speaker], # comments and blank lines")
        }
        let corpus = LabelledCorpus(labels: labelList, clips: clips, description: "")
        let perFile = clips.count(where: { $0.speaker.hasPrefix("file:") })
        let speakerCount = corpus.speakers.count - perFile
        let grouping = perFile == clips.count
            ? "; no speaker column, so each file is its own group and folds are per file, not per speaker)"
            : perFile == 0 ? ", \(speakerCount) speakers)"
            : ", \(speakerCount) speakers; "
                + (perFile == 1 ? "1 clip without a speaker is its own group)" : "\(perFile) clips without a speaker are each their own group)")
        return with(corpus, description: "manifest \(path) (\(clips.count) clips" + grouping)
    }

    /// One manifest line's clip from its `path,label[,speaker]` fields (the path resolved against `base`, which must be a file).
    private static func manifestClip(_ fields: [String], line number: Int, manifest path: String, base: String,
                                     labels: [String]) throws(CorpusError) -> LabelledClip {
        guard fields.count >= 2 else {
            throw .malformedLine(manifest: path, line: number, reason: "expected path,label[,speaker] but found 1 field")
        }
        guard fields.count <= 3 else {
            throw .malformedLine(manifest: path, line: number,
                                 reason: "expected path,label[,speaker] but found \(fields.count) fields (quote paths that hold commas)")
        }
        guard !fields[0].isEmpty else { throw .malformedLine(manifest: path, line: number, reason: "empty path") }
        guard !fields[1].isEmpty else { throw .malformedLine(manifest: path, line: number, reason: "empty label") }
        guard let label = labels.firstIndex(of: fields[1]) else {
            throw .unknownLabel(source: path, line: number, label: fields[1], known: labels)
        }
        let resolved = resolve(fields[0], against: base)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory) else {
            throw .missingFile(manifest: path, line: number, path: resolved)
        }
        guard !isDirectory.boolValue else {
            throw .malformedLine(manifest: path, line: number, reason: "\(resolved) is a directory, not an audio file")
        }
        guard fields.count == 3 else { return LabelledClip(path: resolved, label: label, speaker: "file:\(resolved)") }
        guard !fields[2].isEmpty else {
            throw .malformedLine(manifest: path, line: number, reason: "empty speaker (leave the column out to make each file its own group)")
        }
        return LabelledClip(path: resolved, label: label, speaker: fields[2])
    }

    // MARK: Helpers

    /// Whether `path` is a folder (not a link to one: walks do not follow links) that this user cannot
    /// list or enter — one `FileManager`'s walk would skip without a word.
    public static func isUnenterableFolder(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeDirectory
            && access(path, R_OK | X_OK) != 0
    }

    /// Relative paths of the files under `directory` (recursively, hidden entries skipped), unsorted.
    /// `directory` may be a symbolic link to the folder (links below it are not followed).
    private static func walk(directory: String) throws(CorpusError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw .unreadable(path: directory, reason: "no such directory")
        }
        guard isDirectory.boolValue else { throw .notADirectory(path: directory) }
        guard access(directory, R_OK | X_OK) == 0 else { throw .unreadable(path: directory, reason: "permission denied") }
        guard let walker = FileManager.default.enumerator(atPath: URL(fileURLWithPath: directory).resolvingSymlinksInPath().path) else {
            throw .unreadable(path: directory, reason: "cannot list the directory")
        }
        var files: [String] = []
        while let relative = walker.nextObject() as? String {
            if (relative as NSString).lastPathComponent.hasPrefix(".") {
                walker.skipDescendants()
                continue
            }
            var entryIsDirectory: ObjCBool = false
            let full = join(directory, relative)
            guard FileManager.default.fileExists(atPath: full, isDirectory: &entryIsDirectory) else { continue }
            guard !entryIsDirectory.boolValue else {
                // FileManager skips a folder it cannot enter without a word; a corpus missing one is not the corpus.
                guard !isUnenterableFolder(full) else { throw .unreadable(path: full, reason: "permission denied") }
                continue
            }
            files.append(relative)
        }
        return files
    }

    /// The manifest's text, or why it cannot be had.
    private static func readText(_ path: String) throws(CorpusError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw .unreadable(path: path, reason: "a directory, not a manifest file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "permission denied or I/O error")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .unreadable(path: path, reason: "not UTF-8 text") }
        return text
    }

    /// The label list checked: at least two, no empty or repeated names.
    private static func validated(_ labels: [String]) throws(CorpusError) -> [String] {
        guard !labels.isEmpty else { throw .invalidLabels(reason: "the list is empty") }
        guard !labels.contains("") else { throw .invalidLabels(reason: "a label is empty") }
        guard labels.count >= 2 else { throw .invalidLabels(reason: "\(labels[0]) alone: a classifier needs at least two classes") }
        var seen: Set<String> = []
        for label in labels where !seen.insert(label).inserted {
            throw .invalidLabels(reason: "\"\(label)\" appears twice")
        }
        return labels
    }

    /// `relative` inside `directory`.
    private static func join(_ directory: String, _ relative: String) -> String {
        (directory as NSString).appendingPathComponent(relative)
    }

    /// A manifest path made absolute-or-relative-to-cwd, with `.` and empty components removed (`..` kept).
    private static func resolve(_ path: String, against base: String) -> String {
        let joined = path.hasPrefix("/") || base.isEmpty ? path : base + "/" + path
        let parts = joined.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        let body = parts.joined(separator: "/")
        return joined.hasPrefix("/") ? "/" + body : (body.isEmpty ? "." : body)
    }

    private static func with(_ corpus: LabelledCorpus, description: String) -> LabelledCorpus {
        var corpus = corpus
        corpus.description = description
        return corpus
    }
}

/// The codes in a RAVDESS speech file name.
enum RavdessName {
    /// `(emotion 1…8, intensity 1 normal or 2 strong (nil for another code), actor "AA")` for
    /// `03-01-EE-II-SS-RR-AA.wav|flac` (extension in any case), else nil.
    static func parse(_ name: String) -> (emotion: Int, intensity: Int?, actor: String)? {
        let ext = (name as NSString).pathExtension.lowercased()
        guard ext == "wav" || ext == "flac" else { return nil }
        let codes = (name as NSString).deletingPathExtension.split(separator: "-", omittingEmptySubsequences: false)
        guard codes.count == 7, codes.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              codes[0] == "03", codes[1] == "01", let emotion = Int(codes[2]), (1...8).contains(emotion) else { return nil }
        let intensity = Int(codes[3]).flatMap { (1...2).contains($0) ? $0 : nil }
        return (emotion, intensity, String(codes[6]))
    }
}

/// Splitting one CSV line into fields.
enum CSV {
    struct Problem: Error { let reason: String }

    /// The fields of `line`: comma-separated, surrounding spaces trimmed, `"…"` quoting with `""` for a quote.
    static func fields(_ line: String) -> Result<[String], Problem> {
        let characters = Array(line)
        var fields: [String] = []
        var i = 0
        while true {
            while i < characters.count, characters[i] == " " || characters[i] == "\t" { i += 1 }
            var field = ""
            if i < characters.count, characters[i] == "\"" {
                i += 1
                var closed = false
                while i < characters.count {
                    if characters[i] == "\"" {
                        if i + 1 < characters.count, characters[i + 1] == "\"" { field.append("\""); i += 2; continue }
                        closed = true
                        i += 1
                        break
                    }
                    field.append(characters[i])
                    i += 1
                }
                guard closed else { return .failure(Problem(reason: "unterminated quote in field \(fields.count + 1)")) }
                while i < characters.count, characters[i] == " " || characters[i] == "\t" { i += 1 }
                guard i == characters.count || characters[i] == "," else {
                    return .failure(Problem(reason: "unexpected text after the closing quote of field \(fields.count + 1)"))
                }
            } else {
                while i < characters.count, characters[i] != "," {
                    if characters[i] == "\"" {
                        return .failure(Problem(reason: "a quote inside unquoted field \(fields.count + 1) (quote the whole field)"))
                    }
                    field.append(characters[i])
                    i += 1
                }
                field = field.trimmingCharacters(in: .whitespaces)
            }
            fields.append(field)
            if i == characters.count { return .success(fields) }
            i += 1  // the comma
        }
    }
}
