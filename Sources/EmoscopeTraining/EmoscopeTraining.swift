/// Training for Emoscope's emotion model: corpora, speaker-grouped folds, backpropagation,
/// optimisation, augmentation, calibration and reports.
public enum EmoscopeTraining {}
