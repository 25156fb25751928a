import Foundation

/// A readable account of a model file's header: what it expects, what it computes, where it
/// came from. Pure: `emoscope info` prints it.
public enum ModelDescription {
    /// Parameters and multiply-adds of one network on a full analysis window.
    public struct Cost: Equatable, Sendable {
        public var parameters: Int
        public var multiplyAdds: Int
    }

    /// The cost of member `member` of `header`'s ensemble; nil when its layers cannot run.
    public static func cost(_ header: ModelHeader, member: Int) -> Cost? {
        let layers = header.architecture(ofMember: member)
        let input = ActivationShape(channels: 1, height: header.features.melBands, width: header.windowFrames)
        guard let plan = try? Architecture.plan(layers, input: input) else { return nil }
        var multiplyAdds = 0
        var shape = input
        for (layer, next) in zip(layers, plan.shapes) {
            switch layer {
            case .conv2d(_, let kernel, _, _, _): multiplyAdds += next.count * shape.channels * kernel.height * kernel.width
            case .dense(let out): multiplyAdds += out * shape.count
            case .attentivePool(let hidden): multiplyAdds += hidden * shape.count
            default: break
            }
            shape = next
        }
        return Cost(parameters: plan.tensors.filter { !$0.name.hasSuffix(".mean") && !$0.name.hasSuffix(".variance") }.reduce(0) { $0 + $1.count },
                    multiplyAdds: multiplyAdds)
    }

    /// One line per layer kind in order, e.g. `conv 32 3×3/1×2 · bn · relu · max 2×2 · …`.
    public static func layers(_ layers: [LayerSpec]) -> String {
        func size(_ s: Size2) -> String { "\(s.height)×\(s.width)" }
        return layers.map { layer -> String in
            switch layer {
            case .conv2d(let out, let kernel, let stride, _, let dilation):
                return "conv \(out) \(size(kernel))" + (stride == Size2(1, 1) ? "" : "/\(size(stride))")
                    + (dilation == Size2(1, 1) ? "" : " dil \(size(dilation))")
            case .batchNorm: return "bn"
            case .relu: return "relu"
            case .maxPool(let kernel, _): return "max \(size(kernel))"
            case .avgPool(let kernel, _): return "avg \(size(kernel))"
            case .globalPool(let statistics): return statistics == .meanStd ? "mean+std over time" : "mean over time"
            case .attentivePool(let hidden): return "attentive mean+std over time (\(hidden))"
            case .dense(let out): return "dense \(out)"
            case .dropout(let rate): return String(format: "dropout %.2g", rate)
            }
        }.joined(separator: " · ")
    }

    /// `text` broken after its `separator`s into lines of at most `width` characters (longer parts stay whole).
    static func wrapped(_ text: String, width: Int, separator: String = " · ") -> [String] {
        var lines: [String] = [], line = ""
        for part in text.components(separatedBy: separator) {
            let joined = line.isEmpty ? part : line + separator + part
            if joined.count > width && !line.isEmpty {
                lines.append(line + separator.replacingOccurrences(of: " +$", with: "", options: .regularExpression))
                line = part
            } else {
                line = joined
            }
        }
        return lines + [line]
    }

    /// The whole description, `path` and `bytes` naming the file.
    public static func text(_ model: EmotionModel, path: String, bytes: Int) -> String {
        let h = model.header, f = h.features
        func hz(_ value: Double) -> String { String(format: "%g", value) }
        func millions(_ n: Int) -> String { String(format: "%.2f M", Double(n) / 1e6) }
        var lines: [String] = []
        lines.append("model      \(path) (\(String(format: "%.1f", Double(bytes) / 1e6)) MB, CRC-32 \(String(format: "%08x", model.checksum)))")
        lines.append("labels     \(h.labels.joined(separator: " "))")
        let window = 1_000 * Double(f.windowLength) / Double(f.sampleRate), hop = 1_000 * Double(f.hopLength) / Double(f.sampleRate)
        lines.append("features   \(hz(Double(f.sampleRate) / 1_000)) kHz; log-mel, \(f.melBands) bands \(hz(f.minFrequency))–\(hz(f.maxFrequency)) Hz; "
                     + "\(hz(window)) ms Hann window, \(f.fftSize)-point FFT, hop \(hz(hop)) ms"
                     + (f.topDB.map { "; floor \(hz(Double($0))) dB below the peak" } ?? ""))
        lines.append("input      windows of \(hz(h.input.windowSeconds)) s every \(hz(h.input.hopSeconds)) s over the speech span; "
                     + "under \(hz(h.input.minimumSeconds)) s is too short"
                     + (h.normalization.subtractSpeechLevel ? "; speech level removed (gain-independent)" : "")
                     + (h.normalization.subtractWindowMean ? "; each band's window mean removed" : "")
                     + (h.speakerNormalized ? "; standardised per speaker where the speaker is known (--adapt, the live meter)" : ""))
        let members = h.members
        lines.append("network    " + (members == 1 ? "one network" : "\(members) networks, their logits averaged")
                     + String(format: "; softmax temperature %.3g", h.calibration.temperature))
        for member in 0..<members {
            let cost = cost(h, member: member)
            let label = members == 1 ? "  " : "  \(member + 1). "
            let indent = String(repeating: " ", count: label.count)
            lines += wrapped(layers(h.architecture(ofMember: member)), width: 96 - label.count)
                .enumerated().map { ($0.offset == 0 ? label : indent) + $0.element }
            if let cost {
                lines.append(String(repeating: " ", count: label.count) + "\(millions(cost.parameters)) parameters, "
                             + "\(millions(cost.multiplyAdds)) multiply-adds per \(hz(h.input.windowSeconds)) s window")
            }
        }
        let p = h.provenance
        lines.append("trained    \(p.date.isEmpty ? "?" : p.date) on \(p.corpus), seed \(p.seed), code \(p.codeRevision)")
        // A labelled paragraph: the label on its first line, the rest indented under it.
        func paragraph(_ label: String, _ text: String) -> [String] {
            wrapped(text, width: 88, separator: " ").enumerated()
                .map { ($0.offset == 0 ? label.padding(toLength: 11, withPad: " ", startingAt: 0) : String(repeating: " ", count: 11)) + $0.element }
        }
        if let recipe = p.recipe { lines += paragraph("recipe", recipe) }
        if !p.metrics.isEmpty {
            func metric(_ name: String, _ key: String) -> String? {
                p.metrics[key].map { value in
                    name + String(format: " %.3f", value) + (p.metrics[key + "Std"].map { String(format: " ± %.3f", $0) } ?? "")
                }
            }
            let parts = [metric("UAR", "uar"), metric("accuracy", "accuracy"), metric("macro-F1", "macroF1")].compactMap { $0 }
            lines += paragraph("evaluated", p.evaluationProtocol)
            lines.append("           " + parts.joined(separator: ", ")
                         + (p.metrics["eceBefore"].map { String(format: "; ECE %.3f uncalibrated", $0) } ?? "")
                         + (p.metrics["eceAfter"].map { String(format: ", %.3f calibrated", $0) } ?? ""))
        }
        return lines.joined(separator: "\n")
    }
}
