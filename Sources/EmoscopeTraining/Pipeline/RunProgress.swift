import EmoscopeAudio
import Foundation

/// What a cross-validation run has done so far, shared by the folds training at once: finished
/// folds, the state of each unfinished run, the clock; kept as a `TrainingCheckpoint` after
/// every epoch and written at most every `saveInterval` seconds, at every finished network and
/// fold, and by `flush` when the run stops. (Written after every epoch, the checkpoint — 16 MB
/// or more of JSON, synced to disk — took 1.5 % of the CPU in encoding alone.) Every method takes
/// one lock, and the closures they are given run under it.
final class RunProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var checkpoint: TrainingCheckpoint
    private let path: String?
    private let started = Date()
    private let elapsedBefore: Double
    /// The longest an epoch's state waits in memory before it is written.
    let saveInterval: TimeInterval
    private var lastSave = Date()

    init(checkpoint: TrainingCheckpoint?, configuration: TrainingConfiguration, fingerprint: String, split: SplitProtocol, path: String?,
         saveInterval: TimeInterval = 30) {
        self.checkpoint = checkpoint ?? TrainingCheckpoint(configuration: configuration, corpusFingerprint: fingerprint, split: split,
                                                           completedFolds: [], completedPredictions: [], running: [],
                                                           elapsedSeconds: 0, examples: 0)
        elapsedBefore = self.checkpoint.elapsedSeconds
        self.path = path
        self.saveInterval = saveInterval
    }

    /// Runs `body` while no other thread is in this object.
    func serially<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    func isFinished(_ fold: Int) -> Bool { serially { checkpoint.completedFolds.contains { $0.fold == fold } } }

    /// Where ensemble member `member` of `run` stood when the run was interrupted, if it had started.
    func state(of run: Int, member: Int) -> FoldState? {
        serially {
            checkpoint.running.first { $0.run == run && ($0.member ?? 0) == member }?.state
        }
    }

    /// The members of `run` that finished before the run was interrupted.
    func finishedMembers(of run: Int) -> [TrainingCheckpoint.FinishedMember] {
        serially { checkpoint.running.first { $0.run == run }?.finishedMembers ?? [] }
    }

    /// Records an epoch of member `member` of `run`, tells `report`, and saves when the last save
    /// is `saveInterval` old.
    func update(run: Int, member: Int, state: FoldState, examples: Int, report: () -> Void) throws {
        try serially {
            let finished = checkpoint.running.first { $0.run == run }?.finishedMembers
            checkpoint.running.removeAll { $0.run == run }
            checkpoint.running.append(.init(run: run, member: member == 0 ? nil : member, state: state, finishedMembers: finished))
            checkpoint.running.sort { $0.run < $1.run }
            checkpoint.examples += examples
            report()
            if Date().timeIntervalSince(lastSave) >= saveInterval { try save() }
        }
    }

    /// The training clock when the folds finished: now, the first time it is asked (the
    /// checkpoint keeps it for a run resumed during its final fit).
    func foldsFinished() -> Double {
        serially {
            if checkpoint.crossValidationSeconds == nil { checkpoint.crossValidationSeconds = elapsedBefore + Date().timeIntervalSince(started) }
            return checkpoint.crossValidationSeconds!
        }
    }

    /// Writes every recorded epoch (a run that stops calls this before returning).
    func flush() throws { try serially { try save() } }

    /// Records a finished ensemble member of `run` (the next one starts from scratch), and saves.
    func finishMember(run: Int, _ member: TrainingCheckpoint.FinishedMember) throws {
        try serially {
            let finished = (checkpoint.running.first { $0.run == run }?.finishedMembers ?? []) + [member]
            checkpoint.running.removeAll { $0.run == run }
            checkpoint.running.append(.init(run: run, member: finished.count, state: nil, finishedMembers: finished))
            checkpoint.running.sort { $0.run < $1.run }
            try save()
        }
    }

    /// Records a finished fold, tells `report`, and saves.
    func finish(fold: FoldReport, predictions: [ReportedPrediction], report: () -> Void) throws {
        try serially {
            checkpoint.running.removeAll { $0.run == fold.fold }
            checkpoint.completedFolds.append(fold)
            checkpoint.completedPredictions += predictions
            report()
            try save()
        }
    }

    /// The finished folds and their predictions, by fold index (whatever order they finished in).
    func finishedInFoldOrder() -> ([FoldReport], [ReportedPrediction]) {
        serially {
            let folds = checkpoint.completedFolds.sorted { $0.fold < $1.fold }
            let order = Dictionary(uniqueKeysWithValues: folds.enumerated().map { ($1.fold, $0) })
            let predictions = checkpoint.completedPredictions.enumerated()
                .sorted { (order[$0.element.fold]!, $0.offset) < (order[$1.element.fold]!, $1.offset) }
                .map(\.element)
            return (folds, predictions)
        }
    }

    /// Wall-clock seconds of training (over every session of a resumed run) and examples trained.
    func totals() -> (seconds: Double, examples: Int) {
        serially { (elapsedBefore + Date().timeIntervalSince(started), checkpoint.examples) }
    }

    private func save() throws {
        lastSave = Date()
        checkpoint.elapsedSeconds = elapsedBefore + Date().timeIntervalSince(started)
        guard let path else { return }
        try AtomicFile.write(Array(try JSONEncoder().encode(checkpoint)), to: path)
    }
}
