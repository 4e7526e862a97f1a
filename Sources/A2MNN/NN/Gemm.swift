import A2MCore
import COpenBLAS

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
