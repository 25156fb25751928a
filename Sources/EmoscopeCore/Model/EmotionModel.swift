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
        let specs = try header.plannedArchitecture().tensors
        header.tensors = specs
        let tensors = initialTensors(specs, seed: seed)
        return EmotionModel(header: header, tensors: tensors)
    }

    /// Starting values for `specs`: weights He-normal (deviation √(2 / fan-in)), batch-norm γ and
    /// running variance 1, everything else 0; the same `seed` gives the same values.
    public static func initialTensors(_ specs: [TensorSpec], seed: UInt64) -> [String: [Float]] {
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
        return tensors
    }
}

extension EmotionModel {
    /// Member `k` of an ensemble as a model of its own (one network, its tensors under the plain names).
    public func member(_ k: Int) -> EmotionModel {
        precondition((0..<header.members).contains(k), "member \(k) of \(header.members)")
        let prefix = ModelHeader.tensorPrefix(member: k)
        var single = header
        single.architecture = header.architecture(ofMember: k)
        single.ensemble = []
        single.tensors = header.tensors.filter { $0.name.hasPrefix(prefix) && (k > 0 || !$0.name.hasPrefix("member")) }
            .map { TensorSpec(name: String($0.name.dropFirst(prefix.count)), shape: $0.shape) }
        let values = Dictionary(uniqueKeysWithValues: single.tensors.map { ($0.name, tensors[prefix + $0.name]!) })
        return EmotionModel(header: single, tensors: values, checksum: checksum)
    }

    /// Single-network models that share their labels, features, input and normalisation, as one
    /// ensemble whose prediction averages their logits; the header (calibration included) is
    /// the first one's, with the others' layers in `ensemble`.
    public static func ensemble(_ models: [EmotionModel]) -> EmotionModel {
        precondition(!models.isEmpty && models.allSatisfy { $0.header.members == 1 }, "an ensemble of single networks")
        var header = models[0].header
        header.ensemble = models.dropFirst().map(\.header.architecture)
        header.tensors = []
        var tensors: [String: [Float]] = [:]
        for (k, model) in models.enumerated() {
            let h = model.header
            precondition(h.labels == header.labels && h.features == header.features && h.input == header.input
                         && h.normalization == header.normalization, "ensemble members must share labels, features, input and normalisation")
            let prefix = ModelHeader.tensorPrefix(member: k)
            for spec in h.tensors {
                header.tensors.append(TensorSpec(name: prefix + spec.name, shape: spec.shape))
                tensors[prefix + spec.name] = model.tensors[spec.name]!
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
