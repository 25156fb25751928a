import CAllocationCounter
import EmoscopeCore
import EmoscopeTestSupport
import Foundation
import Testing

/// Ensembles: several networks of one architecture in one model file, their logits averaged.
@Suite("ensembles")
struct EnsembleTests {
    let members = [TestModels.compact(seed: 3), TestModels.compact(seed: 4), TestModels.compact(seed: 5)]
    var ensemble: EmotionModel { EmotionModel.ensemble(members) }

    @Test func theFileHoldsEveryMemberUnderItsOwnNames() throws {
        let model = ensemble
        #expect(model.header.members == 3)
        #expect(model.header.tensors.count == 3 * members[0].header.tensors.count)
        #expect(model.header.tensors.first?.name == "layers.0.weight")
        #expect(model.header.tensors.contains { $0.name == "member3.layers.0.weight" })
        let decoded = try ModelFile.decode(try ModelFile.encode(model), path: "e.emomodel")
        #expect(decoded.header == model.header)
        #expect(decoded.tensors == model.tensors)
        for k in 0..<3 {
            #expect(decoded.member(k).tensors == members[k].tensors)
            #expect(decoded.member(k).header.tensors == members[k].header.tensors)
        }
    }

    @Test func olderFilesAreSingleNetworks() throws {
        let encoded = try JSONEncoder().encode(members[0].header)
        var json = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        #expect(json["ensemble"] != nil)
        json.removeValue(forKey: "ensemble")
        let header = try JSONDecoder().decode(ModelHeader.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(header.members == 1)
        #expect(header == members[0].header)
    }

    /// Members may differ in their layers (not in their outputs); each runs its own network.
    @Test func membersMayHaveTheirOwnLayers() throws {
        var header = TestModels.header()
        header.architecture = header.architecture.map { layer in
            if case .globalPool = layer { return .attentivePool(hidden: 5) } else { return layer }
        }
        let other = try EmotionModel.initialized(header: header, seed: 8)
        let mixed = EmotionModel.ensemble([members[0], other])
        #expect(mixed.header.ensemble == [header.architecture])
        let decoded = try ModelFile.decode(try ModelFile.encode(mixed), path: "e.emomodel")
        #expect(decoded.member(1).header.architecture == header.architecture)
        #expect(decoded.member(1).tensors == other.tensors)
        #expect(decoded.tensors.keys.contains("member2.layers.8.context"))
        _ = try EmotionClassifier(model: decoded)
    }

    @Test func aMemberCountTheTensorsDoNotMatchIsNamed() throws {
        func error(_ edit: (inout ModelHeader) -> Void) throws -> ModelError? {
            var model = ensemble
            edit(&model.header)
            let bytes = try ModelFile.encode(model)
            do { _ = try ModelFile.decode(bytes, path: "e.emomodel"); return nil } catch { return error }
        }
        #expect(try error { $0.ensemble.removeLast() }?.field == "header.tensors")
        #expect(try error { $0.ensemble += Array(repeating: $0.architecture, count: 14) }?.reason.contains("1…16 members") == true)
        #expect(try error { $0.ensemble[1].removeLast() }?.reason.contains("ensemble member 3") == true)
        #expect(try error { _ in } == nil)
    }

    /// The ensemble's probabilities are the softmax of its members' mean logits, which the
    /// members' own probabilities give back: log pₖ = zₖ/T − log Σ e^{z/T}.
    @Test func probabilitiesComeFromTheMeanOfTheMembersLogits() throws {
        let window = Signals.sine(frequency: 180, seconds: 2.5, amplitude: 0.3)
        func probabilities(_ model: EmotionModel) throws -> [Float] {
            let classifier = try EmotionClassifier(model: model)
            var p = [Float](repeating: 0, count: 8)
            p.withUnsafeMutableBufferPointer { out in window.withUnsafeBufferPointer { classifier.classifyWindow($0, probabilities: out.baseAddress!) } }
            return p
        }
        let temperature = members[0].header.calibration.temperature
        let memberLogits = try members.map { try probabilities($0).map { Double(logf($0)) * Double(temperature) } }
        let mean = (0..<8).map { i in memberLogits.reduce(0) { $0 + $1[i] } / 3 }
        let peak = mean.max()!
        let expected = mean.map { exp(($0 - peak) / Double(temperature)) }
        let total = expected.reduce(0, +)
        let got = try probabilities(ensemble)
        for i in 0..<8 { #expect(abs(Double(got[i]) - expected[i] / total) < 1e-4, "class \(i)") }
        #expect(got != (try probabilities(members[0])))
    }

    @Test(.enabled(if: isOptimizedBuild, "allocation-freedom holds for optimised builds; run `make test` (release)"))
    func classifyingWithAnEnsembleAllocatesNothingAfterWarmUp() throws {
        let classifier = try EmotionClassifier(model: ensemble)
        let window = Signals.sine(frequency: 220, seconds: 3, amplitude: 0.2)
        var probabilities = [Float](repeating: 0, count: 8)
        probabilities.withUnsafeMutableBufferPointer { p in
            window.withUnsafeBufferPointer { w in
                classifier.classifyWindow(w, probabilities: p.baseAddress!)
                emoscope_allocations_begin()
                classifier.classifyWindow(w, probabilities: p.baseAddress!)
                let count = emoscope_allocations_end()
                #expect(count == 0, "classifyWindow allocated \(count) times")
            }
        }
    }
}
