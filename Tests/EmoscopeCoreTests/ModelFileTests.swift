import EmoscopeCore
import EmoscopeTestSupport
import Foundation
import Testing

@Suite("model file")
struct ModelFileTests {
    let model = TestModels.compact(seed: 11)

    func bytes(_ model: EmotionModel) -> [UInt8] { try! ModelFile.encode(model) }

    /// Re-seals bytes with a correct CRC, so that a test reaches the check after the checksum.
    static func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var body = Array(bytes.dropLast(4))
        let crc = body.withUnsafeBytes { CRC32.checksum($0) }
        withUnsafeBytes(of: crc.littleEndian) { body.append(contentsOf: $0) }
        return body
    }

    /// The header JSON of an encoded model, edited by `edit`, re-encoded and re-sealed.
    func withHeader(_ edit: (inout [String: Any]) -> Void) -> [UInt8] {
        let original = bytes(model)
        let length = Int(original[12]) | Int(original[13]) << 8 | Int(original[14]) << 16 | Int(original[15]) << 24
        var json = try! JSONSerialization.jsonObject(with: Data(original[16..<(16 + length)])) as! [String: Any]
        edit(&json)
        let header = [UInt8](try! JSONSerialization.data(withJSONObject: json))
        var out = Array(original[0..<12])
        withUnsafeBytes(of: UInt32(header.count).littleEndian) { out.append(contentsOf: $0) }
        out += header + original[(16 + length)...]
        return Self.resealed(out)
    }

    func error(_ bytes: [UInt8]) -> ModelError? {
        do { _ = try ModelFile.decode(bytes, path: "m.emomodel"); return nil } catch { return error }
    }

    @Test func roundTripKeepsEverything() throws {
        let decoded = try ModelFile.decode(bytes(model), path: "m.emomodel")
        #expect(decoded.header == model.header)
        #expect(decoded.tensors == model.tensors)
        #expect(decoded.checksum != 0)
        #expect(bytes(decoded) == bytes(model))
    }

    @Test func eachDefectIsNamed() {
        var wrongMagic = bytes(model)
        wrongMagic[0] = UInt8(ascii: "X")
        #expect(error(wrongMagic)?.field == "magic")

        var future = bytes(model)
        future[8] = 9
        #expect(error(Self.resealed(future)) == ModelError(path: "m.emomodel", field: "version",
                                                             reason: "format version 9 is not supported (this build reads version 1)"))

        var flipped = bytes(model)
        flipped[flipped.count / 2] ^= 0x40
        #expect(error(flipped)?.field == "checksum")

        let whole = bytes(model)
        #expect(error(Array(whole.prefix(10)))?.field == "size")
        let truncated = error(Array(whole.prefix(whole.count - 100)))
        #expect(truncated?.field == "checksum" || truncated?.field == "header length")
        #expect(error(Self.resealed(Array(whole.prefix(whole.count - 104))))?.field == "tensors")

        let unknownLayer = withHeader { json in
            var layers = json["architecture"] as! [[String: Any]]
            layers[2] = ["type": "transformer"]
            json["architecture"] = layers
        }
        let unknown = error(unknownLayer)
        #expect(unknown?.field == "header.architecture[2].type")
        #expect(unknown?.reason.contains("unknown layer type \"transformer\"") == true)

        let missingLabels = withHeader { $0.removeValue(forKey: "labels") }
        #expect(error(missingLabels)?.field == "header.labels")
        #expect(error(missingLabels)?.reason == "missing")

        let wrongShape = withHeader { json in
            var tensors = json["tensors"] as! [[String: Any]]
            tensors[0]["shape"] = [8, 1, 3, 4]
            json["tensors"] = tensors
        }
        #expect(error(wrongShape)?.field == "tensor layers.0.weight")

        let sevenLabels = withHeader { json in json["labels"] = Array(ModelHeader.ravdessLabels.prefix(7)) }
        #expect(error(sevenLabels)?.reason.contains("outputs 8 values for 7 labels") == true)

        let badBands = withHeader { json in
            var normalization = json["normalization"] as! [String: Any]
            normalization["mean"] = [0.0, 1.0]
            json["normalization"] = normalization
        }
        #expect(error(badBands)?.field == "header.normalization.mean")

        let badFeature = withHeader { json in
            var features = json["features"] as! [String: Any]
            features["hopLength"] = 0
            json["features"] = features
        }
        #expect(error(badFeature)?.field == "header.features.hopLength")
        #expect(error(badFeature)?.description == "m.emomodel: model file header.features.hopLength: must be positive")
    }

    /// 10 000 damaged files: random byte flips, insertions, deletions and truncations, half of
    /// them re-sealed with a valid checksum so that the header and tensor parsers see the damage.
    /// Every one must be rejected with a ModelError or load as a valid model; none may crash or hang.
    @Test func tenThousandDamagedFilesNeverCrashTheLoader() {
        let small = try! EmotionModel.initialized(header: TestModels.header(architecture: [
            .conv2d(outChannels: 2, kernel: Size2(3, 3), stride: Size2(2, 2), padding: Size2(1, 1), dilation: Size2(1, 1)),
            .batchNorm(epsilon: 1e-5), .relu, .globalPool(.meanStd), .dense(outFeatures: 8),
        ]), seed: 2)
        let original = bytes(small)
        var generator = SeededGenerator(seed: 2026)
        var rejected = 0, loaded = 0, fieldsSeen = Set<String>()
        let start = Date()
        for round in 0..<10_000 {
            var mutated = original
            let edits = 1 + Int(generator.next() % 4)
            for _ in 0..<edits where !mutated.isEmpty {
                let position = Int(generator.next() % UInt64(mutated.count))
                switch generator.next() % 5 {
                case 0: mutated[position] = UInt8(truncatingIfNeeded: generator.next())
                case 1: mutated[position] ^= 1 << (generator.next() % 8)
                case 2: mutated.insert(UInt8(truncatingIfNeeded: generator.next()), at: position)
                case 3: if mutated.count > 1 { mutated.remove(at: position) }
                default: mutated = Array(mutated.prefix(position))
                }
            }
            if round % 2 == 0, mutated.count >= 4 { mutated = Self.resealed(mutated) }
            do {
                let model = try ModelFile.decode(mutated, path: "fuzz")
                loaded += 1
                #expect(model.header.labels.count == 8)
            } catch {
                rejected += 1
                fieldsSeen.insert(error.field.split(separator: ".").prefix(2).joined(separator: "."))
                #expect(!error.reason.isEmpty)
            }
        }
        #expect(rejected + loaded == 10_000)
        #expect(rejected > 9_000, "only \(rejected) rejected")
        #expect(fieldsSeen.count >= 6, "errors seen in only \(fieldsSeen.sorted())")
        #expect(Date().timeIntervalSince(start) < 120, "the loader is too slow on damaged input")
    }
}

@Suite("input normalisation")
struct NormalizationTests {
    @Test func windowMeanSubtractionCentresEveryBand() {
        var logMel = FeatureMatrix(frameCount: 5, featureCount: 3)
        for frame in 0..<5 {
            for band in 0..<3 { logMel[frame, band] = Float(frame * (band + 1)) - 40 }
        }
        let plain = ModelHeader.Normalization(mean: [-40, -40, -40], standardDeviation: [2, 2, 2])
        var centred = plain
        centred.subtractWindowMean = true
        var a = [Float](repeating: .nan, count: 15), b = a
        plain.standardize(logMel, into: &a)
        centred.standardize(logMel, into: &b)
        // Band-major output: band 1, frame 3 is (3·2 − 40 + 40) / 2 = 3 without centring.
        #expect(a[1 * 5 + 3] == 3)
        for band in 0..<3 {
            let row = b[(band * 5)..<((band + 1) * 5)]
            // With centring: (x − window mean − global mean) / std, the window mean of band k being 2(k+1) − 40.
            let scale = Float(band + 1)
            let expected: [Float] = (0..<5).map { frame in (Float(frame) * scale - 2 * scale) / 2 + 20 }
            #expect(Array(row) == expected, "band \(band): \(Array(row))")
        }
    }

    @Test func speechLevelAveragesTheFramesNearTheLoudestOnly() {
        // Frames at −20, −30 (within 20 dB of the loudest) and −70, −90 dB (pauses, left out).
        var logMel = FeatureMatrix(frameCount: 4, featureCount: 2)
        for (frame, level) in [Float(-20), -70, -30, -90].enumerated() {
            logMel[frame, 0] = level - 5
            logMel[frame, 1] = level + 5
        }
        #expect(ModelHeader.Normalization.speechLevel(logMel) == -25)
        #expect(ModelHeader.Normalization.speechLevel(FeatureMatrix(frameCount: 0, featureCount: 2)) == 0)
    }

    @Test func levelSubtractionMakesTheInputIndependentOfGain() {
        var logMel = FeatureMatrix(frameCount: 6, featureCount: 4)
        for frame in 0..<6 {
            for band in 0..<4 { logMel[frame, band] = Float((frame * 7 + band * 3) % 11) - 50 - (frame == 5 ? 40 : 0) }
        }
        var louder = logMel
        for i in louder.values.indices { louder.values[i] += 12 }
        var normalization = ModelHeader.Normalization(mean: [1, -2, 3, 0], standardDeviation: [2, 3, 4, 5])
        var a = [Float](repeating: .nan, count: 24), b = a
        normalization.standardize(logMel, into: &a)
        normalization.standardize(louder, into: &b)
        let deviations = normalization.standardDeviation
        #expect(b.indices.allSatisfy { abs(b[$0] - a[$0] - 12 / deviations[$0 / 6]) < 1e-4 }, "without it a gain moves the input")
        normalization.subtractSpeechLevel = true
        normalization.standardize(logMel, into: &a)
        normalization.standardize(louder, into: &b)
        #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-4 }, "\(a) against \(b)")
        // Band 0, frame 0: (−50 − level − mean) / std.
        let level = ModelHeader.Normalization.speechLevel(logMel)
        #expect(abs(a[0] - (-50 - level - 1) / 2) < 1e-5)
    }

    @Test func olderHeadersWithoutTheFieldsDecodeAsPlainStandardisation() throws {
        let json = #"{"mean": [1, 2], "standardDeviation": [3, 4]}"#
        let decoded = try JSONDecoder().decode(ModelHeader.Normalization.self, from: Data(json.utf8))
        #expect(decoded == ModelHeader.Normalization(mean: [1, 2], standardDeviation: [3, 4], subtractWindowMean: false, subtractSpeechLevel: false))
        var model = TestModels.compact()
        model.header.normalization.subtractWindowMean = true
        model.header.normalization.subtractSpeechLevel = true
        let roundTrip = try ModelFile.decode(ModelFile.encode(model))
        #expect(roundTrip.header.normalization.subtractWindowMean && roundTrip.header.normalization.subtractSpeechLevel)
    }
}
