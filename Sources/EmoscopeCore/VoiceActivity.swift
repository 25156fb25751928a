import Foundation

/// Energy-based voice-activity detection over RMS frames.
///
/// Recording levels vary widely (RAVDESS clips peak anywhere between −55 and −10 dBFS), so
/// the decision is mostly relative. A frame is speech when its RMS level is at least
/// `vadFloorDB` dBFS, within `vadRangeDB` of the loudest frame, and `vadNoiseMarginDB` above the
/// noise floor (the 10th-percentile frame). A signal whose loudest frame rises less than
/// `vadMinimumDynamicsDB` above that floor (steady noise or hum) has no speech. Gaps shorter
/// than 200 ms between speech frames are filled and runs shorter than 50 ms are dropped.
public struct VoiceActivity: Equatable, Sendable {
    /// A run of speech frames, `start ..< end` in frame indices.
    public typealias Segment = Range<Int>

    /// Per-frame decision.
    public let isSpeech: [Bool]
    /// Speech runs in frame indices.
    public let segments: [Segment]
    /// RMS level of each frame in dBFS.
    public let levelsDB: [Float]

    /// Fraction of frames that are speech.
    public var speechRatio: Double {
        isSpeech.isEmpty ? 0 : Double(isSpeech.lazy.filter { $0 }.count) / Double(isSpeech.count)
    }

    /// Whether any frame is speech.
    public var hasSpeech: Bool { !segments.isEmpty }

    /// Detects speech in frames whose RMS values are `rms` (linear, full scale = 1).
    public init(rms: [Float], settings: FeatureSettings) {
        let levels = rms.map { 20 * log10f(max($0, 1e-10)) }
        let peak = levels.max() ?? -200
        let noiseFloor = levels.isEmpty ? -200 : levels.sorted()[levels.count / 10]
        let threshold = peak - noiseFloor < settings.vadMinimumDynamicsDB
            ? Float.infinity
            : max(settings.vadFloorDB, peak - settings.vadRangeDB, noiseFloor + settings.vadNoiseMarginDB)
        let framesPerSecond = Double(settings.sampleRate) / Double(settings.hopLength)
        let maxGap = Int((0.2 * framesPerSecond).rounded())
        let minRun = max(1, Int((0.05 * framesPerSecond).rounded()))

        var runs: [Segment] = []
        var index = 0
        while index < levels.count {
            guard levels[index] >= threshold else { index += 1; continue }
            var end = index + 1
            while end < levels.count && levels[end] >= threshold { end += 1 }
            if let last = runs.last, index - last.upperBound <= maxGap {
                runs[runs.count - 1] = last.lowerBound..<end
            } else {
                runs.append(index..<end)
            }
            index = end
        }
        segments = runs.filter { $0.count >= minRun }
        var decisions = [Bool](repeating: false, count: levels.count)
        for segment in segments { for i in segment { decisions[i] = true } }
        isSpeech = decisions
        levelsDB = levels
    }
}
