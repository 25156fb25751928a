import EmoscopeCore

/// The gradients of the layers' forward kernels (`Kernels`), on one sample.
enum BackwardKernels {
    /// Adds the columns' gradient back onto the input gradient: the adjoint of `Kernels.im2col`.
    static func col2im(_ columns: UnsafePointer<Float>, shape: ActivationShape, window: Kernels.Window,
                       inputGradient: UnsafeMutablePointer<Float>) {
        let (height, width) = (shape.height, shape.width)
        let out = window.outputSize(height: height, width: width)
        let positions = out.height * out.width
        let (sw, pw, dw) = (window.stride.width, window.padding.width, window.dilation.width)
        var row = columns
        for channel in 0..<shape.channels {
            let plane = inputGradient + channel * height * width
            for i in 0..<window.kernel.height {
                for j in 0..<window.kernel.width {
                    // Output columns whose input x = ox·sw + offset falls inside [0, width), as in im2col.
                    let offset = j * dw - pw
                    let firstX = offset >= 0 ? 0 : (-offset + sw - 1) / sw
                    let lastX = min(out.width, (width - offset + sw - 1) / sw)
                    if firstX < lastX {
                        for oy in 0..<out.height {
                            let y = oy * window.stride.height - window.padding.height + i * window.dilation.height
                            guard y >= 0 && y < height else { continue }
                            let source = row + oy * out.width
                            let target = plane + y * width + offset
                            if sw == 1 {
                                for ox in firstX..<lastX { target[ox] += source[ox] }
                            } else {
                                for ox in firstX..<lastX { target[ox * sw] += source[ox] }
                            }
                        }
                    }
                    row += positions
                }
            }
        }
    }

    /// Routes each output gradient to its window's maximum (first one on ties), or spreads it
    /// evenly for average pooling. Adds into `inputGradient`.
    static func pool(_ input: UnsafePointer<Float>, shape: ActivationShape, kernel: Size2, stride: Size2, max useMax: Bool,
                     outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>) {
        let out = Kernels.Window(kernel: kernel, stride: stride).outputSize(height: shape.height, width: shape.width)
        let share = 1 / Float(kernel.height * kernel.width)
        if useMax && kernel == stride && (kernel == Size2(2, 2) || kernel == Size2(2, 4)) {
            // The recipe's max poolings, a row of windows at a time (see the two functions below).
            let w = shape.width
            for channel in 0..<shape.channels {
                let plane = input + channel * shape.height * w
                let gradientPlane = inputGradient + channel * shape.height * w
                let upstream = outputGradient + channel * out.height * out.width
                for oy in 0..<out.height {
                    let top = plane + 2 * oy * w, topGradient = gradientPlane + 2 * oy * w, g = upstream + oy * out.width
                    if kernel.width == 2 {
                        maxPool2x2Row(top, width: w, windows: out.width, outputGradient: g, inputGradient: topGradient)
                    } else {
                        maxPool2x4Row(top, width: w, windows: out.width, outputGradient: g, inputGradient: topGradient)
                    }
                }
            }
            return
        }
        for channel in 0..<shape.channels {
            let plane = input + channel * shape.height * shape.width
            let gradientPlane = inputGradient + channel * shape.height * shape.width
            let upstream = outputGradient + channel * out.height * out.width
            for oy in 0..<out.height {
                for ox in 0..<out.width {
                    let g = upstream[oy * out.width + ox]
                    let origin = oy * stride.height * shape.width + ox * stride.width
                    if useMax {
                        var best = origin, bestValue = -Float.infinity
                        for i in 0..<kernel.height {
                            for j in 0..<kernel.width where plane[origin + i * shape.width + j] > bestValue {
                                best = origin + i * shape.width + j
                                bestValue = plane[best]
                            }
                        }
                        gradientPlane[best] += g
                    } else {
                        for i in 0..<kernel.height {
                            for j in 0..<kernel.width { gradientPlane[origin + i * shape.width + j] += g * share }
                        }
                    }
                }
            }
        }
    }

    /// 2×2 max pooling's gradient for one row of windows (rows `top` and `top + width`): each
    /// window's first maximum in row-major order, eight windows at a time by selects.
    @inline(__always)
    private static func maxPool2x2Row(_ top: UnsafePointer<Float>, width w: Int, windows: Int, outputGradient g: UnsafePointer<Float>,
                                      inputGradient topGradient: UnsafeMutablePointer<Float>) {
        let bottom = top + w, bottomGradient = topGradient + w
        var ox = 0
        while ox + 8 <= windows {
            let (a, b) = deinterleave(top + 2 * ox), (c, d) = deinterleave(bottom + 2 * ox)
            let dy = UnsafeRawPointer(g + ox).loadUnaligned(as: SIMD8<Float>.self)
            let ab = a.replacing(with: b, where: b .> a), cd = c.replacing(with: d, where: d .> c)
            let m = ab.replacing(with: cd, where: cd .> ab)
            let isA = a .== m, isB = .!isA .& (b .== m), isC = .!(isA .| isB) .& (c .== m), isD = .!(isA .| isB .| isC)
            let zero = SIMD8<Float>()
            addInterleaved(zero.replacing(with: dy, where: isA), zero.replacing(with: dy, where: isB), to: topGradient + 2 * ox)
            addInterleaved(zero.replacing(with: dy, where: isC), zero.replacing(with: dy, where: isD), to: bottomGradient + 2 * ox)
            ox += 8
        }
        for ox in ox..<windows {
            // First maximum in row-major order, as the general path picks it; selects, not branches.
            let (a, b, c, d) = (top[2 * ox], top[2 * ox + 1], bottom[2 * ox], bottom[2 * ox + 1])
            var best = 0, value = a
            best = b > value ? 1 : best; value = max(value, b)
            best = c > value ? w : best; value = max(value, c)
            best = d > value ? w + 1 : best
            topGradient[2 * ox + best] += g[ox]
        }
    }

    /// 2×4 max pooling's gradient (the recipe's first pooling) for one row of windows: each
    /// window's first maximum in row-major order, found for eight windows at a time by selects,
    /// then one scattered add per window, as the scalar tail and the general path add it.
    @inline(__always)
    private static func maxPool2x4Row(_ top: UnsafePointer<Float>, width w: Int, windows: Int, outputGradient g: UnsafePointer<Float>,
                                      inputGradient topGradient: UnsafeMutablePointer<Float>) {
        let bottom = top + w
        var ox = 0
        while ox + 8 <= windows {
            let t = Kernels.fourTaps(top + 4 * ox), b = Kernels.fourTaps(bottom + 4 * ox)
            let m = Kernels.maximumOfWindows(top: t, bottom: b)
            // Taps 0–3 on the top row, 4–7 below; the lowest tap equal to the maximum wins.
            var first = SIMD8<Int32>(repeating: 7)
            first.replace(with: 6, where: b.2 .== m)
            first.replace(with: 5, where: b.1 .== m)
            first.replace(with: 4, where: b.0 .== m)
            first.replace(with: 3, where: t.3 .== m)
            first.replace(with: 2, where: t.2 .== m)
            first.replace(with: 1, where: t.1 .== m)
            first.replace(with: 0, where: t.0 .== m)
            for lane in 0..<8 {
                let tap = Int(first[lane])
                topGradient[4 * (ox + lane) + (tap & 3) + (tap >> 2) * w] += g[ox + lane]
            }
            ox += 8
        }
        for ox in ox..<windows {
            let window = top + 4 * ox, below = window + w
            var best = 0, value = window[0]
            best = window[1] > value ? 1 : best; value = max(value, window[1])
            best = window[2] > value ? 2 : best; value = max(value, window[2])
            best = window[3] > value ? 3 : best; value = max(value, window[3])
            best = below[0] > value ? w : best; value = max(value, below[0])
            best = below[1] > value ? w + 1 : best; value = max(value, below[1])
            best = below[2] > value ? w + 2 : best; value = max(value, below[2])
            best = below[3] > value ? w + 3 : best
            topGradient[4 * ox + best] += g[ox]
        }
    }

    /// Even and odd elements of 16 floats at `p`.
    @inline(__always)
    private static func deinterleave(_ p: UnsafePointer<Float>) -> (even: SIMD8<Float>, odd: SIMD8<Float>) {
        let v = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
        return (v.evenHalf, v.oddHalf)
    }

    /// Adds `even` and `odd` interleaved onto the 16 floats at `p`.
    @inline(__always)
    private static func addInterleaved(_ even: SIMD8<Float>, _ odd: SIMD8<Float>, to p: UnsafeMutablePointer<Float>) {
        let v = SIMD16<Float>(even[0], odd[0], even[1], odd[1], even[2], odd[2], even[3], odd[3],
                              even[4], odd[4], even[5], odd[5], even[6], odd[6], even[7], odd[7])
        let raw = UnsafeMutableRawPointer(p)
        raw.storeBytes(of: raw.loadUnaligned(as: SIMD16<Float>.self) + v, as: SIMD16<Float>.self)
    }

    /// The ReLU's input gradient: the output gradient where its input was positive, else 0
    /// (selects in 16 lanes, not branches).
    static func relu(_ input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>, count: Int) {
        var k = 0
        while k + 16 <= count {
            let x = UnsafeRawPointer(input + k).loadUnaligned(as: SIMD16<Float>.self)
            let g = UnsafeRawPointer(outputGradient + k).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(inputGradient + k).storeBytes(of: g.replacing(with: 0, where: x .<= 0), as: SIMD16<Float>.self)
            k += 16
        }
        while k < count {
            inputGradient[k] = input[k] <= 0 ? 0 : outputGradient[k]
            k += 1
        }
    }

    /// Σ x over `count` values, in 16 float lanes (a fixed order, so always the same result).
    static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var sums = SIMD16<Float>()
        var k = 0
        while k + 16 <= count {
            sums += UnsafeRawPointer(x + k).loadUnaligned(as: SIMD16<Float>.self)
            k += 16
        }
        var sum = sums.sum()
        while k < count {
            sum += x[k]
            k += 1
        }
        return sum
    }

    /// (Σ x, Σ x·y) over `count` values, in 16 float lanes (a fixed order, so always the same result).
    static func sumAndDot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> (sum: Float, dot: Float) {
        var sums = SIMD16<Float>(), dots = SIMD16<Float>()
        var k = 0
        while k + 16 <= count {
            let a = UnsafeRawPointer(x + k).loadUnaligned(as: SIMD16<Float>.self)
            let b = UnsafeRawPointer(y + k).loadUnaligned(as: SIMD16<Float>.self)
            sums += a
            dots += a * b
            k += 16
        }
        var sum = sums.sum(), dot = dots.sum()
        while k < count {
            sum += x[k]
            dot += x[k] * y[k]
            k += 1
        }
        return (sum, dot)
    }

    /// Gradients of attentive statistics pooling (see `Kernels.attentivePool`) given the forward
    /// pass's `output`, tanh `scores` (`hidden × W`) and frame weights `attention`: writes the
    /// input gradient, adds the weight, bias and context gradients.
    ///
    /// With μ = Σₜ αₜxₜ, σ² = Σₜ αₜxₜ² − μ² (+ε) and α = softmax(e), eₜ = v·tanh(Wxₜ + b):
    /// ∂/∂xₜ = αₜ(∂μ + ∂σ(xₜ − μ)/σ) + Wᵀ∂aₜ; ∂/∂αₜ = Σ_rows ∂μ·xₜ + ∂σ(xₜ² − 2μxₜ)/(2σ);
    /// ∂eₜ = αₜ(∂αₜ − Σₛ αₛ∂αₛ); ∂aₜ = ∂eₜ · v ⊙ (1 − tanh²).
    static func attentivePool(_ input: UnsafePointer<Float>, shape: ActivationShape, weights: UnsafePointer<Float>,
                              context: UnsafePointer<Float>, hidden: Int, output: UnsafePointer<Float>,
                              scores: UnsafePointer<Float>, attention: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                              inputGradient: UnsafeMutablePointer<Float>, weightGradient: UnsafeMutablePointer<Float>,
                              biasGradient: UnsafeMutablePointer<Float>, contextGradient: UnsafeMutablePointer<Float>) {
        let rows = shape.channels * shape.height, width = shape.width
        var weightOfFrame = [Float](repeating: 0, count: width)
        for r in 0..<rows {
            let x = input + r * width, dx = inputGradient + r * width
            let (mean, deviation) = (output[r], output[rows + r])
            let (dMean, dDeviation) = (outputGradient[r], outputGradient[rows + r] / deviation)
            for t in 0..<width {
                dx[t] = attention[t] * (dMean + dDeviation * (x[t] - mean))
                weightOfFrame[t] += dMean * x[t] + 0.5 * dDeviation * (x[t] * x[t] - 2 * mean * x[t])
            }
        }
        var expected: Float = 0
        for t in 0..<width { expected += attention[t] * weightOfFrame[t] }
        let frameGradient = (0..<width).map { t in attention[t] * (weightOfFrame[t] - expected) }
        var scoreGradient = [Float](repeating: 0, count: hidden * width)
        scoreGradient.withUnsafeMutableBufferPointer { buffer in
            for j in 0..<hidden {
                let u = scores + j * width, da = buffer.baseAddress! + j * width
                var dv: Float = 0, db: Float = 0
                for t in 0..<width {
                    dv += frameGradient[t] * u[t]
                    da[t] = frameGradient[t] * context[j] * (1 - u[t] * u[t])
                    db += da[t]
                }
                contextGradient[j] += dv
                biasGradient[j] += db
            }
            // ∂W += ∂A·Xᵀ ; ∂X += Wᵀ·∂A
            BLAS.sgemm(transposeB: true, m: hidden, n: rows, k: width, a: buffer.baseAddress!, lda: width, b: input, ldb: width,
                       beta: 1, c: weightGradient, ldc: rows)
            BLAS.sgemm(transposeA: true, m: rows, n: width, k: hidden, a: weights, lda: rows, b: buffer.baseAddress!, ldb: width,
                       beta: 1, c: inputGradient, ldc: width)
        }
    }

    /// Gradient of global pooling over time (see `Kernels.globalPool`); writes `inputGradient`.
    static func globalPool(_ input: UnsafePointer<Float>, shape: ActivationShape, statistics: PoolingStatistics,
                           output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>) {
        let rows = shape.channels * shape.height, width = shape.width
        let scale = 1 / Float(width)
        for r in 0..<rows {
            let x = input + r * width, dx = inputGradient + r * width
            let meanGradient = outputGradient[r] * scale
            if statistics == .meanStd {
                let mean = output[r], deviation = output[rows + r]
                let deviationGradient = outputGradient[rows + r] * scale / deviation
                for t in 0..<width { dx[t] = meanGradient + deviationGradient * (x[t] - mean) }
            } else {
                for t in 0..<width { dx[t] = meanGradient }
            }
        }
    }
}
