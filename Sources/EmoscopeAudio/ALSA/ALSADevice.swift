import CALSA
import Glibc

/// Interleaved sample format negotiated with a device.
enum PCMSampleFormat: Sendable {
    case int16, int32, float32

    /// Bytes of one sample.
    var bytes: Int { self == .int16 ? 2 : 4 }
}

/// An open ALSA PCM configured for interleaved 16-bit, 32-bit or float samples; closed on deinit.
///
/// Used by one thread at a time: its owner while no worker runs, the worker while one does.
final class ALSADevice: @unchecked Sendable {
    let name: String
    let direction: AudioDirection
    let pcm: OpaquePointer
    /// The configuration the PCM was opened from (`configFile`), kept until the PCM is closed.
    private let config: OpaquePointer?
    private(set) var format = PCMSampleFormat.float32
    private(set) var channels = 1
    private(set) var rate = 16_000
    private(set) var periodFrames = 320
    private(set) var bufferFrames = 1_600

    /// ALSA prints its own diagnostics to stderr unless a handler is installed; once per process.
    private static let silenced: Void = emoscope_alsa_silence_errors()

    /// Installs the silent error handler (once).
    static func silenceErrors() { Self.silenced }

    /// Opens `name` for `direction`. With `configFile`, the PCM is looked up in that ALSA configuration
    /// alone (which must define it completely), not in the system's; the process-wide configuration is untouched.
    init(name: String, direction: AudioDirection, configFile: String? = nil) throws(AudioDeviceError) {
        Self.silenceErrors()
        let config = try configFile.map { (path) throws(AudioDeviceError) in try Self.loadConfig(path, device: name) }
        var pcm: OpaquePointer?
        // Non-blocking open: a busy hardware device fails with EBUSY instead of waiting for the other program.
        let code = if let config {
            snd_pcm_open_lconf(&pcm, name, direction.stream, SND_PCM_NONBLOCK, config)
        } else {
            snd_pcm_open(&pcm, name, direction.stream, SND_PCM_NONBLOCK)
        }
        guard code == 0, let pcm else {
            if let config { snd_config_delete(config) }
            throw .fromALSA(code: code, device: name, whileOpening: true, forPlayback: direction == .playback,
                            soundCardPresent: configFile != nil || AudioDevices.hasSoundCard)
        }
        snd_pcm_nonblock(pcm, 0)
        self.name = name
        self.direction = direction
        self.pcm = pcm
        self.config = config
    }

    deinit {
        snd_pcm_close(pcm)
        if let config { snd_config_delete(config) }
    }

    private static func loadConfig(_ path: String, device: String) throws(AudioDeviceError) -> OpaquePointer {
        var input: OpaquePointer?
        guard snd_input_stdio_open(&input, path, "r") == 0, let input else {
            throw AudioDeviceError(kind: .notFound, device: device, message: "ALSA configuration file \(path) cannot be read",
                                   hint: "check the path, or leave it out to use the system's ALSA configuration")
        }
        defer { snd_input_close(input) }
        var top: OpaquePointer?
        guard snd_config_top(&top) == 0, let top else {
            throw AudioDeviceError(kind: .failed, device: device, message: "ALSA could not allocate a configuration",
                                   hint: "try again; if it persists, report it")
        }
        let code = snd_config_load(top, input)
        guard code == 0 else {
            snd_config_delete(top)
            throw AudioDeviceError(kind: .failed, device: device,
                                   message: "ALSA configuration file \(path) is malformed (\(String(cString: snd_strerror(code))))",
                                   hint: "fix its syntax (see the ALSA configuration documentation) or leave it out")
        }
        return top
    }

    /// Negotiates interleaved 16-bit (else 32-bit, else float) samples, as few channels as the device allows (mono through
    /// `plug`/`default`), `rate` Hz (ALSA resamples where it can; read `rate` back), and periods of about
    /// `periodMicroseconds` in a buffer of `periods` of them.
    func configure(rate requested: Int, periodMicroseconds: UInt32 = 20_000, periods: UInt32 = 6) throws(AudioDeviceError) {
        var hw: OpaquePointer?
        guard snd_pcm_hw_params_malloc(&hw) == 0, let hw else { throw error(-ENOMEM) }
        defer { snd_pcm_hw_params_free(hw) }
        var dir: Int32 = 0
        try check(snd_pcm_hw_params_any(pcm, hw))
        try check(snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED))
        // 16-bit first: every microphone offers it, and through `plug` a float conversion in front of the
        // `file` plugin's infile was measured to skip input frames (alsa-lib 1.2.8).
        let candidates: [(PCMSampleFormat, snd_pcm_format_t)] =
            [(.int16, SND_PCM_FORMAT_S16_LE), (.int32, SND_PCM_FORMAT_S32_LE), (.float32, SND_PCM_FORMAT_FLOAT_LE)]
        guard let (chosen, alsaFormat) = candidates.first(where: { snd_pcm_hw_params_test_format(pcm, hw, $0.1) == 0 }) else {
            throw error(-EINVAL)
        }
        format = chosen
        try check(snd_pcm_hw_params_set_format(pcm, hw, alsaFormat))
        var channelCount: UInt32 = 1
        try check(snd_pcm_hw_params_set_channels_near(pcm, hw, &channelCount))
        try check(snd_pcm_hw_params_set_rate_resample(pcm, hw, 1))
        var rateValue = UInt32(requested)
        try check(snd_pcm_hw_params_set_rate_near(pcm, hw, &rateValue, &dir))
        var periodTime = periodMicroseconds
        try check(snd_pcm_hw_params_set_period_time_near(pcm, hw, &periodTime, &dir))
        var bufferTime = periodTime * periods
        try check(snd_pcm_hw_params_set_buffer_time_near(pcm, hw, &bufferTime, &dir))
        try check(snd_pcm_hw_params(pcm, hw))
        var period = snd_pcm_uframes_t(0), buffer = snd_pcm_uframes_t(0)
        try check(snd_pcm_hw_params_get_period_size(hw, &period, &dir))
        try check(snd_pcm_hw_params_get_buffer_size(hw, &buffer))
        channels = Int(channelCount)
        rate = Int(rateValue)
        periodFrames = max(1, Int(period))
        bufferFrames = max(periodFrames, Int(buffer))
        if direction == .playback { try configurePlaybackStart() }
    }

    /// Playback starts once the buffer is full (or on drain), as `snd_pcm_set_params` does.
    private func configurePlaybackStart() throws(AudioDeviceError) {
        var sw: OpaquePointer?
        guard snd_pcm_sw_params_malloc(&sw) == 0, let sw else { throw error(-ENOMEM) }
        defer { snd_pcm_sw_params_free(sw) }
        try check(snd_pcm_sw_params_current(pcm, sw))
        let start = bufferFrames / periodFrames * periodFrames
        try check(snd_pcm_sw_params_set_start_threshold(pcm, sw, snd_pcm_uframes_t(start)))
        try check(snd_pcm_sw_params_set_avail_min(pcm, sw, snd_pcm_uframes_t(periodFrames)))
        try check(snd_pcm_sw_params(pcm, sw))
    }

    /// Bytes of one interleaved frame.
    var bytesPerFrame: Int { channels * format.bytes }

    /// The error for ALSA's `code` on this device after it was opened.
    func error(_ code: Int32) -> AudioDeviceError {
        .fromALSA(code: code, device: name, whileOpening: false, forPlayback: direction == .playback, soundCardPresent: true)
    }

    private func check(_ code: Int32) throws(AudioDeviceError) {
        if code < 0 { throw error(code) }
    }
}
