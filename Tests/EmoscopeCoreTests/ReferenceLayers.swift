import EmoscopeCore
import Foundation

/// Obviously-correct layer implementations (direct loops, double accumulation, batch norm
/// not folded) that the fast kernels are checked against.
enum Reference {
    static func conv2d(_ x: [Float], _ s: ActivationShape, weights: [Float], bias: [Float], out: Int,
                       kernel: Size2, stride: Size2, padding: Size2, dilation: Size2) -> ([Float], ActivationShape) {
        let oh = (s.height + 2 * padding.height - dilation.height * (kernel.height - 1) - 1) / stride.height + 1
        let ow = (s.width + 2 * padding.width - dilation.width * (kernel.width - 1) - 1) / stride.width + 1
        var y = [Float](repeating: 0, count: out * oh * ow)
        for o in 0..<out {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var sum = Double(bias[o])
                    for c in 0..<s.channels {
                        for i in 0..<kernel.height {
                            for j in 0..<kernel.width {
                                let iy = oy * stride.height - padding.height + i * dilation.height
                                let ix = ox * stride.width - padding.width + j * dilation.width
                                guard iy >= 0, iy < s.height, ix >= 0, ix < s.width else { continue }
                                let w = weights[((o * s.channels + c) * kernel.height + i) * kernel.width + j]
                                sum += Double(w) * Double(x[(c * s.height + iy) * s.width + ix])
                            }
                        }
                    }
                    y[(o * oh + oy) * ow + ox] = Float(sum)
                }
            }
        }
        return (y, ActivationShape(channels: out, height: oh, width: ow))
    }

    static func pool(_ x: [Float], _ s: ActivationShape, kernel: Size2, stride: Size2, max useMax: Bool) -> ([Float], ActivationShape) {
        let oh = (s.height - kernel.height) / stride.height + 1, ow = (s.width - kernel.width) / stride.width + 1
        var y: [Float] = []
        for c in 0..<s.channels {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var values: [Float] = []
                    for i in 0..<kernel.height {
                        for j in 0..<kernel.width {
                            values.append(x[(c * s.height + oy * stride.height + i) * s.width + ox * stride.width + j])
                        }
                    }
                    y.append(useMax ? values.max()! : Float(values.reduce(0.0) { $0 + Double($1) } / Double(values.count)))
                }
            }
        }
        return (y, ActivationShape(channels: s.channels, height: oh, width: ow))
    }

    static func globalPool(_ x: [Float], _ s: ActivationShape, _ statistics: PoolingStatistics) -> ([Float], ActivationShape) {
        var means: [Float] = [], deviations: [Float] = []
        for r in 0..<(s.channels * s.height) {
            let row = x[(r * s.width)..<((r + 1) * s.width)].map(Double.init)
            let mean = row.reduce(0, +) / Double(row.count)
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(row.count)
            means.append(Float(mean))
            deviations.append(Float((variance + Double(Kernels.globalPoolEpsilon)).squareRoot()))
        }
        let y = statistics == .mean ? means : means + deviations
        return (y, ActivationShape(channels: y.count, height: 1, width: 1))
    }

    static func dense(_ x: [Float], weights: [Float], bias: [Float], out: Int) -> [Float] {
        (0..<out).map { o in
            Float((0..<x.count).reduce(Double(bias[o])) { $0 + Double(weights[o * x.count + $1]) * Double(x[$1]) })
        }
    }

    static func batchNorm(_ x: [Float], _ s: ActivationShape, gamma: [Float], beta: [Float], mean: [Float], variance: [Float], epsilon: Float) -> [Float] {
        let plane = s.height * s.width
        return x.indices.map { i in
            let c = i / plane
            return (x[i] - mean[c]) / (variance[c] + epsilon).squareRoot() * gamma[c] + beta[c]
        }
    }

    /// Runs a whole model layer by layer, batch norms unfolded, dropout as identity.
    static func forward(_ model: EmotionModel, input: [Float], width: Int) -> [Float] {
        var x = input
        var s = ActivationShape(channels: 1, height: model.header.features.melBands, width: width)
        for (index, layer) in model.header.architecture.enumerated() {
            func t(_ part: String) -> [Float] { model.tensors["layers.\(index).\(part)"]! }
            switch layer {
            case .conv2d(let out, let kernel, let stride, let padding, let dilation):
                (x, s) = conv2d(x, s, weights: t("weight"), bias: t("bias"), out: out, kernel: kernel, stride: stride, padding: padding, dilation: dilation)
            case .batchNorm(let epsilon):
                x = batchNorm(x, s, gamma: t("gamma"), beta: t("beta"), mean: t("mean"), variance: t("variance"), epsilon: epsilon)
            case .relu: x = x.map { max(0, $0) }
            case .maxPool(let kernel, let stride): (x, s) = pool(x, s, kernel: kernel, stride: stride, max: true)
            case .avgPool(let kernel, let stride): (x, s) = pool(x, s, kernel: kernel, stride: stride, max: false)
            case .globalPool(let statistics): (x, s) = globalPool(x, s, statistics)
            case .attentivePool(let hidden):
                x = attentivePool(x, s, weights: t("weight"), bias: t("bias"), context: t("context"), hidden: hidden)
                s = ActivationShape(channels: x.count, height: 1, width: 1)
            case .dense(let out):
                x = dense(x, weights: t("weight"), bias: t("bias"), out: out)
                s = ActivationShape(channels: out, height: 1, width: 1)
            case .dropout: break
            }
        }
        return x
    }

    static func random(_ count: Int, _ generator: inout SeededGenerator, scale: Float = 1) -> [Float] {
        (0..<count).map { _ in (generator.nextUniform() * 2 - 1) * scale }
    }

    static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "sizes differ: \(a.count) vs \(b.count)")
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    /// Attentive statistics pooling by its definition, in double precision.
    static func attentivePool(_ x: [Float], _ s: ActivationShape, weights: [Float], bias: [Float], context: [Float], hidden: Int) -> [Float] {
        let rows = s.channels * s.height, width = s.width
        let scores = (0..<width).map { t in
            (0..<hidden).reduce(0.0) { e, j in
                let a = (0..<rows).reduce(Double(bias[j])) { $0 + Double(weights[j * rows + $1]) * Double(x[$1 * width + t]) }
                return e + Double(context[j]) * tanh(a)
            }
        }
        let peak = scores.max()!
        let exps = scores.map { exp($0 - peak) }
        let alpha = exps.map { $0 / exps.reduce(0, +) }
        var means: [Float] = [], deviations: [Float] = []
        for r in 0..<rows {
            let mean = (0..<width).reduce(0.0) { $0 + alpha[$1] * Double(x[r * width + $1]) }
            let variance = (0..<width).reduce(0.0) { $0 + alpha[$1] * pow(Double(x[r * width + $1]) - mean, 2) }
            means.append(Float(mean))
            deviations.append(Float((variance + Double(Kernels.globalPoolEpsilon)).squareRoot()))
        }
        return means + deviations
    }
}
