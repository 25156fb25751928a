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
        if useMax && kernel == Size2(2, 2) && stride == Size2(2, 2) {
            let w = shape.width
            for channel in 0..<shape.channels {
                let plane = input + channel * shape.height * w
                let gradientPlane = inputGradient + channel * shape.height * w
                let upstream = outputGradient + channel * out.height * out.width
                for oy in 0..<out.height {
                    for ox in 0..<out.width {
                        let origin = 2 * oy * w + 2 * ox
                        // First maximum in row-major order, as the general path picks it.
                        var best = origin
                        if plane[origin + 1] > plane[best] { best = origin + 1 }
                        if plane[origin + w] > plane[best] { best = origin + w }
                        if plane[origin + w + 1] > plane[best] { best = origin + w + 1 }
                        gradientPlane[best] += upstream[oy * out.width + ox]
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
