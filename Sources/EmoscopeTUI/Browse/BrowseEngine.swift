import Dispatch
import EmoscopeAudio
import EmoscopeCore
import Foundation

/// Scans one folder and classifies its clips in the background: a scanner thread walks the folder and
/// answers what it can from the cache, then one worker per core (each with its own classifier) takes
/// the remaining clips one at a time. The UI thread only takes the events (`take`), never waits.
final class BrowseEngine: @unchecked Sendable {
    let folder: String
    private let model: EmotionModel
    private let cachePath: String?
    private let workerCount: Int
    private let maximumDuration: Double
    /// Speaker adaptation: what gathers each folder's statistics, and where the clips' standardisations go.
    typealias Adaptation = (standardizer: ClipStandardizer, normalizations: ClipNormalizations)
    private let adaptation: Adaptation?
    private let lock = NSLock()
    private var events: [BrowseEvent] = []
    private var results: [RowResult] = []
    private var finishedSeconds: Double?
    private var cancelled = false
    private var cache: ResultCache
    private var fingerprints: [ClipFingerprint?] = []
    private var queue: [Int] = []
    private var nextInQueue = 0
    private var running = 0
    private let started = DispatchTime.now().uptimeNanoseconds

    /// An engine for `folder` (absolute, standardised); results are cached at `cachePath` when given.
    /// With `adaptation`, each folder's clips are standardised with that folder's statistics.
    init(folder: String, model: EmotionModel, cachePath: String?, workers: Int, maximumDuration: Double = 3_600,
         adaptation: Adaptation? = nil) {
        self.folder = folder
        self.adaptation = adaptation
        self.model = model
        self.cachePath = cachePath
        workerCount = max(1, workers)
        self.maximumDuration = maximumDuration
        cache = ResultCache(model: model.checksum)
    }

    /// Starts the scan (the workers follow it).
    func start() {
        BackgroundThread.start(name: "emoscope-scan") { [self] in scan() }
    }

    /// Asks every thread to stop after its current file.
    func cancel() { lock.withLock { cancelled = true } }

    /// What happened since the last call: scan events first, then the new results, then `finished`.
    func take() -> [BrowseEvent] {
        lock.withLock {
            var taken = events
            if !results.isEmpty { taken.append(.results(results)) }
            if let seconds = finishedSeconds { taken.append(.finished(seconds: seconds)) }
            events.removeAll()
            results.removeAll()
            finishedSeconds = nil
            return taken
        }
    }

    /// Writes the cache if it changed (called from any thread; the writes are atomic).
    func saveCache() {
        guard let cachePath, let snapshot = lock.withLock({ cache.isModified ? cache : nil }) else { return }
        try? snapshot.save(to: cachePath)
    }

    private var isCancelled: Bool { lock.withLock { cancelled } }

    private func post(_ event: BrowseEvent) { lock.withLock { events.append(event) } }

    private func scan() {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            post(.scanFailed(message: "\(folder): no such folder"))
            return
        }
        let loaded = cachePath.map { ResultCache.load(from: $0, model: model.checksum) } ?? ResultCache(model: model.checksum)
        let labeler = TrueLabeler(folder: folder, labels: model.header.labels)
        if let problem = labeler.manifestProblem { post(.warning(message: problem)) }
        var unreadable: [String] = []
        let names = AudioFolder.audioFiles(in: folder, progress: { [self] in post(.scanProgress(found: $0)) },
                                           isCancelled: { [self] in isCancelled }, unreadable: { unreadable.append($0) })
        if let first = unreadable.first {
            let name = first.isEmpty ? folder : first
            post(.warning(message: unreadable.count == 1 ? AudioError.unreadable(path: name, reason: "permission denied").description
                                                          : "\(unreadable.count) folders cannot be read (permission denied), \(name) the first"))
        }
        var rows: [ClipRow] = []
        var prints: [ClipFingerprint?] = []
        var pending: [Int] = []
        rows.reserveCapacity(names.count)
        for name in names {
            let path = (folder as NSString).appendingPathComponent(name)
            let fingerprint = ClipFingerprint.of(path: path)
            let cached = fingerprint.flatMap { loaded.lookup(path: path, fingerprint: $0) }
            if cached == nil { pending.append(rows.count) }
            rows.append(ClipRow(path: path, name: name, trueLabel: labeler.label(path: path, relative: name), outcome: cached ?? .pending))
            prints.append(fingerprint)
        }
        let workers = min(workerCount, pending.count)
        lock.withLock {
            cache = loaded
            fingerprints = prints
            queue = pending
            running = workers
            events.append(.scanned(rows))
            if workers == 0 { finishedSeconds = elapsed }
        }
        let paths = rows.map(\.path)
        if let adaptation, workers > 0 {
            post(.adapting(clips: paths.count))
            let groups = paths.map(PathText.folder(of:))
            adaptation.normalizations.set(paths: paths, adaptation.standardizer(paths, groups))
            let folders = Set(groups).count
            post(.adapted(folders: folders))
        }
        for index in 0..<workers {
            BackgroundThread.start(name: "emoscope-classify-\(index)") { [self] in work(paths: paths) }
        }
    }

    private var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }

    /// One worker: classifies queued clips until none are left or the engine is cancelled.
    private func work(paths: [String]) {
        let classifier = try? EmotionClassifier(model: model)
        let decoder = AudioDecoder(targetRate: model.header.features.sampleRate, maximumDuration: maximumDuration)
        while let row = nextRow() {
            let outcome: ClipOutcome
            do {
                let audio = try decoder.decode(path: paths[row])
                if let classifier {
                    classifier.speakerNormalization = adaptation?.normalizations.normalization(of: paths[row])
                    outcome = .classified(ClipVerdict(classifier.classify(audio.samples)))
                } else {
                    outcome = .failed(kind: "model", reason: "the model cannot run")
                }
            } catch {
                outcome = .failed(kind: error.kind, reason: error.reason)
            }
            lock.withLock {
                results.append(RowResult(row: row, outcome: outcome))
                if let fingerprint = fingerprints[row] { cache.store(path: paths[row], fingerprint: fingerprint, outcome: outcome) }
            }
        }
        let last = lock.withLock {
            running -= 1
            return running == 0
        }
        guard last else { return }
        saveCache()
        if !isCancelled { lock.withLock { finishedSeconds = elapsed } }
    }

    private func nextRow() -> Int? {
        lock.withLock {
            guard !cancelled, nextInQueue < queue.count else { return nil }
            nextInQueue += 1
            return queue[nextInQueue - 1]
        }
    }
}
