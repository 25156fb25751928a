import EmoscopeCore
import Foundation

/// Deterministic test signals.
public enum Signals {
    /// A sine of `frequency` Hz and `amplitude`, `seconds` long at `sampleRate`.
    public static func sine(frequency: Double, seconds: Double, sampleRate: Int = 16_000, amplitude: Double = 0.5, phase: Double = 0) -> [Float] {
        let count = Int(seconds * Double(sampleRate))
        return (0..<count).map { Float(amplitude * sin(2 * .pi * frequency * Double($0) / Double(sampleRate) + phase)) }
    }

    /// A voiced, speech-like signal: a harmonic tone at `frequency` with a 4 Hz syllable-rate
    /// envelope (peaks at `amplitude`, dips 30 dB lower), so voice-activity detection sees speech.
    public static func speechLike(frequency: Double, seconds: Double, sampleRate: Int = 16_000, amplitude: Double = 0.3) -> [Float] {
        let count = Int(seconds * Double(sampleRate))
        return (0..<count).map { n in
            let t = Double(n) / Double(sampleRate)
            let envelope = 0.03 + 0.97 * 0.5 * (1 - cos(2 * .pi * 4 * t))
            let tone = (1...4).reduce(0.0) { $0 + sin(2 * .pi * frequency * Double($1) * t) / Double($1) } / 1.6
            return Float(amplitude * envelope * tone)
        }
    }

    /// Uniform noise in ±amplitude from a fixed-seed generator.
    public static func noise(count: Int, amplitude: Float = 0.1, seed: UInt64 = 42) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in amplitude * (Float(generator.next() >> 40) / Float(1 << 24) * 2 - 1) }
    }

    /// RMS of a signal.
    public static func rms(_ x: some Collection<Float>) -> Double {
        guard !x.isEmpty else { return 0 }
        return (x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count)).squareRoot()
    }

    /// Frequency of the strongest component near `guess`, by a fine DFT scan (Hz).
    public static func dominantFrequency(_ x: [Float], sampleRate: Int, around guess: Double, span: Double = 20, step: Double = 0.1) -> Double {
        var best = (frequency: guess, power: -1.0)
        var f = guess - span
        while f <= guess + span {
            var re = 0.0, im = 0.0
            for (n, v) in x.enumerated() {
                let angle = 2 * Double.pi * f * Double(n) / Double(sampleRate)
                re += Double(v) * cos(angle)
                im -= Double(v) * sin(angle)
            }
            let power = re * re + im * im
            if power > best.power { best = (f, power) }
            f += step
        }
        return best.frequency
    }
}

/// A temporary directory removed when the value is released.
public final class TemporaryDirectory {
    public let url: URL
    public init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("emoscope-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    /// The path of `name` inside the directory.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}
