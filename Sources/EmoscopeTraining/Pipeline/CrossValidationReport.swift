import EmoscopeCore

/// Mean and standard deviation of a metric over folds.
public struct MeanAndDeviation: Codable, Equatable, Sendable {
    public var mean: Double
    public var standardDeviation: Double

    public init(_ values: [Double]) {
        let average = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
        let variance = values.isEmpty ? 0 : values.reduce(0) { $0 + ($1 - average) * ($1 - average) } / Double(values.count)
        mean = average
        standardDeviation = variance.squareRoot()
    }
}

extension Array<Double> {
    /// The middle value, or the mean of the two middle values of an even count; nil when empty.
    public var median: Double? {
        guard !isEmpty else { return nil }
        let sorted = sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

/// One fold's evaluation on its test speakers.
public struct FoldReport: Codable, Equatable, Sendable {
    public var fold: Int
    public var testSpeakers: [String]
    public var validationSpeakers: [String]
    public var trainingClips: Int
    public var bestEpoch: Int
    public var temperature: Float
    public var metrics: EvaluationMetrics
    public var confusion: ConfusionMatrix
    /// Expected calibration error on the test speakers before and after temperature scaling with
    /// the temperature fitted on this fold's validation speakers (`temperature`).
    public var eceBefore: Double
    public var eceAfter: Double
    /// The temperature fitted on the other folds' test predictions (nil with a single fold) and
    /// this fold's ECE with it.
    public var crossFittedTemperature: Float?
    public var eceCrossFitted: Double?
    /// Test clips the classifier declined (no speech / too short): left out of the metrics.
    public var unclassified: Int
    public var history: [EpochRecord]
}

/// One test clip's prediction, for the Review screen.
public struct ReportedPrediction: Codable, Equatable, Sendable {
    public var path: String
    public var speaker: String
    public var fold: Int
    public var truth: String
    /// Predicted label; nil when the clip was not classified.
    public var predicted: String?
    /// Calibrated probabilities in label order (see `CalibrationSummary` for the temperature).
    public var probabilities: [Float]?
    /// The windows behind the prediction, uncalibrated (temperature 1), so that any temperature can be re-applied.
    public var windows: [WindowScores]?

    public init(path: String, speaker: String, fold: Int, truth: String, predicted: String?, probabilities: [Float]?, windows: [WindowScores]?) {
        self.path = path
        self.speaker = speaker
        self.fold = fold
        self.truth = truth
        self.predicted = predicted
        self.probabilities = probabilities
        self.windows = windows
    }
}

/// How the cross-validation predictions were calibrated, and the expected calibration error
/// (15 bins) of each choice: pooled over every test clip, and averaged over folds.
///
/// Cross-fitting: fold k's test clips are scaled by the temperature that minimises the NLL of the
/// *other* folds' test predictions, so no clip calibrates itself and every calibration clip comes
/// from speakers its model never heard. The shipped model's temperature is fitted on all of them.
public struct CalibrationSummary: Codable, Equatable, Sendable {
    public var method: String
    public var pooledBefore: Double
    public var pooledValidation: Double
    public var pooledCrossFitted: Double?
    public var meanFoldBefore: Double
    public var meanFoldValidation: Double
    public var meanFoldCrossFitted: Double?
    /// The temperature written into the model of the final fit.
    public var modelTemperature: Float
}

/// Everything `emoscope-train` measured: written as JSON beside the model.
public struct CrossValidationReport: Codable, Equatable, Sendable {
    /// "speaker-independent" (no speaker in both training and test) or "random" (speakers shared).
    public var split: SplitProtocol
    /// The protocol in words, e.g. "speaker-independent 6-fold cross-validation (folds by actor)".
    public var protocolDescription: String
    public var corpus: String
    public var labels: [String]
    public var configuration: TrainingConfiguration
    public var folds: [FoldReport]
    public var accuracy: MeanAndDeviation
    public var unweightedAverageRecall: MeanAndDeviation
    public var macroF1: MeanAndDeviation
    /// Confusion matrix summed over folds, and the metrics of that pooled matrix.
    public var confusion: ConfusionMatrix
    public var pooled: EvaluationMetrics
    /// Pooled ECE before calibration and after the reported calibration (cross-fitted with several folds).
    public var eceBefore: Double
    public var eceAfter: Double
    public var calibration: CalibrationSummary?
    public var predictions: [ReportedPrediction]
    /// The test clips' metrics speaker by speaker (nil in reports written before it existed).
    public var speakers: [SpeakerReport]?
    public var trainingSeconds: Double
    /// Wall-clock seconds until the last fold finished, the final fit not counted (nil when the
    /// final fit trained beside the folds, or in reports written before it was kept).
    public var crossValidationSeconds: Double? = nil
    public var examplesPerSecond: Double
    public var threads: Int
    public var date: String
    public var codeRevision: String
}
