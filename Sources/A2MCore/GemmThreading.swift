import COpenBLAS
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Who runs GEMMs in parallel. With OpenBLAS's pool and `parallelFor`'s workers alternating, OpenBLAS's idle
/// threads spin in sched_yield, a share of the training step's cycles measured in docs/benchmarks.md
/// ("Denoiser training step"); running every GEMM as per-worker single-threaded blocks leaves one pool (libdispatch) and no
/// spinning. The denoiser's passes run inside `withOwnGemmThreads`.
///
/// OpenBLAS's thread count is one process-wide setting, and `cblas_sgemm` rounds differently with 1 and 2
/// threads (on the denoiser's shapes, many outputs differ in their last bits). So while any thread
/// is inside `withOwnGemmThreads` the count stays at 1, and it is restored only when the last one leaves: a
/// pass during which another thread's scope ends (tests run concurrently, each with its own
/// `Threads.withCount`) still rounds as when run alone.
package enum GemmThreading {
    /// Below this many multiply-adds a GEMM runs on the calling thread (dispatch costs microseconds).
    package static let splitFlops = 2.0e6

    /// Whether the calling thread is inside `withOwnGemmThreads` (per thread: one thread's scope must not
    /// change how another thread's GEMMs split).
    package static var own: Bool { pthread_getspecific(ownKey) != nil }

    /// Non-nil on a thread inside `withOwnGemmThreads`.
    fileprivate static let ownKey = makeThreadKey()

    private struct Scopes {
        /// Threads inside `withOwnGemmThreads`.
        var active = 0
        /// OpenBLAS's count to restore when the last one leaves.
        var saved: Int32 = 1
    }
    private static let scopes = Mutex(Scopes())

    fileprivate static func enter() {
        scopes.withLock { s in
            if s.active == 0 {
                s.saved = openblas_get_num_threads()
                if s.saved != 1 { openblas_set_num_threads(1) }
            }
            s.active += 1
        }
    }

    fileprivate static func leave() {
        scopes.withLock { s in
            s.active -= 1
            if s.active == 0 && s.saved != 1 { openblas_set_num_threads(s.saved) }
        }
    }

    /// OpenBLAS's current thread count.
    static var openBLASThreads: Int { Int(openblas_get_num_threads()) }

    /// Sets OpenBLAS's count (`Threads.set`), or, while a scope is active, the count it restores.
    static func setOpenBLASThreads(_ n: Int32) {
        scopes.withLock { s in
            if s.active == 0 { openblas_set_num_threads(n) } else { s.saved = n }
        }
    }
}

/// Runs `body` with OpenBLAS held to one thread: GEMMs are split across `parallelFor` workers by `sgemm`,
/// and attention's per-(batch, head) GEMMs run single-threaded on the workers. Nestable.
@inline(__always)
package func withOwnGemmThreads<R>(_ body: () throws -> R) rethrows -> R {
    if GemmThreading.own { return try body() }
    GemmThreading.enter()
    pthread_setspecific(GemmThreading.ownKey, UnsafeRawPointer(bitPattern: 1))
    defer {
        pthread_setspecific(GemmThreading.ownKey, nil)
        GemmThreading.leave()
    }
    return try body()
}
