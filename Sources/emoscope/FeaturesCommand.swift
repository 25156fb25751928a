import ArgumentParser
import EmoscopeAudio
import EmoscopeCore
import Foundation

/// `emoscope features FILE…`: decode each file and summarise every feature.
struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Decode audio files and summarise their features (log-mel, MFCC, energy, pitch, speech).")

    @Argument(help: "Audio files to analyse.")
    var files: [String]

    @Flag(help: "Print one JSON object per file instead of a table.")
    var json = false

    @Option(help: "Refuse files longer than this many seconds.")
    var maxDuration: Double = 3_600

    func validate() throws {
        guard maxDuration > 0, maxDuration.isFinite else { throw ValidationError("--max-duration must be a positive number of seconds") }
    }

    func run() throws {
        let settings = FeatureSettings()
        let extractor = try FeatureExtractor(settings: settings)
        let pitchTracker = try PitchTracker(settings: settings)
        let decoder = AudioDecoder(targetRate: settings.sampleRate, maximumDuration: maxDuration)
        var failures = 0
        for file in files {
            do {
                let audio = try decoder.decode(path: file)
                let analysis = FeatureAnalysis(samples: audio.samples, extractor: extractor, pitchTracker: pitchTracker)
                let report = FeatureReport(file: file, audio: audio, settings: settings,
                                           summary: analysis.summary(settings: settings))
                print(json ? try report.json() : report.table())
            } catch let error as AudioError {
                failures += 1
                printError("emoscope: \(error)")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}

/// What `features` prints for one file.
struct FeatureReport: Encodable {
    struct Source: Encodable {
        var format: String
        var sampleRate: Int
        var channels: Int
    }
    var file: String
    var source: Source
    var sampleRate: Int
    var samples: Int
    var duration: Double
    var settings: FeatureSettings
    var features: FeatureSummary

    init(file: String, audio: DecodedAudio, settings: FeatureSettings, summary: FeatureSummary) {
        self.file = file
        source = Source(format: audio.source.format, sampleRate: audio.source.sampleRate, channels: audio.source.channels)
        sampleRate = audio.sampleRate
        samples = audio.samples.count
        duration = audio.duration
        self.settings = settings
        features = summary
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    func table() -> String {
        let f = features
        func fixed(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
        let channelWord = source.channels == 1 ? "channel" : "channels"
        var lines = [
            "File        \(file)",
            "Source      \(source.format), \(source.sampleRate) Hz, \(source.channels) \(channelWord) → \(sampleRate) Hz mono",
            "Duration    \(fixed(duration, 2)) s (\(samples) samples)",
            "Frames      \(f.frames) at \(fixed(f.frameRate, 0)) Hz (window \(settings.windowLength), hop \(settings.hopLength), FFT \(settings.fftSize))",
            "Log-mel     \(f.logMel.bands) bands \(Int(settings.minFrequency))–\(Int(settings.maxFrequency)) Hz; dB mean \(fixed(f.logMel.decibels.mean)), std \(fixed(f.logMel.decibels.standardDeviation)), range \(fixed(f.logMel.decibels.minimum))…\(fixed(f.logMel.decibels.maximum))",
            "            band means \(Sparkline.render(f.logMel.bandMeans))",
            "MFCC        \(f.mfcc.coefficients) coefficients; means " + f.mfcc.means.prefix(5).map { fixed($0) }.joined(separator: " ") + " …",
            "RMS         \(fixed(f.rmsDBFS.mean)) dBFS mean, \(fixed(f.rmsDBFS.maximum)) dBFS peak frame",
            "ZCR         mean \(fixed(f.zeroCrossingRate.mean, 3)), max \(fixed(f.zeroCrossingRate.maximum, 3))",
        ]
        if let median = f.pitch.medianHertz {
            lines.append("Pitch (F0)  \(Int((f.pitch.voicedFraction * 100).rounded()))% of frames voiced; in speech median \(Int(median.rounded())) Hz, range \(Int(f.pitch.hertz.minimum.rounded()))–\(Int(f.pitch.hertz.maximum.rounded())) Hz")
        } else {
            lines.append("Pitch (F0)  no voiced speech")
        }
        let segments = f.voiceActivity.segments.map { "\(fixed($0[0], 2))–\(fixed($0[1], 2)) s" }
        lines.append("Speech      \(Int((f.voiceActivity.speechRatio * 100).rounded()))% of frames" + (segments.isEmpty ? "; no speech found" : "; " + segments.joined(separator: ", ")))
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Eight-level bar glyphs for a series of values.
enum Sparkline {
    static func render(_ values: [Double]) -> String {
        guard let low = values.min(), let high = values.max(), high > low else { return String(repeating: "▁", count: values.count) }
        let glyphs = Array("▁▂▃▄▅▆▇█")
        return String(values.map { glyphs[min(7, Int((($0 - low) / (high - low)) * 8))] })
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
