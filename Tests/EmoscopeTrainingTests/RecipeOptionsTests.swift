import EmoscopeCore
import EmoscopeTestSupport
import EmoscopeTraining
import Testing

/// The recipe knobs `emoscope-train` exposes: augmentation by name, convolution widths.
@Suite("recipe options")
struct RecipeOptionsTests {
    @Test func augmentationPresetsAndParts() throws {
        #expect(AugmentationSettings(named: "none") == AugmentationSettings.none)
        #expect(AugmentationSettings(named: "light") == AugmentationSettings.light)
        #expect(AugmentationSettings(named: "full") == AugmentationSettings())
        let full = AugmentationSettings()
        let crop = try #require(AugmentationSettings(named: "crop"))
        var expected = AugmentationSettings.none
        expected.cropFraction = full.cropFraction
        #expect(crop == expected)
        let mixed = try #require(AugmentationSettings(named: "crop, speed,specaugment"))
        #expect(mixed.cropFraction == full.cropFraction && mixed.speedProbability == full.speedProbability && mixed.speedRange == full.speedRange)
        #expect(mixed.frequencyMasks == full.frequencyMasks && mixed.timeMasks == full.timeMasks)
        #expect(mixed.gainDB == 0...0 && mixed.noiseProbability == 0)
        // Every part on its own turns on exactly what it names; all of them together are the full recipe.
        #expect(AugmentationSettings(named: AugmentationSettings.partNames.joined(separator: ",")) == full)
        #expect(AugmentationSettings(named: "crop,bogus") == nil)
        // Three parts take a value.
        let tuned = try #require(AugmentationSettings(named: "crop=0.6,speed=0.05,gain=3"))
        #expect(tuned.cropFraction == 0.6...1 && tuned.speedRange == 0.95...1.05 && tuned.speedProbability == full.speedProbability)
        #expect(tuned.gainDB == -3...3 && tuned.noiseProbability == 0 && tuned.frequencyMasks == 0)
        let warped = try #require(AugmentationSettings(named: "crop,vtlp=0.05"))
        #expect(warped.frequencyWarp == 0.95...1.05 && warped.cropFraction == full.cropFraction && warped.speedProbability == 0)
        #expect(AugmentationSettings(named: "vtlp")?.frequencyWarp == full.frequencyWarp)
        #expect(crop.frequencyWarp == nil && AugmentationSettings.light.frequencyWarp == nil)
        #expect(AugmentationSettings(named: "crop,tempo=0.05")?.timeStretch == 0.95...1.05)
        #expect(AugmentationSettings(named: "tempo")?.timeStretch == full.timeStretch && crop.timeStretch == nil)
        #expect(AugmentationSettings.light.timeStretch == nil && AugmentationSettings.none.timeStretch == nil)
        let timeMasked = try #require(AugmentationSettings(named: "crop,timemask"))
        #expect(timeMasked.timeMasks == full.timeMasks && timeMasked.frequencyMasks == 0 && timeMasked.cropFraction == full.cropFraction)
        #expect(AugmentationSettings(named: "crop,freqmix")?.frequencyMixStyle == full.frequencyMixStyle && full.frequencyMixStyle == 0.4)
        #expect(AugmentationSettings(named: "freqmix=0.6")?.frequencyMixStyle == 0.6 && crop.frequencyMixStyle == nil)
        #expect(AugmentationSettings.light.frequencyMixStyle == nil && AugmentationSettings.none.frequencyMixStyle == nil)
        #expect(AugmentationSettings(named: "crop,mixstyle")?.channelMixStyle == 0.5 && full.channelMixStyle == 0.5)
        #expect(AugmentationSettings(named: "mixstyle=0.3")?.channelMixStyle == 0.3 && crop.channelMixStyle == nil)
        #expect(AugmentationSettings.light.channelMixStyle == nil && AugmentationSettings.none.channelMixStyle == nil)
        #expect(AugmentationSettings(named: "freqmix,samelabel")?.mixStyleWithinLabel == true && full.mixStyleWithinLabel == true)
        #expect(AugmentationSettings(named: "freqmix")?.mixStyleWithinLabel == nil && AugmentationSettings.light.mixStyleWithinLabel == nil)
        #expect(AugmentationSettings(named: "crop,eq")?.equalizerDB == 12 && full.equalizerDB == 12)
        #expect(AugmentationSettings(named: "eq=6")?.equalizerDB == 6 && crop.equalizerDB == nil)
        #expect(AugmentationSettings.light.equalizerDB == nil && TrainingConfiguration.standard(labels: 8).augmentation.equalizerDB == nil)
        for bad in ["eq=0", "eq=41", "samelabel=1", "mixstyle=0", "mixstyle=2", "freqmix=0", "freqmix=1.5", "freqmix=-0.2", "crop=0", "crop=1.5", "crop=", "crop=x", "speed=0.7", "gain=-1", "noise=3", "specaugment=2", "crop=nan", "vtlp=0.5", "vtlp=0", "tempo=0.4", "tempo=-0.1", "timemask=3"] {
            #expect(AugmentationSettings(named: bad) == nil, "\(bad)")
        }
        #expect(AugmentationSettings(named: "") == nil)
    }

    /// The recipe in words, as the report's summary and the model file's header give it.
    @Test func theRecipeIsDescribedInWords() throws {
        #expect(AugmentationSettings.none.summary == "none")
        #expect(AugmentationSettings(named: "crop=0.6,gain=3,specaugment")?.summary
                == "crop 60–100 % of the speech span, gain -3…3 dB, 2 band masks of ≤ 8, 2 frame masks of ≤ 20")
        #expect(AugmentationSettings(named: "speed=0.05,noise,tempo=0.05,freqmix,samelabel,eq=6")?.summary
                == "speed 0.95–1.05 on 60 %, white noise at 10–35 dB SNR on 40 %, tempo stretch 0.95–1.05, "
                + "band statistics mixed on 40 % (partners of the same emotion), random equaliser ±6 dB")
        var standard = TrainingConfiguration.standard(labels: 8)
        #expect(standard.recipeSummary == "40 epochs on every training speaker; batches of 32; "
                + "AdamW at a peak learning rate of 0.003 (2 warm-up epochs, then cosine decay), weight decay 0.02; "
                + "class-balanced loss, label smoothing 0.1; moving average of the weights (decay 0.995 per step); "
                + "augmentation: crop 80–100 % of the speech span, frequency stretch 0.95–1.05")
        standard.validationFraction = 0.15
        standard.speakerAdversary = 0.3
        standard.mixupAlpha = 0
        #expect(standard.recipeSummary.hasPrefix("40 epochs at most (early stopping after 12 without gain on 15 % of the training speakers)"))
        #expect(standard.recipeSummary.contains("; speaker adversary λ 0.3; augmentation:") && !standard.recipeSummary.contains("mixup"))
    }

    /// The default recipe is an ensemble of three networks: two on the same convolution blocks
    /// (one pools each frequency row over time, the other first averages over frequency) and a
    /// time-delay network over the whole spectrum.
    @Test func theStandardRecipeIsTwoCNNsOnOneTrunkAndATimeDelayNetwork() throws {
        let standard = TrainingConfiguration.standard(labels: 8)
        #expect(standard.memberCount == 3)
        let trunk = TrainingConfiguration.convolutionBlocks([32, 48, 96, 128])
        let head = TrainingConfiguration.head(labels: 8, dropout: (0.1, 0.1))
        #expect(standard.architecture == trunk + [.globalPool(.meanStd)] + head)
        #expect(standard.ensemble?.first == trunk + [.avgPool(kernel: Size2(8, 1), stride: Size2(8, 1)), .globalPool(.meanStd)] + head)
        #expect(head.first == .dropout(rate: 0.1) && head[3] == .dropout(rate: 0.1), "the CNNs' heads drop 10 %")
        let timeDelay = try #require(standard.ensemble?.last)
        #expect(standard.ensemble?.count == 2)
        #expect(timeDelay.first == .conv2d(outChannels: 128, kernel: Size2(64, 5), stride: Size2(1, 2), padding: Size2(0, 2), dilation: Size2(1, 1)),
                "the first time-delay convolution spans every band, every other frame")
        #expect(trunk[3] == .maxPool(kernel: Size2(2, 4), stride: Size2(2, 4)) && trunk[7] == .maxPool(kernel: Size2(2, 2), stride: Size2(2, 2)),
                "the CNNs pool four frames after their first block, two after the others")
        #expect(timeDelay.suffix(6) == [.globalPool(.meanStd)] + TrainingConfiguration.head(labels: 8),
                "the time-delay network's head drops 30 % and 20 %")
        #expect(TrainingConfiguration.head(labels: 8).first == .dropout(rate: 0.3))
        let narrow = try #require(standard.withConvolutionChannels([8, 8, 16, 16]))
        #expect(narrow.member(1).convolutionChannels == [8, 8, 16, 16], "widths apply to both CNNs")
        #expect(narrow.member(2).convolutionChannels == [128, 128, 128, 128, 192], "the time-delay network keeps its widths")
    }

    /// The time-delay network turns the spectrum into one row, halves the frame rate once and keeps it after.
    @Test func theTimeDelayNetworkHalvesTheFramesOnceAndCollapsesTheBands() throws {
        let timeDelay = TrainingConfiguration.standard(labels: 8).member(2).architecture
        let shapes = try Architecture.plan(timeDelay, input: ActivationShape(channels: 1, height: 64, width: 100)).shapes
        #expect(shapes[2] == ActivationShape(channels: 128, height: 1, width: 50))
        #expect(shapes[14] == ActivationShape(channels: 192, height: 1, width: 50))
        let dilations = timeDelay.compactMap { layer -> Int? in
            if case .conv2d(_, let kernel, _, _, let dilation) = layer, kernel.height == 1, kernel.width == 3 { dilation.width } else { nil }
        }
        #expect(dilations == [2, 3, 4], "three dilated convolutions on every other frame: 5 + 2·2·(2 + 3 + 4) = 41 frames of context")
    }

    /// The standard recipe follows the analysis it is given: every network plans on any valid
    /// number of mel bands (the time-delay network's first kernel spans them all; the second CNN
    /// averages the eighth of them its poolings leave).
    @Test func theStandardRecipeFitsOtherMelBands() throws {
        for bands in [20, 40, 50, 64, 128] {
            var features = FeatureSettings()
            features.melBands = bands
            let recipe = TrainingConfiguration.standard(labels: 8, features: features)
            #expect(recipe.features.melBands == bands)
            let planned = try recipe.withEnsemble([recipe.architecture] + (recipe.ensemble ?? []), labels: 8)
            guard case .conv2d(_, let kernel, _, _, _) = planned.member(2).architecture[0] else { Issue.record("no convolution first"); continue }
            #expect(kernel.height == bands, "\(bands) bands")
        }
    }

    @Test func convolutionWidthsReplaceOnlyTheChannelCounts() throws {
        let standard = TrainingConfiguration.standard(labels: 8)
        #expect(standard.convolutionChannels == [32, 48, 96, 128])
        #expect(standard.augmentation == AugmentationSettings(named: "crop,vtlp=0.05"))
        #expect(standard.augmentation.frequencyWarp == 0.95...1.05)
        #expect(standard.subtractSpeechLevel == true && !standard.subtractWindowMean)
        let wide = try #require(standard.withConvolutionChannels([40, 64, 128, 160]))
        #expect(wide.convolutionChannels == [40, 64, 128, 160])
        #expect(wide.architecture.count == standard.architecture.count)
        for (a, b) in zip(wide.architecture, standard.architecture) {
            switch (a, b) {
            case let (.conv2d(_, k1, s1, p1, d1), .conv2d(_, k2, s2, p2, d2)): #expect(k1 == k2 && s1 == s2 && p1 == p2 && d1 == d2)
            default: #expect(a == b)
            }
        }
        #expect(standard.withConvolutionChannels([32, 48, 96]) == nil)
        #expect(standard.withConvolutionChannels([32, 0, 96, 128]) == nil)
        // The widened network initialises and runs.
        let header = wide.header(labels: ModelHeader.ravdessLabels, normalization: .init(mean: [Float](repeating: 0, count: 64),
                                                                                         standardDeviation: [Float](repeating: 1, count: 64)),
                                 provenance: .init(corpus: "", evaluationProtocol: "", metrics: [:], date: "", seed: 0, codeRevision: ""))
        let model = try EmotionModel.initialized(header: header, seed: 1)
        let result = try EmotionClassifier(model: model).classify(Signals.speechLike(frequency: 150, seconds: 2))
        #expect(result.status == .classified && result.probabilities?.count == 8)
    }

    @Test func anArchitectureIsCheckedAgainstTheInputAndTheLabels() throws {
        let standard = TrainingConfiguration.standard(labels: 8)
        #expect(try standard.withEnsemble([standard.architecture] + (standard.ensemble ?? []), labels: 8) == standard)
        #expect(try standard.withArchitecture(standard.architecture, labels: 8).memberCount == 1)
        var cheaper = standard.architecture
        cheaper[3] = .maxPool(kernel: Size2(2, 4), stride: Size2(2, 4))
        #expect(try standard.withArchitecture(cheaper, labels: 8).architecture == cheaper)
        #expect(throws: ArchitectureError.self, "eight outputs for three labels") { try standard.withArchitecture(standard.architecture, labels: 3) }
        do {
            _ = try standard.withArchitecture([.dense(outFeatures: 8)], labels: 8)
            Issue.record("a dense layer on the spectrogram was accepted")
        } catch {
            #expect(error.layer == 0 && error.reason.contains("globalPool"), "\(error)")
        }
        // Pooling that leaves nothing of the shortest window (0.5 s, 51 frames) is refused.
        var tooDeep = standard.architecture
        tooDeep[3] = .maxPool(kernel: Size2(2, 64), stride: Size2(2, 64))
        #expect(throws: ArchitectureError.self) { try standard.withArchitecture(tooDeep, labels: 8) }
    }
}
