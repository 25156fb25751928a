import Foundation

/// ALSA configurations that feed the real capture API from a file through the `file` plugin,
/// so capture is tested without a sound card (PLATFORM-NOTES).
public enum ALSAFixture {
    /// A configuration in which capture PCM `name` (and `default`) plays `raw` (S16_LE, 16 kHz mono)
    /// through a `plug`; returns its path. Use it with `configFile:` or, for a child process,
    /// `ALSA_CONFIG_PATH=\(systemConfig):PATH`.
    public static func captureConfig(raw: String, in folder: TemporaryDirectory, name: String = "speech") throws -> String {
        let config = """
            pcm.rawin { type file  slave { pcm { type null } }  file "/dev/null"  infile "\(raw)"  format "raw" }
            pcm.\(name) { type plug  slave { pcm "rawin" format S16_LE rate 16000 channels 1 } }
            pcm.!default { type plug  slave { pcm "rawin" format S16_LE rate 16000 channels 1 } }
            """
        let path = folder.path("alsa-\(name).conf")
        try config.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// ALSA's own top-level configuration, which a child's `ALSA_CONFIG_PATH` must still include.
    public static let systemConfig = "/usr/share/alsa/alsa.conf"

    /// Polls `condition` every few milliseconds for up to `seconds`.
    public static func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return condition()
    }
}

/// Raw 16-bit little-endian mono files, as ALSA's `file` plugin reads and writes them.
public enum RawPCM {
    /// Writes samples in [-1, 1] as 16-bit integers.
    public static func write(_ samples: [Float], to path: String) throws {
        let values = samples.map { Int16((max(-1, min(1, $0)) * 32_767).rounded()).littleEndian }
        try values.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: path))
    }

    /// Reads a raw file back as samples in [-1, 1).
    public static func read(_ path: String) throws -> [Float] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return stride(from: 0, to: data.count - 1, by: 2).map { offset in
            Float(Int16(littleEndian: Int16(bitPattern: UInt16(data[offset]) | UInt16(data[offset + 1]) << 8))) / 32_768
        }
    }

    /// The lag of `signal` against `reference` (within ±maximumLag) with the highest normalised correlation.
    public static func bestAlignment(_ signal: [Float], _ reference: [Float], maximumLag: Int) -> (lag: Int, correlation: Double) {
        var best = (lag: 0, correlation: -Double.infinity)
        for lag in -maximumLag...maximumLag {
            var dot = 0.0, a = 0.0, b = 0.0
            for i in max(0, -lag)..<min(reference.count, signal.count - lag) {
                let x = Double(signal[i + lag]), y = Double(reference[i])
                dot += x * y
                a += x * x
                b += y * y
            }
            let correlation = dot / max((a * b).squareRoot(), 1e-30)
            if correlation > best.correlation { best = (lag, correlation) }
        }
        return best
    }
}
