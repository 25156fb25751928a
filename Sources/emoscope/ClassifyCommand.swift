import ArgumentParser
import EmoscopeAudio
import EmoscopeCore
import Foundation

/// `emoscope classify FILE|DIR…`: the emotion of each clip, as a table, JSON, JSON lines or CSV.
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify the emotion of audio files (directories are walked recursively).",
        discussion: """
            Columns (csv; json and jsonl use the same names): path, duration (s), status \
            (classified | too-short | no-speech), label, confidence, then one probability per \
            class in the model's label order. With --segments, csv has one row per analysis \
            window (path, status, segment, start, end, speech, label, confidence, probabilities; \
            one row with empty window columns for a clip without any: too short, no speech) and \
            json/jsonl add a "segments" array. Files that cannot be read are reported on \
            stderr and the exit status is 1; the others are still classified.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, jsonl, csv
    }

    @Argument(help: "Audio files or directories.")
    var paths: [String]

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Output format: table, json, jsonl or csv.")
    var format: Format = .table

    @Flag(help: "Include the per-window timeline.")
    var segments = false

    @Option(help: "Worker threads (default: the number of cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Refuse files longer than this many seconds.")
    var maxDuration: Double = 3_600

    @OptionGroup(title: "Speaker adaptation")
    var adaptation: AdaptationOptions

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard maxDuration > 0, maxDuration.isFinite else { throw ValidationError("--max-duration must be a positive number of seconds") }
    }

    func run() throws {
        let model = try modelOptions.load()
        var unreadableFolders = 0
        let files = ClipWalker.expand(paths) { error in
            printError("emoscope: \(error)")
            unreadableFolders += 1
        }
        let folders = files.map(PathText.folder(of:))
        let normalizations = try adaptation.normalizations(paths: files, groups: folders, model: model, threads: threads, maximumDuration: maxDuration)
        let printer = ResultPrinter(format: format, labels: model.header.labels, segments: segments)
        printer.begin()
        let failures = ClipClassifier.run(files: files, normalizations: normalizations, model: model, threads: threads,
                                          maximumDuration: maxDuration) { outcome in
            switch outcome {
            case .success(let result): printer.print(result)
            case .failure(let error): printError("emoscope: \(error)")
            }
        }
        printer.end()
        if failures + unreadableFolders > 0 { throw ExitCode(1) }
    }
}

/// One clip's classification, with its path.
struct ClipResult {
    var path: String
    var classification: Classification
}

/// Classifies files on several threads, handing results back in input order.
enum ClipClassifier {
    /// Runs every file, each standardised with its entry of `normalizations` (nil: the model's
    /// own); `report` is called on the calling thread's order of files, one at a time. Returns
    /// the number of files that failed.
    static func run(files: [String], normalizations: [ModelHeader.Normalization?], model: EmotionModel, threads: Int, maximumDuration: Double,
                    report: @escaping (Result<ClipResult, any Error>) -> Void) -> Int {
        let queue = OrderedResults<Result<ClipResult, any Error>>(count: files.count, deliver: report)
        let next = Counter()
        let workers = max(1, min(threads, files.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let classifier: EmotionClassifier
            do {
                classifier = try EmotionClassifier(model: model)
            } catch {
                fatalError("model validated at load cannot fail here: \(error)")
            }
            let decoder = AudioDecoder(targetRate: model.header.features.sampleRate, maximumDuration: maximumDuration)
            while let index = next.take(below: files.count) {
                let outcome: Result<ClipResult, any Error>
                do {
                    let audio = try decoder.decode(path: files[index])
                    classifier.speakerNormalization = normalizations[index]
                    outcome = .success(ClipResult(path: files[index], classification: classifier.classify(audio.samples)))
                } catch {
                    outcome = .failure(error)
                }
                queue.put(outcome, at: index)
            }
        }
        return queue.failures { if case .failure = $0 { true } else { false } }
    }
}

/// A shared counter handing out 0, 1, 2, … to worker threads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}

/// Collects results that finish out of order and delivers them in order, as soon as possible.
final class OrderedResults<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [Int: Value] = [:]
    private var nextToDeliver = 0
    private var delivered: [Value] = []
    private let deliver: (Value) -> Void

    init(count: Int, deliver: @escaping (Value) -> Void) {
        self.deliver = deliver
        delivered.reserveCapacity(count)
    }

    func put(_ value: Value, at index: Int) {
        lock.lock()
        defer { lock.unlock() }
        pending[index] = value
        while let ready = pending.removeValue(forKey: nextToDeliver) {
            deliver(ready)
            delivered.append(ready)
            nextToDeliver += 1
        }
    }

    func failures(_ isFailure: (Value) -> Bool) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return delivered.filter(isFailure).count
    }
}
