import EmoscopeAudio
import EmoscopeCore
import Foundation

// emoscope-bench: the timing targets of the issues, measured (`make bench`).
// Usage: emoscope-bench [--corpus DIR] [--json FILE] [--training-only]

var corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/datasets/ravdess-speech-16k").path
var jsonPath: String?
var trainingOnly = false
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--corpus": corpus = arguments.next() ?? corpus
    case "--json": jsonPath = arguments.next()
    case "--training-only": trainingOnly = true
    default:
        FileHandle.standardError.write(Data("usage: emoscope-bench [--corpus DIR] [--json FILE] [--training-only]\n".utf8))
        exit(2)
    }
}

let report = Report()
let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
    .first { $0.hasPrefix("model name") }?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
print("Emoscope \(EmoscopeVersion.string) benchmarks — \(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores")
print("BLAS: \(BLAS.description)")

// MARK: Training step

report.section("Training step: the default recipe's network, batches of 32 inputs of 2.4–3 s (median and best of 12 batches)")
for threads in [1, 2] {
    let rate = try benchmarkTrainingStep(threads: threads)
    report.add("forward + backward + AdamW, \(threads) thread\(threads == 1 ? "" : "s")", rate.median, "examples/s", fastest: rate.fastest)
}
if trainingOnly { exit(0) }

// MARK: Features of one 3 s clip

report.section("Features, one 3 s clip at 16 kHz, one thread (median and fastest of N runs)")
let settings = FeatureSettings()
let extractor = try FeatureExtractor(settings: settings)
let pitchTracker = try PitchTracker(settings: settings)
var generator = SystemRandomNumberGenerator()
let clip = (0..<48_000).map { _ in Float.random(in: -0.3...0.3, using: &generator) }
var logMel = FeatureMatrix(frameCount: 0, featureCount: settings.melBands)
@MainActor func addTime(_ name: String, _ timing: Timing, target: Double? = nil) {
    report.add(name, timing.median * 1e3, "ms", fastest: timing.fastest * 1e3,
               target: target.map { "≤ \($0 * 1e3) ms" }, meets: target.map { timing.median <= $0 })
}
addTime("log-mel (64 bands, 301 frames)", measure(repeats: 500) {
    clip.withUnsafeBufferPointer { extractor.logMelSpectrogram($0, into: &logMel) }
}, target: 0.5e-3)
addTime("MFCC from log-mel (20 coefficients)", measure(repeats: 200) { _ = extractor.mfcc(fromLogMel: logMel) })
addTime("YIN pitch track (1024-sample frames)", measure(repeats: 50) { _ = pitchTracker.track(clip) })
addTime("every feature (log-mel, MFCC, RMS, ZCR, pitch, VAD)", measure(repeats: 50) {
    _ = FeatureAnalysis(samples: clip, extractor: extractor, pitchTracker: pitchTracker)
})

// MARK: Resampling

report.section("Resampling (soxr HQ), 5 s of 48 kHz audio → 16 kHz")
let resampleFolder = FileManager.default.temporaryDirectory.appendingPathComponent("emoscope-bench-\(getpid())")
try FileManager.default.createDirectory(at: resampleFolder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: resampleFolder) }
let wav48 = resampleFolder.appendingPathComponent("tone48k.wav").path
try AudioFileWriter.write((0..<240_000).map { Float(0.3 * sin(Double($0) * 0.05)) }, sampleRate: 48_000, to: wav48, format: .wavFloat)
let decoder = AudioDecoder()
addTime("decode + resample 5 s WAV (float, 48 kHz)", measure(repeats: 20) { _ = try! decoder.decode(path: wav48) })

// MARK: BLAS

report.section("BLAS sgemm, one thread")
for (m, n, k) in [(32, 19_200, 288), (64, 4_096, 576), (16, 4_800, 144)] {
    let a = [Float](repeating: 0.01, count: m * k), b = [Float](repeating: 0.02, count: k * n)
    var c = [Float](repeating: 0, count: m * n)
    let time = measure(repeats: 20) { BLAS.sgemm(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c, ldc: n) }
    let flops = 2 * Double(m * n * k)
    report.add("sgemm \(m)×\(n)×\(k)", flops / time.median / 1e9, "GFLOPS", fastest: flops / time.fastest / 1e9)
}

// MARK: Inference

/// A CNN of the size the default model is expected to have: four 3×3 conv blocks (16, 32, 64,
/// 96 channels) with batch norm and 2×2 max pooling, mean+std pooling over time, two dense
/// layers. ~63 M multiply-adds per 3 s window.
func representativeModel() throws -> EmotionModel {
    func conv(_ out: Int) -> LayerSpec {
        .conv2d(outChannels: out, kernel: Size2(3, 3), stride: Size2(1, 1), padding: Size2(1, 1), dilation: Size2(1, 1))
    }
    let pool = LayerSpec.maxPool(kernel: Size2(2, 2), stride: Size2(2, 2))
    let architecture: [LayerSpec] = [
        conv(16), .batchNorm(epsilon: 1e-5), .relu, pool,
        conv(32), .batchNorm(epsilon: 1e-5), .relu, pool,
        conv(64), .batchNorm(epsilon: 1e-5), .relu, pool,
        conv(96), .batchNorm(epsilon: 1e-5), .relu,
        .globalPool(.meanStd), .dropout(rate: 0.3), .dense(outFeatures: 64), .relu, .dense(outFeatures: 8),
    ]
    let settings = FeatureSettings()
    let header = ModelHeader(
        labels: ModelHeader.ravdessLabels, features: settings, input: .init(windowSeconds: 3, hopSeconds: 1, minimumSeconds: 0.5),
        normalization: .init(mean: .init(repeating: -50, count: 64), standardDeviation: .init(repeating: 20, count: 64)),
        architecture: architecture, calibration: .init(), tensors: [],
        provenance: .init(corpus: "benchmark", evaluationProtocol: "none", metrics: [:], date: "", seed: 1, codeRevision: ""))
    return try EmotionModel.initialized(header: header, seed: 1)
}

// The shipped model when there is one, else the representative CNN.
let defaultModelPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Assets/default.emomodel").path
let shipped = try? ModelStore.load(path: defaultModelPath)
let modelName = shipped == nil ? "representative CNN (~63 M multiply-adds per 3 s window)" : "the default model (Assets/default.emomodel)"
report.section("Inference, \(modelName), one thread")
let benchModel = try shipped ?? representativeModel()
let classifier = try EmotionClassifier(model: benchModel)
let speech = (0..<48_000).map { n in Float(0.3 * (0.5 - 0.5 * cos(2 * Double.pi * 4 * Double(n) / 16_000)) * sin(Double(n) * 0.08)) }
var probabilities = [Float](repeating: 0, count: 8)
addTime("3 s clip → probabilities (features included)", measure(repeats: 100) {
    speech.withUnsafeBufferPointer { s in probabilities.withUnsafeMutableBufferPointer { classifier.classifyWindow(s, probabilities: $0.baseAddress!) } }
}, target: 5e-3)
addTime("3 s clip → classify() (VAD, windows, result)", measure(repeats: 100) { _ = classifier.classify(speech) })
let modelPath = resampleFolder.appendingPathComponent("bench.emomodel").path
try ModelStore.save(benchModel, to: modelPath)



let clips: [String] = {
    let actors = (try? FileManager.default.contentsOfDirectory(atPath: corpus)) ?? []
    return actors.sorted().flatMap { actor -> [String] in
        let folder = (corpus as NSString).appendingPathComponent(actor)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return files.filter { $0.hasSuffix(".flac") || $0.hasSuffix(".wav") }.sorted().map { (folder as NSString).appendingPathComponent($0) }
    }
}()
if clips.isEmpty {
    print("\nRAVDESS corpus not found at \(corpus): corpus benchmarks not run (pass --corpus DIR).")
} else {
    report.section("Corpus: decode + log-mel of \(clips.count) clips (warm page cache; median and best of 3 passes)")
    let list = clips
    for threads in [1, 2] {
        // One pass to warm the page cache, then three timed passes.
        var rates: [Double] = []
        for pass in 0..<4 {
            let start = now()
            onThreads(threads) { worker in
                let extractor = try! FeatureExtractor(settings: FeatureSettings())
                let decoder = AudioDecoder()
                var output = FeatureMatrix(frameCount: 0, featureCount: 64)
                for index in stride(from: worker, to: list.count, by: threads) {
                    let audio = try! decoder.decode(path: list[index])
                    audio.samples.withUnsafeBufferPointer { extractor.logMelSpectrogram($0, into: &output) }
                }
            }
            if pass > 0 { rates.append(Double(list.count) / (now() - start)) }
        }
        rates.sort()
        let target = threads == 2 ? "≥ 1000/s" : nil
        report.add("\(threads) thread\(threads == 1 ? "" : "s")", rates[1], "clips/s", fastest: rates[2],
                   target: target, meets: threads == 2 ? rates[1] >= 1_000 : nil)
    }
}

if !clips.isEmpty {
    report.section("Corpus: `emoscope classify DIR --format csv` end to end, \(modelName) (median and best of 3 runs)")
    let emoscopePath = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("emoscope").path
    if FileManager.default.isExecutableFile(atPath: emoscopePath) {
        for threads in [1, 2] {
            var rates: [Double] = []
            for _ in 0..<3 {
                let start = now()
                let status = run([emoscopePath, "classify", corpus, "--model", modelPath, "--format", "csv", "--threads", "\(threads)"])
                guard status == 0 else { print("  emoscope classify failed (status \(status))"); break }
                rates.append(Double(clips.count) / (now() - start))
            }
            guard rates.count == 3 else { continue }
            rates.sort()
            report.add("\(threads) thread\(threads == 1 ? "" : "s")", rates[1], "clips/s", fastest: rates[2],
                       target: threads == 2 ? "≥ 500/s" : nil, meets: threads == 2 ? rates[1] >= 500 : nil)
        }
    } else {
        print("  \(emoscopePath) not built: run `make bench`, which builds it")
    }
}

let demoClip = URL(fileURLWithPath: defaultModelPath).deletingLastPathComponent().appendingPathComponent("demo/03-01-05-02-01-01-01.flac").path
let emoscopeBinary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("emoscope").path
try benchmarkLive(model: benchModel, clipPath: demoClip, emoscopePath: emoscopeBinary, modelPath: modelPath)

if let jsonPath {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(report.measurements).write(to: URL(fileURLWithPath: jsonPath), options: .atomic)
    print("\nwrote \(jsonPath)")
}
