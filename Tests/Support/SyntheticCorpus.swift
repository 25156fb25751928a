import EmoscopeCore
import Foundation

/// A small labelled corpus written at test time: speech-like tones whose pitch depends on the
/// class (120, 200 or 320 Hz, ±8 % per speaker), a few speakers, with a CSV manifest.
public enum SyntheticCorpus {
    public static let labels = ["low", "middle", "high"]

    /// Writes `speakers × clipsPerClass × 3` clips of `seconds` into `folder` and returns the manifest path.
    /// `write` saves mono 16 kHz samples to a path (tests pass `AudioFileWriter.write`).
    public static func write(into folder: TemporaryDirectory, speakers: Int = 4, clipsPerClass: Int = 6, seconds: Double = 1.2,
                             write: ([Float], String) throws -> Void) throws -> String {
        var lines = ["path,label,speaker"]
        var generator = SeededGenerator(seed: 77)
        for speaker in 0..<speakers {
            let voice = 1 + 0.08 * (Double(speaker) / Double(max(1, speakers - 1)) * 2 - 1)
            for (label, base) in [120.0, 200.0, 320.0].enumerated() {
                for take in 0..<clipsPerClass {
                    let f0 = base * voice * (1 + 0.03 * Double(generator.nextUniform() - 0.5))
                    var samples = [Float](repeating: 0, count: 2_400)
                    samples += Signals.speechLike(frequency: f0, seconds: seconds, amplitude: 0.2 + 0.1 * Double(generator.nextUniform()))
                    samples += [Float](repeating: 0, count: 2_400)
                    for i in samples.indices { samples[i] += 0.002 * (generator.nextUniform() - 0.5) }
                    let name = "s\(speaker)-\(labels[label])-\(take).flac"
                    try write(samples, folder.path(name))
                    lines.append("\(name),\(labels[label]),speaker\(speaker)")
                }
            }
        }
        let manifest = folder.path("manifest.csv")
        try lines.joined(separator: "\n").write(toFile: manifest, atomically: true, encoding: .utf8)
        return manifest
    }

    /// A small, fast training recipe for these clips.
    public static func configuration(epochs: Int = 12, seed: UInt64 = 3, labels: Int = 3) -> (architecture: [LayerSpec], epochs: Int, seed: UInt64) {
        let architecture: [LayerSpec] = [
            .conv2d(outChannels: 8, kernel: Size2(3, 3), stride: Size2(1, 2), padding: Size2(1, 1), dilation: Size2(1, 1)),
            .batchNorm(epsilon: 1e-5), .relu, .maxPool(kernel: Size2(2, 2), stride: Size2(2, 2)),
            .conv2d(outChannels: 12, kernel: Size2(3, 3), stride: Size2(1, 1), padding: Size2(1, 1), dilation: Size2(1, 1)),
            .batchNorm(epsilon: 1e-5), .relu, .globalPool(.meanStd), .dense(outFeatures: labels),
        ]
        return (architecture, epochs, seed)
    }
}
