import Foundation

/// A loaded model: its header and its parameter tensors by name.
public struct EmotionModel: Sendable {
    public var header: ModelHeader
    /// Parameter values by tensor name, each with `header.tensors[i].count` values.
    public var tensors: [String: [Float]]
    /// CRC-32 of the file it was read from (0 for a model built in memory); identifies the
    /// weights, e.g. as part of a result cache key.
    public var checksum: UInt32

    public init(header: ModelHeader, tensors: [String: [Float]], checksum: UInt32 = 0) {
        self.header = header
        self.tensors = tensors
        self.checksum = checksum
    }

    /// A model with freshly initialised weights: He-normal convolution and dense weights, zero
    /// biases, identity batch norms. The header's `tensors` list is filled in from the architecture.
    public static func initialized(header: ModelHeader, seed: UInt64) throws(ArchitectureError) -> EmotionModel {
        var header = header
        let input = ActivationShape(channels: 1, height: header.features.melBands, width: header.windowFrames)
        let specs = try Architecture.plan(header.architecture, input: input).tensors
        header.tensors = specs
        var generator = SeededGenerator(seed: seed)
        var tensors: [String: [Float]] = [:]
        for spec in specs {
            let part = spec.name.split(separator: ".").last!
            switch part {
            case "weight":
                let fanIn = spec.shape.dropFirst().reduce(1, *)
                let deviation = (2 / Float(fanIn)).squareRoot()
                tensors[spec.name] = (0..<spec.count).map { _ in generator.nextGaussian() * deviation }
            case "gamma", "variance":
                tensors[spec.name] = [Float](repeating: 1, count: spec.count)
            default:
                tensors[spec.name] = [Float](repeating: 0, count: spec.count)
            }
        }
        return EmotionModel(header: header, tensors: tensors)
    }
}

/// A deterministic random generator (SplitMix64) with Gaussian draws, for reproducible
/// initialisation, augmentation and shuffling.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in [0, 1).
    public mutating func nextUniform() -> Float { Float(next() >> 40) / Float(1 << 24) }

    /// A standard normal value (Box–Muller).
    public mutating func nextGaussian() -> Float {
        let u1 = max(nextUniform(), 1e-7), u2 = nextUniform()
        return (-2 * logf(u1)).squareRoot() * cosf(2 * .pi * u2)
    }
}
