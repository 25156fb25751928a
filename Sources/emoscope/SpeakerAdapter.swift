import ArgumentParser
import EmoscopeAudio
import EmoscopeCore
import EmoscopeTUI
import Foundation

/// `--adapt` and its measurement options, shared by `classify`, `eval` and `review`.
struct AdaptationOptions: ParsableArguments {
    @Flag(help: ArgumentHelp(
        "Standardise each speaker's clips with that speaker's own statistics (a model trained with --speaker-normalization).",
        discussion: "classify takes each folder as one speaker; eval and review take the corpus's speakers (folders where it names none)."))
    var adapt = false

    @Option(help: ArgumentHelp("With --adapt: each speaker's statistics from N of its clips, drawn with --seed (default: all).", valueName: "N"))
    var adaptClips: Int?

    @Option(help: ArgumentHelp("With --adapt: the model's corpus statistics weigh as this many seconds of a speaker's speech.", valueName: "seconds"))
    var adaptPrior: Double = SpeakerStatistics.defaultPriorSeconds

    @Option(help: "With --adapt-clips: seed of the draw.")
    var seed: UInt64 = 1

    func validate() throws {
        guard adapt || (adaptClips == nil && adaptPrior == SpeakerStatistics.defaultPriorSeconds) else {
            throw ValidationError("--adapt-clips and --adapt-prior need --adapt")
        }
        if let adaptClips, adaptClips < 1 { throw ValidationError("--adapt-clips must be at least 1") }
        guard adaptPrior.isFinite, adaptPrior >= 0 else { throw ValidationError("--adapt-prior must be 0 or more seconds") }
    }

    /// What the adaptation used, for reports; nil without `--adapt`.
    var description: String? {
        guard adapt else { return nil }
        let source = adaptClips.map { "\($0) of its clips (drawn with seed \(seed))" } ?? "all its clips"
        return "each speaker standardised with the statistics of \(source), the model's corpus statistics counted as \(adaptPrior) s of speech"
    }

    /// Each clip's standardisation (nil: the model's own): with `--adapt`, its group's statistics
    /// gathered from `paths`; exits with status 2 when the model cannot use them.
    func normalizations(paths: [String], groups: [String], model: EmotionModel, threads: Int,
                        maximumDuration: Double) throws -> [ModelHeader.Normalization?] {
        try standardizer(model: model, threads: threads, maximumDuration: maximumDuration)?(paths, groups)
            ?? Array(repeating: nil, count: paths.count)
    }

    /// What gathers each group's statistics with `--adapt`; nil without it. Exits with status 2
    /// when the model cannot use them, so a screen can refuse before it opens.
    func standardizer(model: EmotionModel, threads: Int, maximumDuration: Double) throws -> ClipStandardizer? {
        guard adapt else { return nil }
        guard model.header.speakerNormalized else {
            printError("emoscope: --adapt needs a model trained with --speaker-normalization; this one uses its corpus statistics")
            throw ExitCode(2)
        }
        let (clipsPerGroup, seed, priorSeconds) = (adaptClips, seed, adaptPrior)
        return { paths, groups in
            let byGroup = SpeakerAdapter.normalizations(paths: paths, groups: groups, model: model, threads: threads, maximumDuration: maximumDuration,
                                                        clipsPerGroup: clipsPerGroup, seed: seed, priorSeconds: priorSeconds)
            return groups.map { byGroup[$0] }
        }
    }
}

/// Gathers each speaker's statistics from their clips, for a model trained with `--speaker-normalization`.
enum SpeakerAdapter {
    /// The standardisation of each group of `groups` (one entry per path: the clips of one
    /// speaker), from at most `clipsPerGroup` of its clips drawn with `seed` (all when nil),
    /// blended with the model's corpus statistics counted as `priorSeconds` of speech. Clips
    /// that cannot be read, or hold no speech, add nothing.
    static func normalizations(paths: [String], groups: [String], model: EmotionModel, threads: Int, maximumDuration: Double,
                               clipsPerGroup: Int?, seed: UInt64, priorSeconds: Double) -> [String: ModelHeader.Normalization] {
        let header = model.header
        var chosen = Dictionary(grouping: paths.indices, by: { groups[$0] })
        if let clipsPerGroup {
            for (group, members) in chosen where members.count > clipsPerGroup {
                var generator = SeededGenerator(seed: seed ^ fnv1a(group))
                var shuffled = members
                shuffled.seededShuffle(using: &generator)
                chosen[group] = Array(shuffled.prefix(clipsPerGroup))
            }
        }
        let work = chosen.flatMap { group, members in members.map { (group, $0) } }.sorted { $0.1 < $1.1 }
        let partials = PartialStatistics(bands: header.features.melBands)
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, work.count))) { _ in
            guard let classifier = try? EmotionClassifier(model: model) else { fatalError("model validated at load cannot fail here") }
            let decoder = AudioDecoder(targetRate: header.features.sampleRate, maximumDuration: maximumDuration)
            var own: [String: SpeakerStatistics] = [:]
            while let item = next.take(below: work.count) {
                guard let audio = try? decoder.decode(path: paths[work[item].1]) else { continue }
                classifier.addSpeech(of: audio.samples, to: &own[work[item].0, default: SpeakerStatistics(bands: header.features.melBands)])
            }
            partials.merge(own)
        }
        let prior = SpeakerStatistics.frames(ofSeconds: priorSeconds, features: header.features)
        return partials.all.mapValues { $0.normalization(over: header.normalization, priorFrames: prior) }
    }

    /// FNV-1a of a group's name: a draw that depends on the name, not on the process.
    static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}

/// Statistics gathered by worker threads, merged per group.
private final class PartialStatistics: @unchecked Sendable {
    private let lock = NSLock()
    private let bands: Int
    private var groups: [String: SpeakerStatistics] = [:]

    init(bands: Int) { self.bands = bands }

    func merge(_ partial: [String: SpeakerStatistics]) {
        lock.withLock {
            for (group, statistics) in partial { groups[group, default: SpeakerStatistics(bands: bands)].merge(statistics) }
        }
    }

    var all: [String: SpeakerStatistics] { lock.withLock { groups } }
}
