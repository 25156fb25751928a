import CSoxr

/// Sample-rate conversion of a whole mono signal with soxr.
public enum SampleRateConversion {
    /// soxr quality recipes.
    public enum Quality: Sendable {
        /// High quality (decoding).
        case high
        /// Low quality, several times faster (training-time augmentation).
        case quick
    }

    /// `samples` at `inputRate` converted to `outputRate` Hz.
    public static func resample(_ samples: [Float], from inputRate: Double, to outputRate: Double, quality: Quality = .high) -> [Float] {
        guard inputRate != outputRate, !samples.isEmpty,
              let resampler = try? Resampler(inputRate: inputRate, outputRate: outputRate, quality: quality) else { return samples }
        var output: [Float] = []
        output.reserveCapacity(Int(Double(samples.count) * outputRate / inputRate) + 64)
        samples.withUnsafeBufferPointer { resampler.process($0, appendingTo: &output) }
        resampler.finish(appendingTo: &output)
        return output
    }
}

/// Streaming sample-rate conversion of mono float audio with soxr.
final class Resampler {
    private let soxr: soxr_t
    private var output: [Float]

    /// A converter from `inputRate` to `outputRate` Hz.
    init(inputRate: Double, outputRate: Double, quality: SampleRateConversion.Quality = .high) throws(ResamplerError) {
        var error: soxr_error_t?
        var io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
        var quality = soxr_quality_spec(UInt(quality == .high ? SOXR_HQ : SOXR_LQ), 0)
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
