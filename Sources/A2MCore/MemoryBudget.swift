import Foundation

/// The most memory a config-driven allocation may ask for (design.md §9, "validate before you allocate").
///
/// Sizes that come from a file (a model's `a2m.model`, a training config, a motion file's frame rate) are turned
/// into a byte count and compared with this budget before anything is allocated, so a 300-byte file cannot make
/// a2m ask the kernel for 237 GB and die in the allocator. The default is the machine's physical memory; the CLI's
/// `--memory-budget` sets it for the process (like `Threads.set`).
public enum MemoryBudget {
    nonisolated(unsafe) private static var override: Int?

    /// The budget in bytes: the value set with `set`, else the physical memory.
    public static var bytes: Int { override ?? physicalMemory }

    /// Where the budget came from, for messages.
    public static var source: String {
        override == nil ? "the machine's physical memory; --memory-budget sets another" : "--memory-budget"
    }

    public static var physicalMemory: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory) }

    /// Sets the process-wide budget (nil: back to the physical memory). Call once at start-up.
    public static func set(_ bytes: Int?) { override = bytes }

    /// Throws `MemoryBudgetError` when `bytes` (what `what` would allocate) exceeds the budget. `bytes` is a
    /// Double so that products of hostile sizes are compared without overflowing.
    public static func check(_ bytes: Double, for what: String, file: String, detail: String = "") throws {
        guard bytes.isFinite, bytes <= Double(self.bytes) else {
            throw MemoryBudgetError.exceeded(file: file, what: what, bytes: bytes, budget: self.bytes, source: source, detail: detail)
        }
    }

    /// Parses a size such as `512M`, `8G`, `1.5GiB` or a plain byte count. Binary units (K = 1024).
    public static func parse(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        let k = 1024.0, m = k * k, g = m * k, tb = g * k
        let units: [(String, Double)] = [("TIB", tb), ("GIB", g), ("MIB", m), ("KIB", k), ("TB", tb), ("GB", g), ("MB", m), ("KB", k),
                                         ("T", tb), ("G", g), ("M", m), ("K", k), ("B", 1)]
        var number = Substring(t), scale = 1.0
        for (suffix, s) in units where t.hasSuffix(suffix) {
            number = t.dropLast(suffix.count)
            scale = s
            break
        }
        guard let v = Double(number.trimmingCharacters(in: .whitespaces)), v.isFinite, v > 0 else { return nil }
        let bytes = v * scale
        guard bytes >= 1, bytes < Double(Int.max) else { return nil }
        return Int(bytes)
    }

    /// "237.0 GB" style (decimal-free for bytes, one decimal above).
    public static func format(_ bytes: Double) -> String {
        guard bytes.isFinite else { return "an unbounded amount of memory" }
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var v = bytes, i = 0
        while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
        if i >= units.count - 1 && v >= 1024 { return String(format: "%.3g EiB", v) }
        return i == 0 ? "\(Int(v)) bytes" : String(format: "%.1f %@", v, units[i])
    }
}

public enum MemoryBudgetError: Error, CustomStringConvertible, Equatable {
    case exceeded(file: String, what: String, bytes: Double, budget: Int, source: String, detail: String)

    public var description: String {
        switch self {
        case let .exceeded(file, what, bytes, budget, source, detail):
            let d = detail.isEmpty ? "" : " (\(detail))"
            return "\(file): \(what) would need about \(MemoryBudget.format(bytes))\(d), more than the memory budget of "
                + "\(MemoryBudget.format(Double(budget))) (\(source))"
        }
    }
}
