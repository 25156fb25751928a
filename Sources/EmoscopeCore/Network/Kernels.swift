import Foundation

/// The forward computations of the network's layers on one sample, over raw buffers.
///
/// Activations are channel-major `C × H × W` (H is frequency, W is time). These functions
/// allocate nothing; callers own every buffer. The trainer's backward pass reuses them.
public enum Kernels {
    /// Geometry of a convolution or pooling window along both axes.
    public struct Window: Sendable, Equatable {
        public var kernel: Size2
        public var stride: Size2
        public var padding: Size2
        public var dilation: Size2

        public init(kernel: Size2, stride: Size2 = Size2(1, 1), padding: Size2 = Size2(0, 0), dilation: Size2 = Size2(1, 1)) {
            self.kernel = kernel
            self.stride = stride
            self.padding = padding
            self.dilation = dilation
        }

        /// Output size along both axes for an input of `height × width`.
        public func outputSize(height: Int, width: Int) -> Size2 {
            Size2((height + 2 * padding.height - dilation.height * (kernel.height - 1) - 1) / stride.height + 1,
                  (width + 2 * padding.width - dilation.width * (kernel.width - 1) - 1) / stride.width + 1)
        }
    }

    /// Unfolds the input into columns: row `(c, i, j)` holds, for every output position, the
    /// input value under kernel tap `(i, j)` of channel `c` (0 outside the padded input).
    /// `columns` holds `C·kh·kw × outH·outW` values.
    public static func im2col(_ input: UnsafePointer<Float>, shape: ActivationShape, window: Window,
                              columns: UnsafeMutablePointer<Float>) {
        let (height, width) = (shape.height, shape.width)
        let out = window.outputSize(height: height, width: width)
        let (kh, kw) = (window.kernel.height, window.kernel.width)
        let (sh, sw) = (window.stride.height, window.stride.width)
        let (ph, pw) = (window.padding.height, window.padding.width)
        let (dh, dw) = (window.dilation.height, window.dilation.width)
        let positions = out.height * out.width
        var row = columns
        for channel in 0..<shape.channels {
            let plane = input + channel * height * width
            for i in 0..<kh {
                for j in 0..<kw {
                    // Output columns whose input x = ox·sw − pw + j·dw falls inside [0, width).
                    let offset = j * dw - pw
                    let firstX = offset >= 0 ? 0 : (-offset + sw - 1) / sw
                    let lastX = min(out.width, (width - offset + sw - 1) / sw)  // exclusive
                    for oy in 0..<out.height {
                        let y = oy * sh - ph + i * dh
                        let dst = row + oy * out.width
                        guard y >= 0 && y < height, firstX < lastX else {
                            dst.initialize(repeating: 0, count: out.width)
                            continue
                        }
                        let src = plane + y * width + offset
                        if firstX > 0 { dst.initialize(repeating: 0, count: firstX) }
                        if sw == 1 {
                            dst.advanced(by: firstX).update(from: src + firstX, count: lastX - firstX)
                        } else {
                            for ox in firstX..<lastX { dst[ox] = src[ox * sw] }
                        }
                        if lastX < out.width { (dst + lastX).initialize(repeating: 0, count: out.width - lastX) }
                    }
                    row += positions
                }
            }
        }
    }

    /// Convolution as `weights (Cout × Cin·kh·kw) · im2col(input)` plus bias.
    ///
    /// `columns` needs `Cin·kh·kw × outH·outW` values; a 1×1 kernel with stride 1 and no
    /// padding skips it and multiplies the input directly.
    public static func conv2d(_ input: UnsafePointer<Float>, shape: ActivationShape, window: Window,
                              weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, outChannels: Int,
                              output: UnsafeMutablePointer<Float>, columns: UnsafeMutablePointer<Float>) {
        let out = window.outputSize(height: shape.height, width: shape.width)
        let positions = out.height * out.width
        let depth = shape.channels * window.kernel.height * window.kernel.width
        let pointwise = window.kernel == Size2(1, 1) && window.stride == Size2(1, 1) && window.padding == Size2(0, 0)
        let source: UnsafePointer<Float>
        if pointwise {
            source = input
        } else {
            im2col(input, shape: shape, window: window, columns: columns)
            source = UnsafePointer(columns)
        }
        for o in 0..<outChannels {
            (output + o * positions).initialize(repeating: bias[o], count: positions)
        }
        BLAS.sgemm(m: outChannels, n: positions, k: depth, a: weights, lda: depth, b: source, ldb: positions,
                   beta: 1, c: output, ldc: positions)
    }

    /// Max or average pooling without padding.
    public static func pool(_ input: UnsafePointer<Float>, shape: ActivationShape, kernel: Size2, stride: Size2,
                            max useMax: Bool, output: UnsafeMutablePointer<Float>) {
        let out = Window(kernel: kernel, stride: stride).outputSize(height: shape.height, width: shape.width)
        let planeIn = shape.height * shape.width, planeOut = out.height * out.width
        if kernel == stride && (kernel == Size2(2, 2) || (useMax && kernel == Size2(2, 4))) {
            // The recipe's poolings, a row of windows at a time (see the two functions below).
            for channel in 0..<shape.channels {
                let plane = input + channel * planeIn, dst = output + channel * planeOut
                for oy in 0..<out.height {
                    let top = plane + 2 * oy * shape.width, bottom = top + shape.width, row = dst + oy * out.width
                    if kernel.width == 2 {
                        pool2x2Row(top, bottom, windows: out.width, max: useMax, output: row)
                    } else {
                        maxPool2x4Row(top, bottom, windows: out.width, output: row)
                    }
                }
            }
            return
        }
        let scale = 1 / Float(kernel.height * kernel.width)
        for channel in 0..<shape.channels {
            let plane = input + channel * planeIn, dst = output + channel * planeOut
            for oy in 0..<out.height {
                for ox in 0..<out.width {
                    let origin = plane + oy * stride.height * shape.width + ox * stride.width
                    if useMax {
                        var value = -Float.infinity
                        for i in 0..<kernel.height {
                            for j in 0..<kernel.width { value = max(value, origin[i * shape.width + j]) }
                        }
                        dst[oy * out.width + ox] = value
                    } else {
                        var sum: Float = 0
                        for i in 0..<kernel.height {
                            for j in 0..<kernel.width { sum += origin[i * shape.width + j] }
                        }
                        dst[oy * out.width + ox] = sum * scale
                    }
                }
            }
        }
    }

    /// One row of 2×2 windows (rows `top` and `bottom`), without inner loops.
    @inline(__always)
    static func pool2x2Row(_ top: UnsafePointer<Float>, _ bottom: UnsafePointer<Float>, windows: Int, max useMax: Bool,
                           output row: UnsafeMutablePointer<Float>) {
        if useMax {
            for ox in 0..<windows {
                row[ox] = max(max(top[2 * ox], top[2 * ox + 1]), max(bottom[2 * ox], bottom[2 * ox + 1]))
            }
        } else {
            for ox in 0..<windows {
                row[ox] = 0.25 * ((top[2 * ox] + top[2 * ox + 1]) + (bottom[2 * ox] + bottom[2 * ox + 1]))
            }
        }
    }

    /// One row of 2×4 max windows (the recipe's first pooling), eight at a time: the same
    /// maximum, taken in the same order (row-major, a later equal value kept), as the general path.
    @inline(__always)
    static func maxPool2x4Row(_ top: UnsafePointer<Float>, _ bottom: UnsafePointer<Float>, windows: Int,
                              output row: UnsafeMutablePointer<Float>) {
        var ox = 0
        while ox + 8 <= windows {
            let maximum = maximumOfWindows(top: fourTaps(top + 4 * ox), bottom: fourTaps(bottom + 4 * ox))
            UnsafeMutableRawPointer(row + ox).storeBytes(of: maximum, as: SIMD8<Float>.self)
            ox += 8
        }
        for ox in ox..<windows {
            var value = -Float.infinity
            for j in 0..<4 { value = max(value, top[4 * ox + j]) }
            for j in 0..<4 { value = max(value, bottom[4 * ox + j]) }
            row[ox] = value
        }
    }

    /// Taps 0, 1, 2 and 3 of eight consecutive windows of four values: the 32 floats from `p`
    /// split into every fourth value.
    @inline(__always)
    public static func fourTaps(_ p: UnsafePointer<Float>) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let v = UnsafeRawPointer(p).loadUnaligned(as: SIMD32<Float>.self)
        let even = v.evenHalf, odd = v.oddHalf
        return (even.evenHalf, odd.evenHalf, even.oddHalf, odd.oddHalf)
    }

    /// The maximum of eight 2×4 windows given as their taps (`fourTaps` of the top and the bottom
    /// row), taken in row-major order with a later equal value kept, as `Swift.max` does.
    @inline(__always)
    public static func maximumOfWindows(top t: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>),
                                        bottom b: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)) -> SIMD8<Float> {
        var m = t.0
        m = m.replacing(with: t.1, where: t.1 .>= m)
        m = m.replacing(with: t.2, where: t.2 .>= m)
        m = m.replacing(with: t.3, where: t.3 .>= m)
        m = m.replacing(with: b.0, where: b.0 .>= m)
        m = m.replacing(with: b.1, where: b.1 .>= m)
        m = m.replacing(with: b.2, where: b.2 .>= m)
        return m.replacing(with: b.3, where: b.3 .>= m)
    }

    /// Pools every (channel, frequency) row over time: mean, or mean then standard deviation.
    ///
    /// Output: `C·H` means, followed by `C·H` standard deviations for `.meanStd`
    /// (`sqrt(max(var, 0) + 1e-5)`, so the gradient stays finite on constant rows).
    public static func globalPool(_ input: UnsafePointer<Float>, shape: ActivationShape, statistics: PoolingStatistics,
                                  output: UnsafeMutablePointer<Float>) {
        let rows = shape.channels * shape.height, width = shape.width
        let scale = 1 / Float(width)
        for r in 0..<rows {
            let row = input + r * width
            var sum: Float = 0
            for t in 0..<width { sum += row[t] }
            let mean = sum * scale
            output[r] = mean
            if statistics == .meanStd {
                var squares: Float = 0
                for t in 0..<width { squares += (row[t] - mean) * (row[t] - mean) }
                output[rows + r] = (max(squares * scale, 0) + globalPoolEpsilon).squareRoot()
            }
        }
    }

    /// Added to the variance before the square root in `.meanStd` pooling.
    public static let globalPoolEpsilon: Float = 1e-5

    /// Attentive statistics pooling over time (see `LayerSpec.attentivePool`): `weights`
    /// (`hidden × C·H`), `bias` and `context` (`hidden`) score every frame; the scores' softmax
    /// over time weights the mean and standard deviation of every row. Output as `globalPool`'s
    /// `.meanStd`. `scores` needs `hidden × W` values and receives tanh(W·x + b); `attention`
    /// needs `W` values and receives the frames' weights.
    public static func attentivePool(_ input: UnsafePointer<Float>, shape: ActivationShape, weights: UnsafePointer<Float>,
                                     bias: UnsafePointer<Float>, context: UnsafePointer<Float>, hidden: Int,
                                     output: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>,
                                     attention: UnsafeMutablePointer<Float>) {
        let rows = shape.channels * shape.height, width = shape.width
        for j in 0..<hidden { (scores + j * width).initialize(repeating: bias[j], count: width) }
        BLAS.sgemm(m: hidden, n: width, k: rows, a: weights, lda: rows, b: input, ldb: width, beta: 1, c: scores, ldc: width)
        for t in 0..<width { attention[t] = 0 }
        for j in 0..<hidden {
            let row = scores + j * width, v = context[j]
            for t in 0..<width {
                row[t] = tanhf(row[t])
                attention[t] += v * row[t]
            }
        }
        var peak = -Float.infinity
        for t in 0..<width { peak = max(peak, attention[t]) }
        var total: Float = 0
        for t in 0..<width {
            attention[t] = expf(attention[t] - peak)
            total += attention[t]
        }
        for t in 0..<width { attention[t] /= total }
        for r in 0..<rows {
            let x = input + r * width
            var mean: Float = 0
            for t in 0..<width { mean += attention[t] * x[t] }
            var variance: Float = 0
            for t in 0..<width { variance += attention[t] * (x[t] - mean) * (x[t] - mean) }
            output[r] = mean
            output[rows + r] = (max(variance, 0) + globalPoolEpsilon).squareRoot()
        }
    }

    /// `output = weights (out × in) · input + bias`.
    public static func dense(_ input: UnsafePointer<Float>, inFeatures: Int, weights: UnsafePointer<Float>,
                             bias: UnsafePointer<Float>, outFeatures: Int, output: UnsafeMutablePointer<Float>) {
        for o in 0..<outFeatures {
            let row = weights + o * inFeatures
            var sum: Float = 0
            for i in 0..<inFeatures { sum += row[i] * input[i] }
            output[o] = sum + bias[o]
        }
    }

    /// `x = max(0, x)` in place.
    public static func relu(_ values: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { values[i] = max(0, values[i]) }
    }

    /// `x = x · scale[c] + shift[c]` per channel, in place (an unfolded batch norm).
    public static func channelAffine(_ values: UnsafeMutablePointer<Float>, shape: ActivationShape,
                                     scale: UnsafePointer<Float>, shift: UnsafePointer<Float>) {
        let plane = shape.height * shape.width
        for c in 0..<shape.channels {
            let p = values + c * plane
            let (a, b) = (scale[c], shift[c])
            for i in 0..<plane { p[i] = p[i] * a + b }
        }
    }

    /// Softmax of `logits / temperature` into `probabilities`, computed stably.
    public static func softmax(_ logits: UnsafePointer<Float>, count: Int, temperature: Float,
                               probabilities: UnsafeMutablePointer<Float>) {
        var peak = -Float.infinity
        for i in 0..<count { peak = max(peak, logits[i] / temperature) }
        var sum: Float = 0
        for i in 0..<count {
            let e = expf(logits[i] / temperature - peak)
            probabilities[i] = e
            sum += e
        }
        for i in 0..<count { probabilities[i] /= sum }
    }
}
