import Dispatch
import COpenBLAS
#if canImport(Glibc)
import Glibc
#endif

/// Thread policy for the whole process.
///
/// GEMMs run on OpenBLAS's own pool; the non-GEMM loops (softmax, layer norm, elementwise) run on
/// `parallelFor`. Both use the same count, and never at the same time (every op is either a GEMM or a
/// loop), so the cores are not oversubscribed.
public enum Threads {
    nonisolated(unsafe) private static var current = 1

    /// Number of worker threads for loops and BLAS available to the calling thread: 1 on a worker of
    /// `parallelParts`, whose loops and GEMMs run inline; else the calling thread's `withCount` value, else
    /// the process-wide `set` value.
    public static var count: Int {
        if pthread_getspecific(partWorkerKey) != nil { return 1 }
        if let n = pthread_getspecific(countOverrideKey) { return Int(bitPattern: n) }
        return current
    }

    /// Runs `body` with `count` == n on the calling thread only, leaving other threads' count alone. How
    /// concurrent callers (tests running in parallel) pick a thread count without changing each other's:
    /// row splits follow the thread count, and a different split changes float rounding.
    static func withCount<R>(_ n: Int, _ body: () throws -> R) rethrows -> R {
        let was = pthread_getspecific(countOverrideKey)
        pthread_setspecific(countOverrideKey, UnsafeRawPointer(bitPattern: max(1, n)))
        defer { pthread_setspecific(countOverrideKey, was) }
        return try body()
    }

    /// Sets the thread count for both OpenBLAS and `parallelFor`. Call once at start-up.
    public static func set(_ n: Int) {
        current = max(1, n)
        GemmThreading.setOpenBLASThreads(Int32(current))
    }
}

/// Splits `0..<count` into at most `Threads.count` contiguous chunks and runs `body(range)` on each.
/// Small jobs (below `minChunk` items per worker) run inline, because dispatching costs microseconds.
@inlinable
package func parallelFor(_ count: Int, minChunk: Int = 1024, _ body: @Sendable (Range<Int>) -> Void) {
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

/// The calling thread's own thread count (`Threads.withCount`; nil = the process-wide one).
private let countOverrideKey = makeThreadKey()

/// Marks the threads currently running a `parallelParts` part (non-nil value = inside a part).
private let partWorkerKey = makeThreadKey()

/// A new pthread key. Created outside any `precondition` or `assert`, whose expression an unchecked build
/// (`-Ounchecked`, or `assert` in release) does not evaluate: that once left both keys at 0, a key this
/// process never allocated, and the same one twice.
func makeThreadKey() -> pthread_key_t {
    var key = pthread_key_t()
    guard pthread_key_create(&key, nil) == 0 else { fatalError("pthread_key_create failed") }
    return key
}

/// Runs `body(0)`, …, `body(parts − 1)` at the same time, one per worker, with `Threads.count` == 1 inside
/// each, so every loop and GEMM of a part runs inline on its worker: coarse-grained data parallelism with one
/// fork/join for the whole job instead of one per op. Worth it when per-op jobs are too small to split well
/// (a sampling step of one window is ~100 short ops of 120–240 token rows).
///
/// Not `@Sendable`: callers hand each part disjoint output and scratch memory and share only read-only
/// inputs (the rule `SendableBuffer` states), which review checks, as for `parallelFor`.
package func parallelParts(_ parts: Int, _ body: (Int) -> Void) {
    guard parts > 1 else {
        if parts == 1 { body(0) }
        return
    }
    // The audit above is this function's contract, so the compiler is told here and only here.
    withoutActuallyEscaping(body) { body in
        nonisolated(unsafe) let work = body
        DispatchQueue.concurrentPerform(iterations: parts) { k in
            let was = pthread_getspecific(partWorkerKey)
            pthread_setspecific(partWorkerKey, UnsafeRawPointer(bitPattern: 1))
            defer { pthread_setspecific(partWorkerKey, was) }
            work(k)
        }
    }
}
