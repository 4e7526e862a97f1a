import COpenBLAS

// Row-major matrices. A is M×K (or K×M when transA), B is K×N (or N×K when transB), C is M×N.

/// C = alpha·op(A)·op(B) + beta·C through one `cblas_sgemm` call (OpenBLAS threads).
@inline(__always)
func sgemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
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

/// Runs `body` with OpenBLAS on one thread, for regions where `parallelFor` workers each call small GEMMs
/// themselves (attention per (batch, head)): the cores are used by our workers, never by both pools at once.
@inline(__always)
func withSingleThreadedBLAS(_ body: () -> Void) {
    let n = Threads.count
    if n > 1 { openblas_set_num_threads(1) }
    body()
    if n > 1 { openblas_set_num_threads(Int32(n)) }
}
