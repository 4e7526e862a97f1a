import Foundation

/// A progress line for long work: rewritten in place on a TTY (`\r`), with rate and ETA.
/// When stderr is not a TTY, or `quiet` is set, it prints nothing; callers that need a machine-readable
/// record write their own lines (e.g. the training JSONL log).
public final class ProgressLine: @unchecked Sendable {
    // Only touched from the caller's thread; @unchecked because FileHandle is not Sendable.
    private let total: Int
    private let label: String
    private let unit: String
    private let enabled: Bool
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0

    public static var stderrIsTTY: Bool { isatty(STDERR_FILENO) != 0 }

    public init(total: Int, label: String, unit: String = "it", quiet: Bool = false) {
        self.total = total
        self.label = label
        self.unit = unit
        self.enabled = !quiet && ProgressLine.stderrIsTTY
    }

    /// Updates the line at most 10 times a second; `extra` is appended (e.g. "loss 0.123").
    public func update(_ done: Int, extra: String = "", force: Bool = false) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        if !force && now - lastDraw < 100_000_000 && done < total { return }
        lastDraw = now
        let elapsed = Double(now - start) / 1e9
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let pct = total > 0 ? 100 * Double(done) / Double(total) : 0
        var line = "\(label) \(done)/\(total) (\(String(format: "%.0f", pct))%) \(String(format: "%.2f", rate)) \(unit)/s ETA \(ProgressLine.format(eta))"
        if !extra.isEmpty { line += "  " + extra }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    /// Ends the line (moves to a new line on a TTY).
    public func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    static func format(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
                         : String(format: "%02d:%02d", s / 60, s % 60)
    }
}
