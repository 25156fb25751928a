import EmoscopeCore
import Foundation

/// A number as short as it reads (`%g`: 0.003, 40, 0.95).
private func number(_ value: Double) -> String { String(format: "%g", value) }

extension AugmentationSettings {
    /// The augmentation in effect, in words (e.g. "crop 80–100 % of the speech span, frequency
    /// stretch 0.95–1.05"); "none" when nothing is on.
    public var summary: String {
        func percent(_ value: Double) -> String { String(format: "%g", (value * 1000).rounded() / 10) }
        func span(_ range: ClosedRange<Double>) -> String { "\(number(range.lowerBound))–\(number(range.upperBound))" }
        var parts: [String] = []
        if cropFraction.lowerBound < 1 {
            parts.append("crop \(percent(cropFraction.lowerBound))–\(percent(cropFraction.upperBound)) % of the speech span")
        }
        if speedProbability > 0 { parts.append("speed \(span(speedRange)) on \(percent(speedProbability)) %") }
        if gainDB.lowerBound < 0 || gainDB.upperBound > 0 { parts.append("gain \(number(gainDB.lowerBound))…\(number(gainDB.upperBound)) dB") }
        if noiseProbability > 0 { parts.append("white noise at \(span(noiseSNR)) dB SNR on \(percent(noiseProbability)) %") }
        if frequencyMasks > 0 { parts.append("\(frequencyMasks) band masks of ≤ \(frequencyMaskWidth)") }
        if timeMasks > 0 { parts.append("\(timeMasks) frame masks of ≤ \(timeMaskWidth)") }
        if let frequencyWarp { parts.append("frequency stretch \(span(frequencyWarp))") }
        if let timeStretch { parts.append("tempo stretch \(span(timeStretch))") }
        let pairing = mixStyleWithinLabel == true ? " (partners of the same emotion)" : ""
        if let frequencyMixStyle { parts.append("band statistics mixed on \(percent(frequencyMixStyle)) %\(pairing)") }
        if let channelMixStyle { parts.append("channel statistics mixed on \(percent(channelMixStyle)) %\(pairing)") }
        if let equalizerDB { parts.append("random equaliser ±\(number(equalizerDB)) dB") }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }
}

extension TrainingConfiguration {
    /// How each network is trained, in one paragraph: schedule, optimiser, loss, augmentation and
    /// second tasks — what the report's summary and the model file's header say of the recipe.
    public var recipeSummary: String {
        var parts = [
            (epochs == 1 ? "1 epoch" : "\(epochs) epochs") + (validationFraction > 0
                ? " at most (early stopping after \(patience) without gain on \(number(validationFraction * 100)) % of the training speakers)"
                : " on every training speaker"),
            "batches of \(batchSize)",
            "AdamW at a peak learning rate of \(number(Double(peakLearningRate))) (\(warmupEpochs) warm-up epochs, then cosine decay)"
                + ", weight decay \(number(Double(weightDecay)))",
            (balanceClasses ? "class-balanced loss" : "unweighted loss") + ", label smoothing \(number(Double(labelSmoothing)))",
        ]
        if let weightAverageDecay { parts.append("moving average of the weights (decay \(number(weightAverageDecay)) per step)") }
        if let mixupAlpha, mixupAlpha > 0 { parts.append("mixup α \(number(mixupAlpha))") }
        if let speakerAdversary, speakerAdversary > 0 { parts.append("speaker adversary λ \(number(speakerAdversary))") }
        if let intensityHead, intensityHead > 0 { parts.append("intensity classifier λ \(number(intensityHead))") }
        parts.append("augmentation: \(augmentation.summary)")
        return parts.joined(separator: "; ")
    }
}
