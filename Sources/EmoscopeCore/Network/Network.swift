/// A network ready to run: layers from the model's architecture with their weights, batch
/// norms folded into the convolution or dense layer before them, and every buffer one
/// forward pass needs allocated up front for inputs up to `maximumWidth` frames.
///
/// Not thread-safe (it owns its buffers): use one per thread.
public final class Network {
    /// One executable step.
    enum Operation {
        case conv(window: Kernels.Window, outChannels: Int, weights: [Float], bias: [Float])
        case affine(scale: [Float], shift: [Float])
        case relu
        case pool(kernel: Size2, stride: Size2, max: Bool)
        case globalPool(PoolingStatistics)
        case attentivePool(hidden: Int, weights: [Float], bias: [Float], context: [Float])
        case dense(outFeatures: Int, weights: [Float], bias: [Float])
    }

    /// Input channels × height; the width (time) varies from call to call.
    public let inputChannels: Int
    public let inputHeight: Int
    /// Widest input the buffers were sized for.
    public let maximumWidth: Int
    /// Number of outputs (logits).
    public let outputCount: Int
    let operations: [Operation]
    private var front: [Float]
    private var back: [Float]
    private var columns: [Float]
    /// Attentive pooling's frame scores and weights.
    private var scores: [Float]
    private var attention: [Float]

    /// Builds the network for `layers` with `tensors` named as `Architecture.plan` names them.
    ///
    /// Throws when the architecture cannot run on inputs of `minimumWidth…maximumWidth` frames.
    public init(layers: [LayerSpec], tensors: [String: [Float]], inputChannels: Int = 1, inputHeight: Int,
                minimumWidth: Int, maximumWidth: Int) throws(ArchitectureError) {
        let widest = ActivationShape(channels: inputChannels, height: inputHeight, width: maximumWidth)
        let (shapes, specs) = try Architecture.plan(layers, input: widest)
        _ = try Architecture.plan(layers, input: ActivationShape(channels: inputChannels, height: inputHeight, width: minimumWidth))
        for spec in specs {
            guard let values = tensors[spec.name], values.count == spec.count else {
                throw ArchitectureError(layer: nil, reason: "tensor \(spec.name) missing or not of shape \(spec.shape)")
            }
        }
        self.inputChannels = inputChannels
        self.inputHeight = inputHeight
        self.maximumWidth = maximumWidth
        outputCount = shapes.last!.count
        operations = Self.compile(layers, tensors: tensors)

        // Buffer sizes: the largest activation, and the largest im2col matrix.
        var largest = widest.count, largestColumns = 0, largestScores = 0, longestAttention = 0
        var shape = widest
        for (layer, next) in zip(layers, shapes) {
            if case .conv2d(_, let kernel, _, _, _) = layer {
                largestColumns = max(largestColumns, shape.channels * kernel.height * kernel.width * next.height * next.width)
            }
            if case .attentivePool(let hidden) = layer {
                largestScores = max(largestScores, hidden * shape.width)
                longestAttention = max(longestAttention, shape.width)
            }
            largest = max(largest, next.count)
            shape = next
        }
        front = [Float](repeating: 0, count: largest)
        back = [Float](repeating: 0, count: largest)
        columns = [Float](repeating: 0, count: max(1, largestColumns))
        scores = [Float](repeating: 0, count: max(1, largestScores))
        attention = [Float](repeating: 0, count: max(1, longestAttention))
    }

    /// Runs the network on `input` (`inputChannels × inputHeight × width`) and writes
    /// `outputCount` logits. Allocates nothing.
    public func forward(_ input: UnsafePointer<Float>, width: Int, logits: UnsafeMutablePointer<Float>) {
        precondition(width <= maximumWidth, "input of \(width) frames exceeds the network's \(maximumWidth)")
        var shape = ActivationShape(channels: inputChannels, height: inputHeight, width: width)
        front.withUnsafeMutableBufferPointer { frontBuffer in
            back.withUnsafeMutableBufferPointer { backBuffer in
                columns.withUnsafeMutableBufferPointer { columnBuffer in
                    var current = frontBuffer.baseAddress!, spare = backBuffer.baseAddress!
                    current.update(from: input, count: shape.count)
                    for operation in operations {
                        switch operation {
                        case .conv(let window, let outChannels, let weights, let bias):
                            let out = window.outputSize(height: shape.height, width: shape.width)
                            weights.withUnsafeBufferPointer { w in
                                bias.withUnsafeBufferPointer { b in
                                    Kernels.conv2d(current, shape: shape, window: window, weights: w.baseAddress!, bias: b.baseAddress!,
                                                   outChannels: outChannels, output: spare, columns: columnBuffer.baseAddress!)
                                }
                            }
                            shape = ActivationShape(channels: outChannels, height: out.height, width: out.width)
                            swap(&current, &spare)
                        case .affine(let scale, let shift):
                            Kernels.channelAffine(current, shape: shape, scale: scale, shift: shift)
                        case .relu:
                            Kernels.relu(current, count: shape.count)
                        case .pool(let kernel, let stride, let isMax):
                            let out = Kernels.Window(kernel: kernel, stride: stride).outputSize(height: shape.height, width: shape.width)
                            Kernels.pool(current, shape: shape, kernel: kernel, stride: stride, max: isMax, output: spare)
                            shape = ActivationShape(channels: shape.channels, height: out.height, width: out.width)
                            swap(&current, &spare)
                        case .globalPool(let statistics):
                            Kernels.globalPool(current, shape: shape, statistics: statistics, output: spare)
                            shape = ActivationShape(channels: shape.channels * shape.height * (statistics == .meanStd ? 2 : 1), height: 1, width: 1)
                            swap(&current, &spare)
                        case .attentivePool(let hidden, let weights, let bias, let context):
                            scores.withUnsafeMutableBufferPointer { scores in
                                attention.withUnsafeMutableBufferPointer { attention in
                                    Kernels.attentivePool(current, shape: shape, weights: weights, bias: bias, context: context, hidden: hidden,
                                                          output: spare, scores: scores.baseAddress!, attention: attention.baseAddress!)
                                }
                            }
                            shape = ActivationShape(channels: 2 * shape.channels * shape.height, height: 1, width: 1)
                            swap(&current, &spare)
                        case .dense(let outFeatures, let weights, let bias):
                            Kernels.dense(current, inFeatures: shape.channels, weights: weights, bias: bias,
                                          outFeatures: outFeatures, output: spare)
                            shape = ActivationShape(channels: outFeatures, height: 1, width: 1)
                            swap(&current, &spare)
                        }
                    }
                    logits.update(from: current, count: outputCount)
                }
            }
        }
    }

    /// Turns layers into operations, folding each batch norm into the conv/dense layer right
    /// before it (`w·s`, `(b − mean)·s + β` with `s = γ / √(var + ε)`), or into a per-channel
    /// affine step when there is none.
    static func compile(_ layers: [LayerSpec], tensors: [String: [Float]]) -> [Operation] {
        var operations: [Operation] = []
        for (index, layer) in layers.enumerated() {
            let name = "layers.\(index)"
            switch layer {
            case .conv2d(let out, let kernel, let stride, let padding, let dilation):
                operations.append(.conv(window: Kernels.Window(kernel: kernel, stride: stride, padding: padding, dilation: dilation),
                                        outChannels: out, weights: tensors[name + ".weight"]!, bias: tensors[name + ".bias"]!))
            case .batchNorm(let epsilon):
                let gamma = tensors[name + ".gamma"]!, beta = tensors[name + ".beta"]!
                let mean = tensors[name + ".mean"]!, variance = tensors[name + ".variance"]!
                let scale = zip(gamma, variance).map { $0 / ($1 + epsilon).squareRoot() }
                let shift = (0..<scale.count).map { beta[$0] - mean[$0] * scale[$0] }
                switch operations.last {
                case .conv(let window, let outChannels, var weights, var bias)?:
                    let perChannel = weights.count / outChannels
                    for o in 0..<outChannels {
                        for i in 0..<perChannel { weights[o * perChannel + i] *= scale[o] }
                        bias[o] = bias[o] * scale[o] + shift[o]
                    }
                    operations[operations.count - 1] = .conv(window: window, outChannels: outChannels, weights: weights, bias: bias)
                case .dense(let outFeatures, var weights, var bias)?:
                    let perOutput = weights.count / outFeatures
                    for o in 0..<outFeatures {
                        for i in 0..<perOutput { weights[o * perOutput + i] *= scale[o] }
                        bias[o] = bias[o] * scale[o] + shift[o]
                    }
                    operations[operations.count - 1] = .dense(outFeatures: outFeatures, weights: weights, bias: bias)
                default:
                    operations.append(.affine(scale: scale, shift: shift))
                }
            case .relu:
                operations.append(.relu)
            case .maxPool(let kernel, let stride):
                operations.append(.pool(kernel: kernel, stride: stride, max: true))
            case .avgPool(let kernel, let stride):
                operations.append(.pool(kernel: kernel, stride: stride, max: false))
            case .globalPool(let statistics):
                operations.append(.globalPool(statistics))
            case .attentivePool(let hidden):
                operations.append(.attentivePool(hidden: hidden, weights: tensors[name + ".weight"]!, bias: tensors[name + ".bias"]!,
                                                  context: tensors[name + ".context"]!))
            case .dense(let out):
                operations.append(.dense(outFeatures: out, weights: tensors[name + ".weight"]!, bias: tensors[name + ".bias"]!))
            case .dropout:
                break
            }
        }
        return operations
    }
}
