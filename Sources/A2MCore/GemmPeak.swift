import COpenBLAS
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Measures the machine's `cblas_sgemm` throughput: the ceiling every achieved-GFLOP/s figure is reported against.
public enum GemmPeak {
    /// Best-of-`repeats` GFLOP/s for C[m×n] = A[m×k]·B[k×n] at the current `Threads.count`.
    public static func measure(m: Int, n: Int, k: Int, repeats: Int = 5) -> Double {
        var a = [Float](repeating: 0, count: m * k), b = [Float](repeating: 0, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        var rng = PCG32(seed: 1)
        for i in a.indices { a[i] = rng.uniformFloat() - 0.5 }
        for i in b.indices { b[i] = rng.uniformFloat() - 0.5 }
        var best = Double.infinity
        for _ in 0..<(repeats + 1) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            best = min(best, dt)
        }
        return 2.0 * Double(m) * Double(n) * Double(k) / best / 1e9
    }

    /// The kernel family OpenBLAS runs in this process (`openblas_get_corename`: "Haswell", "Cooperlake", …)
    /// and who chose it: OpenBLAS, OPENBLAS_CORETYPE, or a2m in place of OpenBLAS's generic fallback
    /// (`OpenBLASKernels`). Every GFLOP/s figure depends on it: on one AVX-512 machine OpenBLAS 0.3.21 picks
    /// Cooperlake by itself, far faster than the Haswell (AVX2) kernels (docs/benchmarks.md, "OpenBLAS kernels").
    public static var openBLASCore: String {
        let name = OpenBLASKernels.chosenCore
        if let fallback = OpenBLASKernels.replacedFallback {
            return "\(name) (chosen by a2m: OpenBLAS fell back to \(fallback) on this CPU)"
        }
        guard let forced = getenv(OpenBLASKernels.coreTypeKey) else { return "\(name) (OpenBLAS's own choice)" }
        return "\(name) (OPENBLAS_CORETYPE=\(String(cString: forced)))"
    }
}
