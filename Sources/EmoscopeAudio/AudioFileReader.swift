import CSndFile
import Foundation

/// What a file holds, as its header says.
public struct AudioFileInfo: Codable, Equatable, Sendable {
    /// Container and encoding, e.g. `FLAC / PCM 16-bit`.
    public var format: String
    /// Source sample rate in Hz.
    public var sampleRate: Int
    /// Source channel count.
    public var channels: Int
    /// Frames announced by the header (an estimate for MP3).
    public var frames: Int

    /// Duration announced by the header, in seconds.
    public var duration: Double { sampleRate > 0 ? Double(frames) / Double(sampleRate) : 0 }
}

/// Reads an audio file with libsndfile in bounded chunks, downmixed to mono at the source rate.
///
/// Opening checks the path first so that each failure gets its own `AudioError`; reading
/// checks libsndfile's error state after the last chunk, because some decoders (FLAC) stop
/// early on damaged data without failing.
public final class AudioFileReader {
    /// Extensions of the audio files a folder walk picks up (a file named explicitly is always tried).
    public static let audioExtensions: Set<String> = ["wav", "wave", "flac", "ogg", "oga", "opus", "mp3", "aif", "aiff", "aifc", "au", "w64", "caf", "rf64"]

    /// Lowest and highest source sample rates accepted, Hz.
    public static let supportedRates = 8_000...192_000
    /// Most channels accepted.
    public static let maximumChannels = 64

    /// The file's path.
    public let path: String
    /// The header's description of the file.
    public let info: AudioFileInfo
    /// Mono frames delivered so far.
    public private(set) var framesRead = 0
    private let file: OpaquePointer
    private let frameCountIsExact: Bool
    /// Frames the header announced, when libsndfile shortened them to fit a truncated file.
    private let announcedFrames: Int
    private var interleaved: [Float]
    private var finished = false

    /// Opens `path` for reading; `chunkFrames` bounds the frames decoded per `read`.
    public init(path: String, chunkFrames: Int = 16_384) throws(AudioError) {
        self.path = path
        try Self.checkPath(path)
        var sfInfo = SF_INFO()
        guard let file = sf_open(path, Int32(SFM_READ), &sfInfo) else {
            let code = sf_error(nil)
            let message = String(cString: sf_strerror(nil))
            switch Int(code) {
            case SF_ERR_UNRECOGNISED_FORMAT: throw .notAudio(path: path)
            case SF_ERR_SYSTEM: throw .unreadable(path: path, reason: message)
            case SF_ERR_UNSUPPORTED_ENCODING: throw .unsupported(path: path, reason: message)
            default: throw .corrupt(path: path, framesRead: 0, reason: message)
            }
        }
        let info = AudioFileInfo(
            format: Self.describe(format: sfInfo.format), sampleRate: Int(sfInfo.samplerate),
            channels: Int(sfInfo.channels), frames: Int(sfInfo.frames))
        do {
            guard info.channels >= 1, info.channels <= Self.maximumChannels else {
                throw AudioError.unsupported(path: path, reason: "\(info.channels) channels (at most \(Self.maximumChannels))")
            }
            guard Self.supportedRates.contains(info.sampleRate) else {
                throw AudioError.unsupported(path: path, reason: "sample rate \(info.sampleRate) Hz (must be 8–192 kHz)")
            }
            guard info.frames > 0 else { throw AudioError.empty(path: path) }
        } catch {
            sf_close(file)
            throw error as! AudioError
        }
        self.file = file
        self.info = info
        let major = sfInfo.format & Int32(SF_FORMAT_TYPEMASK)
        frameCountIsExact = major != Int32(SF_FORMAT_MPEG) && major != Int32(SF_FORMAT_OGG)
        announcedFrames = Self.announcedFrames(file, actualFrames: info.frames)
        interleaved = [Float](repeating: 0, count: max(1, chunkFrames) * info.channels)
    }

    deinit { sf_close(file) }

    /// Decodes the next chunk and appends it, downmixed to mono, to `destination`.
    ///
    /// Returns the number of mono frames appended; 0 at the end of the file. Throws when the
    /// decoder reports an error or the file ends before its header said it would.
    @discardableResult
    public func read(appendingTo destination: inout [Float]) throws(AudioError) -> Int {
        guard !finished else { return 0 }
        let channels = info.channels
        let capacity = interleaved.count / channels
        let got = interleaved.withUnsafeMutableBufferPointer {
            Int(sf_readf_float(file, $0.baseAddress, sf_count_t(capacity)))
        }
        if got > 0 {
            if channels == 1 {
                destination.append(contentsOf: interleaved[0..<got])
            } else {
                let scale = 1 / Float(channels)
                interleaved.withUnsafeBufferPointer { src in
                    for frame in 0..<got {
                        var sum: Float = 0
                        for channel in 0..<channels { sum += src[frame * channels + channel] }
                        destination.append(sum * scale)
                    }
                }
            }
            framesRead += got
        }
        let code = sf_error(file)
        if code != 0 {
            finished = true
            throw .corrupt(path: path, framesRead: framesRead, reason: String(cString: sf_error_number(code)))
        }
        if got == 0 {
            finished = true
            if framesRead == 0 { throw .empty(path: path) }
            let expected = max(info.frames, announcedFrames)
            if frameCountIsExact && framesRead < expected {
                throw .truncated(path: path, framesRead: framesRead, framesExpected: expected)
            }
        }
        return got
    }

    /// For a WAV/AIFF whose data chunk runs past the end of the file, libsndfile quietly
    /// shortens `frames` and notes `data : 32000 (should be 8000)` in its log. Returns the
    /// frame count the header announced, or `actualFrames` when the log has no such note.
    static func announcedFrames(_ file: OpaquePointer, actualFrames: Int) -> Int {
        var log = [CChar](repeating: 0, count: 8_192)
        sf_command(file, Int32(SFC_GET_LOG_INFO), &log, Int32(log.count))
        let text = String(decoding: log.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { " :()".contains($0) })
            guard fields.count == 5, fields[0] == "data" || fields[0] == "SSND",
                  fields[2] == "should", fields[3] == "be",
                  let announced = Int(fields[1]), let actual = Int(fields[4]), actual > 0, announced > actual
            else { continue }
            return Int((Double(actualFrames) * Double(announced) / Double(actual)).rounded())
        }
        return actualFrames
    }

    /// Classifies path problems before libsndfile sees the file.
    static func checkPath(_ path: String) throws(AudioError) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            switch errno {
            case ENOENT, ENOTDIR: throw .missing(path: path)
            default: throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .notAFile(path: path) }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw .unreadable(path: path, reason: errno == EACCES ? "permission denied" : String(cString: strerror(errno)))
        }
        close(descriptor)
        guard status.st_size > 0 else { throw .empty(path: path) }
    }

    static func describe(format: Int32) -> String {
        let majors: [Int32: String] = [
            Int32(SF_FORMAT_WAV): "WAV", Int32(SF_FORMAT_WAVEX): "WAVEX", Int32(SF_FORMAT_AIFF): "AIFF",
            Int32(SF_FORMAT_AU): "AU", Int32(SF_FORMAT_RAW): "RAW", Int32(SF_FORMAT_FLAC): "FLAC",
            Int32(SF_FORMAT_OGG): "Ogg", Int32(SF_FORMAT_MPEG): "MPEG", Int32(SF_FORMAT_W64): "W64",
            Int32(SF_FORMAT_CAF): "CAF", Int32(SF_FORMAT_RF64): "RF64",
        ]
        let subtypes: [Int32: String] = [
            Int32(SF_FORMAT_PCM_S8): "PCM 8-bit", Int32(SF_FORMAT_PCM_U8): "PCM 8-bit",
            Int32(SF_FORMAT_PCM_16): "PCM 16-bit", Int32(SF_FORMAT_PCM_24): "PCM 24-bit",
            Int32(SF_FORMAT_PCM_32): "PCM 32-bit", Int32(SF_FORMAT_FLOAT): "float 32-bit",
            Int32(SF_FORMAT_DOUBLE): "float 64-bit", Int32(SF_FORMAT_VORBIS): "Vorbis",
            Int32(SF_FORMAT_OPUS): "Opus", Int32(SF_FORMAT_MPEG_LAYER_III): "MP3",
            Int32(SF_FORMAT_ULAW): "µ-law", Int32(SF_FORMAT_ALAW): "A-law",
        ]
        let major = format & Int32(SF_FORMAT_TYPEMASK), subtype = format & Int32(SF_FORMAT_SUBMASK)
        let majorName = majors[major] ?? String(format: "format 0x%X", major)
        return subtypes[subtype].map { "\(majorName) / \($0)" } ?? majorName
    }
}
