import EmoscopeCore
import EmoscopeTestSupport
import EmoscopeTraining
import Foundation
import Testing

/// Analytic gradients of every layer (and of the loss) against central finite differences.
///
/// The network computes in float32, so differences use a step of 1e-2 on the loss
/// `Σ rᵢₖ · logitᵢₖ` (random r, summed in double) and compare with a relative tolerance of
/// 2 %. Kinks (ReLU at 0, max-pool ties) make finite differences meaningless where a step
/// crosses them, so the single-layer tests build inputs that stay clear of kinks, and the
/// whole-network test, whose first-layer weights move many activations at once, uses a step
/// of 2e-3 and requires 95 % of the sampled entries to agree (with 1e-2, 94 % did, all the
/// misses on first-layer weights).
@Suite("gradient checks")
struct GradientCheckTests {
    static let height = 6

    /// A model over `height` mel bands with `architecture` and random tensors.
    static func model(_ architecture: [LayerSpec], seed: UInt64) -> EmotionModel {
        var settings = FeatureSettings()
        settings.melBands = height
        settings.mfccCount = height
        let classes = 3
        var header = TestModels.header(architecture: architecture)
        header.features = settings
        header.labels = Array(ModelHeader.ravdessLabels.prefix(classes))
        header.normalization = .init(mean: .init(repeating: 0, count: height), standardDeviation: .init(repeating: 1, count: height))
        var model = try! EmotionModel.initialized(header: header, seed: seed)
        var generator = SeededGenerator(seed: seed &+ 1)
        for spec in model.header.tensors {
            model.tensors[spec.name] = (0..<spec.count).map { _ in
                spec.name.hasSuffix("gamma") || spec.name.hasSuffix("variance") ? 0.5 + generator.nextUniform() : generator.nextUniform() * 2 - 1
            }
        }
        return model
    }

    struct Mismatch: CustomStringConvertible {
        var name: String, index: Int, analytic: Float, numeric: Float
        var description: String { "\(name)[\(index)]: analytic \(analytic), numeric \(numeric)" }

        /// A mismatch when `analytic` and `numeric` differ by more than `tolerance` of the larger (at least 0.05); nil otherwise.
        init?(name: String, index: Int, analytic: Float, numeric: Double, tolerance: Float) {
            let n = Float(numeric)
            guard abs(analytic - n) > tolerance * max(0.05, abs(analytic), abs(n)) else { return nil }
            (self.name, self.index, self.analytic, self.numeric) = (name, index, analytic, n)
        }
    }

    /// Compares `analytic` gradients of `network`'s trainable tensors (up to `perTensor` entries
    /// each) with central differences of `loss`, which must read the network's current parameters.
    static func checkParameters(_ network: TrainableNetwork, analytic: [String: [Float]], perTensor: Int = 12, step: Float = 1e-2,
                                tolerance: Float = 0.02, loss: () -> Double) -> (checked: Int, mismatches: [Mismatch]) {
        var checked = 0
        var mismatches: [Mismatch] = []
        for name in network.trainableNames {
            let count = network.parameters[name]!.count
            for index in stride(from: 0, to: count, by: max(1, count / perTensor)) {
                let original = network.parameters[name]![index]
                network.parameters[name]![index] = original + step
                let plus = loss()
                network.parameters[name]![index] = original - step
                let minus = loss()
                network.parameters[name]![index] = original
                checked += 1
                if let mismatch = Mismatch(name: name, index: index, analytic: analytic[name]![index], numeric: (plus - minus) / Double(2 * step),
                                           tolerance: tolerance) { mismatches.append(mismatch) }
            }
        }
        return (checked, mismatches)
    }

    /// Compares gradients of parameters (up to `perTensor` entries each) and inputs.
    static func check(_ architecture: [LayerSpec], inputs: [[Float]], widths: [Int], seed: UInt64 = 1,
                      perTensor: Int = 12, step: Float = 1e-2, tolerance: Float = 0.02,
                      mixStyle: (afterLayer: Int, probability: Double)? = nil) -> (checked: Int, mismatches: [Mismatch]) {
        let model = model(architecture, seed: seed)
        let network = TrainableNetwork(model: model, threads: 2)
        network.mixStyle = mixStyle
        var generator = SeededGenerator(seed: seed &+ 2)
        let logits = network.forward(inputs, widths: widths, training: true, seed: 7)
        let projection = logits.map { $0.map { _ in generator.nextUniform() * 2 - 1 } }
        func loss(_ inputs: [[Float]]) -> Double {
            let z = network.forward(inputs, widths: widths, training: true, seed: 7)
            return zip(z, projection).reduce(0.0) { total, pair in zip(pair.0, pair.1).reduce(total) { $0 + Double($1.0) * Double($1.1) } }
        }
        _ = network.forward(inputs, widths: widths, training: true, seed: 7)
        let inputGradient = network.backward(projection, inputGradient: true)!
        let analytic = network.gradients
        var (checked, mismatches) = checkParameters(network, analytic: analytic, perTensor: perTensor, step: step, tolerance: tolerance) {
            loss(inputs)
        }
        func compare(_ name: String, _ index: Int, _ a: Float, _ numeric: Double) {
            checked += 1
            if let mismatch = Mismatch(name: name, index: index, analytic: a, numeric: numeric, tolerance: tolerance) { mismatches.append(mismatch) }
        }
        for sample in inputs.indices {
            for index in stride(from: 0, to: inputs[sample].count, by: max(1, inputs[sample].count / perTensor)) {
                var shifted = inputs
                shifted[sample][index] += step
                let plus = loss(shifted)
                shifted[sample][index] -= 2 * step
                let minus = loss(shifted)
                compare("input\(sample)", index, inputGradient[sample][index], (plus - minus) / Double(2 * step))
            }
        }
        return (checked, mismatches)
    }

    /// Inputs whose values are distinct multiples of 0.05 (no max-pool ties within a step) and
    /// at least 0.05 away from 0 (no ReLU kink within a step).
    static func inputs(widths: [Int], seed: UInt64) -> [[Float]] {
        var generator = SeededGenerator(seed: seed)
        return widths.map { width in
            let count = height * width
            var values: [Float] = (0..<count).map { index in
                let magnitude = Float(index + 1) * 0.05
                return index % 2 == 0 ? magnitude : -magnitude
            }
            values.shuffle(using: &generator)
            return values
        }
    }

    static let widths = [9, 12, 7]
    static func conv(_ out: Int, kernel: Size2 = Size2(3, 3), stride: Size2 = Size2(1, 1), padding: Size2 = Size2(1, 1), dilation: Size2 = Size2(1, 1)) -> LayerSpec {
        .conv2d(outChannels: out, kernel: kernel, stride: stride, padding: padding, dilation: dilation)
    }
    static let head: [LayerSpec] = [.globalPool(.meanStd), .dense(outFeatures: 3)]

    static let singleLayerCases: [(String, [LayerSpec])] = [
        ("conv2d", [conv(2)]),
        ("conv2d strided, dilated, padded", [conv(3, kernel: Size2(2, 3), stride: Size2(2, 2), padding: Size2(1, 2), dilation: Size2(1, 2))]),
        ("batch norm", [.batchNorm(epsilon: 1e-5)]),
        ("relu", [.relu]),
        ("max pool", [.maxPool(kernel: Size2(2, 2), stride: Size2(2, 2))]),
        ("max pool 2×4 (the recipe's first)", [.maxPool(kernel: Size2(2, 4), stride: Size2(2, 4))]),
        ("avg pool", [.avgPool(kernel: Size2(2, 3), stride: Size2(1, 2))]),
        ("dropout", [.dropout(rate: 0.4)]),
    ]

    @Test("single layers", arguments: singleLayerCases.map(\.0))
    func singleLayer(_ name: String) {
        let layers = Self.singleLayerCases.first { $0.0 == name }!.1
        let result = Self.check(layers + Self.head, inputs: Self.inputs(widths: Self.widths, seed: 3), widths: Self.widths)
        #expect(result.checked > 40)
        #expect(result.mismatches.isEmpty, "\(result.mismatches.prefix(5))")
    }

    /// MixStyle inside the network holds its statistics fixed in the backward pass (Zhou et
    /// al.), so the layers after it get exact gradients (the ones before it get each channel's
    /// scale, checked in MixStyleTests); it is in effect in training only.
    @Test func mixStyleGradientsAfterItAreExact() {
        let layers = [Self.conv(3), .relu, Self.conv(2)] + Self.head
        let widths = [9, 12, 7, 10, 8]
        let inputs = Self.inputs(widths: widths, seed: 9)
        let result = Self.check(layers, inputs: inputs, widths: widths, perTensor: 20, mixStyle: (afterLayer: 1, probability: 1))
        let after = result.mismatches.filter { !$0.name.hasPrefix("layers.0") && !$0.name.hasPrefix("input") }
        #expect(result.checked > 60)
        #expect(after.isEmpty, "\(after.prefix(5))")
        let network = TrainableNetwork(model: Self.model(layers, seed: 1), threads: 2)
        let plain = network.forward(inputs, widths: widths, training: true, seed: 7)
        let reference = network.forward(inputs, widths: widths, training: false, seed: 7)
        network.mixStyle = (afterLayer: 1, probability: 1)
        #expect(network.forward(inputs, widths: widths, training: true, seed: 7) != plain)
        #expect(network.forward(inputs, widths: widths, training: false, seed: 7) == reference)
    }

    /// Inputs wide enough for the vectorised paths (2×2 and 2×4 max pooling eight outputs at a time,
    /// ReLU sixteen values at a time), with an odd width so the scalar tails run too.
    @Test func maxPoolAndReluOnWideInputs() {
        let widths = [37, 20]
        for layers: [LayerSpec] in [[.maxPool(kernel: Size2(2, 2), stride: Size2(2, 2))], [.maxPool(kernel: Size2(2, 4), stride: Size2(2, 4))], [.relu]] {
            let result = Self.check(layers + Self.head, inputs: Self.inputs(widths: widths, seed: 6), widths: widths, perTensor: 60)
            #expect(result.checked > 100)
            #expect(result.mismatches.isEmpty, "\(layers): \(result.mismatches.prefix(5))")
        }
    }

    /// On ties, 2×2 max pooling routes the gradient to the window's first maximum in row-major
    /// order, in the vectorised and the scalar columns alike.
    @Test func maxPoolTiesGoToTheFirstMaximum() {
        let width = 37
        let model = Self.model([.maxPool(kernel: Size2(2, 2), stride: Size2(2, 2)), .globalPool(.mean), .dense(outFeatures: 3)], seed: 9)
        let network = TrainableNetwork(model: model, threads: 1)
        // Rows 0–1: every window tied; rows 2–3: the maximum in the bottom-right, tied with nothing;
        // rows 4–5: top-right and bottom-left tied above the rest.
        var input = [Float](repeating: 0, count: Self.height * width)
        for x in 0..<width {
            input[3 * width + x] = x % 2 == 1 ? 1 : 0
            input[4 * width + x] = x % 2 == 1 ? 2 : -1
            input[5 * width + x] = x % 2 == 0 ? 2 : -1
        }
        _ = network.forward([input], widths: [width], training: true, seed: 1)
        let gradient = network.backward([[1, -2, 0.5]], inputGradient: true)![0]
        for ox in 0..<(width / 2) {
            let x = 2 * ox
            let expected: [(Int, Int)] = [(0, x), (3, x + 1), (4, x + 1)]
            for row in 0..<Self.height {
                for column in [x, x + 1] {
                    let routed = expected.contains { $0 == (row, column) }
                    #expect((gradient[row * width + column] != 0) == routed, "row \(row), column \(column)")
                }
            }
        }
        #expect((0..<Self.height).allSatisfy { gradient[$0 * width + width - 1] == 0 }, "the odd last column is outside every window")
    }

    /// The recipe's 2×4 max pooling (its own path): each window's maximum forward, and on ties
    /// the gradient to the first maximum in row-major order, as the general path routes it.
    @Test func maxPool2x4TakesTheMaximumAndRoutesTiesToTheFirst() {
        let width = 38, kernel = Size2(2, 4)
        var input = [Float](repeating: 0, count: Self.height * width)
        for x in 0..<width {
            input[3 * width + x] = x % 4 >= 2 ? 3 : -1     // rows 2–3: tied in the bottom row's last two
            input[4 * width + x] = x % 4 == 3 ? 5 : 0      // rows 4–5: top-right tied with bottom-left
            input[5 * width + x] = x % 4 == 0 ? 5 : -2
        }
        for (y, x) in [(0, 5), (1, 17)] { input[y * width + x] = Float(7 + y) }  // lone maxima in rows 0–1
        let shape = ActivationShape(channels: 1, height: Self.height, width: width)
        let out = Kernels.Window(kernel: kernel, stride: kernel).outputSize(height: shape.height, width: width)
        var pooled = [Float](repeating: .nan, count: out.height * out.width)
        Kernels.pool(input, shape: shape, kernel: kernel, stride: kernel, max: true, output: &pooled)
        for oy in 0..<out.height {
            for ox in 0..<out.width {
                let window = (0..<2).flatMap { i in (0..<4).map { j in input[(2 * oy + i) * width + 4 * ox + j] } }
                #expect(pooled[oy * out.width + ox] == window.max()!, "window \(oy), \(ox)")
            }
        }
        let model = Self.model([.maxPool(kernel: kernel, stride: kernel), .globalPool(.mean), .dense(outFeatures: 3)], seed: 9)
        let network = TrainableNetwork(model: model, threads: 1)
        _ = network.forward([input], widths: [width], training: true, seed: 1)
        let gradient = network.backward([[1, -2, 0.5]], inputGradient: true)![0]
        for ox in 0..<(width / 4) {
            let x = 4 * ox
            let lone = [(0, 5), (1, 17)].first { $0.1 / 4 == ox }.map { [$0] } ?? [(0, x)]
            let expected = lone + [(3, x + 2), (4, x + 3)]
            for row in 0..<Self.height {
                for column in x..<(x + 4) {
                    let routed = expected.contains { $0 == (row, column) }
                    #expect((gradient[row * width + column] != 0) == routed, "row \(row), column \(column)")
                }
            }
        }
        #expect((0..<Self.height).allSatisfy { gradient[$0 * width + 36] == 0 && gradient[$0 * width + 37] == 0 },
                "the last two columns are outside every window")
    }

    /// Attentive pooling's weight, bias, context and input gradients (random non-zero context).
    @Test func attentivePooling() {
        let layers: [LayerSpec] = [Self.conv(2), .attentivePool(hidden: 4), .dense(outFeatures: 3)]
        let result = Self.check(layers, inputs: Self.inputs(widths: Self.widths, seed: 8), widths: Self.widths, perTensor: 20)
        #expect(result.checked > 60)
        #expect(result.mismatches.isEmpty, "\(result.mismatches.prefix(5))")
    }

    @Test func meanPoolingAndStackedDenseLayers() {
        let layers: [LayerSpec] = [.globalPool(.mean), .dense(outFeatures: 5), .batchNorm(epsilon: 1e-5), .dense(outFeatures: 3)]
        let result = Self.check(layers, inputs: Self.inputs(widths: Self.widths, seed: 4), widths: Self.widths)
        #expect(result.mismatches.isEmpty, "\(result.mismatches.prefix(5))")
    }

    @Test func wholeNetwork() {
        let layers: [LayerSpec] = [
            Self.conv(3), .batchNorm(epsilon: 1e-5), .relu, .maxPool(kernel: Size2(2, 2), stride: Size2(2, 2)),
            Self.conv(4, stride: Size2(1, 1), dilation: Size2(1, 1)), .batchNorm(epsilon: 1e-5), .relu,
            .globalPool(.meanStd), .dropout(rate: 0.2), .dense(outFeatures: 5), .relu, .dense(outFeatures: 3),
        ]
        let widths = [14, 10, 16, 12]
        let result = Self.check(layers, inputs: Self.inputs(widths: widths, seed: 5), widths: widths, perTensor: 10, step: 2e-3)
        #expect(result.checked > 100)
        let agreement = 1 - Double(result.mismatches.count) / Double(result.checked)
        #expect(agreement >= 0.95, "\(result.mismatches.count) of \(result.checked) disagree: \(result.mismatches)")
    }

    @Test func crossEntropyGradient() {
        let logits: [[Float]] = [[0.3, -1.2, 2.0], [1.5, 0.1, -0.4]]
        let targets = [CrossEntropy.target(label: 2, classes: 3, smoothing: 0.1),
                       zip(CrossEntropy.target(label: 0, classes: 3, smoothing: 0), CrossEntropy.target(label: 1, classes: 3, smoothing: 0)).map { 0.7 * $0 + 0.3 * $1 }]
        let weights: [Float] = [2, 0.5]
        let (loss, gradients) = CrossEntropy.lossAndGradient(logits: logits, targets: targets, weights: weights)
        // Hand check of the first sample's loss: −Σ t·log softmax.
        let z = logits[0].map(Double.init), logSum = log(z.map(exp).reduce(0, +))
        let first = -zip(targets[0], z).reduce(0.0) { $0 + Double($1.0) * ($1.1 - logSum) }
        let z2 = logits[1].map(Double.init), logSum2 = log(z2.map(exp).reduce(0, +))
        let second = -zip(targets[1], z2).reduce(0.0) { $0 + Double($1.0) * ($1.1 - logSum2) }
        #expect(abs(loss - (2 * first + 0.5 * second) / 2.5) < 1e-6)
        for i in 0..<2 {
            for k in 0..<3 {
                var plus = logits, minus = logits
                plus[i][k] += 1e-3
                minus[i][k] -= 1e-3
                let numeric = (CrossEntropy.lossAndGradient(logits: plus, targets: targets, weights: weights).loss
                               - CrossEntropy.lossAndGradient(logits: minus, targets: targets, weights: weights).loss) / 2e-3
                #expect(abs(Double(gradients[i][k]) - numeric) < 1e-4)
            }
        }
        #expect(CrossEntropy.balancedClassWeights(labels: [0, 0, 0, 1], classes: 3) == [2.0 / 3, 2, 0])
    }

    @Test func adamWMinimisesAQuadraticAndDecaysOnlyWeights() {
        var parameters = ["a.weight": [Float](repeating: 3, count: 4), "a.bias": [Float](repeating: 3, count: 2)]
        var optimiser = AdamW(weightDecay: 0.1)
        for _ in 0..<500 {
            let gradients = parameters.mapValues { $0.map { 2 * ($0 - 1) } }   // minimum at 1
            optimiser.update(&parameters, gradients: gradients, names: ["a.weight", "a.bias"], learningRate: 0.05)
        }
        // The bias reaches the minimum; decay pulls the weight below it, towards 1/(1 + wd/2).
        #expect(parameters["a.bias"]!.allSatisfy { abs($0 - 1) < 0.02 })
        #expect(parameters["a.weight"]!.allSatisfy { $0 < 0.99 && $0 > 0.9 })
        let schedule = LearningRateSchedule(peak: 1, warmupSteps: 10, totalSteps: 110)
        #expect(schedule.rate(at: 0) == 0.1 && schedule.rate(at: 9) == 1)
        #expect(abs(schedule.rate(at: 60) - (0.02 + 0.98 * 0.5)) < 1e-5)
        #expect(abs(schedule.rate(at: 110) - 0.02) < 1e-6)
    }
}
