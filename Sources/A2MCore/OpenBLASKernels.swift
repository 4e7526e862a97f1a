import CKernels
import COpenBLAS
#if canImport(Glibc)
import Glibc
#endif

/// Replaces OpenBLAS's generic fallback kernels on a CPU its model table does not know.
///
/// Debian bookworm's OpenBLAS 0.3.21 is a DYNAMIC_ARCH build: when the library loads, it picks a kernel family
/// from the CPU's family and model numbers. A CPU newer than the build is not in its table (for example an Intel
/// Xeon of family 6, model 207), and 0.3.21 then falls back to Prescott, its SSE3 kernels, whatever vector units
/// the CPU has, and sgemm and `a2m generate` run several times slower (docs/benchmarks.md, "OpenBLAS's generic
/// fallback on a CPU it does not know"). Later OpenBLAS
/// releases fall back by the CPU's features instead (driver/others/dynamic.c: AVX-512 with BF16 → Cooperlake,
/// AVX-512 → SkylakeX, AVX2 → Haswell, AVX → Sandybridge), and `coreType(for:)` is that rule.
///
/// OpenBLAS chooses in a library constructor, before any of a2m's code runs, and has no call to choose again; its
/// one documented control is OPENBLAS_CORETYPE in the environment at load. So `restartIfGeneric` executes the
/// same binary again with that variable set. Limitations: Linux only (`/proc/self/exe`); it never overrides an
/// OPENBLAS_CORETYPE the user set (setting it, even to Prescott, turns the restart off); and outputs computed
/// with other kernels differ in the last bits, as they do between any two kernel families.
public enum OpenBLASKernels {
    /// Set in the restarted process to the core OpenBLAS had chosen by itself; it also prevents a second restart.
    static let fallbackKey = "A2M_OPENBLAS_FALLBACK"
    static let coreTypeKey = "OPENBLAS_CORETYPE"
    /// The core 0.3.21 falls back to on x86-64 when it does not know the CPU.
    static let genericCore = "Prescott"

    /// The core type later OpenBLAS releases would pick for `level` (`a2m_cpu_vector_level`), or nil when the
    /// CPU has nothing better than Prescott's SSE3.
    static func coreType(for level: Int32) -> String? {
        switch level {
        case 4...: return "Cooperlake"
        case 3: return "SkylakeX"
        case 2: return "Haswell"
        case 1: return "Sandybridge"
        default: return nil
        }
    }

    /// The core to restart with, or nil to keep this process: only when OpenBLAS chose its generic fallback by
    /// itself (no OPENBLAS_CORETYPE, no earlier restart) and the CPU supports a better one.
    static func replacement(chosen: String, environment: [String: String], level: Int32) -> String? {
        guard environment[coreTypeKey] == nil, environment[fallbackKey] == nil,
              chosen.caseInsensitiveCompare(genericCore) == .orderedSame else { return nil }
        return coreType(for: level)
    }

    /// The core OpenBLAS runs in this process (`openblas_get_corename`).
    static var chosenCore: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

    /// The core OpenBLAS had chosen by itself before a restart replaced it, if one did.
    static var replacedFallback: String? { getenv(fallbackKey).map { String(cString: $0) } }

    /// Executes this binary again, with the same arguments, with OPENBLAS_CORETYPE set to the CPU's core type,
    /// when OpenBLAS fell back to its generic kernels. Returns only when there is nothing to replace, or when the
    /// restart fails (then this process goes on with the kernels it has). Call it first in `main`, before any
    /// thread starts and before anything is written.
    public static func restartIfGeneric() {
        #if os(Linux)
        let chosen = chosenCore
        var environment = [String: String]()
        for key in [coreTypeKey, fallbackKey] { if let v = getenv(key) { environment[key] = String(cString: v) } }
        guard let core = replacement(chosen: chosen, environment: environment, level: a2m_cpu_vector_level()) else { return }
        setenv(coreTypeKey, core, 1)
        setenv(fallbackKey, chosen, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached when execv failed: go on as OpenBLAS chose, and say nothing was replaced.
        unsetenv(coreTypeKey)
        unsetenv(fallbackKey)
        #endif
    }
}
