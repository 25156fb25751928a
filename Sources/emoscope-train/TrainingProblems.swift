import EmoscopeTraining
import Foundation

extension EmoscopeTrain {
    /// Why `corpus` (loaded as `format`) cannot be trained on with `configuration` — found
    /// before a clip is decoded, where a run would otherwise fail or mislead at its end; nil
    /// when nothing stands in the way.
    static func trainingProblem(_ corpus: LabelledCorpus, format: CorpusFormat, configuration: TrainingConfiguration) -> String? {
        if configuration.intensityHead != nil,
           !corpus.clips.contains(where: { CorpusLoader.ravdessIntensity(fileName: ($0.path as NSString).lastPathComponent) != nil }) {
            return "--intensity-head needs clips with RAVDESS file names (03-01-EE-II-SS-RR-AA.wav|flac, II the intensity); "
                + "none of the \(corpus.clips.count) has one"
        }
        if configuration.speakerNormalization == true || configuration.speakerAdversary != nil,
           corpus.clips.allSatisfy({ $0.speaker.hasPrefix("file:") }) {
            return "--speaker-normalization and --speaker-adversary need to know each clip's speaker, and this corpus names none: "
                + "put each speaker's clips in a subfolder (DIR/<label>/<speaker>/) or give a manifest a speaker column"
        }
        let silent = corpus.labels.indices.filter { corpus.count(ofLabel: $0) == 0 }.map { corpus.labels[$0] }
        if !silent.isEmpty {
            let remedy = format == .ravdess
                ? "to train on fewer classes, list the clips in a manifest (path,label,speaker) and pass --labels"
                : "name the classes present with --labels"
            return "no clips for \(silent.joined(separator: ", ")) — a network cannot learn a class it never hears; \(remedy)"
        }
        return nil
    }

    /// A reason a run cannot start, in words for the user.
    struct Refusal: Error { let reason: String }

    /// The checkpoint this run continues: with --resume the one at `checkpointPath`, which must
    /// have been written for this configuration, split and corpus `fingerprint`; without it,
    /// none — and none may be there, for a run that forgot --resume would overwrite it.
    func checkpointToResume(configuration: TrainingConfiguration, split: SplitProtocol, fingerprint: String) -> Result<TrainingCheckpoint?, Refusal> {
        guard resume else {
            return FileManager.default.fileExists(atPath: checkpointPath)
                ? .failure(Refusal(reason: "\(checkpointPath) holds an interrupted run: add --resume to continue it, or delete it to start over"))
                : .success(nil)
        }
        guard let data = FileManager.default.contents(atPath: checkpointPath),
              let saved = try? JSONDecoder().decode(TrainingCheckpoint.self, from: data) else {
            return .failure(Refusal(reason: "no readable checkpoint at \(checkpointPath) to resume from"))
        }
        guard saved.configuration == configuration, saved.split == split, saved.corpusFingerprint == fingerprint else {
            return .failure(Refusal(reason: "\(checkpointPath) was written for another corpus, other folds or other settings; "
                                    + "resume with the command that wrote it, or delete it to start over"))
        }
        return .success(saved)
    }
}
