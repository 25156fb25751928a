import Foundation

/// Adam with decoupled weight decay (Loshchilov & Hutter 2019).
///
/// Decay applies to weights only (tensor names ending in `.weight`), never to biases or
/// batch-norm parameters.
public struct AdamW: Codable, Equatable, Sendable {
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var weightDecay: Float
    /// Steps taken so far.
    public private(set) var step = 0
    /// First and second moment estimates by tensor name.
    public private(set) var firstMoments: [String: [Float]] = [:]
    public private(set) var secondMoments: [String: [Float]] = [:]

    public init(weightDecay: Float) {
        self.weightDecay = weightDecay
    }

    private enum Key: String, CodingKey { case beta1, beta2, epsilon, weightDecay, step, firstMoments, secondMoments }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        beta1 = try c.decode(Float.self, forKey: .beta1)
        beta2 = try c.decode(Float.self, forKey: .beta2)
        epsilon = try c.decode(Float.self, forKey: .epsilon)
        weightDecay = try c.decode(Float.self, forKey: .weightDecay)
        step = try c.decode(Int.self, forKey: .step)
        firstMoments = try c.decode(TensorMap.self, forKey: .firstMoments).tensors
        secondMoments = try c.decode(TensorMap.self, forKey: .secondMoments).tensors
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(beta1, forKey: .beta1)
        try c.encode(beta2, forKey: .beta2)
        try c.encode(epsilon, forKey: .epsilon)
        try c.encode(weightDecay, forKey: .weightDecay)
        try c.encode(step, forKey: .step)
        try c.encode(TensorMap(firstMoments), forKey: .firstMoments)
        try c.encode(TensorMap(secondMoments), forKey: .secondMoments)
    }

    /// One update of `parameters` from `gradients` at `learningRate`.
    public mutating func update(_ parameters: inout [String: [Float]], gradients: [String: [Float]], names: [String], learningRate: Float) {
        step += 1
        let correction1 = 1 - pow(beta1, Float(step)), correction2 = 1 - pow(beta2, Float(step))
        for name in names {
            guard let gradient = gradients[name], var values = parameters[name] else { continue }
            var m = firstMoments[name] ?? [Float](repeating: 0, count: values.count)
            var v = secondMoments[name] ?? [Float](repeating: 0, count: values.count)
            let decay = name.hasSuffix(".weight") ? learningRate * weightDecay : 0
            for i in values.indices {
                let g = gradient[i]
                m[i] = beta1 * m[i] + (1 - beta1) * g
                v[i] = beta2 * v[i] + (1 - beta2) * g * g
                let update = (m[i] / correction1) / ((v[i] / correction2).squareRoot() + epsilon)
                values[i] -= learningRate * update + decay * values[i]
            }
            parameters[name] = values
            firstMoments[name] = m
            secondMoments[name] = v
        }
    }
}

/// Linear warm-up to the peak rate, then cosine decay to `floor × peak`.
public struct LearningRateSchedule: Codable, Equatable, Sendable {
    public var peak: Float
    public var warmupSteps: Int
    public var totalSteps: Int
    public var floor: Float = 0.02

    public init(peak: Float, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = max(1, totalSteps)
    }

    /// The rate for `step` (0-based).
    public func rate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        let progress = min(1, Float(step - warmupSteps) / Float(max(1, totalSteps - warmupSteps)))
        return peak * (floor + (1 - floor) * 0.5 * (1 + cos(.pi * progress)))
    }
}
