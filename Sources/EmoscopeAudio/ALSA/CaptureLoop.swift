import CALSA
import Glibc

/// What the capture thread owns: it reads periods, downmixes, resamples and appends to the ring.
final class CaptureLoop: @unchecked Sendable {
    let device: ALSADevice
    let ring: SampleRing
    let resampler: Resampler?
    let status: SourceStatus
    let limit: Int?

    init(device: ALSADevice, ring: SampleRing, resampler: Resampler?, status: SourceStatus, limit: Int?) {
        (self.device, self.ring, self.resampler, self.status, self.limit) = (device, ring, resampler, status, limit)
    }

    /// Waits of 100 ms without data before the device counts as gone (5 s).
    static let silentWaitLimit = 50
    /// Consecutive failed reads or recoveries before the device counts as gone.
    static let failureLimit = 10

    func run(_ thread: WorkerThread) {
        let pcm = device.pcm, frames = device.periodFrames, channels = device.channels
        let raw = UnsafeMutableRawPointer.allocate(byteCount: frames * device.bytesPerFrame, alignment: 16)
        defer { raw.deallocate() }
        var mono = [Float](repeating: 0, count: frames)
        var converted: [Float] = []
        converted.reserveCapacity(4 * frames)
        var silentWaits = 0, failures = 0
        while !thread.shouldStop {
            let ready = snd_pcm_wait(pcm, 100)
            if ready == 0 {
                silentWaits += 1
                if silentWaits >= Self.silentWaitLimit {
                    return fail(.disconnected(device: device.name, direction: .capture, detail: "the device stopped delivering audio"))
                }
                continue
            }
            let count = ready < 0 ? Int(ready) : snd_pcm_readi(pcm, raw, snd_pcm_uframes_t(frames))
            if count == -Int(EAGAIN) || count == -Int(EINTR) { continue }
            if count < 0 {
                failures += 1
                guard recover(Int32(count), failures: failures) else { return }
                continue
            }
            silentWaits = 0
            failures = 0
            mono.withUnsafeMutableBufferPointer { downmix(raw, frames: count, channels: channels, into: $0) }
            if deliver(mono[0..<count], converted: &converted) {
                snd_pcm_drop(pcm)
                status.transition(from: .running, to: .finished)
                return
            }
        }
    }

    /// Recovers from an overrun or suspend; false (state failed) when the device is gone or keeps failing.
    private func recover(_ code: Int32, failures: Int) -> Bool {
        if code == -EPIPE || code == -ESTRPIPE, snd_pcm_recover(device.pcm, code, 1) == 0 {
            status.countOverrun()
            snd_pcm_start(device.pcm)
            return true
        }
        let error = device.error(code)
        if error.kind == .disconnected {
            fail(error)
            return false
        }
        if failures >= Self.failureLimit {
            fail(.disconnected(device: device.name, direction: .capture, detail: "the device keeps failing (\(error.message))"))
            return false
        }
        usleep(10_000)
        return true
    }

    private func fail(_ error: AudioDeviceError) {
        snd_pcm_drop(device.pcm)
        status.transition(from: .running, to: .failed(error))
    }

    private func downmix(_ raw: UnsafeMutableRawPointer, frames: Int, channels: Int, into mono: UnsafeMutableBufferPointer<Float>) {
        switch device.format {
        case .int16: Self.average(raw.assumingMemoryBound(to: Int16.self), frames, channels, into: mono) { Float($0) / 32_768 }
        case .int32: Self.average(raw.assumingMemoryBound(to: Int32.self), frames, channels, into: mono) { Float($0) / 2_147_483_648 }
        case .float32: Self.average(raw.assumingMemoryBound(to: Float.self), frames, channels, into: mono) { $0 }
        }
    }

    /// The mean over channels of each interleaved frame, converted to [-1, 1] by `value`.
    @inline(__always)
    private static func average<Sample>(_ samples: UnsafePointer<Sample>, _ frames: Int, _ channels: Int,
                                        into mono: UnsafeMutableBufferPointer<Float>, _ value: (Sample) -> Float) {
        if channels == 1 {
            for frame in 0..<frames { mono[frame] = value(samples[frame]) }
            return
        }
        let scale = 1 / Float(channels)
        for frame in 0..<frames {
            var sum: Float = 0
            for channel in 0..<channels { sum += value(samples[frame * channels + channel]) }
            mono[frame] = sum * scale
        }
    }

    /// Appends to the ring (resampled when needed); true when the frame limit is reached.
    private func deliver(_ samples: ArraySlice<Float>, converted: inout [Float]) -> Bool {
        samples.withUnsafeBufferPointer { input in
            guard let resampler else { return append(input) }
            converted.removeAll(keepingCapacity: true)
            resampler.process(input, appendingTo: &converted)
            return converted.withUnsafeBufferPointer { append($0) }
        }
    }

    private func append(_ samples: UnsafeBufferPointer<Float>) -> Bool {
        guard let limit else {
            ring.append(samples)
            return false
        }
        let room = max(0, limit - ring.written)
        ring.append(UnsafeBufferPointer(rebasing: samples.prefix(room)))
        return ring.written >= limit
    }
}
