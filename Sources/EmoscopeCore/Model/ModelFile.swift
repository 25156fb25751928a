import Foundation

/// A model file that cannot be used, with the file and the field at fault.
public struct ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file (or "<memory>").
    public var path: String
    /// The part of the file at fault: `magic`, `version`, `header.labels`, `tensor layers.0.weight`, …
    public var field: String
    public var reason: String

    public init(path: String, field: String, reason: String) {
        self.path = path
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(path): model file \(field): \(reason)" }
}

/// The `.emomodel` format:
///
/// ```
/// offset  size  content
/// 0       8     magic "EMOMODEL"
/// 8       4     format version, UInt32 little-endian (1)
/// 12      4     header length H, UInt32 little-endian
/// 16      H     header, UTF-8 JSON (ModelHeader)
/// 16+H    4·N   tensors as float32 little-endian, in header.tensors order
/// end−4   4     CRC-32 of every byte before it, UInt32 little-endian
/// ```
public enum ModelFile {
    /// The first eight bytes.
    public static let magic = Array("EMOMODEL".utf8)
    /// The version this build writes and reads.
    public static let version: UInt32 = 1
    /// Largest header accepted.
    public static let maximumHeaderBytes = 16 << 20

    /// Serialises a model.
    public static func encode(_ model: EmotionModel) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let header = try [UInt8](encoder.encode(model.header))
        var bytes = magic
        append(version, to: &bytes)
        append(UInt32(header.count), to: &bytes)
        bytes += header
        bytes.reserveCapacity(bytes.count + model.header.tensors.reduce(0) { $0 + $1.count } * 4 + 4)
        for spec in model.header.tensors {
            for value in model.tensors[spec.name]! { append(value.bitPattern, to: &bytes) }
        }
        let crc = bytes.withUnsafeBytes { CRC32.checksum($0) }
        append(crc, to: &bytes)
        return bytes
    }

    /// Parses and validates a model; every failure is a `ModelError` naming `path` and the field.
    public static func decode(_ bytes: [UInt8], path: String = "<memory>") throws(ModelError) -> EmotionModel {
        func fail(_ field: String, _ reason: String) -> ModelError { ModelError(path: path, field: field, reason: reason) }
        guard bytes.count >= 20 else { throw fail("size", "\(bytes.count) bytes is too short to be a model file (truncated?)") }
        guard Array(bytes[0..<8]) == magic else { throw fail("magic", "not an Emoscope model (the file does not start with \"EMOMODEL\")") }
        let version = readUInt32(bytes, at: 8)
        guard version == Self.version else {
            throw fail("version", "format version \(version) is not supported (this build reads version \(Self.version))")
        }
        let stored = readUInt32(bytes, at: bytes.count - 4)
        let computed = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<(bytes.count - 4)])) }
        let headerLength = Int(readUInt32(bytes, at: 12))
        guard headerLength <= maximumHeaderBytes, 16 + headerLength <= bytes.count - 4 else {
            throw fail("header length", "\(headerLength) bytes does not fit in a \(bytes.count)-byte file (truncated?)")
        }
        guard stored == computed else {
            throw fail("checksum", String(format: "CRC-32 mismatch (stored %08x, computed %08x): the file is damaged or truncated", stored, computed))
        }
        let header: ModelHeader
        do {
            header = try JSONDecoder().decode(ModelHeader.self, from: Data(bytes[16..<(16 + headerLength)]))
        } catch let error as DecodingError {
            throw describe(error, path: path)
        } catch {
            throw fail("header", "not valid JSON (\(error.localizedDescription))")
        }
        try validate(header, path: path)
        // Tensors.
        let expectedValues = header.tensors.reduce(0) { $0 + $1.count }
        let dataBytes = bytes.count - 4 - 16 - headerLength
        guard dataBytes == expectedValues * 4 else {
            throw fail("tensors", "the header lists \(expectedValues) values (\(expectedValues * 4) bytes) but the file holds \(dataBytes) bytes")
        }
        var tensors: [String: [Float]] = [:]
        var offset = 16 + headerLength
        for spec in header.tensors {
            var values = [Float](repeating: 0, count: spec.count)
            for i in 0..<spec.count {
                values[i] = Float(bitPattern: readUInt32(bytes, at: offset + 4 * i))
            }
            guard values.allSatisfy(\.isFinite) else { throw fail("tensor \(spec.name)", "holds NaN or infinite values") }
            offset += 4 * spec.count
            tensors[spec.name] = values
        }
        return EmotionModel(header: header, tensors: tensors, checksum: stored)
    }

    /// Checks the header's content beyond its JSON shape.
    static func validate(_ header: ModelHeader, path: String) throws(ModelError) {
        func fail(_ field: String, _ reason: String) -> ModelError { ModelError(path: path, field: field, reason: reason) }
        guard !header.labels.isEmpty, header.labels.count <= 1_000 else { throw fail("header.labels", "must list 1…1000 classes") }
        guard Set(header.labels).count == header.labels.count else { throw fail("header.labels", "has duplicates") }
        guard header.labels.allSatisfy({ !$0.isEmpty }) else { throw fail("header.labels", "has an empty name") }
        do { try header.features.validate() } catch { throw fail("header.features.\(error.field)", error.reason) }
        let input = header.input
        guard input.minimumSeconds > 0, input.windowSeconds >= input.minimumSeconds, input.windowSeconds <= 60 else {
            throw fail("header.input.windowSeconds", "need 0 < minimumSeconds ≤ windowSeconds ≤ 60")
        }
        guard input.hopSeconds > 0, input.hopSeconds <= input.windowSeconds else {
            throw fail("header.input.hopSeconds", "must be in (0, windowSeconds]")
        }
        let bands = header.features.melBands
        guard header.normalization.mean.count == bands else {
            throw fail("header.normalization.mean", "has \(header.normalization.mean.count) values for \(bands) mel bands")
        }
        guard header.normalization.standardDeviation.count == bands else {
            throw fail("header.normalization.standardDeviation", "has \(header.normalization.standardDeviation.count) values for \(bands) mel bands")
        }
        guard header.normalization.mean.allSatisfy(\.isFinite),
              header.normalization.standardDeviation.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw fail("header.normalization", "values must be finite, standard deviations positive")
        }
        guard header.calibration.temperature.isFinite, header.calibration.temperature > 0.01, header.calibration.temperature < 100 else {
            throw fail("header.calibration.temperature", "must be in (0.01, 100)")
        }
        let plan: (shapes: [ActivationShape], tensors: [TensorSpec])
        do {
            plan = try header.plannedArchitecture()
        } catch {
            throw fail(error.layer.map { "header.architecture[\($0)]" } ?? "header.architecture", error.reason)
        }
        guard plan.shapes.last!.count == header.labels.count else {
            throw fail("header.architecture", "outputs \(plan.shapes.last!.count) values for \(header.labels.count) labels")
        }
        guard header.tensors.count == plan.tensors.count else {
            throw fail("header.tensors", "lists \(header.tensors.count) tensors; the architecture needs \(plan.tensors.count)")
        }
        for (listed, needed) in zip(header.tensors, plan.tensors) {
            guard listed.name == needed.name else {
                throw fail("header.tensors", "expected \(needed.name) where \(listed.name) is listed")
            }
            guard listed.shape == needed.shape else {
                throw fail("tensor \(listed.name)", "has shape \(listed.shape); the architecture needs \(needed.shape)")
            }
        }
    }

    /// A decoding error as a field path: `header.architecture[3].type: unknown layer type "foo"`.
    static func describe(_ error: DecodingError, path: String) -> ModelError {
        func fieldPath(_ codingPath: [any CodingKey]) -> String {
            codingPath.reduce("header") { partial, key in
                key.intValue.map { "\(partial)[\($0)]" } ?? "\(partial).\(key.stringValue)"
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            return ModelError(path: path, field: fieldPath(context.codingPath + [key]), reason: "missing")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return ModelError(path: path, field: fieldPath(context.codingPath), reason: "has the wrong type (\(context.debugDescription))")
        case .dataCorrupted(let context):
            let field = context.codingPath.isEmpty ? "header" : fieldPath(context.codingPath)
            return ModelError(path: path, field: field, reason: context.debugDescription)
        @unknown default:
            return ModelError(path: path, field: "header", reason: "\(error)")
        }
    }

    static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}
