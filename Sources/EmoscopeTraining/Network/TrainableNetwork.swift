#if canImport(CMalloc)
import CMalloc
#endif
import EmoscopeCore
import Foundation

/// The network of a model file, with gradients: a forward pass that keeps what the backward
/// pass needs, batch norms in training mode (batch statistics, running averages), dropout.
///
/// A batch is a list of samples of possibly different widths (time frames); convolutions,
/// pooling and dropout run per sample, split over `threads` in fixed chunks; batch norm
/// reduces over every sample and position. Parameters use the model file's tensor names, and
/// `parameters` also holds the batch norms' running `mean` and `variance`.
public final class TrainableNetwork {
    public let layers: [LayerSpec]
    public let inputHeight: Int
    /// Every tensor of the model file, by name.
    public var parameters: [String: [Float]]
    /// Gradients of the trainable tensors (weights, biases, batch-norm γ and β) after `backward`.
    public private(set) var gradients: [String: [Float]]
    /// Names of the trainable tensors, in file order.
    public let trainableNames: [String]
    /// Momentum of the batch norms' running statistics.
    public var batchNormMomentum: Float = 0.1
    /// MixStyle on the activation after layer `afterLayer` in training (each channel's mean and
    /// spread blended with another sample's, see `MixStyle`); nil: none.
    public var mixStyle: (afterLayer: Int, probability: Double)?
    /// Each sample's MixStyle partner in the next training batches; nil: a random permutation per batch.
    public var stylePartners: [Int]?
    let threads: Int

    // What the forward pass keeps for the backward pass.
    private var layerInputs: [[[Float]]] = []
    private var layerShapes: [[ActivationShape]] = []
    private var layerOutputs: [Int: [[Float]]] = [:]
    private var normalized: [Int: [[Float]]] = [:]
    private var inverseDeviation: [Int: [Float]] = [:]
    private var dropoutMasks: [Int: [[Float]]] = [:]
    /// MixStyle's per-sample channel scales, by the index of the layer it feeds.
    private var styleScales: [Int: [[Float]]] = [:]
    /// Attentive pooling's tanh scores and frame weights, per sample.
    private var attentionStates: [Int: [(scores: [Float], attention: [Float])]] = [:]
    /// One im2col scratch per thread.
    private let scratches: [Scratch]

    /// A network for `model`'s architecture and tensors, working on `threads` threads.
    public convenience init(model: EmotionModel, threads: Int) {
        let trainable = model.header.tensors.map(\.name).filter { !($0.hasSuffix(".mean") || $0.hasSuffix(".variance")) }
        self.init(layers: model.header.architecture, inputHeight: model.header.features.melBands, parameters: model.tensors,
                  trainableNames: trainable, threads: threads)
    }

    /// A network of `layers` over inputs `inputHeight` rows high, with these tensors, of which
    /// `trainableNames` (in this order) get gradients.
    public init(layers: [LayerSpec], inputHeight: Int, parameters: [String: [Float]], trainableNames: [String], threads: Int) {
        self.layers = layers
        self.inputHeight = inputHeight
        self.parameters = parameters
        self.trainableNames = trainableNames
        gradients = Dictionary(uniqueKeysWithValues: trainableNames.map { ($0, [Float](repeating: 0, count: parameters[$0]!.count)) })
        self.threads = max(1, threads)
        scratches = (0..<max(1, threads)).map { _ in Scratch() }
        _ = Self.keepFreedMemory
    }

    /// Every batch allocates and frees activations of a few hundred kilobytes each; glibc would
    /// return each one to the kernel and fault it back in, page by page, on the next batch (a
    /// fifth of a training step's time, measured). Keep freed memory in the heap instead.
    private static let keepFreedMemory: Void = {
        #if canImport(CMalloc)
        _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 1 << 30)
        _ = mallopt(M_TOP_PAD, 64 << 20)
        #endif
    }()

    /// Logits for a batch of inputs (`1 × inputHeight × widths[i]`, band-major).
    ///
    /// `training` uses batch statistics and dropout and keeps what `backward` needs;
    /// `seed` drives dropout (the same seed gives the same masks).
    public func forward(_ inputs: [[Float]], widths: [Int], training: Bool, seed: UInt64) -> [[Float]] {
        var current = inputs
        var shapes = widths.map { ActivationShape(channels: 1, height: inputHeight, width: $0) }
        layerInputs = []
        layerShapes = []
        layerOutputs = [:]
        normalized = [:]
        inverseDeviation = [:]
        dropoutMasks = [:]
        attentionStates = [:]
        styleScales = [:]
        for (index, layer) in layers.enumerated() {
            if training, let style = mixStyle, index == style.afterLayer + 1 {
                var generator = SeededGenerator(seed: seed &+ 0x5717_E000)
                let partners = stylePartners ?? MixStyle.partners(count: current.count, generator: &generator)
                let mixed = MixStyle.mix(current, rows: shapes[0].channels, lengths: shapes.map { $0.height * $0.width },
                                         partners: partners, probability: style.probability, generator: &generator)
                (current, styleScales[index]) = (mixed.values, mixed.scales)
            }
            if training {
                layerInputs.append(current)
                layerShapes.append(shapes)
            }
            let name = "layers.\(index)"
            switch layer {
            case .conv2d(let out, let kernel, let stride, let padding, let dilation):
                let window = Kernels.Window(kernel: kernel, stride: stride, padding: padding, dilation: dilation)
                let weights = parameters[name + ".weight"]!, bias = parameters[name + ".bias"]!
                let outShapes = shapes.map { s -> ActivationShape in
                    let size = window.outputSize(height: s.height, width: s.width)
                    return ActivationShape(channels: out, height: size.height, width: size.width)
                }
                current = map(current, shapes) { x, s, columns in
                    let size = window.outputSize(height: s.height, width: s.width)
                    columns.ensure(s.channels * kernel.height * kernel.width * size.height * size.width)
                    // conv2d writes every output value (bias, then the product).
                    return Self.filled(out * size.height * size.width) { y in
                        Kernels.conv2d(x, shape: s, window: window, weights: weights, bias: bias, outChannels: out,
                                       output: y, columns: columns.pointer)
                    }
                }
                shapes = outShapes
            case .batchNorm(let epsilon):
                current = batchNormForward(index, current, shapes, epsilon: epsilon, training: training)
            case .relu:
                current = perSample(current.count) { [current] i in
                    current[i].withUnsafeBufferPointer { x in
                        Self.filled(x.count) { y in for k in 0..<x.count { y[k] = max(0, x[k]) } }
                    }
                }
            case .maxPool(let kernel, let stride), .avgPool(let kernel, let stride):
                let isMax: Bool = if case .maxPool = layer { true } else { false }
                let window = Kernels.Window(kernel: kernel, stride: stride)
                let outShapes = shapes.map { s -> ActivationShape in
                    let size = window.outputSize(height: s.height, width: s.width)
                    return ActivationShape(channels: s.channels, height: size.height, width: size.width)
                }
                current = perSample(current.count) { [current, shapes] i in
                    var y = [Float](repeating: 0, count: outShapes[i].count)
                    Kernels.pool(current[i], shape: shapes[i], kernel: kernel, stride: stride, max: isMax, output: &y)
                    return y
                }
                shapes = outShapes
            case .globalPool(let statistics):
                let outShapes = shapes.map { ActivationShape(channels: $0.channels * $0.height * (statistics == .meanStd ? 2 : 1), height: 1, width: 1) }
                current = perSample(current.count) { [current, shapes] i in
                    var y = [Float](repeating: 0, count: outShapes[i].count)
                    Kernels.globalPool(current[i], shape: shapes[i], statistics: statistics, output: &y)
                    return y
                }
                shapes = outShapes
                if training { layerOutputs[index] = current }
            case .attentivePool(let hidden):
                let weights = parameters[name + ".weight"]!, bias = parameters[name + ".bias"]!, context = parameters[name + ".context"]!
                let results = perSampleTuple(current.count) { [current, shapes] i -> (y: [Float], scores: [Float], attention: [Float]) in
                    let s = shapes[i]
                    var y = [Float](repeating: 0, count: 2 * s.channels * s.height)
                    var scores = [Float](repeating: 0, count: hidden * s.width), attention = [Float](repeating: 0, count: s.width)
                    Kernels.attentivePool(current[i], shape: s, weights: weights, bias: bias, context: context, hidden: hidden,
                                          output: &y, scores: &scores, attention: &attention)
                    return (y, scores, attention)
                }
                current = results.map(\.y)
                shapes = shapes.map { ActivationShape(channels: 2 * $0.channels * $0.height, height: 1, width: 1) }
                if training {
                    layerOutputs[index] = current
                    attentionStates[index] = results.map { ($0.scores, $0.attention) }
                }
            case .dense(let out):
                current = denseForward(current, inFeatures: shapes[0].count, outFeatures: out,
                                       weights: parameters[name + ".weight"]!, bias: parameters[name + ".bias"]!)
                shapes = shapes.map { _ in ActivationShape(channels: out, height: 1, width: 1) }
            case .dropout(let rate):
                guard training, rate > 0 else { continue }
                var generator = SeededGenerator(seed: seed &+ UInt64(index) &* 0x9E37_79B9)
                let keep = 1 - rate, scale = 1 / keep
                let masks = current.map { x in x.map { _ in generator.nextUniform() < keep ? scale : 0 } }
                dropoutMasks[index] = masks
                current = zip(current, masks).map(Self.multiply)
            }
        }
        return current
    }

    /// What pooling layer `index` (`globalPool` or `attentivePool`) gave each sample in the last
    /// `forward(training: true)`: the network's embedding of each sample.
    public func pooledOutput(ofLayer index: Int) -> [[Float]] {
        guard let outputs = layerOutputs[index] else { preconditionFailure("layer \(index) is not a pooling layer of a training pass") }
        return outputs
    }

    /// Gradients of the loss with respect to every trainable tensor, given the loss's gradient
    /// with respect to the logits of the last `forward(training: true)`. `added` is a further
    /// gradient with respect to the output of one layer (a second loss on that layer's output,
    /// see `pooledOutput`). Returns the gradient with respect to the inputs when `inputGradient` is set.
    @discardableResult
    public func backward(_ logitGradients: [[Float]], adding added: (layer: Int, gradients: [[Float]])? = nil,
                         inputGradient: Bool = false) -> [[Float]]? {
        precondition(layerInputs.count == layers.count, "backward needs a forward pass in training mode")
        for name in trainableNames { gradients[name] = [Float](repeating: 0, count: gradients[name]!.count) }
        var upstream = logitGradients
        for index in stride(from: layers.count - 1, through: 0, by: -1) {
            if let added, added.layer == index { addElementwise(added.gradients, to: &upstream) }
            let inputs = layerInputs[index], shapes = layerShapes[index]
            let needInput = index > 0 || inputGradient
            let name = "layers.\(index)"
            switch layers[index] {
            case .conv2d(let out, let kernel, let stride, let padding, let dilation):
                let window = Kernels.Window(kernel: kernel, stride: stride, padding: padding, dilation: dilation)
                upstream = convBackward(name, inputs, shapes, upstream, window: window, outChannels: out, needInput: needInput)
            case .batchNorm:
                upstream = batchNormBackward(index, shapes, upstream)
            case .relu:
                upstream = perSample(inputs.count) { [upstream] i in
                    inputs[i].withUnsafeBufferPointer { x in
                        upstream[i].withUnsafeBufferPointer { dy in
                            Self.filled(x.count) { BackwardKernels.relu(x.baseAddress!, outputGradient: dy.baseAddress!, inputGradient: $0, count: x.count) }
                        }
                    }
                }
            case .maxPool(let kernel, let stride), .avgPool(let kernel, let stride):
                let isMax: Bool = if case .maxPool = layers[index] { true } else { false }
                upstream = perSample(inputs.count) { [upstream] i in
                    var dx = [Float](repeating: 0, count: shapes[i].count)
                    BackwardKernels.pool(inputs[i], shape: shapes[i], kernel: kernel, stride: stride, max: isMax,
                                         outputGradient: upstream[i], inputGradient: &dx)
                    return dx
                }
            case .globalPool(let statistics):
                let outputs = layerOutputs[index]!
                upstream = perSample(inputs.count) { [upstream] i in
                    var dx = [Float](repeating: 0, count: shapes[i].count)
                    BackwardKernels.globalPool(inputs[i], shape: shapes[i], statistics: statistics, output: outputs[i],
                                               outputGradient: upstream[i], inputGradient: &dx)
                    return dx
                }
            case .attentivePool(let hidden):
                upstream = attentivePoolBackward(name, index, inputs, shapes, upstream, hidden: hidden)
            case .dense(let out):
                upstream = denseBackward(name, inputs, upstream, inFeatures: shapes[0].count, outFeatures: out)
            case .dropout:
                if let masks = dropoutMasks[index] { upstream = zip(upstream, masks).map(Self.multiply) }
            }
            if let scales = styleScales[index] {
                // Through MixStyle, its statistics held fixed: each channel scaled.
                upstream = upstream.indices.map { i in
                    let plane = shapes[i].height * shapes[i].width
                    return upstream[i].indices.map { upstream[i][$0] * scales[i][$0 / plane] }
                }
            }
        }
        return inputGradient ? upstream : nil
    }

    // MARK: Layers

    /// Per-thread scratch for im2col, grown as needed.
    final class Scratch {
        private(set) var pointer = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        private var capacity = 1

        func ensure(_ count: Int) {
            guard count > capacity else { return }
            pointer.deallocate()
            pointer = .allocate(capacity: count)
            capacity = count
        }

        deinit { pointer.deallocate() }
    }

    /// `body(i)` for every sample index, in fixed chunks on `threads` threads (each sample's
    /// result depends on that sample alone, so the split never changes a value).
    private func perSample(_ count: Int, _ body: (Int) -> [Float]) -> [[Float]] {
        parallelMap(count, threads: threads) { _, i in body(i) }
    }

    /// Applies `body` to every sample, in fixed chunks on `threads` threads.
    private func map(_ inputs: [[Float]], _ shapes: [ActivationShape], _ body: ([Float], ActivationShape, Scratch) -> [Float]) -> [[Float]] {
        parallelMap(inputs.count, threads: threads) { chunk, i in body(inputs[i], shapes[i], scratches[chunk]) }
    }

    private func convBackward(_ name: String, _ inputs: [[Float]], _ shapes: [ActivationShape], _ upstream: [[Float]],
                              window: Kernels.Window, outChannels: Int, needInput: Bool) -> [[Float]] {
        let weights = parameters[name + ".weight"]!
        let depth = weights.count / outChannels
        let chunks = max(1, min(threads, inputs.count))
        var weightParts = [[Float]](repeating: [Float](repeating: 0, count: weights.count), count: chunks)
        var biasParts = [[Float]](repeating: [Float](repeating: 0, count: outChannels), count: chunks)
        var inputGradients = [[Float]](repeating: [], count: inputs.count)
        weightParts.withUnsafeMutableBufferPointer { weightBuffer in
            biasParts.withUnsafeMutableBufferPointer { biasBuffer in
                inputGradients.withUnsafeMutableBufferPointer { gradientBuffer in
                    let (wp, bp, gp) = (SharedPointer(base: weightBuffer.baseAddress!), SharedPointer(base: biasBuffer.baseAddress!),
                                        SharedPointer(base: gradientBuffer.baseAddress!))
                    forEachChunk(inputs.count, chunks: chunks) { chunk, range in
                        var columns: [Float] = [], columnGradient: [Float] = []
                        for i in range {
                            let s = shapes[i]
                            let size = window.outputSize(height: s.height, width: s.width)
                            let positions = size.height * size.width
                            if columns.count < depth * positions {
                                columns = [Float](repeating: 0, count: depth * positions)
                                columnGradient = columns
                            }
                            let dy = upstream[i]
                            Kernels.im2col(inputs[i], shape: s, window: window, columns: &columns)
                            // dW += dY · colsᵀ ; db += Σ_positions dY
                            BLAS.sgemm(transposeB: true, m: outChannels, n: depth, k: positions, a: dy, lda: positions,
                                       b: columns, ldb: positions, beta: 1, c: &wp.base[chunk], ldc: depth)
                            dy.withUnsafeBufferPointer { dy in
                                for o in 0..<outChannels { bp.base[chunk][o] += BackwardKernels.sum(dy.baseAddress! + o * positions, count: positions) }
                            }
                            guard needInput else { continue }
                            // dCols = Wᵀ · dY, then fold the columns back onto the input.
                            BLAS.sgemm(transposeA: true, m: depth, n: positions, k: outChannels, a: weights, lda: depth,
                                       b: dy, ldb: positions, c: &columnGradient, ldc: positions)
                            var dx = [Float](repeating: 0, count: s.count)
                            BackwardKernels.col2im(columnGradient, shape: s, window: window, inputGradient: &dx)
                            gp.base[i] = dx
                        }
                    }
                }
            }
        }
        gradients[name + ".weight"] = sum(weightParts)
        gradients[name + ".bias"] = sum(biasParts)
        return inputGradients
    }

    /// Per-channel (Σx, Σx²) of each sample, as doubles from float partial sums over each plane.
    private func channelSums(_ inputs: [[Float]], _ shapes: [ActivationShape], _ other: [[Float]]? = nil) -> [[Double]] {
        let channels = shapes[0].channels
        return parallelMap(inputs.count, threads: threads) { _, i in
            let plane = shapes[i].height * shapes[i].width
            var sums = [Double](repeating: 0, count: 2 * channels)
            inputs[i].withUnsafeBufferPointer { x in
                (other?[i] ?? inputs[i]).withUnsafeBufferPointer { y in
                    for c in 0..<channels {
                        let (a, b) = BackwardKernels.sumAndDot(x.baseAddress! + c * plane, y.baseAddress! + c * plane, count: plane)
                        sums[c] = Double(a)
                        sums[channels + c] = Double(b)
                    }
                }
            }
            return sums
        }
    }

    private func batchNormForward(_ index: Int, _ inputs: [[Float]], _ shapes: [ActivationShape], epsilon: Float, training: Bool) -> [[Float]] {
        let name = "layers.\(index)"
        let channels = shapes[0].channels
        let gamma = parameters[name + ".gamma"]!, beta = parameters[name + ".beta"]!
        var mean = parameters[name + ".mean"]!, variance = parameters[name + ".variance"]!
        if training {
            // Batch statistics, reduced in sample order.
            var sums = [Double](repeating: 0, count: channels), squares = sums
            for partial in channelSums(inputs, shapes) {
                for c in 0..<channels {
                    sums[c] += partial[c]
                    squares[c] += partial[channels + c]
                }
            }
            let n = Double(shapes.reduce(0) { $0 + $1.height * $1.width })
            let batchMean = sums.map { $0 / n }
            let batchVariance = (0..<channels).map { max(0, squares[$0] / n - batchMean[$0] * batchMean[$0]) }
            let unbiased = n > 1 ? n / (n - 1) : 1
            var runningMean = parameters[name + ".mean"]!, runningVariance = parameters[name + ".variance"]!
            let m = batchNormMomentum
            for c in 0..<channels {
                runningMean[c] = (1 - m) * runningMean[c] + m * Float(batchMean[c])
                runningVariance[c] = (1 - m) * runningVariance[c] + m * Float(batchVariance[c] * unbiased)
            }
            parameters[name + ".mean"] = runningMean
            parameters[name + ".variance"] = runningVariance
            mean = batchMean.map { Float($0) }
            variance = batchVariance.map { Float($0) }
        }
        let inverse = variance.map { 1 / ($0 + epsilon).squareRoot() }
        let normalizedOutputs = parallelMap(inputs.count, threads: threads) { _, i -> (hat: [Float], y: [Float]) in
            let plane = shapes[i].height * shapes[i].width
            let x = inputs[i]
            let hat = Self.filled(x.count) { h in
                x.withUnsafeBufferPointer { x in
                    for c in 0..<channels {
                        let (mu, inv) = (mean[c], inverse[c])
                        let xc = x.baseAddress! + c * plane, hc = h + c * plane
                        for k in 0..<plane { hc[k] = (xc[k] - mu) * inv }
                    }
                }
            }
            let y = Self.filled(x.count) { o in
                hat.withUnsafeBufferPointer { h in
                    for c in 0..<channels {
                        let (g, b) = (gamma[c], beta[c])
                        let hc = h.baseAddress! + c * plane, oc = o + c * plane
                        for k in 0..<plane { oc[k] = g * hc[k] + b }
                    }
                }
            }
            return (training ? hat : [], y)
        }
        let hats = normalizedOutputs.map(\.hat), outputs = normalizedOutputs.map(\.y)
        if training {
            normalized[index] = hats
            inverseDeviation[index] = inverse
        }
        return outputs
    }

    private func batchNormBackward(_ index: Int, _ shapes: [ActivationShape], _ upstream: [[Float]]) -> [[Float]] {
        let name = "layers.\(index)"
        let hats = normalized[index]!, inverse = inverseDeviation[index]!
        let gamma = parameters[name + ".gamma"]!
        let channels = shapes[0].channels
        // Σ dy and Σ dy·x̂ per channel.
        var betaGradient = [Double](repeating: 0, count: channels), gammaGradient = betaGradient
        for partial in channelSums(upstream, shapes, hats) {
            for c in 0..<channels {
                betaGradient[c] += partial[c]
                gammaGradient[c] += partial[channels + c]
            }
        }
        gradients[name + ".gamma"] = gammaGradient.map { Float($0) }
        gradients[name + ".beta"] = betaGradient.map { Float($0) }
        let n = Float(shapes.reduce(0) { $0 + $1.height * $1.width })
        return parallelMap(upstream.count, threads: threads) { _, i in
            let plane = shapes[i].height * shapes[i].width
            let dy = upstream[i]
            return Self.filled(dy.count) { d in
                dy.withUnsafeBufferPointer { dy in
                    hats[i].withUnsafeBufferPointer { h in
                        for c in 0..<channels {
                            let scale = gamma[c] * inverse[c] / n
                            let (dg, db) = (Float(gammaGradient[c]), Float(betaGradient[c]))
                            let dyc = dy.baseAddress! + c * plane, dc = d + c * plane, hc = h.baseAddress! + c * plane
                            for k in 0..<plane { dc[k] = scale * (n * dyc[k] - db - hc[k] * dg) }
                        }
                    }
                }
            }
        }
    }

    /// Gradients of attentive pooling (see `BackwardKernels.attentivePool`), summed over the batch in sample order.
    private func attentivePoolBackward(_ name: String, _ index: Int, _ inputs: [[Float]], _ shapes: [ActivationShape], _ upstream: [[Float]],
                                       hidden: Int) -> [[Float]] {
        let weights = parameters[name + ".weight"]!, context = parameters[name + ".context"]!
        let outputs = layerOutputs[index]!, states = attentionStates[index]!
        let rows = shapes[0].channels * shapes[0].height
        let perSample = perSampleTuple(inputs.count) { i -> (dx: [Float], dW: [Float], db: [Float], dv: [Float]) in
            var dx = [Float](repeating: 0, count: shapes[i].count)
            var dW = [Float](repeating: 0, count: hidden * rows), db = [Float](repeating: 0, count: hidden), dv = db
            BackwardKernels.attentivePool(inputs[i], shape: shapes[i], weights: weights, context: context, hidden: hidden,
                                          output: outputs[i], scores: states[i].scores, attention: states[i].attention,
                                          outputGradient: upstream[i], inputGradient: &dx,
                                          weightGradient: &dW, biasGradient: &db, contextGradient: &dv)
            return (dx, dW, db, dv)
        }
        gradients[name + ".weight"] = sum(perSample.map(\.dW))
        gradients[name + ".bias"] = sum(perSample.map(\.db))
        gradients[name + ".context"] = sum(perSample.map(\.dv))
        return perSample.map(\.dx)
    }

    /// `body(i)` for every sample index on `threads` threads, for results of any type.
    private func perSampleTuple<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        parallelMap(count, threads: threads) { _, i in body(i) }
    }

    private func denseForward(_ inputs: [[Float]], inFeatures: Int, outFeatures: Int, weights: [Float], bias: [Float]) -> [[Float]] {
        let n = inputs.count
        let x = inputs.flatMap { $0 }
        var y = (0..<n).flatMap { _ in bias }
        BLAS.sgemm(transposeB: true, m: n, n: outFeatures, k: inFeatures, a: x, lda: inFeatures, b: weights, ldb: inFeatures,
                   beta: 1, c: &y, ldc: outFeatures)
        return (0..<n).map { Array(y[($0 * outFeatures)..<(($0 + 1) * outFeatures)]) }
    }

    private func denseBackward(_ name: String, _ inputs: [[Float]], _ upstream: [[Float]], inFeatures: Int, outFeatures: Int) -> [[Float]] {
        let n = inputs.count
        let x = inputs.flatMap { $0 }, dy = upstream.flatMap { $0 }
        var weightGradient = [Float](repeating: 0, count: outFeatures * inFeatures)
        BLAS.sgemm(transposeA: true, m: outFeatures, n: inFeatures, k: n, a: dy, lda: outFeatures, b: x, ldb: inFeatures,
                   c: &weightGradient, ldc: inFeatures)
        gradients[name + ".weight"] = weightGradient
        gradients[name + ".bias"] = (0..<outFeatures).map { o in (0..<n).reduce(Float(0)) { $0 + dy[$1 * outFeatures + o] } }
        var dx = [Float](repeating: 0, count: n * inFeatures)
        BLAS.sgemm(m: n, n: inFeatures, k: outFeatures, a: dy, lda: outFeatures, b: parameters[name + ".weight"]!, ldb: inFeatures,
                   c: &dx, ldc: inFeatures)
        return (0..<n).map { Array(dx[($0 * inFeatures)..<(($0 + 1) * inFeatures)]) }
    }

    /// An array of `count` floats, every one written by `body`.
    static func filled(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { body(buffer.baseAddress!) }
            initialized = count
        }
    }

    /// Element-wise product.
    static func multiply(_ a: [Float], _ b: [Float]) -> [Float] {
        var out = a
        out.withUnsafeMutableBufferPointer { o in
            b.withUnsafeBufferPointer { b in for k in 0..<o.count { o[k] *= b[k] } }
        }
        return out
    }

    private func sum(_ parts: [[Float]]) -> [Float] {
        var total = parts[0]
        for part in parts.dropFirst() { for i in total.indices { total[i] += part[i] } }
        return total
    }
}
