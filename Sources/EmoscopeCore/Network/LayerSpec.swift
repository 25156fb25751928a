/// The shape of one activation: channels × height (frequency) × width (time); a vector is
/// `n × 1 × 1`.
public struct ActivationShape: Hashable, Codable, Sendable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// Number of values.
    public var count: Int { channels * height * width }
    /// Whether this is a vector (after global pooling).
    public var isVector: Bool { height == 1 && width == 1 }
    public var description: String { "\(channels)×\(height)×\(width)" }
}

/// A pair of sizes along (height, width), written `[h, w]` in JSON.
public struct Size2: Hashable, Codable, Sendable {
    public var height: Int
    public var width: Int

    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        height = try container.decode(Int.self)
        width = try container.decode(Int.self)
        guard container.isAtEnd else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected [height, width]")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(height)
        try container.encode(width)
    }
}

/// Summary statistics a global pooling layer takes over time.
public enum PoolingStatistics: String, Codable, Sendable {
    /// Mean over time.
    case mean
    /// Mean and standard deviation over time, concatenated.
    case meanStd
}

/// One layer of the network, as stored in the model file.
///
/// Input channel counts are not stored: they follow from the previous layer's output, so a
/// header cannot contradict itself.
public enum LayerSpec: Equatable, Sendable {
    /// 2-D convolution with bias.
    case conv2d(outChannels: Int, kernel: Size2, stride: Size2, padding: Size2, dilation: Size2)
    /// Batch normalisation over channels (folded into a preceding convolution or dense layer at load).
    case batchNorm(epsilon: Float)
    /// max(0, x).
    case relu
    /// Max pooling without padding.
    case maxPool(kernel: Size2, stride: Size2)
    /// Average pooling without padding.
    case avgPool(kernel: Size2, stride: Size2)
    /// Pooling over time of every channel × frequency row: `C×H×W → (C·H or 2·C·H)×1×1`.
    case globalPool(PoolingStatistics)
    /// Attentive statistics pooling over time (Okabe et al. 2018): each frame's weight is a
    /// softmax over time of `v·tanh(W·x + b)` (`hidden` units), then the weighted mean and
    /// standard deviation of every row: `C×H×W → 2·C·H×1×1`. With `v = 0` it is `.meanStd`.
    case attentivePool(hidden: Int)
    /// Fully connected layer with bias on a vector.
    case dense(outFeatures: Int)
    /// Dropout during training; the identity at inference.
    case dropout(rate: Float)

    /// The type name used in JSON.
    public var typeName: String {
        switch self {
        case .conv2d: "conv2d"
        case .batchNorm: "batchNorm"
        case .relu: "relu"
        case .maxPool: "maxPool"
        case .avgPool: "avgPool"
        case .globalPool: "globalPool"
        case .attentivePool: "attentivePool"
        case .dense: "dense"
        case .dropout: "dropout"
        }
    }
}

extension LayerSpec: Codable {
    private enum Key: String, CodingKey {
        case type, outChannels, kernel, stride, padding, dilation, epsilon, statistics, outFeatures, rate, hidden
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "conv2d":
            self = .conv2d(
                outChannels: try c.decode(Int.self, forKey: .outChannels), kernel: try c.decode(Size2.self, forKey: .kernel),
                stride: try c.decodeIfPresent(Size2.self, forKey: .stride) ?? Size2(1, 1),
                padding: try c.decodeIfPresent(Size2.self, forKey: .padding) ?? Size2(0, 0),
                dilation: try c.decodeIfPresent(Size2.self, forKey: .dilation) ?? Size2(1, 1))
        case "batchNorm": self = .batchNorm(epsilon: try c.decodeIfPresent(Float.self, forKey: .epsilon) ?? 1e-5)
        case "relu": self = .relu
        case "maxPool", "avgPool":
            let kernel = try c.decode(Size2.self, forKey: .kernel)
            let stride = try c.decodeIfPresent(Size2.self, forKey: .stride) ?? kernel
            self = type == "maxPool" ? .maxPool(kernel: kernel, stride: stride) : .avgPool(kernel: kernel, stride: stride)
        case "globalPool": self = .globalPool(try c.decode(PoolingStatistics.self, forKey: .statistics))
        case "attentivePool": self = .attentivePool(hidden: try c.decode(Int.self, forKey: .hidden))
        case "dense": self = .dense(outFeatures: try c.decode(Int.self, forKey: .outFeatures))
        case "dropout": self = .dropout(rate: try c.decode(Float.self, forKey: .rate))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown layer type \"\(type)\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(typeName, forKey: .type)
        switch self {
        case .conv2d(let out, let kernel, let stride, let padding, let dilation):
            try c.encode(out, forKey: .outChannels)
            try c.encode(kernel, forKey: .kernel)
            try c.encode(stride, forKey: .stride)
            try c.encode(padding, forKey: .padding)
            try c.encode(dilation, forKey: .dilation)
        case .batchNorm(let epsilon): try c.encode(epsilon, forKey: .epsilon)
        case .relu: break
        case .maxPool(let kernel, let stride), .avgPool(let kernel, let stride):
            try c.encode(kernel, forKey: .kernel)
            try c.encode(stride, forKey: .stride)
        case .globalPool(let statistics): try c.encode(statistics, forKey: .statistics)
        case .attentivePool(let hidden): try c.encode(hidden, forKey: .hidden)
        case .dense(let out): try c.encode(out, forKey: .outFeatures)
        case .dropout(let rate): try c.encode(rate, forKey: .rate)
        }
    }
}

/// A parameter tensor a layer needs: its name and shape.
public struct TensorSpec: Codable, Equatable, Sendable {
    public var name: String
    public var shape: [Int]

    public init(name: String, shape: [Int]) {
        self.name = name
        self.shape = shape
    }

    /// Number of values (the product of the shape).
    public var count: Int { shape.reduce(1, *) }
}

/// Why an architecture cannot run.
public struct ArchitectureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Index of the offending layer, nil for the architecture as a whole.
    public var layer: Int?
    public var reason: String
    public var description: String { layer.map { "layer \($0): \(reason)" } ?? reason }

    public init(layer: Int?, reason: String) {
        self.layer = layer
        self.reason = reason
    }
}

/// Shape inference over a layer list.
public enum Architecture {
    /// Upper bound on any activation or parameter tensor (values), against absurd headers.
    public static let maximumTensorCount = 1 << 26
    /// Upper bound on the number of layers.
    public static let maximumLayers = 256

    /// Output shape of every layer for `input`, and the parameter tensors in file order.
    public static func plan(_ layers: [LayerSpec], input: ActivationShape) throws(ArchitectureError) -> (shapes: [ActivationShape], tensors: [TensorSpec]) {
        guard !layers.isEmpty else { throw ArchitectureError(layer: nil, reason: "no layers") }
        guard layers.count <= maximumLayers else { throw ArchitectureError(layer: nil, reason: "more than \(maximumLayers) layers") }
        var shape = input
        var pooledOverTime = false
        var shapes: [ActivationShape] = []
        var tensors: [TensorSpec] = []
        for (index, layer) in layers.enumerated() {
            func fail(_ reason: String) -> ArchitectureError { ArchitectureError(layer: index, reason: "\(layer.typeName): \(reason)") }
            func checked(_ dims: [Int]) throws(ArchitectureError) -> [Int] {
                var product = 1
                for d in dims {
                    guard d > 0 else { throw fail("dimension \(d) in \(dims) is not positive") }
                    let (p, overflow) = product.multipliedReportingOverflow(by: d)
                    guard !overflow, p <= maximumTensorCount else { throw fail("tensor \(dims) is too large") }
                    product = p
                }
                return dims
            }
            func window(_ size: Int, kernel: Int, stride: Int, padding: Int, dilation: Int, axis: String) throws(ArchitectureError) -> Int {
                guard kernel >= 1, stride >= 1, padding >= 0, dilation >= 1, kernel <= 1_024, stride <= 1_024, padding <= 1_024, dilation <= 1_024 else {
                    throw fail("kernel, stride and dilation must be 1…1024, padding 0…1024 (\(axis))")
                }
                let span = dilation * (kernel - 1) + 1
                let out = (size + 2 * padding - span) / stride + 1
                guard size + 2 * padding >= span, out >= 1 else {
                    throw fail("input \(axis) \(size) is smaller than the kernel span \(span)")
                }
                return out
            }
            let name = "layers.\(index)"
            switch layer {
            case .conv2d(let out, let kernel, let stride, let padding, let dilation):
                guard !pooledOverTime else { throw fail("cannot follow globalPool") }
                let h = try window(shape.height, kernel: kernel.height, stride: stride.height, padding: padding.height, dilation: dilation.height, axis: "height")
                let w = try window(shape.width, kernel: kernel.width, stride: stride.width, padding: padding.width, dilation: dilation.width, axis: "width")
                tensors.append(TensorSpec(name: name + ".weight", shape: try checked([out, shape.channels, kernel.height, kernel.width])))
                tensors.append(TensorSpec(name: name + ".bias", shape: try checked([out])))
                shape = ActivationShape(channels: out, height: h, width: w)
            case .batchNorm(let epsilon):
                guard epsilon > 0, epsilon.isFinite else { throw fail("epsilon must be positive") }
                for part in ["gamma", "beta", "mean", "variance"] {
                    tensors.append(TensorSpec(name: "\(name).\(part)", shape: [shape.channels]))
                }
            case .relu:
                break
            case .dropout(let rate):
                guard rate >= 0, rate < 1 else { throw fail("rate must be in [0, 1)") }
            case .maxPool(let kernel, let stride), .avgPool(let kernel, let stride):
                guard !pooledOverTime else { throw fail("cannot follow globalPool") }
                let h = try window(shape.height, kernel: kernel.height, stride: stride.height, padding: 0, dilation: 1, axis: "height")
                let w = try window(shape.width, kernel: kernel.width, stride: stride.width, padding: 0, dilation: 1, axis: "width")
                shape = ActivationShape(channels: shape.channels, height: h, width: w)
            case .globalPool(let statistics):
                guard !pooledOverTime else { throw fail("the input is already pooled over time") }
                pooledOverTime = true
                let features = shape.channels * shape.height * (statistics == .meanStd ? 2 : 1)
                shape = ActivationShape(channels: try checked([features])[0], height: 1, width: 1)
            case .attentivePool(let hidden):
                guard !pooledOverTime else { throw fail("the input is already pooled over time") }
                guard (1...4_096).contains(hidden) else { throw fail("hidden units must be 1…4096") }
                pooledOverTime = true
                let rows = try checked([shape.channels * shape.height])[0]
                tensors.append(TensorSpec(name: name + ".weight", shape: try checked([hidden, rows])))
                tensors.append(TensorSpec(name: name + ".bias", shape: [hidden]))
                tensors.append(TensorSpec(name: name + ".context", shape: [hidden]))
                _ = try checked([hidden, shape.width])
                shape = ActivationShape(channels: try checked([2 * rows])[0], height: 1, width: 1)
            case .dense(let out):
                guard pooledOverTime else { throw fail("needs a vector input (add globalPool first), got \(shape)") }
                tensors.append(TensorSpec(name: name + ".weight", shape: try checked([out, shape.channels])))
                tensors.append(TensorSpec(name: name + ".bias", shape: try checked([out])))
                shape = ActivationShape(channels: out, height: 1, width: 1)
            }
            _ = try checked([shape.channels, shape.height, shape.width])
            shapes.append(shape)
        }
        guard pooledOverTime else { throw ArchitectureError(layer: nil, reason: "the network must pool over time (globalPool) before its output") }
        return (shapes, tensors)
    }
}
