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
    /// A line is on screen and has not been ended with a newline yet.
    private var open = false

    /// A rate measured over less than this is noise (the first update can come microseconds after the start, which
    /// showed "396904 step/s"); until then the line shows "--".
    static let minimumRateSeconds = 1.0

    static var stderrIsTTY: Bool { isatty(STDERR_FILENO) != 0 }

    public init(total: Int, label: String, unit: String = "it", quiet: Bool = false) {
        self.total = total
        self.label = label
        self.unit = unit
        self.enabled = !quiet && ProgressLine.stderrIsTTY
    }

    /// Updates the line at most 10 times a second; `extra` is appended (e.g. "loss 0.123"). The update that
    /// reaches `total` also ends the line, so whatever is printed next starts on a line of its own.
    public func update(_ done: Int, extra: String = "", force: Bool = false) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        if !force && now - lastDraw < 100_000_000 && done < total { return }
        lastDraw = now
        let line = ProgressLine.text(label: label, unit: unit, done: done, total: total, elapsed: Double(now - start) / 1e9, extra: extra)
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line + (done >= total ? "\n" : "")).utf8))
        open = done < total
    }

    /// The line's text: "label done/total (pct%) rate unit/s ETA mm:ss  extra".
    static func text(label: String, unit: String, done: Int, total: Int, elapsed: Double, extra: String) -> String {
        let measured = elapsed >= minimumRateSeconds && done > 0
        let rate = measured ? Double(done) / elapsed : 0
        let eta = measured ? Double(total - done) / rate : .nan
        let pct = total > 0 ? 100 * Double(done) / Double(total) : 0
        let rateText = measured ? String(format: "%.2f", rate) : "--"
        var line = "\(label) \(done)/\(total) (\(String(format: "%.0f", pct))%) \(rateText) \(unit)/s ETA \(ProgressLine.format(eta))"
        if !extra.isEmpty { line += "  " + extra }
        return line
    }

    /// Ends the line (moves to a new line on a TTY) if one is still open; safe to call more than once.
    public func finish() {
        guard enabled, open else { return }
        open = false
        FileHandle.standardError.write(Data("\n".utf8))
    }

    static func format(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
                         : String(format: "%02d:%02d", s / 60, s % 60)
    }
}
