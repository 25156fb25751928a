/// A decoded file: mono samples at the target rate and what the file held.
public struct DecodedAudio: Sendable {
    /// Mono samples in [-1, 1] at `sampleRate`.
    public var samples: [Float]
    /// Sample rate of `samples`, Hz.
    public var sampleRate: Int
    /// The source file's header.
    public var source: AudioFileInfo

    /// Duration of the decoded samples in seconds.
    public var duration: Double { Double(samples.count) / Double(sampleRate) }
}

/// Decodes any file libsndfile reads to mono at one sample rate (16 kHz by default), a chunk
/// at a time, so that only the output is held whole, never the source at its own rate.
public struct AudioDecoder: Sendable {
    /// Rate of the decoded samples, Hz.
    public var targetRate: Int
    /// Files longer than this many seconds are refused (`AudioError.tooLong`); nil: no limit.
    public var maximumDuration: Double?

    /// A decoder to `targetRate` Hz.
    public init(targetRate: Int = 16_000, maximumDuration: Double? = nil) {
        self.targetRate = targetRate
        self.maximumDuration = maximumDuration
    }

    /// Decodes the whole file at `path`.
    public func decode(path: String) throws(AudioError) -> DecodedAudio {
        var samples: [Float] = []
        let info = try stream(path: path) { chunk in samples.append(contentsOf: chunk) }
        return DecodedAudio(samples: samples, sampleRate: targetRate, source: info)
    }

    /// Decodes `path` chunk by chunk, handing each mono chunk at the target rate to `body`.
    ///
    /// Memory stays bounded by the chunk size whatever the file's length.
    @discardableResult
    public func stream(path: String, chunkFrames: Int = 16_384, _ body: (ArraySlice<Float>) -> Void) throws(AudioError) -> AudioFileInfo {
        let reader = try AudioFileReader(path: path, chunkFrames: chunkFrames)
        let info = reader.info
        if let maximumDuration, info.duration > maximumDuration {
            throw .tooLong(path: path, seconds: info.duration, limit: maximumDuration)
        }
        let resampler: Resampler?
        if info.sampleRate == targetRate {
            resampler = nil
        } else {
            do {
                resampler = try Resampler(inputRate: Double(info.sampleRate), outputRate: Double(targetRate))
            } catch {
                throw .unsupported(path: path, reason: "cannot resample \(info.sampleRate) Hz: \(error.message)")
            }
        }
        var source: [Float] = []
        var output: [Float] = []
        source.reserveCapacity(chunkFrames)
        while true {
            source.removeAll(keepingCapacity: true)
            guard try reader.read(appendingTo: &source) > 0 else { break }
            if let bad = source.firstIndex(where: { !$0.isFinite }) {
                throw .corrupt(path: path, framesRead: reader.framesRead - source.count + bad,
                               reason: "a sample that is not a finite number (NaN or infinity)")
            }
            if let maximumDuration, Double(reader.framesRead) / Double(info.sampleRate) > maximumDuration {
                throw .tooLong(path: path, seconds: Double(reader.framesRead) / Double(info.sampleRate), limit: maximumDuration)
            }
            guard let resampler else {
                body(source[...])
                continue
            }
            output.removeAll(keepingCapacity: true)
            source.withUnsafeBufferPointer { resampler.process($0, appendingTo: &output) }
            if !output.isEmpty { body(output[...]) }
        }
        if let resampler {
            output.removeAll(keepingCapacity: true)
            resampler.finish(appendingTo: &output)
            if !output.isEmpty { body(output[...]) }
        }
        return info
    }
}
