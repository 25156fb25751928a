import ArgumentParser
import EmoscopeAudio
import EmoscopeCore
import EmoscopeTraining
import Foundation

/// Set by SIGINT/SIGTERM; the trainer stops at the next batch and keeps its last checkpoint.
nonisolated(unsafe) var stopRequested: sig_atomic_t = 0

@main
struct EmoscopeTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emoscope-train",
        abstract: "Train Emoscope's emotion model and evaluate it on speakers it has never heard.",
        discussion: """
            CORPUS is a folder of RAVDESS clips (03-01-EE-II-SS-RR-AA.wav|flac), a folder per \
            label (DIR/<label>/[<speaker>/]*.wav), or a CSV manifest (path,label[,speaker]). \
            Cross-validation folds are grouped by speaker, so no speaker is ever in both \
            training and test (for RAVDESS with 6 folds, fold k tests actors 4k+1…4k+4); each \
            fold's temperature is fitted on the other folds' out-of-fold predictions, and early \
            stopping (with --validation-fraction > 0) uses validation speakers drawn from the \
            training speakers only. --split random holds out a random 20 % instead, with \
            speakers shared, and every output says so. After the folds, a final fit on all \
            clips writes the model. Ctrl-C stops at the next batch and keeps a checkpoint: run \
            the same command with --resume to continue.
            """,
        version: EmoscopeVersion.string)

    enum Split: String, ExpressibleByArgument { case speaker, random }

    @Argument(help: "The labelled corpus.")
    var corpus: String

    @Option(help: "Corpus format: ravdess, folders or manifest (default: detected).")
    var format: CorpusFormat?

    @Option(help: "Comma-separated class labels (default: the eight RAVDESS emotions).")
    var labels: String?

    @Option(help: "Number of speaker-grouped folds (default: 6).")
    var folds: Int?

    @Option(help: "speaker (speaker-independent folds) or random (one 80/20 split, speakers shared).")
    var split: Split = .speaker

    @OptionGroup(title: "Training recipe")
    var recipe: RecipeOptions

    @Option(help: "Worker threads.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .shortAndLong, help: "Model file to write.")
    var output = "emoscope.emomodel"

    @Option(help: "JSON report to write (default: OUTPUT with .report.json).")
    var report: String?

    @Option(help: ArgumentHelp(
        "Also write each fold's model to DIR/fold-K.emomodel, to study it on its own test speakers.",
        discussion: """
            Uncalibrated (temperature 1 without validation speakers): try `emoscope eval` with --model \
            DIR/fold-K.emomodel on that fold's test speakers. Folds finished before an interruption are not written again.
            """, valueName: "DIR"))
    var foldModels: String?

    @Flag(help: "Continue an interrupted run from its checkpoint (OUTPUT.checkpoint).")
    var resume = false

    @Flag(help: "Only evaluate (cross-validate or split): skip the final fit, write the report but no model.")
    var evaluateOnly = false

    func validate() throws {
        if let folds, folds < 2 { throw ValidationError("--folds must be at least 2") }
        if split == .random && folds != nil { throw ValidationError("--folds does not apply to --split random (one 80/20 split)") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    var foldCount: Int { folds ?? 6 }
    var reportPath: String { report ?? (output.hasSuffix(".emomodel") ? String(output.dropLast(9)) : output) + ".report.json" }
    var summaryPath: String { (reportPath.hasSuffix(".json") ? String(reportPath.dropLast(5)) : reportPath) + ".txt" }
    var checkpointPath: String { output + ".checkpoint" }

    /// Every file the run writes, so that a bad path fails before the training rather than after it.
    var outputPaths: [String] { [checkpointPath, reportPath, summaryPath] + (evaluateOnly ? [] : [output]) }

    /// Why one of `outputPaths` could not be written, if one could not.
    func outputFolderProblem() -> String? {
        func isFolder(_ path: String) -> Bool? {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) ? isDirectory.boolValue : nil
        }
        for path in outputPaths {
            guard !path.hasSuffix("/"), isFolder(path) != true else { return "\(path) is a folder: name a file" }
            let parent = PathText.folder(of: path)
            let folder = parent.isEmpty ? "." : parent
            switch isFolder(folder) {
            case nil: return "\(path): the folder \(folder) does not exist"
            case false?: return "\(path): \(folder) is not a folder"
            case true?: break
            }
            guard access(folder, W_OK) == 0 else { return "\(path): the folder \(folder) is not writable" }
        }
        return nil
    }

    func run() throws {
        if let problem = outputFolderProblem() {
            printError("emoscope-train: \(problem)")
            throw ExitCode(2)
        }
        if let foldModels {
            do {
                try FileManager.default.createDirectory(atPath: foldModels, withIntermediateDirectories: true)
            } catch {
                printError("emoscope-train: --fold-models \(foldModels): cannot create the folder (\(error.localizedDescription))")
                throw ExitCode(2)
            }
        }
        let labelList = labels.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
        let loaded: LabelledCorpus
        let corpusFormat: CorpusFormat
        do {
            corpusFormat = try format ?? CorpusLoader.detectFormat(corpus)
            loaded = try CorpusLoader.load(corpus, format: corpusFormat, labels: labelList)
        } catch {
            let hint = if case .unknownLabel = error as? CorpusError { " (--labels names the classes, comma-separated)" } else { "" }
            printError("emoscope-train: \(error)\(hint)")
            throw ExitCode(2)
        }
        let configuration = try recipe.configuration(labels: loaded.labels.count)
        if let problem = Self.trainingProblem(loaded, format: corpusFormat, configuration: configuration) {
            printError("emoscope-train: \(problem)")
            throw ExitCode(2)
        }

        let plannedFolds: [Fold]
        let protocolDescription: String
        let splitProtocol: SplitProtocol
        do {
            switch split {
            case .speaker:
                plannedFolds = try FoldPlanner.speakerFolds(loaded, k: foldCount)
                splitProtocol = .speakerIndependent
                let stopping = configuration.validationFraction > 0
                    ? "early stopping on validation speakers drawn from each fold's training speakers"
                    : "a fixed number of epochs, no validation speakers"
                protocolDescription = "speaker-independent \(foldCount)-fold cross-validation (folds by speaker; \(stopping); "
                    + "each fold's temperature fitted on the other folds' out-of-fold predictions"
                    + (configuration.speakerAdaptation.map { "; \($0))" } ?? ")")
            case .random:
                plannedFolds = [FoldPlanner.randomSplit(loaded, testFraction: 0.2, seed: configuration.seed)]
                splitProtocol = .random
                protocolDescription = "RANDOM 80/20 split (speakers shared between training and test: not speaker-independent)"
            }
        } catch {
            printError("emoscope-train: \(error)")
            throw ExitCode(2)
        }

        let checkpoint: TrainingCheckpoint?
        switch checkpointToResume(configuration: configuration, split: splitProtocol,
                                  fingerprint: CrossValidation.fingerprint(loaded, folds: plannedFolds)) {
        case .success(let saved): checkpoint = saved
        case .failure(let problem):
            printError("emoscope-train: \(problem.reason)")
            throw ExitCode(2)
        }

        let console = ProgressConsole(runs: plannedFolds.count + 1, members: configuration.memberCount)
        console.line("\(loaded.description); \(protocolDescription)")
        console.line("decoding \(loaded.clips.count) clips on \(threads) threads…")
        let header = configuration.header(labels: loaded.labels, normalization: .init(mean: [], standardDeviation: []),
                                          provenance: .init(corpus: "", evaluationProtocol: "", metrics: [:], date: "", seed: 0, codeRevision: ""))
        let clips: [PreparedClip]
        do {
            clips = try CorpusPreparation.prepare(loaded, features: configuration.features, minimumSamples: header.minimumSamples, threads: threads)
        } catch {
            printError("emoscope-train: \(error) — fix or remove that clip (or leave it out of a manifest) and run again")
            throw ExitCode(2)
        }

        let date = ISO8601DateFormatter().string(from: Date())
        let revision = ProcessInfo.processInfo.environment["EMOSCOPE_REVISION"] ?? "unknown"
        let crossValidation = CrossValidation(configuration: configuration, corpus: loaded, clips: clips, folds: plannedFolds, split: splitProtocol,
                                              protocolDescription: protocolDescription, threads: threads, codeRevision: revision, date: date)
        crossValidation.log = { console.line($0) }
        crossValidation.progress = { run, runs, epochs, record in console.epoch(run: run, epochs: epochs, record: record) }
        if let foldModels {
            crossValidation.foldModel = { fold, model in try ModelStore.save(model, to: "\(foldModels)/fold-\(fold.index + 1).emomodel") }
        }

        signal(SIGINT) { _ in stopRequested = 1 }
        signal(SIGTERM) { _ in stopRequested = 1 }
        let outcome: (report: CrossValidationReport, model: EmotionModel?)?
        do {
            outcome = try crossValidation.run(resuming: checkpoint, checkpointPath: checkpointPath, finalFit: !evaluateOnly,
                                              shouldStop: { stopRequested != 0 })
        } catch {
            console.line("")
            printError("emoscope-train: \(error)")
            throw ExitCode.failure
        }
        guard let (result, model) = outcome else {
            console.line("interrupted: the checkpoint \(checkpointPath) holds every finished epoch; run the same command with --resume to continue")
            throw ExitCode(130)
        }

        if let model { try ModelStore.save(model, to: output) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(result)), to: reportPath)
        let summary = ReportSummary.text(result)
        try AtomicFile.write(summary, to: summaryPath)
        try? FileManager.default.removeItem(atPath: checkpointPath)
        console.line("")
        print(summary)
        console.line("wrote \(model == nil ? "" : output + ", ")\(reportPath), \(summaryPath)")
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

extension CorpusFormat: ExpressibleByArgument {}
