import ArgumentParser
import EmoscopeAudio
import EmoscopeCore
import EmoscopeTraining
import EmoscopeTUI
import Foundation

/// `emoscope eval DIR`: the Review screen's metrics and matrix, printed.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Accuracy, UAR, macro-F1, per-class metrics and the confusion matrix of a labelled folder.",
        discussion: """
            DIR is a labelled corpus: RAVDESS file names, DIR/<label>/[<speaker>/]<file> folders, or a CSV \
            manifest (path,label[,speaker]); labels must be the model's. Files that cannot be read are \
            reported on stderr and left out, as are clips without speech or too short (counted in the \
            summary). Exit status 1 when no clip could be evaluated. UAR is the unweighted average recall.
            """)

    @Argument(help: "A labelled folder or CSV manifest.")
    var directory: String

    @OptionGroup var modelOptions: ModelOptions

    @Flag(help: "Print one JSON object (metrics, matrix and every clip's prediction) instead of text.")
    var json = false

    @Option(help: "Worker threads (default: the number of cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Scale every clip by this many dB before classifying (default 0).",
        discussion: "Shows how the model holds up at another recording level, e.g. --gain -12.", valueName: "dB"))
    var gain: Double = 0

    @OptionGroup(title: "Speaker adaptation")
    var adaptation: AdaptationOptions

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard gain.isFinite, abs(gain) <= 200 else { throw ValidationError("--gain must be within ±200 dB") }
    }

    func run() throws {
        let model = try modelOptions.load()
        var dataset: ReviewDataset
        do {
            dataset = try ReviewSource.loadCorpus(path: directory, labels: model.header.labels, modelName: modelOptions.displayName)
        } catch {
            printError("emoscope: \(error)")
            throw ExitCode(1)
        }
        let paths = dataset.clips.map(\.path)
        let normalizations = try adaptation.normalizations(paths: paths, groups: dataset.clips.map(\.adaptationGroup), model: model,
                                                           threads: threads, maximumDuration: ReviewEvaluator.maximumDuration)
        let outcomes = OutcomeList(count: dataset.clips.count)
        ReviewEvaluator(model: model, threads: threads, gainDB: gain).run(paths: paths, normalizations: normalizations) { outcomes.set($0, $1) }
        for (index, outcome) in outcomes.all.enumerated() {
            dataset.clips[index].outcome = outcome
            switch outcome {
            case .unreadable(let message): printError("emoscope: \(message)")
            case .declined(let status): printError("emoscope: \(dataset.clips[index].path): \(status), left out")
            case .pending, .classified: break
            }
        }
        let tally = OutcomeTally(dataset.clips)
        guard tally.classified > 0 else {
            printError("emoscope: no clip could be evaluated (\(tally.summary))")
            throw ExitCode(1)
        }
        let adapted = adaptation.description
        print(json ? try Self.json(dataset, model: modelOptions.displayName, gain: gain, adaptation: adapted)
                   : Self.text(dataset, model: modelOptions.displayName, gain: gain, adaptation: adapted))
    }

    /// The report as text: source, counts, metrics, the matrix and the per-class table.
    static func text(_ dataset: ReviewDataset, model: String, gain: Double = 0, adaptation: String? = nil) -> String {
        let matrix = dataset.matrix, metrics = EvaluationMetrics(matrix)
        let cellWidth = ReviewFormat.widestCell(matrix) + 2
        let matrixLines = ReviewFormat.matrixLines(matrix, mode: .counts, cellWidth: cellWidth)
        let tableLines = ReviewFormat.perClassLines(metrics, names: matrix.labels)
        return ([
            "source:   \(dataset.title)",
            "model:    \(model)",
        ] + (gain == 0 ? [] : [String(format: "gain:     %+g dB applied to every clip", gain)])
          + (adaptation.map { ["adapted:  \($0)"] } ?? []) + [
            "clips:    \(OutcomeTally(dataset.clips).summary)",
            "",
            ReviewFormat.headline(metrics),
            "",
            "confusion matrix (rows: true class, columns: predicted; counts):",
        ] + matrixLines + ["", "per class (precision, recall, F1, support):"] + tableLines
          + SpeakerReport.summaryLines(speakers(dataset))).joined(separator: "\n")
    }

    /// Each speaker's scores, for the clips that name their speaker (a manifest's column, a RAVDESS actor).
    static func speakers(_ dataset: ReviewDataset) -> [SpeakerReport] {
        SpeakerReport.rows(dataset.clips.compactMap { clip in clip.speaker.map { ($0, clip.fold, clip.truth, clip.predicted) } },
                           labels: dataset.labels)
    }

    /// The report as one JSON object.
    static func json(_ dataset: ReviewDataset, model: String, gain: Double = 0, adaptation: String? = nil) throws -> String {
        let matrix = dataset.matrix, metrics = EvaluationMetrics(matrix), tally = OutcomeTally(dataset.clips)
        let perSpeaker = speakers(dataset)
        let report = EvalReport(
            source: dataset.title, model: model, gainDB: gain, adaptation: adaptation, labels: dataset.labels, clips: tally.total, classified: tally.classified,
            declined: tally.declined, unreadable: tally.unreadable, accuracy: metrics.accuracy,
            unweightedAverageRecall: metrics.unweightedAverageRecall, macroF1: metrics.macroF1, perClass: metrics.perClass,
            confusion: matrix.counts, speakers: perSpeaker.isEmpty ? nil : perSpeaker,
            predictions: dataset.clips.map { clip in
                EvalReport.Prediction(path: clip.path, truth: dataset.labels[clip.truth], predicted: clip.predicted.map { dataset.labels[$0] },
                                      confidence: clip.confidence, status: clip.outcome.status)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }
}

/// What `emoscope eval --json` prints.
struct EvalReport: Encodable {
    struct Prediction: Encodable {
        var path: String
        var truth: String
        var predicted: String?
        var confidence: Float?
        /// classified, no-speech, too-short or unreadable.
        var status: String
    }

    var source: String
    var model: String
    /// The gain applied to every clip before classifying (`--gain`), dB.
    var gainDB: Double
    /// How each speaker's clips were standardised with that speaker's statistics (`--adapt`); absent: not adapted.
    var adaptation: String?
    var labels: [String]
    var clips, classified, declined, unreadable: Int
    var accuracy, unweightedAverageRecall, macroF1: Double
    var perClass: [ClassMetrics]
    /// `confusion[truth][predicted]`, in label order.
    var confusion: [[Int]]
    /// Each speaker's scores; absent when the clips name no speakers.
    var speakers: [SpeakerReport]?
    var predictions: [Prediction]
}

extension ReviewOutcome {
    /// The status word of an outcome, as `emoscope classify` prints it.
    var status: String {
        switch self {
        case .pending: "pending"
        case .classified: "classified"
        case .declined(let status): status
        case .unreadable: "unreadable"
        }
    }
}

/// Outcomes written by worker threads at their clip's index.
final class OutcomeList: @unchecked Sendable {
    private let lock = NSLock()
    private var outcomes: [ReviewOutcome]

    init(count: Int) { outcomes = Array(repeating: .pending, count: count) }

    func set(_ index: Int, _ outcome: ReviewOutcome) { lock.withLock { outcomes[index] = outcome } }

    var all: [ReviewOutcome] { lock.withLock { outcomes } }
}
