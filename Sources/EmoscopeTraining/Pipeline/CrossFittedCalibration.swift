import EmoscopeCore

/// Temperature scaling fitted across folds, so that no clip calibrates itself.
///
/// Each fold's model also gets a temperature from its own few validation speakers; that one
/// transfers poorly (three speakers). Cross-fitting instead scales fold k's test clips by the
/// temperature that minimises the NLL of every *other* fold's test predictions: each of those
/// comes from a model that never heard its speaker, and none is from fold k.
public enum CrossFittedCalibration {
    /// One test clip's uncalibrated windows, its fold and its true class.
    public struct Clip: Sendable {
        public var fold: Int
        public var windows: [WindowScores]
        public var truth: Int

        public init(fold: Int, windows: [WindowScores], truth: Int) {
            self.fold = fold
            self.windows = windows
            self.truth = truth
        }
    }

    /// The temperatures and what they measured.
    public struct Result: Sendable {
        public var summary: CalibrationSummary
        /// Per fold; nil with fewer than two folds.
        public var crossFittedTemperatures: [Int: Float]?
        public var crossFittedECE: [Int: Double]
    }

    /// Fits the cross-fitted temperatures and measures ECE (15 bins) with no calibration, with
    /// `validationTemperatures` (per fold that had validation speakers) and cross-fitted; the
    /// model temperature is fitted on every clip (with one fold: the validation temperature, or 1
    /// without one).
    public static func fit(_ clips: [Clip], validationTemperatures: [Int: Float]) -> Result {
        let byFold = Dictionary(grouping: clips, by: \.fold)
        let folds = Set(byFold.keys).union(validationTemperatures.keys).sorted()
        func ece(_ members: [Clip], temperature: (Clip) -> Float) -> Double {
            CalibrationMetrics.expectedCalibrationError(
                probabilities: members.map { WindowScores.clipProbabilities($0.windows, temperature: temperature($0)) },
                truths: members.map(\.truth))
        }
        func meanOverFolds(_ temperature: (Clip) -> Float) -> Double {
            let values = folds.map { ece(byFold[$0] ?? [], temperature: temperature) }
            return values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
        }
        func fitted(_ members: [Clip]) -> Float { WindowScores.fitTemperature(members.map(\.windows), truths: members.map(\.truth)) }
        let validation = { (clip: Clip) in validationTemperatures[clip.fold] ?? 1 }
        var summary = CalibrationSummary(
            method: validationTemperatures.isEmpty ? "none: one split and no validation speakers to fit a temperature on (T = 1)"
                : "temperature fitted on each fold's validation speakers",
            pooledBefore: ece(clips) { _ in 1 }, pooledValidation: ece(clips, temperature: validation), pooledCrossFitted: nil,
            meanFoldBefore: meanOverFolds { _ in 1 }, meanFoldValidation: meanOverFolds(validation), meanFoldCrossFitted: nil,
            modelTemperature: Float(CrossValidation.median(validationTemperatures.values.map(Double.init))))
        guard folds.count > 1, !clips.isEmpty else { return Result(summary: summary, crossFittedTemperatures: nil, crossFittedECE: [:]) }

        var temperatures: [Int: Float] = [:]
        var foldECE: [Int: Double] = [:]
        for fold in folds {
            temperatures[fold] = fitted(clips.filter { $0.fold != fold })
            foldECE[fold] = ece(byFold[fold] ?? []) { _ in temperatures[fold]! }
        }
        summary.method = "temperature cross-fitted: each fold's test clips scaled by the temperature fitted on the other folds' "
            + "test predictions (speakers its model never heard, none from the fold itself); the model's temperature is fitted on all of them"
        summary.pooledCrossFitted = ece(clips) { temperatures[$0.fold]! }
        // In fold order: a dictionary's order changes from run to run, and so would the sum's last bit.
        summary.meanFoldCrossFitted = folds.map { foldECE[$0]! }.reduce(0, +) / Double(folds.count)
        summary.modelTemperature = fitted(clips)
        return Result(summary: summary, crossFittedTemperatures: temperatures, crossFittedECE: foldECE)
    }
}
