import EmoscopeAudio
import EmoscopeCore
import EmoscopeTUI
import Foundation

/// The live meter's targets: latency from a sample entering the ring to the bars that include it,
/// CPU use at 30 frames/s and peak memory.
@MainActor func benchmarkLive(model: EmotionModel, clipPath: String, emoscopePath: String, modelPath: String) throws {
    report.section("Live meter on \((clipPath as NSString).lastPathComponent) looped in real time, hop 0.25 s, 30 frames/s")
    let audio = try AudioDecoder(targetRate: model.header.features.sampleRate).decode(path: clipPath)
    let controller = LiveController(model: model, hopSeconds: 0.25, recording: RecordingSettings(directory: NSTemporaryDirectory(), format: .flac16), inputName: "bench") {
        PacedFileSource(samples: audio.samples, sampleRate: audio.sampleRate, name: "bench", loop: true)
    }
    controller.setVisible(true)
    let context = DrawingContext(glyphs: .unicode, labels: model.header.labels)
    var latencies: [Double] = []
    var frameTimes: [Double] = []
    var lastLatency: UInt64?
    var usageBefore = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usageBefore)
    let start = now()
    while now() - start < 12 {
        let frameStart = now()
        _ = controller.poll()
        var canvas = Canvas(width: 100, height: 28)
        controller.draw(into: &canvas, area: canvas.bounds, context: context)
        frameTimes.append(now() - frameStart)
        // The frame just drawn is the first to include the newest analysis.
        if let latency = controller.lastLatencyNanoseconds, latency != lastLatency, now() - start > 3.5 {
            latencies.append(Double(latency) * 1e-9 + (now() - frameStart))
        }
        lastLatency = controller.lastLatencyNanoseconds
        usleep(UInt32(max(0, 1.0 / 30 - (now() - frameStart)) * 1e6))
    }
    var usageAfter = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usageAfter)
    let wall = now() - start
    controller.shutdown()
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) * 1e-6 }
    let cpu = (seconds(usageAfter.ru_utime) + seconds(usageAfter.ru_stime) - seconds(usageBefore.ru_utime) - seconds(usageBefore.ru_stime)) / wall
    latencies.sort()
    frameTimes.sort()
    if latencies.isEmpty {
        print("  no analyses arrived: live pipeline not working")
    } else {
        let median = latencies[latencies.count / 2], p95 = latencies[min(latencies.count - 1, latencies.count * 95 / 100)]
        report.add("latency sample → bars (median, p95 as 'fastest' column: worst 5 %)", median * 1e3, "ms", fastest: p95 * 1e3,
                   target: "≤ 150 ms", meets: median <= 0.150)
    }
    report.add("frame (poll + draw 100×28, median)", frameTimes[frameTimes.count / 2] * 1e3, "ms")
    report.add("CPU, in process (pipeline + frames, no terminal)", cpu * 100, "% of a core", target: "≤ 15 %", meets: cpu <= 0.15)
    try benchmarkLiveBinary(clipPath: clipPath, emoscopePath: emoscopePath, modelPath: modelPath)
}

/// CPU and peak RSS of the real `emoscope live --file CLIP --loop` in a tmux terminal.
@MainActor func benchmarkLiveBinary(clipPath: String, emoscopePath: String, modelPath: String) throws {
    guard shell("tmux -V") == 0 else {
        print("  tmux not installed: the real-terminal CPU and memory figures were not measured")
        return
    }
    let socket = "emoscope-bench-\(getpid())"
    let command = "exec env TERM=xterm-256color LANG=C.UTF-8 \(emoscopePath) live --file \(clipPath) --loop --model \(modelPath)"
    _ = shell("tmux -L \(socket) new-session -d -x 100 -y 30 '\(command)'")
    defer { _ = shell("tmux -L \(socket) kill-server") }
    sleep(2)
    guard let pid = panePID(socket: socket) else { print("  could not find the emoscope process"); return }
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    guard let before = cpuTicks(pid) else { return }
    let start = now()
    sleep(10)
    guard let after = cpuTicks(pid) else { print("  emoscope exited during the measurement"); return }
    let cpu = Double(after - before) / ticks / (now() - start)
    report.add("CPU, real binary in a 100×30 tmux terminal", cpu * 100, "% of a core", target: "≤ 15 %", meets: cpu <= 0.15)
    if let peak = peakRSSKilobytes(pid) {
        report.add("peak RSS (VmHWM), real binary", Double(peak) / 1024, "MB", target: "≤ 60 MB", meets: Double(peak) / 1024 <= 60)
    }
}

private func panePID(socket: String) -> Int? {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("emoscope-bench-pane-\(getpid())").path
    _ = system("tmux -L \(socket) list-panes -F '#{pane_pid}' > \(output) 2>/dev/null")
    defer { try? FileManager.default.removeItem(atPath: output) }
    return (try? String(contentsOfFile: output, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
}

private func cpuTicks(_ pid: Int) -> Int? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return nil }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    // Fields after the command: state is index 0, utime 11, stime 12.
    guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
    return user + system
}

private func peakRSSKilobytes(_ pid: Int) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    return status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) }
}

/// Runs a shell command and waits for it (not `Foundation.Process`, whose wait hangs on
/// `tmux new-session -d`: the tmux server keeps the pipes open; PLATFORM-NOTES).
private func shell(_ command: String) -> Int32 {
    system(command + " >/dev/null 2>&1")
}
