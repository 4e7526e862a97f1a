import Dispatch
import COpenBLAS

/// Thread policy for the whole process.
///
/// GEMMs run on OpenBLAS's own pool; the non-GEMM loops (softmax, layer norm, elementwise) run on
/// `parallelFor`. Both use the same count, and never at the same time (every op is either a GEMM or a
/// loop), so the cores are not oversubscribed.
public enum Threads {
    nonisolated(unsafe) private static var current = 1

    /// Number of worker threads for loops and BLAS.
    public static var count: Int { current }

    /// Sets the thread count for both OpenBLAS and `parallelFor`. Call once at start-up.
    public static func set(_ n: Int) {
        current = max(1, n)
        openblas_set_num_threads(Int32(current))
    }
}

/// Splits `0..<count` into at most `Threads.count` contiguous chunks and runs `body(range)` on each.
/// Small jobs (below `minChunk` items per worker) run inline, because dispatching costs microseconds.
@inlinable
public func parallelFor(_ count: Int, minChunk: Int = 1024, _ body: @Sendable (Range<Int>) -> Void) {
    let workers = min(Threads.count, max(1, count / max(1, minChunk)))
    if workers <= 1 || count <= 1 {
        if count > 0 { body(0..<count) }
        return
    }
    let chunk = (count + workers - 1) / workers
    DispatchQueue.concurrentPerform(iterations: workers) { w in
        let lo = w * chunk
        let hi = min(count, lo + chunk)
        if lo < hi { body(lo..<hi) }
    }
}
