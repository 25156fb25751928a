import EmoscopeCore
import EmoscopeTraining
import Foundation

/// Why a review source cannot be shown; the message names the file.
public struct ReviewSourceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong, naming the file.
    public var message: String
    /// The message.
    public var description: String { message }

    /// An error saying `message`.
    public init(_ message: String) { self.message = message }
}

/// Reads what the Review screen shows: a cross-validation report, or a labelled folder (or CSV
/// manifest) whose clips are then classified.
public enum ReviewSource {
    /// Whether `path` names a JSON report rather than a labelled folder or manifest.
    public static func isReport(_ path: String) -> Bool {
        (path as NSString).pathExtension.lowercased() == "json"
    }

    /// Loads the report at `path`. Relative clip paths are resolved against `currentDirectory`, the
    /// report's folder and the folder above it (where `emoscope-train` ran when the report sits in `Assets/`).
    public static func loadReport(path: String, currentDirectory: String = FileManager.default.currentDirectoryPath)
        throws(ReviewSourceError) -> ReviewDataset {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReviewSourceError("\(path): \(FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")")
        }
        let report: CrossValidationReport
        do {
            report = try JSONDecoder().decode(CrossValidationReport.self, from: data)
        } catch {
            throw ReviewSourceError("\(path): not an emoscope-train report (\(describe(error)))")
        }
        let folder = PathText.folder(of: path.hasPrefix("/") ? path : currentDirectory + "/" + path)
        let bases = [currentDirectory, folder, folder + "/.."].map { ($0 as NSString).standardizingPath }
        return try dataset(from: report, reportPath: path, bases: bases)
    }

    /// The dataset of a decoded report; clip paths resolved against `bases` in order.
    public static func dataset(from report: CrossValidationReport, reportPath: String, bases: [String]) throws(ReviewSourceError) -> ReviewDataset {
        var clips: [ReviewClip] = []
        clips.reserveCapacity(report.predictions.count)
        for (number, prediction) in report.predictions.enumerated() {
            func fail(_ reason: String) -> ReviewSourceError { ReviewSourceError("\(reportPath): prediction \(number + 1) (\(prediction.path)): \(reason)") }
            guard let truth = report.labels.firstIndex(of: prediction.truth) else { throw fail("unknown true label \"\(prediction.truth)\"") }
            let outcome: ReviewOutcome
            if prediction.predicted == nil {
                outcome = .declined("not classified")
            } else if let probabilities = prediction.probabilities, probabilities.count == report.labels.count {
                outcome = .classified(probabilities)
            } else {
                throw fail("a prediction needs \(report.labels.count) probabilities")
            }
            let (resolved, exists) = resolve(prediction.path, bases: bases)
            clips.append(ReviewClip(path: prediction.path, resolvedPath: resolved, fileExists: exists, truth: truth,
                                    speaker: prediction.speaker, fold: prediction.fold, outcome: outcome))
        }
        let summary = FoldSummary(folds: report.folds.count, accuracy: report.accuracy,
                                  unweightedAverageRecall: report.unweightedAverageRecall, macroF1: report.macroF1)
        return ReviewDataset(labels: report.labels, title: "\(report.corpus), report \(reportPath)",
                             reviewProtocol: .crossValidation(speakerIndependent: report.split == .speakerIndependent,
                                                              description: report.protocolDescription),
                             clips: clips, foldSummary: report.folds.isEmpty ? nil : summary)
    }

    /// Loads a labelled folder or manifest over the model's `labels`; every clip is pending.
    public static func loadCorpus(path: String, labels: [String], modelName: String) throws(ReviewSourceError) -> ReviewDataset {
        let corpus: LabelledCorpus
        do {
            corpus = try CorpusLoader.load(path, labels: labels)
        } catch {
            throw ReviewSourceError(error.description)
        }
        let clips = corpus.clips.map { clip in
            ReviewClip(path: clip.path, truth: clip.label, speaker: clip.speaker.hasPrefix("file:") ? nil : clip.speaker)
        }
        return ReviewDataset(labels: corpus.labels, title: corpus.description, reviewProtocol: .labelledFolder(model: modelName), clips: clips)
    }

    /// The first of `bases`/`path` that exists (an absolute path as it is), and whether one did.
    static func resolve(_ path: String, bases: [String]) -> (path: String, exists: Bool) {
        guard !path.hasPrefix("/") else { return (path, FileManager.default.fileExists(atPath: path)) }
        let candidates = bases.map { (($0 as NSString).appendingPathComponent(path) as NSString).standardizingPath }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return (found, true) }
        return (candidates.first ?? path, false)
    }

    /// A decoding error in a few words: what is wrong and where.
    static func describe(_ error: any Error) -> String {
        func at(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "" : " at " + path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context): return "missing \"\(key.stringValue)\"\(at(context.codingPath))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "unexpected value\(at(context.codingPath))"
        case .dataCorrupted(let context): return context.debugDescription + at(context.codingPath)
        default: return "\(error)"
        }
    }
}
