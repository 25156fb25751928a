import CSndFile
import Foundation

/// Container and encoding of a written file.
public enum AudioFileFormat: String, CaseIterable, Sendable {
    case wavUnsigned8 = "wav-u8", wav16 = "wav16", wav24 = "wav24", wav32 = "wav32", wavFloat = "wav-float"
    case wavex16 = "wavex16", flac16 = "flac", flac24 = "flac24", oggVorbis = "ogg", oggOpus = "opus", mp3

    /// The conventional file extension.
    public var fileExtension: String {
        switch self {
        case .wavUnsigned8, .wav16, .wav24, .wav32, .wavFloat, .wavex16: "wav"
        case .flac16, .flac24: "flac"
        case .oggVorbis: "ogg"
        case .oggOpus: "opus"
        case .mp3: "mp3"
        }
    }

    /// The format chosen by a file name's extension (`.wav` → 16-bit WAV, `.flac` → 16-bit FLAC, …).
    public init?(fileExtension: String) {
        switch fileExtension.lowercased() {
        case "wav": self = .wav16
        case "flac": self = .flac16
        case "ogg", "oga": self = .oggVorbis
        case "opus": self = .oggOpus
        case "mp3": self = .mp3
        default: return nil
        }
    }

    var libsndfileFormat: Int32 {
        let value: Int = switch self {
        case .wavUnsigned8: SF_FORMAT_WAV | SF_FORMAT_PCM_U8
        case .wav16: SF_FORMAT_WAV | SF_FORMAT_PCM_16
        case .wav24: SF_FORMAT_WAV | SF_FORMAT_PCM_24
        case .wav32: SF_FORMAT_WAV | SF_FORMAT_PCM_32
        case .wavFloat: SF_FORMAT_WAV | SF_FORMAT_FLOAT
        case .wavex16: SF_FORMAT_WAVEX | SF_FORMAT_PCM_16
        case .flac16: SF_FORMAT_FLAC | SF_FORMAT_PCM_16
        case .flac24: SF_FORMAT_FLAC | SF_FORMAT_PCM_24
        case .oggVorbis: SF_FORMAT_OGG | SF_FORMAT_VORBIS
        case .oggOpus: SF_FORMAT_OGG | SF_FORMAT_OPUS
        case .mp3: SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III
        }
        return Int32(value)
    }
}

/// Writes audio atomically: frames go to a hidden temporary file beside the destination,
/// which is renamed over it only by `finish()`. A crash or `cancel()` leaves the destination
/// as it was.
public final class AudioFileWriter {
    /// Where the file will appear.
    public let path: String
    /// Frames written so far.
    public private(set) var framesWritten = 0
    private let temporaryPath: String
    private let channels: Int
    private var file: OpaquePointer?

    /// Starts a file of `format` at `sampleRate` Hz with `channels` interleaved channels.
    public init(path: String, format: AudioFileFormat, sampleRate: Int, channels: Int = 1) throws(AudioError) {
        self.path = path
        self.channels = channels
        let url = URL(fileURLWithPath: path)
        temporaryPath = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp").path
        var info = SF_INFO()
        info.samplerate = Int32(sampleRate)
        info.channels = Int32(channels)
        info.format = format.libsndfileFormat
        guard sf_format_check(&info) != 0 else {
            throw .writeFailed(path: path, reason: "libsndfile cannot write \(format.rawValue) at \(sampleRate) Hz, \(channels) channels")
        }
        guard let file = sf_open(temporaryPath, Int32(SFM_WRITE), &info) else {
            throw .writeFailed(path: path, reason: String(cString: sf_strerror(nil)))
        }
        self.file = file
    }

    deinit { cancel() }

    /// Appends interleaved samples in [-1, 1].
    public func write(_ samples: some Collection<Float>) throws(AudioError) {
        guard let file else { throw .writeFailed(path: path, reason: "writer already closed") }
        let frames = samples.count / channels
        let written = Array(samples).withUnsafeBufferPointer { sf_writef_float(file, $0.baseAddress, sf_count_t(frames)) }
        guard written == frames else {
            let reason = String(cString: sf_strerror(file))
            cancel()
            throw .writeFailed(path: path, reason: reason)
        }
        framesWritten += frames
    }

    /// Completes the file and moves it into place.
    public func finish() throws(AudioError) {
        guard let file else { throw .writeFailed(path: path, reason: "writer already closed") }
        sf_write_sync(file)
        let closeStatus = sf_close(file)
        self.file = nil
        guard closeStatus == 0 else {
            unlink(temporaryPath)
            throw .writeFailed(path: path, reason: String(cString: sf_error_number(closeStatus)))
        }
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw .writeFailed(path: path, reason: reason)
        }
    }

    /// Abandons the file; the destination is untouched.
    public func cancel() {
        if let file {
            sf_close(file)
            self.file = nil
            unlink(temporaryPath)
        }
    }

    /// Writes mono `samples` to `path` in one go.
    public static func write(_ samples: [Float], sampleRate: Int, to path: String, format: AudioFileFormat) throws(AudioError) {
        let writer = try AudioFileWriter(path: path, format: format, sampleRate: sampleRate)
        try writer.write(samples)
        try writer.finish()
    }
}
