import COpenBLAS
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

// Row-major matrices. A is M×K (or K×M when transA), B is K×N (or N×K when transB), C is M×N.

/// C = alpha·op(A)·op(B) + beta·C. Inside `withOwnGemmThreads` a large GEMM is split into `Threads.count`
/// row (or column) blocks of C, each one single-threaded `cblas_sgemm` on a `parallelFor` worker; otherwise
/// it is one call on OpenBLAS's own threads.
@inline(__always)
func sgemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
           _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
           _ beta: Float, _ c: FPtr, _ ldc: Int) {
    let workers = Threads.count
    guard GemmThreading.own, workers > 1, Double(m) * Double(n) * Double(k) >= GemmThreading.splitFlops else {
        sgemmSerial(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        return
    }
    let av = SendableBuffer(UnsafeMutablePointer(mutating: a), count: 0), bv = SendableBuffer(UnsafeMutablePointer(mutating: b), count: 0)
    let cv = SendableBuffer(c, count: 0)
    // Split the longer side of C in blocks that are multiples of 16 (whole kernel tiles).
    let splitRows = m >= n
    let total = splitRows ? m : n
    let per = ((total + workers - 1) / workers + 15) / 16 * 16
    let blocks = (total + per - 1) / per
    parallelFor(blocks, minChunk: 1) { range in
        for blk in range {
            let lo = blk * per, len = min(per, total - lo)
            if splitRows {
                sgemmSerial(transA, transB, len, n, k, alpha, av.base + (transA ? lo : lo * lda), lda, bv.base, ldb, beta, cv.base + lo * ldc, ldc)
            } else {
                sgemmSerial(transA, transB, m, len, k, alpha, av.base, lda, bv.base + (transB ? lo * ldb : lo), ldb, beta, cv.base + lo, ldc)
            }
        }
    }
}

/// One `cblas_sgemm` call (OpenBLAS decides its own threading).
@inline(__always)
func sgemmSerial(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
                 _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                 _ beta: Float, _ c: FPtr, _ ldc: Int) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// The test oracle for `sgemm`: the textbook triple loop, accumulated in Double.
func naiveGemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
               _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
               _ beta: Float, _ c: FPtr, _ ldc: Int) {
    for i in 0..<m {
        for j in 0..<n {
            var s = 0.0
            for p in 0..<k {
                let av = transA ? a[p * lda + i] : a[i * lda + p]
                let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                s += Double(av) * Double(bv)
            }
            let old = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
            c[i * ldc + j] = Float(Double(alpha) * s + old)
        }
    }
}

/// Who runs GEMMs in parallel. Measured on the 2-core machine: with OpenBLAS's pool and `parallelFor`'s
/// workers alternating, OpenBLAS's idle threads spin in sched_yield and took ~13% of the training step's
/// cycles; running every GEMM as per-worker single-threaded blocks leaves one pool (libdispatch) and no
/// spinning. The denoiser's passes run inside `withOwnGemmThreads`.
///
/// OpenBLAS's thread count is one process-wide setting, and `cblas_sgemm` rounds differently with 1 and 2
/// threads (3–30 % of the outputs differ on the denoiser's shapes with OpenBLAS 0.3.21). So while any thread
/// is inside `withOwnGemmThreads` the count stays at 1, and it is restored only when the last one leaves: a
/// pass during which another thread's scope ends (tests run concurrently, each with its own
/// `Threads.withCount`) still rounds as when run alone.
enum GemmThreading {
    /// Below this many multiply-adds a GEMM runs on the calling thread (dispatch costs microseconds).
    static let splitFlops = 2.0e6

    /// Whether the calling thread is inside `withOwnGemmThreads` (per thread: one thread's scope must not
    /// change how another thread's GEMMs split).
    static var own: Bool { pthread_getspecific(ownKey) != nil }

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
func withOwnGemmThreads<R>(_ body: () throws -> R) rethrows -> R {
    if GemmThreading.own { return try body() }
    GemmThreading.enter()
    pthread_setspecific(GemmThreading.ownKey, UnsafeRawPointer(bitPattern: 1))
    defer {
        pthread_setspecific(GemmThreading.ownKey, nil)
        GemmThreading.leave()
    }
    return try body()
}
