/// Everything the model file says about itself, stored as JSON after the magic and version.
public struct ModelHeader: Codable, Equatable, Sendable {
    /// How the network's input is cut from a clip.
    public struct Input: Codable, Equatable, Sendable {
        /// Length of one analysis window, seconds; shorter clips are analysed whole.
        public var windowSeconds: Double
        /// Hop between windows of a longer clip, seconds.
        public var hopSeconds: Double
        /// Clips shorter than this are reported as too short.
        public var minimumSeconds: Double

        public init(windowSeconds: Double = 3, hopSeconds: Double = 1, minimumSeconds: Double = 0.5) {
            self.windowSeconds = windowSeconds
            self.hopSeconds = hopSeconds
            self.minimumSeconds = minimumSeconds
        }
    }

    /// Per-band standardisation of the log-mel input: `(x − mean) / standardDeviation`.
    public struct Normalization: Codable, Equatable, Sendable {
        public var mean: [Float]
        public var standardDeviation: [Float]

        public init(mean: [Float], standardDeviation: [Float]) {
            self.mean = mean
            self.standardDeviation = standardDeviation
        }
    }

    /// Softmax temperature fitted on held-out speakers (1 = uncalibrated).
    public struct Calibration: Codable, Equatable, Sendable {
        public var temperature: Float
        public init(temperature: Float = 1) { self.temperature = temperature }
    }

    /// Where the weights came from.
    public struct Provenance: Codable, Equatable, Sendable {
        public var corpus: String
        /// Evaluation protocol, e.g. "speaker-independent 6-fold cross-validation".
        public var evaluationProtocol: String
        /// Named metrics of that evaluation (accuracy, UAR, …).
        public var metrics: [String: Double]
        /// ISO 8601 date of training.
        public var date: String
        public var seed: UInt64
        /// Source revision of the trainer (git commit).
        public var codeRevision: String

        public init(corpus: String, evaluationProtocol: String, metrics: [String: Double], date: String, seed: UInt64, codeRevision: String) {
            self.corpus = corpus
            self.evaluationProtocol = evaluationProtocol
            self.metrics = metrics
            self.date = date
            self.seed = seed
            self.codeRevision = codeRevision
        }
    }

    /// Class names, in the order of the network's outputs.
    public var labels: [String]
    /// Feature front end; the sample rate the model expects is `features.sampleRate`.
    public var features: FeatureSettings
    public var input: Input
    public var normalization: Normalization
    public var architecture: [LayerSpec]
    public var calibration: Calibration
    /// Parameter tensors in file order (must equal what the architecture needs).
    public var tensors: [TensorSpec]
    public var provenance: Provenance

    public init(labels: [String], features: FeatureSettings, input: Input, normalization: Normalization,
                architecture: [LayerSpec], calibration: Calibration, tensors: [TensorSpec], provenance: Provenance) {
        self.labels = labels
        self.features = features
        self.input = input
        self.normalization = normalization
        self.architecture = architecture
        self.calibration = calibration
        self.tensors = tensors
        self.provenance = provenance
    }

    /// Frames in one full analysis window.
    public var windowFrames: Int { features.frameCount(forSampleCount: windowSamples) }
    /// Samples in one full analysis window.
    public var windowSamples: Int { Int((input.windowSeconds * Double(features.sampleRate)).rounded()) }
    /// Samples between window starts.
    public var hopSamples: Int { max(1, Int((input.hopSeconds * Double(features.sampleRate)).rounded())) }
    /// Samples in the shortest clip classified.
    public var minimumSamples: Int { Int((input.minimumSeconds * Double(features.sampleRate)).rounded()) }

    /// The eight RAVDESS emotions, in the order of their codes 01…08.
    public static let ravdessLabels = ["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"]
}
