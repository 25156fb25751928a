import EmoscopeCore
import Foundation

/// Everything that decides a training run; stored in reports and checkpoints.
public struct TrainingConfiguration: Codable, Equatable, Sendable {
    public var architecture: [LayerSpec]
    public var features: FeatureSettings
    public var input: ModelHeader.Input
    public var epochs: Int
    public var batchSize: Int
    public var peakLearningRate: Float
    public var warmupEpochs: Int
    public var weightDecay: Float
    public var labelSmoothing: Float
    /// Weight the loss by inverse class frequency.
    public var balanceClasses: Bool
    /// Stop when validation UAR has not improved for this many epochs.
    public var patience: Int
    /// Fraction of the training speakers held out for early stopping and calibration.
    public var validationFraction: Double
    public var augmentation: AugmentationSettings
    /// Subtract each band's mean over the window before standardising (see `ModelHeader.Normalization`).
    public var subtractWindowMean: Bool = false
    /// Subtract each window's speech level before standardising (see `ModelHeader.Normalization`);
    /// nil (as in reports written before it existed) or false: not.
    public var subtractSpeechLevel: Bool?
    /// Standardise each clip with its own speaker's statistics (over all of that speaker's clips,
    /// labels unused) instead of the training clips': speaker adaptation, measured transductively
    /// on the test speakers' unlabelled clips. nil or false: not. The model file keeps the
    /// training clips' statistics as its fallback and says `speakerNormalized`.
    public var speakerNormalization: Bool?
    /// With `speakerNormalization`: how many of each speaker's clips, drawn with the seed, its
    /// statistics come from (how much of a new speaker adaptation needs); nil: all of them.
    public var speakerStatisticsClips: Int?
    /// With `speakerNormalization`: train each example on the statistics of a random number of
    /// its speaker's clips (none to all, blended with the training clips' as the app blends
    /// them), so the model works before it has heard a voice for long; test clips keep their
    /// speaker's full statistics. nil or false: every example gets its speaker's full statistics.
    public var variedAdaptation: Bool?
    /// Largest weight of the speaker adversary's confusion loss (see `SpeakerAdversary`): a
    /// classifier of the training speakers on the pooled embedding, which the network learns to
    /// leave guessing; nil or 0: none.
    public var speakerAdversary: Double?
    /// Weight of an auxiliary loss: a linear classifier of RAVDESS's intensity (normal or strong,
    /// from each clip's file name) on the pooled embedding, which the network learns to help
    /// (see `AuxiliaryClassifier`); nil or 0: none.
    public var intensityHead: Double?
    /// Mixup's Beta(α, α) parameter; nil or 0 trains without mixup.
    public var mixupAlpha: Double?
    /// Decay per step of an exponential moving average of the weights, which is then what is
    /// validated and kept (see `WeightAverage`); nil trains without one.
    public var weightAverageDecay: Double?
    /// The layers of further networks trained per fold (and for the final fit) after the first
    /// (`architecture`), each from its own seed, and averaged with it as an ensemble; nil: none.
    public var ensemble: [[LayerSpec]]?
    public var seed: UInt64

    /// What the protocol line says of `speakerNormalization` when it is on; nil when off.
    public var speakerAdaptation: String? {
        guard speakerNormalization == true else { return nil }
        let source = speakerStatisticsClips.map { "\($0) of its speaker's clips" } ?? "all its speaker's clips"
        let training = variedAdaptation == true ? " (in training, of none to all of them)" : ""
        return "SPEAKER-ADAPTED: each clip standardised with the statistics of \(source)\(training), the test speakers' unlabelled clips included"
    }

    /// Networks trained per fold: 1 + `ensemble.count`.
    public var memberCount: Int { 1 + (ensemble?.count ?? 0) }

    /// The layers of member `k` (0 is `architecture`).
    public func architecture(ofMember k: Int) -> [LayerSpec] { k == 0 ? architecture : ensemble![k - 1] }

    /// The configuration that trains member `k` alone.
    public func member(_ k: Int) -> TrainingConfiguration {
        var single = self
        single.architecture = architecture(ofMember: k)
        single.ensemble = nil
        return single
    }

    /// The default recipe: an ensemble of three networks. Two compact CNNs share four 3×3 conv
    /// blocks of 32/48/96/128 channels (see `convolutionBlocks`: the later blocks run on a
    /// quarter of the first one's frames) and differ in what reaches their dense layers: the
    /// first pools each channel and frequency row over time (mean and standard deviation), the
    /// second first averages over frequency, so it answers the same wherever in the spectrum a
    /// pattern sits. The third is a time-delay network that sees the whole spectrum of a few
    /// frames at once, every other frame (see `timeDelayBlocks`), so it errs where the CNNs do
    /// not. The CNNs' heads drop 10 % of their inputs, the time-delay network's 30 % and 20 %
    /// (see `head`). Each trains on random 80–100 % crops of each clip's speech span whose
    /// log-mel frequency axis is stretched by 0.95–1.05 (vocal-tract-length perturbation) and
    /// nothing else, for a fixed 40 epochs on every training speaker (no validation speakers held
    /// out), keeping a moving average of the weights; each window's speech level is removed from
    /// its log-mel, so the recording gain does not matter — each measured better on unseen RAVDESS
    /// speakers (see README). Other `features` reshape the networks to their mel bands.
    public static func standard(labels: Int, seed: UInt64 = 1, features: FeatureSettings = FeatureSettings()) -> TrainingConfiguration {
        let blocks = convolutionBlocks([32, 48, 96, 128])
        // Three poolings that halve the bands leave an eighth of them.
        let acrossFrequency = LayerSpec.avgPool(kernel: Size2(features.melBands / 8, 1), stride: Size2(features.melBands / 8, 1))
        func pooledHead(dropout: (Float, Float)) -> [LayerSpec] { [.globalPool(.meanStd)] + head(labels: labels, dropout: dropout) }
        let cnnHead = pooledHead(dropout: (0.1, 0.1))
        return TrainingConfiguration(
            architecture: blocks + cnnHead,
            features: features, input: ModelHeader.Input(windowSeconds: 3, hopSeconds: 1, minimumSeconds: 0.5),
            epochs: 40, batchSize: 32, peakLearningRate: 3e-3, warmupEpochs: 2, weightDecay: 0.02, labelSmoothing: 0.1,
            balanceClasses: true, patience: 12, validationFraction: 0, augmentation: AugmentationSettings(named: "crop,vtlp=0.05")!,
            subtractSpeechLevel: true, weightAverageDecay: 0.995,
            ensemble: [blocks + [acrossFrequency] + cnnHead,
                       timeDelayBlocks(bands: features.melBands, channels: [128, 128, 128, 128, 192]) + pooledHead(dropout: (0.3, 0.2))],
            seed: seed)
    }

    /// Convolution blocks of these widths: 3×3 convolution (the first with a time stride of 2),
    /// batch norm, ReLU, and max pooling between blocks: 2×4 after the first (half the bands, a
    /// quarter of the frames: 80 ms steps), 2×2 after the others. Emotion lives in slower
    /// changes than a 20 ms step, and the coarser time axis halves the network's cost for the
    /// same accuracy on unseen speakers (see README).
    public static func convolutionBlocks(_ channels: [Int]) -> [LayerSpec] {
        channels.enumerated().flatMap { index, out -> [LayerSpec] in
            let conv = LayerSpec.conv2d(outChannels: out, kernel: Size2(3, 3), stride: index == 0 ? Size2(1, 2) : Size2(1, 1),
                                        padding: Size2(1, 1), dilation: Size2(1, 1))
            let block: [LayerSpec] = [conv, .batchNorm(epsilon: 1e-5), .relu]
            let pool = index == 0 ? Size2(2, 4) : Size2(2, 2)
            return index < channels.count - 1 ? block + [.maxPool(kernel: pool, stride: pool)] : block
        }
    }

    /// Time-delay blocks (x-vector style): a convolution over all `bands` and 5 frames, every
    /// other frame (a time stride of 2), then convolutions over 3 of its outputs dilated by 2, 3,
    /// 4, … (one per width between the first and the last), and a 1×1 convolution, each with
    /// batch norm and ReLU. With five widths the network hears 5 + 2·2·(2 + 3 + 4) = 41 frames
    /// (410 ms) around each output.
    public static func timeDelayBlocks(bands: Int, channels: [Int]) -> [LayerSpec] {
        precondition(channels.count >= 3, "a time-delay network has a first, at least one dilated and a 1×1 convolution")
        let first = (kernel: Size2(bands, 5), stride: Size2(1, 2), padding: Size2(0, 2), dilation: Size2(1, 1))
        let dilated = (2..<channels.count).map { d in (kernel: Size2(1, 3), stride: Size2(1, 1), padding: Size2(0, d), dilation: Size2(1, d)) }
        let pointwise = (kernel: Size2(1, 1), stride: Size2(1, 1), padding: Size2(0, 0), dilation: Size2(1, 1))
        return zip(channels, [first] + dilated + [pointwise]).flatMap { out, shape -> [LayerSpec] in
            [.conv2d(outChannels: out, kernel: shape.kernel, stride: shape.stride, padding: shape.padding, dilation: shape.dilation),
             .batchNorm(epsilon: 1e-5), .relu]
        }
    }

    /// The recipe's classifier after pooling over time: dropout, dense 64, ReLU, dropout, one output per label.
    public static func head(labels: Int, dropout: (before: Float, hidden: Float) = (0.3, 0.2)) -> [LayerSpec] {
        [.dropout(rate: dropout.before), .dense(outFeatures: 64), .relu, .dropout(rate: dropout.hidden), .dense(outFeatures: labels)]
    }

    /// Output channels of the architecture's convolutions, in order.
    public var convolutionChannels: [Int] {
        architecture.compactMap { if case .conv2d(let out, _, _, _, _) = $0 { out } else { nil } }
    }

    /// The same configuration with these convolution widths in the first network and in every
    /// other member with as many convolutions (the standard recipe's CNNs; its time-delay network
    /// keeps its own); nil unless the counts are positive and the first network has one per convolution.
    public func withConvolutionChannels(_ channels: [Int]) -> TrainingConfiguration? {
        guard channels.allSatisfy({ $0 > 0 }) else { return nil }
        func widened(_ layers: [LayerSpec]) -> [LayerSpec]? {
            guard layers.count(where: { if case .conv2d = $0 { true } else { false } }) == channels.count else { return nil }
            var next = channels.makeIterator()
            return layers.map { layer in
                guard case .conv2d(_, let kernel, let stride, let padding, let dilation) = layer else { return layer }
                return .conv2d(outChannels: next.next()!, kernel: kernel, stride: stride, padding: padding, dilation: dilation)
            }
        }
        var copy = self
        guard let first = widened(architecture) else { return nil }
        copy.architecture = first
        copy.ensemble = ensemble?.map { widened($0) ?? $0 }
        return copy
    }

    /// The same configuration with `layers` as its network, once they are known to run on the
    /// longest and the shortest analysis window and to end in one value per label.
    public func withArchitecture(_ layers: [LayerSpec], labels: Int) throws(ArchitectureError) -> TrainingConfiguration {
        try withEnsemble([layers], labels: labels)
    }

    /// The same configuration training one network per entry of `architectures` (an ensemble
    /// when there are several), once each is known to run on the longest and the shortest
    /// analysis window and to end in one value per label.
    public func withEnsemble(_ architectures: [[LayerSpec]], labels: Int) throws(ArchitectureError) -> TrainingConfiguration {
        guard let first = architectures.first else { throw ArchitectureError(layer: nil, reason: "no network") }
        var copy = self
        copy.architecture = first
        copy.ensemble = architectures.count > 1 ? Array(architectures.dropFirst()) : nil
        var header = copy.header(labels: (0..<labels).map { "\($0)" }, normalization: .init(mean: [], standardDeviation: []),
                                 provenance: .init(corpus: "", evaluationProtocol: "", metrics: [:], date: "", seed: 0, codeRevision: ""))
        header.ensemble = copy.ensemble ?? []
        let outputs = try header.plannedArchitecture().shapes.last!.count
        guard outputs == labels else { throw ArchitectureError(layer: nil, reason: "the last layer gives \(outputs) values for \(labels) labels") }
        return copy
    }

    /// A model header for these settings with `labels` and `normalization`.
    public func header(labels: [String], normalization: ModelHeader.Normalization, provenance: ModelHeader.Provenance) -> ModelHeader {
        ModelHeader(labels: labels, features: features, input: input, normalization: normalization, architecture: architecture,
                    calibration: .init(temperature: 1), tensors: [], provenance: provenance, speakerNormalized: speakerNormalization == true)
    }
}

/// Named tensors stored compactly (float32 bit patterns as base64) in JSON checkpoints.
public struct TensorMap: Codable, Equatable, Sendable {
    public var tensors: [String: [Float]]

    public init(_ tensors: [String: [Float]]) { self.tensors = tensors }

    public init(from decoder: any Decoder) throws {
        let encoded = try decoder.singleValueContainer().decode([String: Data].self)
        tensors = encoded.mapValues { data in
            let bytes = [UInt8](data)
            return stride(from: 0, to: bytes.count - 3, by: 4).map { i in
                Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(tensors.mapValues { values in
            var bytes = [UInt8]()
            bytes.reserveCapacity(values.count * 4)
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
            return Data(bytes)
        })
    }
}
