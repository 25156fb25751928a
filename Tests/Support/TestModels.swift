import EmoscopeCore

/// Small models with random weights, for tests that need a model but not a trained one.
public enum TestModels {
    /// A compact CNN over 64 mel bands: two conv blocks (with batch norm, pooling and a
    /// dilated conv), mean+std pooling over time, two dense layers, 8 RAVDESS labels.
    public static let compactArchitecture: [LayerSpec] = [
        .conv2d(outChannels: 8, kernel: Size2(3, 3), stride: Size2(1, 1), padding: Size2(1, 1), dilation: Size2(1, 1)),
        .batchNorm(epsilon: 1e-5), .relu, .maxPool(kernel: Size2(2, 2), stride: Size2(2, 2)),
        .conv2d(outChannels: 12, kernel: Size2(3, 3), stride: Size2(2, 1), padding: Size2(2, 2), dilation: Size2(2, 2)),
        .batchNorm(epsilon: 1e-5), .relu, .avgPool(kernel: Size2(2, 2), stride: Size2(2, 2)),
        .globalPool(.meanStd), .dropout(rate: 0.2), .dense(outFeatures: 16), .relu, .dense(outFeatures: 8),
    ]

    /// A header for `architecture` with standard features and neutral normalisation.
    public static func header(architecture: [LayerSpec] = compactArchitecture, windowSeconds: Double = 3) -> ModelHeader {
        let features = FeatureSettings()
        return ModelHeader(
            labels: ModelHeader.ravdessLabels, features: features,
            input: .init(windowSeconds: windowSeconds, hopSeconds: 1, minimumSeconds: 0.5),
            normalization: .init(mean: .init(repeating: -50, count: features.melBands),
                                 standardDeviation: .init(repeating: 20, count: features.melBands)),
            architecture: architecture, calibration: .init(temperature: 1.3), tensors: [],
            provenance: .init(corpus: "none (random weights for tests)", evaluationProtocol: "none", metrics: [:],
                              date: "2026-11-21", seed: 1, codeRevision: "test"))
    }

    /// A compact model with random weights and non-trivial batch-norm statistics.
    public static func compact(seed: UInt64 = 1) -> EmotionModel {
        var model = try! EmotionModel.initialized(header: header(), seed: seed)
        var generator = SeededGenerator(seed: seed &+ 99)
        for spec in model.header.tensors where spec.name.hasSuffix(".mean") || spec.name.hasSuffix(".beta") {
            model.tensors[spec.name] = (0..<spec.count).map { _ in generator.nextGaussian() * 0.3 }
        }
        for spec in model.header.tensors where spec.name.hasSuffix(".variance") || spec.name.hasSuffix(".gamma") {
            model.tensors[spec.name] = (0..<spec.count).map { _ in 0.5 + generator.nextUniform() }
        }
        return model
    }
}
