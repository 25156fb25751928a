import CSoxr

/// Streaming sample-rate conversion of mono float audio with soxr (high quality).
final class Resampler {
    private let soxr: soxr_t
    private var output: [Float]

    /// A converter from `inputRate` to `outputRate` Hz.
    init(inputRate: Double, outputRate: Double) throws(ResamplerError) {
        var error: soxr_error_t?
        var io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
        var quality = soxr_quality_spec(UInt(SOXR_HQ), 0)
        guard let soxr = soxr_create(inputRate, outputRate, 1, &error, &io, &quality, nil), error == nil else {
            throw ResamplerError(message: error.map { String(cString: $0) } ?? "soxr_create failed")
        }
        self.soxr = soxr
        output = [Float](repeating: 0, count: 8192)
    }

    deinit { soxr_delete(soxr) }

    /// Converts `input` and appends the result to `destination`.
    func process(_ input: UnsafeBufferPointer<Float>, appendingTo destination: inout [Float]) {
        var consumed = 0
        repeat {
            var inputDone = 0, outputDone = 0
            output.withUnsafeMutableBufferPointer { out in
                _ = soxr_process(soxr, input.baseAddress.map { $0 + consumed }, input.count - consumed,
                                 &inputDone, out.baseAddress, out.count, &outputDone)
            }
            consumed += inputDone
            destination.append(contentsOf: output[0..<outputDone])
            if inputDone == 0 && outputDone == 0 { break }
        } while consumed < input.count
    }

    /// Drains the samples soxr still holds and appends them to `destination`.
    func finish(appendingTo destination: inout [Float]) {
        while true {
            var outputDone = 0
            output.withUnsafeMutableBufferPointer { out in
                _ = soxr_process(soxr, nil, 0, nil, out.baseAddress, out.count, &outputDone)
            }
            if outputDone == 0 { break }
            destination.append(contentsOf: output[0..<outputDone])
        }
    }
}

/// soxr refused the conversion.
struct ResamplerError: Error {
    let message: String
}
