/// The emotion probabilities of one stretch of a clip.
public struct ClassifiedSegment: Equatable, Sendable, Codable {
    /// Start and end in seconds.
    public var start: Double
    public var end: Double
    /// Fraction of the segment's frames that are speech.
    public var speechRatio: Double
    /// Class probabilities in label order; nil when the segment holds no speech.
    public var probabilities: [Float]?
}

/// What the classifier says about a clip.
public struct Classification: Equatable, Sendable {
    public enum Status: String, Codable, Sendable {
        /// Probabilities are meaningful.
        case classified
        /// The clip is shorter than the model's minimum.
        case tooShort = "too-short"
        /// The voice-activity detector found no speech.
        case noSpeech = "no-speech"
    }

    public var status: Status
    /// Clip duration in seconds.
    public var duration: Double
    /// Class probabilities in label order (speech-weighted mean over segments); nil unless classified.
    public var probabilities: [Float]?
    /// Per-window results (one segment when the clip fits in one window).
    public var segments: [ClassifiedSegment]

    /// Index of the most probable class.
    public var topIndex: Int? {
        probabilities.flatMap { p in p.indices.max { p[$0] < p[$1] } }
    }
}

/// Classifies clips with one model: features, normalisation, network and softmax, window by
/// window. The buffers for one window are allocated at construction; `classifyWindow` then
/// allocates nothing. Not thread-safe: use one per thread.
public final class EmotionClassifier {
    public let model: EmotionModel
    public var header: ModelHeader { model.header }
    /// A speaker's statistics (`SpeakerStatistics.normalization`), used instead of the header's
    /// to standardise the input; nil: the header's.
    public var speakerNormalization: ModelHeader.Normalization?
    let extractor: FeatureExtractor
    /// One network per ensemble member.
    private let networks: [Network]
    private var logMel: FeatureMatrix
    private var input: [Float]
    private var logits: [Float]
    private var memberLogits: [Float]

    /// Prepares a classifier; throws when the model's architecture cannot run.
    public init(model: EmotionModel) throws(ArchitectureError) {
        self.model = model
        let header = model.header
        do {
            extractor = try FeatureExtractor(settings: header.features)
        } catch {
            throw ArchitectureError(layer: nil, reason: "\(error)")
        }
        let outputs = try header.plannedArchitecture().shapes.last!.count
        guard outputs == header.labels.count else {
            throw ArchitectureError(layer: nil, reason: "the network gives \(outputs) outputs for \(header.labels.count) labels")
        }
        var networks: [Network] = []
        for member in 0..<header.members {
            let tensors = header.members == 1 ? model.tensors : model.member(member).tensors
            networks.append(try Network(layers: header.architecture(ofMember: member), tensors: tensors, inputHeight: header.features.melBands,
                                        minimumWidth: header.minimumFrames, maximumWidth: header.windowFrames))
        }
        self.networks = networks
        logMel = FeatureMatrix(frameCount: header.windowFrames, featureCount: header.features.melBands)
        input = [Float](repeating: 0, count: header.windowFrames * header.features.melBands)
        logits = [Float](repeating: 0, count: header.labels.count)
        memberLogits = logits
    }

    /// Probabilities of one window of at most `header.windowSamples` samples (and at least
    /// `header.minimumSamples`), written to `probabilities` (`labels.count` values). Allocates nothing.
    public func classifyWindow(_ samples: UnsafeBufferPointer<Float>, probabilities: UnsafeMutablePointer<Float>) {
        precondition(samples.count <= header.windowSamples, "window longer than the model's")
        extractor.logMelSpectrogram(samples, into: &logMel)
        let frames = logMel.frameCount
        input.withUnsafeMutableBufferPointer { (speakerNormalization ?? header.normalization).standardize(logMel, into: $0.baseAddress!) }
        input.withUnsafeBufferPointer { input in
            logits.withUnsafeMutableBufferPointer { logits in
                memberLogits.withUnsafeMutableBufferPointer { member in
                    // An ensemble's logits are its members' mean.
                    networks[0].forward(input.baseAddress!, width: frames, logits: logits.baseAddress!)
                    for network in networks.dropFirst() {
                        network.forward(input.baseAddress!, width: frames, logits: member.baseAddress!)
                        for i in 0..<logits.count { logits[i] += member[i] }
                    }
                    if networks.count > 1 {
                        let scale = 1 / Float(networks.count)
                        for i in 0..<logits.count { logits[i] *= scale }
                    }
                }
                Kernels.softmax(logits.baseAddress!, count: logits.count, temperature: header.calibration.temperature,
                                probabilities: probabilities)
            }
        }
    }

    /// Classifies a whole clip (mono, at `header.features.sampleRate`).
    ///
    /// Only the speech span is analysed: from the first to the last speech frame, padded by
    /// `speechPaddingSeconds` on each side (and widened to the model's minimum length). A span
    /// no longer than one window is classified whole; a longer one in windows of
    /// `input.windowSeconds` every `input.hopSeconds`, the last one aligned to the span's end.
    /// Windows without speech are kept in the timeline without probabilities; the clip's
    /// probabilities are the mean of the others, weighted by their fraction of speech.
    public func classify(_ samples: [Float]) -> Classification {
        let rate = Double(header.features.sampleRate)
        let duration = Double(samples.count) / rate
        guard samples.count >= header.minimumSamples else {
            return Classification(status: .tooShort, duration: duration, probabilities: nil, segments: [])
        }
        let activity = VoiceActivity(rms: extractor.rms(samples), settings: header.features)
        guard activity.hasSpeech else {
            return Classification(status: .noSpeech, duration: duration, probabilities: nil, segments: [])
        }
        let hop = header.features.hopLength
        let classes = header.labels.count
        let span = speechSpan(activity, sampleCount: samples.count)
        var segments: [ClassifiedSegment] = []
        var total = [Float](repeating: 0, count: classes)
        var weight: Float = 0
        samples.withUnsafeBufferPointer { all in
            for relative in Self.windows(sampleCount: span.count, window: header.windowSamples, hop: header.hopSamples) {
                let range = (span.lowerBound + relative.lowerBound)..<(span.lowerBound + relative.upperBound)
                let frames = activity.isSpeech[(range.lowerBound / hop)..<min(activity.isSpeech.count, range.upperBound / hop + 1)]
                let speech = frames.isEmpty ? 0 : Double(frames.lazy.filter { $0 }.count) / Double(frames.count)
                var segment = ClassifiedSegment(start: Double(range.lowerBound) / rate, end: Double(range.upperBound) / rate,
                                                speechRatio: speech, probabilities: nil)
                if speech > 0 {
                    var probabilities = [Float](repeating: 0, count: classes)
                    probabilities.withUnsafeMutableBufferPointer {
                        classifyWindow(UnsafeBufferPointer(rebasing: all[range]), probabilities: $0.baseAddress!)
                    }
                    for i in 0..<classes { total[i] += Float(speech) * probabilities[i] }
                    weight += Float(speech)
                    segment.probabilities = probabilities
                }
                segments.append(segment)
            }
        }
        return Classification(status: .classified, duration: duration, probabilities: total.map { $0 / weight }, segments: segments)
    }

    /// Silence kept before the first and after the last speech frame, seconds.
    public static let speechPaddingSeconds = 0.25

    func speechSpan(_ activity: VoiceActivity, sampleCount: Int) -> Range<Int> {
        Self.speechSpan(activity, sampleCount: sampleCount, settings: header.features, minimumSamples: header.minimumSamples)
    }

    /// The part of a clip that is analysed: first to last speech frame, padded by
    /// `speechPaddingSeconds`, widened to `minimumSamples` where the clip allows. The trainer
    /// crops its examples from the same span.
    public static func speechSpan(_ activity: VoiceActivity, sampleCount: Int, settings: FeatureSettings, minimumSamples: Int) -> Range<Int> {
        guard let first = activity.segments.first, let last = activity.segments.last else { return 0..<sampleCount }
        let hop = settings.hopLength
        let padding = Int(speechPaddingSeconds * Double(settings.sampleRate))
        var lower = max(0, first.lowerBound * hop - padding)
        var upper = min(sampleCount, last.upperBound * hop + padding)
        let shortfall = minimumSamples - (upper - lower)
        if shortfall > 0 {
            lower = max(0, lower - (shortfall + 1) / 2)
            upper = min(sampleCount, lower + minimumSamples)
            lower = max(0, upper - minimumSamples)
        }
        return lower..<upper
    }

    /// Sample ranges of the analysis windows of a clip.
    public static func windows(sampleCount: Int, window: Int, hop: Int) -> [Range<Int>] {
        guard sampleCount > window else { return [0..<sampleCount] }
        var ranges: [Range<Int>] = []
        var start = 0
        while start + window < sampleCount {
            ranges.append(start..<(start + window))
            start += hop
        }
        ranges.append((sampleCount - window)..<sampleCount)
        return ranges
    }
}
