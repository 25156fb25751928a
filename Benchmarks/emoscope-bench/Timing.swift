import Foundation

/// Seconds on the monotonic clock.
func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// Wall times of `body` in seconds over `repeats` runs after `warmup` runs.
struct Timing {
    var median: Double
    var fastest: Double
}

/// Times `body`: the median shows a typical run on this (shared, noisy) machine, the fastest
/// run what the code does on an uncontended core.
func measure(repeats: Int, warmup: Int = 3, _ body: () -> Void) -> Timing {
    for _ in 0..<warmup { body() }
    var times: [Double] = []
    for _ in 0..<repeats {
        let start = now()
        body()
        times.append(now() - start)
    }
    times.sort()
    return Timing(median: times[times.count / 2], fastest: times[0])
}

/// Runs `body(worker)` on `threads` threads at once and waits for all of them.
func onThreads(_ threads: Int, _ body: @escaping @Sendable (Int) -> Void) {
    DispatchQueue.concurrentPerform(iterations: threads, execute: body)
}

/// One measured figure, with its target when the issue sets one.
struct Measurement: Codable {
    var name: String
    var value: Double
    var fastest: Double?
    var unit: String
    var target: String?
    var meetsTarget: Bool?
}

/// Collects measurements and prints them as they come.
final class Report {
    private(set) var measurements: [Measurement] = []

    func add(_ name: String, _ value: Double, _ unit: String, fastest: Double? = nil, target: String? = nil, meets: Bool? = nil) {
        measurements.append(Measurement(name: name, value: value, fastest: fastest, unit: unit, target: target, meetsTarget: meets))
        let verdict = meets.map { $0 ? "ok" : "MISSED" } ?? ""
        let targetText = target.map { "target \($0)" } ?? ""
        func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
        let best = fastest.map { String(format: "(fastest %.3f)", $0) } ?? ""
        print("  " + pad(name, 54) + String(format: "%10.3f ", value) + pad(unit, 10) + " " + pad(best, 18) + pad(targetText, 18) + verdict)
    }

    func section(_ title: String) { print("\n\(title)") }
}

/// Runs a program with its output discarded; returns its exit status.
func run(_ arguments: [String]) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return -1 }
    process.waitUntilExit()
    return process.terminationStatus
}
