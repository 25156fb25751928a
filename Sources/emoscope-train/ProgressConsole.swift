import EmoscopeTraining
import Foundation

/// Training progress on stderr: one redrawn bar on a terminal, one line per epoch otherwise.
/// Folds that train at once take turns on the bar; with several networks per fold, each line
/// names the network and its own epoch ("fold 2/6 network 3/3 epoch 12/40").
final class ProgressConsole {
    let runs: Int
    let members: Int
    let interactive = isatty(2) != 0
    private var started = Date()
    private var epochsSeen = 0
    /// The last epoch each run reported.
    private var reached: [Int: Int] = [:]

    init(runs: Int, members: Int) {
        self.runs = runs
        self.members = max(1, members)
    }

    func line(_ text: String) {
        write((interactive ? "\r\u{1B}[K" : "") + text + "\n")
    }

    func epoch(run: Int, epochs: Int, record: EpochRecord) {
        epochsSeen += 1
        reached[run] = record.epoch
        // Wall-clock time per epoch, whatever number of folds share the cores.
        let perEpoch = Date().timeIntervalSince(started) / Double(epochsSeen)
        let left = (0..<runs).reduce(0) { $0 + max(0, epochs - (reached[$1] ?? 0)) }
        let remaining = Double(left) * perEpoch
        let label = run == runs - 1 ? "final fit" : "fold \(run + 1)/\(runs - 1)"
        // `epochs` counts every network's epochs, one network after the other.
        let perMember = max(1, epochs / members), member = (record.epoch - 1) / perMember
        let network = members > 1 ? " network \(member + 1)/\(members)" : ""
        let width = 20, filled = Int(Double(width) * Double(record.epoch) / Double(max(1, epochs)))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let validation = record.validationLoss > 0 ? String(format: " val UAR %.3f", record.validationUAR) : ""
        let text = String(format: "%@%@ epoch %d/%d %@ loss %.3f%@ · %.0f ex/s · ETA ≤ %@", label, network,
                          record.epoch - member * perMember, perMember, bar,
                          record.loss, validation, record.examplesPerSecond, Self.clock(remaining))
        write(interactive ? "\r\u{1B}[K" + text : text + "\n")
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
