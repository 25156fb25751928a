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

    /// Per-band standardisation of the log-mel input: `(x − mean) / standardDeviation`, after
    /// subtracting the window's speech level when `subtractSpeechLevel` is set and each band's
    /// mean over the analysed window when `subtractWindowMean` is set.
    public struct Normalization: Codable, Equatable, Sendable {
        public var mean: [Float]
        public var standardDeviation: [Float]
        /// Remove each band's mean over the window first (cepstral-mean-style normalisation,
        /// against speaker and channel spectral tilt). Absent in older files: false.
        public var subtractWindowMean: Bool
        /// Remove the window's speech level first (`speechLevel`, one value for all bands), so
        /// that the input does not depend on recording gain. Absent in older files: false.
        public var subtractSpeechLevel: Bool

        public init(mean: [Float], standardDeviation: [Float], subtractWindowMean: Bool = false, subtractSpeechLevel: Bool = false) {
            self.mean = mean
            self.standardDeviation = standardDeviation
            self.subtractWindowMean = subtractWindowMean
            self.subtractSpeechLevel = subtractSpeechLevel
        }

        private enum Key: String, CodingKey { case mean, standardDeviation, subtractWindowMean, subtractSpeechLevel }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            mean = try c.decode([Float].self, forKey: .mean)
            standardDeviation = try c.decode([Float].self, forKey: .standardDeviation)
            subtractWindowMean = try c.decodeIfPresent(Bool.self, forKey: .subtractWindowMean) ?? false
            subtractSpeechLevel = try c.decodeIfPresent(Bool.self, forKey: .subtractSpeechLevel) ?? false
        }

        /// Frames quieter than the loudest by more than this many dB are left out of `speechLevel`.
        public static let speechLevelGateDB: Float = 20

        /// The level of the speech in a log-mel window, in dB: each frame's mean over bands,
        /// averaged over the frames within `speechLevelGateDB` of the loudest one, so that
        /// pauses and silence do not count. A gain of g dB moves it, and every value, by g.
        public static func speechLevel(_ logMel: FeatureMatrix) -> Float {
            let (frames, bands) = (logMel.frameCount, logMel.featureCount)
            guard frames > 0, bands > 0 else { return 0 }
            return logMel.values.withUnsafeBufferPointer { values in
                func frameLevel(_ frame: Int) -> Float {
                    var sum: Float = 0
                    for band in 0..<bands { sum += values[frame * bands + band] }
                    return sum / Float(bands)
                }
                var loudest = -Float.infinity
                for frame in 0..<frames { loudest = max(loudest, frameLevel(frame)) }
                var sum: Float = 0, count = 0
                for frame in 0..<frames {
                    let level = frameLevel(frame)
                    if level >= loudest - speechLevelGateDB { sum += level; count += 1 }
                }
                return sum / Float(count)
            }
        }

        /// The window's speech level when it is to be removed (`subtractSpeechLevel`, and not
        /// already with the band means), else 0: what `windowOffset` takes as `level`.
        public func levelToRemove(_ logMel: FeatureMatrix) -> Float {
            subtractSpeechLevel && !subtractWindowMean ? Self.speechLevel(logMel) : 0
        }

        /// What is subtracted from every value of `band` in this window before the corpus
        /// statistics apply: the band's mean over the window when `subtractWindowMean` is set
        /// (it already holds the level), else `level` (from `levelToRemove`).
        public func windowOffset(_ logMel: FeatureMatrix, band: Int, level: Float) -> Float {
            let frames = logMel.frameCount
            guard subtractWindowMean && frames > 0 else { return level }
            let bands = logMel.featureCount
            var sum: Float = 0
            logMel.values.withUnsafeBufferPointer { values in
                for frame in 0..<frames { sum += values[frame * bands + band] }
            }
            return sum / Float(frames)
        }

        /// Standardises a log-mel window (`frames × bands`) into the network's band-major input
        /// (`bands × frames`). Allocates nothing; the trainer and the classifier share it.
        public func standardize(_ logMel: FeatureMatrix, into input: UnsafeMutablePointer<Float>) {
            let (frames, bands) = (logMel.frameCount, logMel.featureCount)
            let level = levelToRemove(logMel)
            logMel.values.withUnsafeBufferPointer { source in
                for band in 0..<bands {
                    let offset = mean[band] + windowOffset(logMel, band: band, level: level), inverse = 1 / standardDeviation[band]
                    let row = input + band * frames
                    for frame in 0..<frames { row[frame] = (source[frame * bands + band] - offset) * inverse }
                }
            }
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
        /// How the networks were trained (schedule, optimiser, loss, augmentation), in words; nil in
        /// files written before the trainer recorded it.
        public var recipe: String?

        public init(corpus: String, evaluationProtocol: String, metrics: [String: Double], date: String, seed: UInt64, codeRevision: String,
                    recipe: String? = nil) {
            self.corpus = corpus
            self.evaluationProtocol = evaluationProtocol
            self.metrics = metrics
            self.date = date
            self.seed = seed
            self.codeRevision = codeRevision
            self.recipe = recipe
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
    /// The layers of the ensemble's other networks, after the first (`architecture`): empty for
    /// a single network. Their logits are averaged into one prediction; member `k`'s tensors carry
    /// `tensorPrefix(member: k)`. Absent in older files.
    public var ensemble: [[LayerSpec]]
    /// Trained on clips standardised with their own speaker's statistics (`emoscope-train
    /// --speaker-normalization`): give it a speaker's `SpeakerStatistics` where known; the
    /// corpus `normalization` is what it falls back on. Absent in older files: false.
    public var speakerNormalized: Bool

    public init(labels: [String], features: FeatureSettings, input: Input, normalization: Normalization,
                architecture: [LayerSpec], calibration: Calibration, tensors: [TensorSpec], provenance: Provenance,
                ensemble: [[LayerSpec]] = [], speakerNormalized: Bool = false) {
        self.labels = labels
        self.features = features
        self.input = input
        self.normalization = normalization
        self.architecture = architecture
        self.calibration = calibration
        self.tensors = tensors
        self.provenance = provenance
        self.ensemble = ensemble
        self.speakerNormalized = speakerNormalized
    }

    private enum CodingKeys: String, CodingKey {
        case labels, features, input, normalization, architecture, calibration, tensors, provenance, ensemble, speakerNormalized
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        labels = try c.decode([String].self, forKey: .labels)
        features = try c.decode(FeatureSettings.self, forKey: .features)
        input = try c.decode(Input.self, forKey: .input)
        normalization = try c.decode(Normalization.self, forKey: .normalization)
        architecture = try c.decode([LayerSpec].self, forKey: .architecture)
        calibration = try c.decode(Calibration.self, forKey: .calibration)
        tensors = try c.decode([TensorSpec].self, forKey: .tensors)
        provenance = try c.decode(Provenance.self, forKey: .provenance)
        ensemble = try c.decodeIfPresent([[LayerSpec]].self, forKey: .ensemble) ?? []
        speakerNormalized = try c.decodeIfPresent(Bool.self, forKey: .speakerNormalized) ?? false
    }

    /// Networks whose logits are averaged: 1 + `ensemble.count`.
    public var members: Int { 1 + ensemble.count }

    /// The layers of member `k` (0 is `architecture`).
    public func architecture(ofMember k: Int) -> [LayerSpec] { k == 0 ? architecture : ensemble[k - 1] }

    /// Most networks an ensemble may hold.
    public static let maximumMembers = 16

    /// Prefix of member `k`'s tensor names: none for the first (so a single network keeps the
    /// plain `layers.…` names), `member2.`, `member3.`, … for the others.
    public static func tensorPrefix(member: Int) -> String { member == 0 ? "" : "member\(member + 1)." }

    /// Frames in one full analysis window.
    public var windowFrames: Int { features.frameCount(forSampleCount: windowSamples) }
    /// Samples in one full analysis window.
    public var windowSamples: Int { Int((input.windowSeconds * Double(features.sampleRate)).rounded()) }
    /// Samples between window starts.
    public var hopSamples: Int { max(1, Int((input.hopSeconds * Double(features.sampleRate)).rounded())) }
    /// Samples in the shortest clip classified.
    public var minimumSamples: Int { Int((input.minimumSeconds * Double(features.sampleRate)).rounded()) }
    /// Frames in the shortest clip classified.
    public var minimumFrames: Int { features.frameCount(forSampleCount: minimumSamples) }

    /// The first network's shapes on a full window and the tensors of every member, once every
    /// member is known to run on the shortest window too and to give as many outputs as the first.
    public func plannedArchitecture() throws(ArchitectureError) -> (shapes: [ActivationShape], tensors: [TensorSpec]) {
        guard members <= Self.maximumMembers else {
            throw ArchitectureError(layer: nil, reason: "an ensemble holds 1…\(Self.maximumMembers) members, not \(members)")
        }
        var first: [ActivationShape] = [], tensors: [TensorSpec] = []
        for member in 0..<members {
            let layers = architecture(ofMember: member)
            func named(_ error: ArchitectureError) -> ArchitectureError {
                member == 0 ? error : ArchitectureError(layer: error.layer, reason: "ensemble member \(member + 1): \(error.reason)")
            }
            do throws(ArchitectureError) {
                let plan = try Architecture.plan(layers, input: ActivationShape(channels: 1, height: features.melBands, width: windowFrames))
                _ = try Architecture.plan(layers, input: ActivationShape(channels: 1, height: features.melBands, width: minimumFrames))
                if member == 0 { first = plan.shapes }
                guard plan.shapes.last!.count == first.last!.count else {
                    throw ArchitectureError(layer: nil, reason: "gives \(plan.shapes.last!.count) outputs where the first member gives \(first.last!.count)")
                }
                tensors += plan.tensors.map { TensorSpec(name: Self.tensorPrefix(member: member) + $0.name, shape: $0.shape) }
            } catch {
                throw named(error)
            }
        }
        return (first, tensors)
    }

    /// The eight RAVDESS emotions, in the order of their codes 01…08.
    public static let ravdessLabels = ["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"]
}
