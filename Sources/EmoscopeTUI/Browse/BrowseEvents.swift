/// Everything that can happen to the browse screen besides keys.
public enum BrowseEvent: Equatable, Sendable {
    /// The list has room for this many rows (set before drawing).
    case viewport(rows: Int)
    /// A folder was opened: the list empties and a scan begins.
    case opened(folder: String)
    /// A folder could not be opened; the list stays as it was.
    case openFailed(message: String)
    /// The scan has found this many audio files so far.
    case scanProgress(found: Int)
    /// The scan is complete: every clip, sorted by name, cached ones already with their outcome.
    case scanned([ClipRow])
    /// Something the user should know about the folder (a manifest that could not be used).
    case warning(message: String)
    /// The folder could not be scanned.
    case scanFailed(message: String)
    /// Adapting to each folder's voice (`browse --adapt`): gathering the statistics of this many clips.
    case adapting(clips: Int)
    /// Adapted: each of this many folders standardised with its own clips' statistics.
    case adapted(folders: Int)
    /// Outcomes of clips, by row index.
    case results([RowResult])
    /// Every clip has an outcome; `seconds` since the folder was opened.
    case finished(seconds: Double)
    /// An export was written.
    case exported(path: String, rows: Int)
    /// An export failed.
    case exportFailed(message: String)
}

/// The outcome of the clip in row `row`.
public struct RowResult: Equatable, Sendable {
    /// Index of the row in `BrowseState.rows`.
    public var row: Int
    /// What became of the clip.
    public var outcome: ClipOutcome

    /// A result for row `row`.
    public init(row: Int, outcome: ClipOutcome) { self.row = row; self.outcome = outcome }
}

/// What the browse screen asks its controller to do.
public enum BrowseAction: Equatable, Sendable {
    /// Open (and scan) another folder.
    case open(folder: String)
    /// Show the clip at `path` in the preview (nil: nothing selected).
    case preview(path: String?)
    /// Play the previewed clip, or stop it.
    case togglePlayback
    /// Write `rows` to `path` (CSV, or JSON when the path ends in .json).
    case export(rows: [ClipRow], path: String)
}

/// What the screen is doing with the keyboard.
public enum BrowseMode: Equatable, Sendable {
    /// Moving around the list.
    case list
    /// Typing a name search.
    case searching(String)
    /// Typing the folder to open.
    case opening(String)
    /// Typing the export file name.
    case exporting(String)
}

/// How far the scan and the classification have come.
public struct BrowseProgress: Equatable, Sendable {
    /// Whether the folder is still being walked.
    public var scanning = false
    /// Audio files found.
    public var found = 0
    /// Clips with an outcome (classified or failed).
    public var done = 0
    /// Outcomes that came from the cache.
    public var cached = 0
    /// Clips that could not be decoded.
    public var failed = 0
    /// Right and wrong predictions among labelled clips.
    public var right = 0, wrong = 0
    /// Seconds the whole folder took, once finished.
    public var seconds: Double?
    /// With `--adapt`: the clips whose statistics are being gathered, until the folders are adapted.
    public var adaptingClips: Int?
    /// With `--adapt`: the folders whose own statistics standardise their clips.
    public var adaptedFolders: Int?

    /// Whether every found clip has an outcome.
    public var isComplete: Bool { !scanning && done == found }
}

/// A one-line message under the list.
public struct BrowseNotice: Equatable, Sendable {
    /// The message.
    public var text: String
    /// Whether it reports a failure (drawn as an error).
    public var isError: Bool

    /// A notice from its parts.
    public init(text: String, isError: Bool) { self.text = text; self.isError = isError }
}
