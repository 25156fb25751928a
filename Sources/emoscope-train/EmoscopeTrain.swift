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

    @Option(help: "Number of speaker-grouped folds.")
    var folds = 6

    @Option(help: "speaker (speaker-independent folds) or random (one 80/20 split, speakers shared).")
    var split: Split = .speaker

    @Option(help: "Epochs per fold (early stopping may end sooner).")
    var epochs: Int?

    @Option(help: "Examples per batch.")
    var batchSize: Int?

    @Option(help: ArgumentHelp(
        "A JSON file with a network's layers, in the model file's own form (its header's architecture array).",
        discussion: """
            The last layer must give one value per label. Repeat it to train an ensemble of different networks \
            (see --ensemble). Default: the standard recipe's (see a report's configuration).
            """))
    var architecture: [String] = []

    @Option(help: "Peak learning rate.")
    var learningRate: Float?

    @Option(help: "AdamW's decoupled weight decay on weights (default 0.02).")
    var weightDecay: Float?

    @Option(help: "Label smoothing of the training targets, 0–1 (default 0.1).")
    var labelSmoothing: Float?

    @Option(help: ArgumentHelp(
        "Training augmentation: none, light, full, or parts joined by commas: crop, speed, gain, noise, specaugment.",
        discussion: """
            crop: random 80–100 % of the speech span; speed: 0.9–1.1 by resampling on 60 % of examples; gain: ±6 dB; \
            noise: white noise at 10–35 dB SNR on 40 %; specaugment: two masks of ≤ 8 bands and two of ≤ 20 frames. \
            crop=0.6, speed=0.05 and gain=3 set the shortest crop, the largest speed change and the gain range. \
            light = crop 90–100 %, gain, speed ±5 % on 30 %, specaugment; full = every part. \
            Default: the standard recipe's (see README for what each measured on RAVDESS).
            """))
    var augmentation: String?

    @Option(help: ArgumentHelp(
        "Output channels of each convolution block, comma-separated (e.g. 32,48,96,128).",
        discussion: "Default: the standard recipe's (32,48,96,128). The count must match the architecture's convolutions."))
    var convChannels: String?

    @Option(help: "With validation speakers (--validation-fraction > 0): stop a fold when validation UAR has not improved for this many epochs.")
    var patience: Int?

    @Option(help: ArgumentHelp(
        "Fraction of each fold's training speakers held out for early stopping (0: none, train all epochs).",
        discussion: "Default: the standard recipe's. Never drawn from the test speakers."))
    var validationFraction: Double?

    @Option(help: "Keep an exponential moving average of the weights with this decay per step (e.g. 0.995) and use it.")
    var weightAverage: Double?

    @Option(help: ArgumentHelp(
        "Networks trained per fold and for the final fit, each from its own seed; the model averages their logits.",
        discussion: """
            Default: one per --architecture (1 without). With fewer architectures than N they are used in turn. \
            Training and inference take about N times as long.
            """))
    var ensemble: Int?

    @Option(help: "Mixup: blend each training example with another of its batch, weight ~ Beta(α, α) (e.g. 0.4; default off).")
    var mixup: Double?

    @Option(help: ArgumentHelp(
        "Mel bands of the log-mel input (default 64).",
        discussion: "The architecture's convolutions and pooling must fit the new height (see --architecture)."))
    var melBands: Int?

    @Option(help: "FFT size of the analysis, samples (default 512; at least --window-length).")
    var fftSize: Int?

    @Option(help: "Hann window of the analysis, samples (default 400 = 25 ms at 16 kHz; longer resolves voice harmonics).")
    var windowLength: Int?

    @Flag(help: "Subtract each mel band's mean over the analysis window before standardising (per-utterance normalisation).")
    var windowMeanNormalization = false

    @Option(help: "Random seed (the same seed gives the same model).")
    var seed: UInt64 = 1

    @Option(help: "Worker threads.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .shortAndLong, help: "Model file to write.")
    var output = "emoscope.emomodel"

    @Option(help: "JSON report to write (default: OUTPUT with .report.json).")
    var report: String?

    @Flag(help: "Continue an interrupted run from its checkpoint (OUTPUT.checkpoint).")
    var resume = false

    @Flag(help: "Only evaluate (cross-validate or split): skip the final fit, write the report but no model.")
    var evaluateOnly = false

    func validate() throws {
        guard folds >= 2 else { throw ValidationError("--folds must be at least 2") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let patience, patience < 1 { throw ValidationError("--patience must be at least 1") }
        if let ensemble, !(1...ModelHeader.maximumMembers).contains(ensemble) {
            throw ValidationError("--ensemble must be 1…\(ModelHeader.maximumMembers)")
        }
        if architecture.count > ModelHeader.maximumMembers {
            throw ValidationError("at most \(ModelHeader.maximumMembers) --architecture files (one per ensemble member)")
        }
        if let weightDecay, !(weightDecay >= 0 && weightDecay.isFinite) { throw ValidationError("--weight-decay must be a non-negative number") }
        if let labelSmoothing, !(0..<1).contains(labelSmoothing) { throw ValidationError("--label-smoothing must be in [0, 1)") }
        if let mixup, !(mixup >= 0 && mixup.isFinite) { throw ValidationError("--mixup must be a non-negative number") }
        if let validationFraction, !(0..<1).contains(validationFraction) { throw ValidationError("--validation-fraction must be in [0, 1)") }
        if let weightAverage, !(0..<1).contains(weightAverage) { throw ValidationError("--weight-average must be in [0, 1)") }
        if let augmentation, AugmentationSettings(named: augmentation) == nil {
            throw ValidationError("--augmentation '\(augmentation)' is not none, light, full or parts joined by commas ("
                                  + AugmentationSettings.partNames.joined(separator: ", ") + "; crop=0–1, speed=0–0.5, gain=0–40 dB)")
        }
        if !architecture.isEmpty && convChannels != nil { throw ValidationError("--architecture and --conv-channels cannot be combined") }
        var features = FeatureSettings()
        if let melBands { features.melBands = melBands }
        if let fftSize { features.fftSize = fftSize }
        if let windowLength { features.windowLength = windowLength }
        do { try features.validate() } catch { throw ValidationError("\(error)") }
        if let convChannels {
            let standard = TrainingConfiguration.standard(labels: 2)
            guard standard.withConvolutionChannels(Self.channelList(convChannels)) != nil else {
                throw ValidationError("--conv-channels needs \(standard.convolutionChannels.count) positive counts joined by commas, got '\(convChannels)'")
            }
        }
    }

    static func channelList(_ text: String) -> [Int] {
        text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) ?? 0 }
    }

    var reportPath: String { report ?? (output.hasSuffix(".emomodel") ? String(output.dropLast(9)) : output) + ".report.json" }
    var summaryPath: String { (reportPath.hasSuffix(".json") ? String(reportPath.dropLast(5)) : reportPath) + ".txt" }
    var checkpointPath: String { output + ".checkpoint" }

    func run() throws {
        let labelList = labels.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        let loaded: LabelledCorpus
        do {
            loaded = try CorpusLoader.load(corpus, format: format, labels: labelList)
        } catch {
            printError("emoscope-train: \(error)")
            throw ExitCode(2)
        }
        var configuration = TrainingConfiguration.standard(labels: loaded.labels.count, seed: seed)
        if let epochs { configuration.epochs = epochs }
        if let batchSize { configuration.batchSize = batchSize }
        if let learningRate { configuration.peakLearningRate = learningRate }
        if let weightDecay { configuration.weightDecay = weightDecay }
        if let labelSmoothing { configuration.labelSmoothing = labelSmoothing }
        if let augmentation { configuration.augmentation = AugmentationSettings(named: augmentation)! }
        if let patience { configuration.patience = patience }
        if let mixup { configuration.mixupAlpha = mixup }
        if let validationFraction { configuration.validationFraction = validationFraction }
        if let weightAverage { configuration.weightAverageDecay = weightAverage > 0 ? weightAverage : nil }
        if windowMeanNormalization { configuration.subtractWindowMean = true }
        if let melBands { configuration.features.melBands = melBands }
        if let fftSize { configuration.features.fftSize = fftSize }
        if let windowLength { configuration.features.windowLength = windowLength }
        if let convChannels { configuration = configuration.withConvolutionChannels(Self.channelList(convChannels))! }
        var architectures = [configuration.architecture] + (configuration.ensemble ?? [])
        if !architecture.isEmpty {
            architectures = []
            for path in architecture {
                func failure(_ reason: String) -> ExitCode {
                    printError("emoscope-train: --architecture \(path): \(reason)")
                    return ExitCode(2)
                }
                guard let data = FileManager.default.contents(atPath: path) else { throw failure("cannot be read") }
                do { architectures.append(try JSONDecoder().decode([LayerSpec].self, from: data)) } catch {
                    throw failure("is not a JSON array of layers (\(error))")
                }
                do { _ = try configuration.withArchitecture(architectures.last!, labels: loaded.labels.count) } catch { throw failure("\(error)") }
            }
        }
        let members = ensemble ?? architectures.count
        configuration = try! configuration.withEnsemble((0..<members).map { architectures[$0 % architectures.count] }, labels: loaded.labels.count)

        let plannedFolds: [Fold]
        let protocolDescription: String
        let splitProtocol: SplitProtocol
        do {
            switch split {
            case .speaker:
                plannedFolds = try FoldPlanner.speakerFolds(loaded, k: folds)
                splitProtocol = .speakerIndependent
                let stopping = configuration.validationFraction > 0
                    ? "early stopping on validation speakers drawn from each fold's training speakers"
                    : "a fixed number of epochs, no validation speakers"
                protocolDescription = "speaker-independent \(folds)-fold cross-validation (folds by speaker; \(stopping); "
                    + "each fold's temperature fitted on the other folds' out-of-fold predictions)"
            case .random:
                plannedFolds = [FoldPlanner.randomSplit(loaded, testFraction: 0.2, seed: seed)]
                splitProtocol = .random
                protocolDescription = "RANDOM 80/20 split (speakers shared between training and test: not speaker-independent)"
            }
        } catch {
            printError("emoscope-train: \(error)")
            throw ExitCode(2)
        }

        var checkpoint: TrainingCheckpoint?
        if resume {
            guard let data = FileManager.default.contents(atPath: checkpointPath),
                  let saved = try? JSONDecoder().decode(TrainingCheckpoint.self, from: data) else {
                printError("emoscope-train: no readable checkpoint at \(checkpointPath) to resume from")
                throw ExitCode(2)
            }
            guard saved.configuration == configuration, saved.split == splitProtocol,
                  saved.corpusFingerprint == CrossValidation.fingerprint(loaded) else {
                printError("emoscope-train: \(checkpointPath) was written for another corpus or other settings; run without --resume to start over")
                throw ExitCode(2)
            }
            checkpoint = saved
        }

        let console = ProgressConsole(runs: plannedFolds.count + 1)
        console.line("\(loaded.description); \(protocolDescription)")
        console.line("decoding \(loaded.clips.count) clips on \(threads) threads…")
        let header = configuration.header(labels: loaded.labels, normalization: .init(mean: [], standardDeviation: []),
                                          provenance: .init(corpus: "", evaluationProtocol: "", metrics: [:], date: "", seed: 0, codeRevision: ""))
        let clips = try CorpusPreparation.prepare(loaded, features: configuration.features, minimumSamples: header.minimumSamples, threads: threads)

        let date = ISO8601DateFormatter().string(from: Date())
        let revision = ProcessInfo.processInfo.environment["EMOSCOPE_REVISION"] ?? "unknown"
        let crossValidation = CrossValidation(configuration: configuration, corpus: loaded, clips: clips, folds: plannedFolds, split: splitProtocol,
                                              protocolDescription: protocolDescription, threads: threads, codeRevision: revision, date: date)
        crossValidation.log = { console.line($0) }
        crossValidation.progress = { run, runs, epochs, record in console.epoch(run: run, epochs: epochs, record: record) }

        signal(SIGINT) { _ in stopRequested = 1 }
        signal(SIGTERM) { _ in stopRequested = 1 }
        guard let (result, model) = try crossValidation.run(resuming: checkpoint, checkpointPath: checkpointPath, finalFit: !evaluateOnly,
                                                             shouldStop: { stopRequested != 0 }) else {
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
