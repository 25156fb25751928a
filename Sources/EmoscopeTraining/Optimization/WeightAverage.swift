/// An exponential moving average of a network's tensors (Polyak averaging), updated after every
/// optimiser step; validating and keeping the averaged weights smooths out the step-to-step
/// noise of small-batch training.
///
/// Every tensor is averaged, the batch norms' running statistics included. The effective decay
/// ramps up as `min(decay, (1 + n) / (10 + n))` after `n` updates, so the early average is not
/// dominated by the random initialisation.
public struct WeightAverage: Codable, Equatable, Sendable {
    public let decay: Double
    /// Updates taken so far.
    public private(set) var updates = 0
    /// The averaged tensors.
    public private(set) var tensors: TensorMap

    /// An average that starts at `initial`.
    public init(decay: Double, initial: [String: [Float]]) {
        self.decay = decay
        tensors = TensorMap(initial)
    }

    /// The decay the next update uses.
    var currentDecay: Float { Float(min(decay, Double(1 + updates) / Double(10 + updates))) }

    /// Moves the average towards `parameters`.
    public mutating func update(with parameters: [String: [Float]]) {
        let d = currentDecay
        for (name, values) in parameters {
            guard var average = tensors.tensors[name], average.count == values.count else {
                tensors.tensors[name] = values
                continue
            }
            tensors.tensors[name] = nil  // keep the array uniquely referenced while it is written
            for i in average.indices { average[i] = d * average[i] + (1 - d) * values[i] }
            tensors.tensors[name] = average
        }
        updates += 1
    }
}
