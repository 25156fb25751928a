import EmoscopeCore

/// The gradients of the layers' forward kernels (`Kernels`), on one sample.
enum BackwardKernels {
    /// Adds the columns' gradient back onto the input gradient: the adjoint of `Kernels.im2col`.
    static func col2im(_ columns: UnsafePointer<Float>, shape: ActivationShape, window: Kernels.Window,
                       inputGradient: UnsafeMutablePointer<Float>) {
        let (height, width) = (shape.height, shape.width)
        let out = window.outputSize(height: height, width: width)
        let positions = out.height * out.width
        var row = columns
        for channel in 0..<shape.channels {
            let plane = inputGradient + channel * height * width
            for i in 0..<window.kernel.height {
                for j in 0..<window.kernel.width {
                    for oy in 0..<out.height {
                        let y = oy * window.stride.height - window.padding.height + i * window.dilation.height
                        guard y >= 0 && y < height else { continue }
                        let source = row + oy * out.width
                        let target = plane + y * width
                        for ox in 0..<out.width {
                            let x = ox * window.stride.width - window.padding.width + j * window.dilation.width
                            if x >= 0 && x < width { target[x] += source[ox] }
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
