import CFFTW
import Synchronization

/// One FFTW real-to-complex plan of size n, shared by every extractor that uses that size.
///
/// Plans are made with `FFTW_ESTIMATE`, never `FFTW_MEASURE`: measured plans can pick a different
/// algorithm on each run, and then the last bits of the spectrum (and of every output downstream) would
/// change between runs of the same binary. FFTW's planner is not thread-safe, so plans are created under
/// a lock; executing a plan with new arrays (`fftwf_execute_dft_r2c`) is thread-safe, so a plan is
/// created once per size and reused for the life of the process.
final class FFTPlan: Sendable {
    let size: Int
    // Immutable after creation; FFTW documents the new-array execute functions as thread-safe.
    nonisolated(unsafe) let plan: OpaquePointer

    private init(size: Int, plan: OpaquePointer) {
        self.size = size
        self.plan = plan
    }

    private static let cache = Mutex<[Int: FFTPlan]>([:])

    /// The plan for size `n` (created on first use). Arrays passed to `execute` must come from
    /// `fftwf_malloc` (same alignment as the planning arrays).
    static func realToComplex(size n: Int) -> FFTPlan {
        cache.withLock { plans in
            if let p = plans[n] { return p }
            let input = fftwf_alloc_real(n)!
            let output = fftwf_alloc_complex(n / 2 + 1)!
            defer { fftwf_free(input); fftwf_free(output) }
            let p = FFTPlan(size: n, plan: fftwf_plan_dft_r2c_1d(Int32(n), input, output, UInt32(FFTW_ESTIMATE))!)
            plans[n] = p
            return p
        }
    }

    /// out[0...n/2] = DFT(input[0..<n]).
    func execute(_ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<fftwf_complex>) {
        fftwf_execute_dft_r2c(plan, input, output)
    }
}
