import ArgumentParser
import EmoscopeCore
import EmoscopeTraining
import Foundation

/// The options that shape a training run (network, schedule, augmentation, features, seed),
/// each defaulting to the standard recipe, and their assembly into a `TrainingConfiguration`.
struct RecipeOptions: ParsableArguments {
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
        "Training augmentation: none, light, full, or parts joined by commas: crop, speed, gain, noise, specaugment, timemask, vtlp, tempo, freqmix, mixstyle, samelabel, eq.",
        discussion: """
            crop: random 80–100 % of the speech span; speed: 0.9–1.1 by resampling on 60 % of examples; gain: ±6 dB; \
            noise: white noise at 10–35 dB SNR on 40 %; specaugment: two masks of ≤ 8 bands and two of ≤ 20 frames; \
            timemask: the two frame masks alone; \
            vtlp: the frequency axis stretched by 0.9–1.1 (vocal-tract-length perturbation); tempo: the time axis \
            stretched by 0.9–1.1 (pitch kept); freqmix: on 40 % of examples each band's mean and spread over time \
            blended with another example's (frequency-wise MixStyle); mixstyle: the same for each channel after the \
            first convolution block, on 50 %; samelabel: both pair an example with one of the same label and another \
            speaker (else any of its batch); eq: a random piecewise-linear equaliser of ±12 dB over the bands, as \
            another microphone would add (FilterAugment). crop=0.6, speed=0.05, gain=3, eq=6, vtlp=0.05, tempo=0.05, \
            freqmix=0.6 and mixstyle=0.3 set the shortest crop, the largest speed change, the gain ranges, the largest \
            stretches and the mixing probabilities. \
            light = crop 90–100 %, gain, speed ±5 % on 30 %, specaugment; full = every part. \
            Default: the standard recipe's, crop,vtlp=0.05 (see README for what each measured on RAVDESS).
            """))
    var augmentation: String?

    @Option(help: ArgumentHelp(
        "Output channels of each CNN convolution block, comma-separated (e.g. 32,48,96,128).",
        discussion: "Default: the standard recipe's (32,48,96,128), for both CNNs; the time-delay network keeps its own widths."))
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

    @Option(help: ArgumentHelp(
        "Train a linear classifier of the training speakers on the pooled embedding, and the network to leave it guessing, with weight up to λ (e.g. 0.1; default off).",
        discussion: "Domain-adversarial training with a confusion loss: the network's extra loss is the cross-entropy of the classifier's answer against the uniform distribution, its weight ramped from 0 to λ over training, so the network learns to pool what says less about who is speaking. The speaker classifier is not part of the model file.",
        valueName: "λ"))
    var speakerAdversary: Double?

    @Option(help: ArgumentHelp(
        "Train a linear classifier of RAVDESS's intensity (normal or strong) on the pooled embedding, and the network to help it, with weight λ (e.g. 0.3; default off).",
        discussion: "Multi-task learning: the intensity comes from each clip's RAVDESS file name (03-01-EE-II-…); clips named otherwise do not count. The classifier is not part of the model file.",
        valueName: "λ"))
    var intensityHead: Double?

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

    @Flag(help: ArgumentHelp(
        "Standardise each clip with its own speaker's statistics (all of that speaker's clips, labels unused): speaker adaptation.",
        discussion: "Transductive: the test speakers' unlabelled clips are used, and reports say SPEAKER-ADAPTED. The model file says it was trained so: the app then standardises a speaker's clips with that speaker's statistics where it has them (emoscope classify/eval --adapt, the live meter), the training clips' otherwise."))
    var speakerNormalization = false

    @Option(help: ArgumentHelp("With --speaker-normalization: take each speaker's statistics from N of its clips, drawn with the seed (default: all).",
                               valueName: "N"))
    var speakerStatisticsClips: Int?

    @Flag(help: ArgumentHelp(
        "With --speaker-normalization: train each example on the statistics of a random number of its speaker's clips.",
        discussion: "None on a quarter of examples (the training clips' statistics), else 1 to all of them, log-uniform, blended with the training clips' statistics as the app blends them (10 s of speech): a model for a voice heard for seconds as well as for minutes. Tests still use each test speaker's full statistics."))
    var variedAdaptation = false

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Subtract each analysis window's speech level before standardising, so the input does not depend on recording gain.",
        discussion: "Default: the standard recipe's, on (see README for what it measured on RAVDESS)."))
    var levelNormalization: Bool?

    @Option(help: "Random seed (the same seed gives the same model).")
    var seed: UInt64 = 1

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let patience, patience < 1 { throw ValidationError("--patience must be at least 1") }
        if let ensemble, !(1...ModelHeader.maximumMembers).contains(ensemble) {
            throw ValidationError("--ensemble must be 1…\(ModelHeader.maximumMembers)")
        }
        if architecture.count > ModelHeader.maximumMembers {
            throw ValidationError("at most \(ModelHeader.maximumMembers) --architecture files (one per ensemble member)")
        }
        if let learningRate, !(learningRate > 0 && learningRate.isFinite) { throw ValidationError("--learning-rate must be a positive number") }
        if let weightDecay, !(weightDecay >= 0 && weightDecay.isFinite) { throw ValidationError("--weight-decay must be a non-negative number") }
        if let labelSmoothing, !(0..<1).contains(labelSmoothing) { throw ValidationError("--label-smoothing must be in [0, 1)") }
        if let speakerAdversary, !(speakerAdversary >= 0 && speakerAdversary.isFinite) {
            throw ValidationError("--speaker-adversary must be a non-negative number")
        }
        if let intensityHead, !(intensityHead >= 0 && intensityHead.isFinite) {
            throw ValidationError("--intensity-head must be a non-negative number")
        }
        if let mixup, !(mixup >= 0 && mixup.isFinite) { throw ValidationError("--mixup must be a non-negative number") }
        if let validationFraction, !(0..<1).contains(validationFraction) { throw ValidationError("--validation-fraction must be in [0, 1)") }
        if patience != nil && (validationFraction ?? 0) == 0 {
            throw ValidationError("--patience needs --validation-fraction > 0: without validation speakers every fold trains all its epochs")
        }
        if let weightAverage, !(0..<1).contains(weightAverage) { throw ValidationError("--weight-average must be in [0, 1)") }
        if let speakerStatisticsClips {
            guard speakerNormalization else { throw ValidationError("--speaker-statistics-clips needs --speaker-normalization") }
            guard speakerStatisticsClips >= 1 else { throw ValidationError("--speaker-statistics-clips must be at least 1") }
        }
        if variedAdaptation && !speakerNormalization { throw ValidationError("--varied-adaptation needs --speaker-normalization") }
        if let augmentation, AugmentationSettings(named: augmentation) == nil {
            throw ValidationError("--augmentation '\(augmentation)' is not none, light, full or parts joined by commas ("
                                  + AugmentationSettings.partNames.joined(separator: ", ") + "; crop=0–1, speed=0–0.5, gain=0–40 dB, eq=0–40 dB, vtlp=0–0.3, tempo=0–0.3, freqmix=0–1, mixstyle=0–1)")
        }
        if !architecture.isEmpty && convChannels != nil { throw ValidationError("--architecture and --conv-channels cannot be combined") }
        do { try features.validate() } catch { throw ValidationError("\(error)") }
        if let convChannels {
            let standard = TrainingConfiguration.standard(labels: 2)
            guard standard.withConvolutionChannels(Self.channelList(convChannels)) != nil else {
                throw ValidationError("--conv-channels needs \(standard.convolutionChannels.count) positive counts joined by commas, got '\(convChannels)'")
            }
        }
    }

    /// The analysis the options ask for: the default with --mel-bands, --fft-size and --window-length applied.
    var features: FeatureSettings {
        var features = FeatureSettings()
        if let melBands { features.melBands = melBands }
        if let fftSize { features.fftSize = fftSize }
        if let windowLength { features.windowLength = windowLength }
        return features
    }

    static func channelList(_ text: String) -> [Int] {
        text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) ?? 0 }
    }

    /// The standard recipe for `labels` classes with these options applied. Reads the
    /// --architecture files; a file that cannot be used exits with status 2 and says why.
    func configuration(labels: Int) throws -> TrainingConfiguration {
        var configuration = TrainingConfiguration.standard(labels: labels, seed: seed, features: features)
        if let epochs { configuration.epochs = epochs }
        if let batchSize { configuration.batchSize = batchSize }
        if let learningRate { configuration.peakLearningRate = learningRate }
        if let weightDecay { configuration.weightDecay = weightDecay }
        if let labelSmoothing { configuration.labelSmoothing = labelSmoothing }
        if let augmentation { configuration.augmentation = AugmentationSettings(named: augmentation)! }
        if let patience { configuration.patience = patience }
        if let mixup { configuration.mixupAlpha = mixup }
        if let speakerAdversary { configuration.speakerAdversary = speakerAdversary > 0 ? speakerAdversary : nil }
        if let intensityHead { configuration.intensityHead = intensityHead > 0 ? intensityHead : nil }
        if let validationFraction { configuration.validationFraction = validationFraction }
        if let weightAverage { configuration.weightAverageDecay = weightAverage > 0 ? weightAverage : nil }
        if windowMeanNormalization { configuration.subtractWindowMean = true }
        if let levelNormalization { configuration.subtractSpeechLevel = levelNormalization }
        if speakerNormalization { configuration.speakerNormalization = true }
        configuration.speakerStatisticsClips = speakerStatisticsClips
        if variedAdaptation { configuration.variedAdaptation = true }
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
                do { _ = try configuration.withArchitecture(architectures.last!, labels: labels) } catch { throw failure("\(error)") }
            }
        }
        let members = ensemble ?? architectures.count
        do {
            return try configuration.withEnsemble((0..<members).map { architectures[$0 % architectures.count] }, labels: labels)
        } catch {
            printError("emoscope-train: the networks do not fit these options: \(error)")
            throw ExitCode(2)
        }
    }
}
