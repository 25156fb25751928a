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
}
