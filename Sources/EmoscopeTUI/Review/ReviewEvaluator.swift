import Dispatch
import EmoscopeAudio
import EmoscopeCore
import Foundation

/// Classifies the clips of a labelled folder on several threads (one classifier and decoder per
/// thread), reporting each clip's outcome as soon as it is known. Used by the Review screen in
/// the background and by `emoscope eval` in the foreground.
public final class ReviewEvaluator: @unchecked Sendable {
    private let model: EmotionModel
    private let threads: Int
    /// Gain every clip is given before it is classified, dB (0: as recorded).
    private let gainDB: Double
    private let lock = NSLock()
    private var next = 0
    private var cancelled = false
    private var running = 0

    /// Longest clip accepted, seconds (as `emoscope classify`).
    public static let maximumDuration: Double = 3_600

    /// An evaluator of `model` on `threads` threads (at least one), every clip first scaled by
    /// `gainDB` decibels (0: as recorded; another value shows how the model holds up at another
    /// recording level).
    public init(model: EmotionModel, threads: Int = ProcessInfo.processInfo.activeProcessorCount, gainDB: Double = 0) {
        self.model = model
        self.threads = max(1, threads)
        self.gainDB = gainDB
    }

    /// Classifies `paths` on the calling thread and `threads - 1` others, calling `report(index, outcome)`
    /// from them as each clip finishes; returns when all are done or after `cancel()`. Clip `i` is
    /// standardised with `normalizations[i]` where there is one (a speaker's statistics, for a
    /// model trained with `--speaker-normalization`), else with the model's own. Call once.
    public func run(paths: [String], normalizations: [ModelHeader.Normalization?] = [],
                    report: @escaping @Sendable (Int, ReviewOutcome) -> Void) {
        DispatchQueue.concurrentPerform(iterations: min(threads, max(1, paths.count))) { _ in
            work(paths: paths, normalizations: normalizations, report: report)
        }
    }

    /// Classifies `paths` (standardised as in `run`) on `threads` background threads (signals left
    /// to the UI thread) and returns at once; `finished` is called, from the last worker, when all
    /// are done or cancelled. Call once.
    public func start(paths: [String], normalizations: [ModelHeader.Normalization?] = [],
                      report: @escaping @Sendable (Int, ReviewOutcome) -> Void, finished: @escaping @Sendable () -> Void) {
        let workers = min(threads, max(1, paths.count))
        running = workers
        for number in 0..<workers {
            BackgroundThread.start(name: "emoscope-review-\(number)") { [self] in
                work(paths: paths, normalizations: normalizations, report: report)
                if lock.withLock({ running -= 1; return running == 0 }) { finished() }
            }
        }
    }

    /// One worker: classifies clips until none is left or the evaluator is cancelled.
    private func work(paths: [String], normalizations: [ModelHeader.Normalization?], report: (Int, ReviewOutcome) -> Void) {
        guard let classifier = try? EmotionClassifier(model: model) else {
            fatalError("a model validated at load always builds a classifier")
        }
        let decoder = AudioDecoder(targetRate: model.header.features.sampleRate, maximumDuration: Self.maximumDuration)
        while let index = take(below: paths.count) {
            classifier.speakerNormalization = index < normalizations.count ? normalizations[index] : nil
            report(index, Self.outcome(of: paths[index], decoder: decoder, classifier: classifier, gainDB: gainDB))
        }
    }

    /// Stops handing out clips; the ones being classified still finish.
    public func cancel() {
        lock.withLock { cancelled = true }
    }

    private func take(below count: Int) -> Int? {
        lock.withLock {
            guard !cancelled, next < count else { return nil }
            next += 1
            return next - 1
        }
    }

    /// Decodes one clip, gives it `gainDB` and classifies it.
    static func outcome(of path: String, decoder: AudioDecoder, classifier: EmotionClassifier, gainDB: Double) -> ReviewOutcome {
        do {
            var samples = try decoder.decode(path: path).samples
            samples.applyGain(decibels: gainDB)
            let result = classifier.classify(samples)
            guard let probabilities = result.probabilities else { return .declined(result.status.rawValue) }
            return .classified(probabilities)
        } catch {
            return .unreadable(error.description)
        }
    }
}
