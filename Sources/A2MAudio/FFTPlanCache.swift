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

/// A pair of double-precision FFTW plans of size n (real-to-complex and complex-to-real), shared like `FFTPlan`.
/// The pitch tracker's autocorrelation runs in Double, as librosa's (numpy's FFT is double precision): its
/// cumulative mean normalized difference is compared with 100 thresholds (each worth up to 0.072 of voicing
/// probability), so its troughs must fall on the same side of each as librosa's.
final class FFTPlanDouble: Sendable {
    let size: Int
    nonisolated(unsafe) let forwardPlan: OpaquePointer
    nonisolated(unsafe) let inversePlan: OpaquePointer

    private init(size: Int, forward: OpaquePointer, inverse: OpaquePointer) {
        self.size = size
        forwardPlan = forward
        inversePlan = inverse
    }

    private static let cache = Mutex<[Int: FFTPlanDouble]>([:])

    /// The plans for size `n` (created on first use, `FFTW_ESTIMATE`). Arrays passed to them must come from
    /// `fftw_malloc`. The double library has its own planner (not thread-safe either), hence its own lock.
    static func plans(size n: Int) -> FFTPlanDouble {
        cache.withLock { plans in
            if let p = plans[n] { return p }
            let real = fftw_alloc_real(n)!
            let spectrum = fftw_alloc_complex(n / 2 + 1)!
            defer { fftw_free(real); fftw_free(spectrum) }
            // FFTW_DESTROY_INPUT is the c2r default; the spectrum is scratch for the caller anyway.
            let p = FFTPlanDouble(size: n, forward: fftw_plan_dft_r2c_1d(Int32(n), real, spectrum, UInt32(FFTW_ESTIMATE))!,
                                  inverse: fftw_plan_dft_c2r_1d(Int32(n), spectrum, real, UInt32(FFTW_ESTIMATE))!)
            plans[n] = p
            return p
        }
    }

    /// out[0...n/2] = DFT(input[0..<n]).
    func forward(_ input: UnsafeMutablePointer<Double>, _ output: UnsafeMutablePointer<fftw_complex>) {
        fftw_execute_dft_r2c(forwardPlan, input, output)
    }

    /// out[0..<n] = n · IDFT(input) (unnormalized); overwrites `input`.
    func inverse(_ input: UnsafeMutablePointer<fftw_complex>, _ output: UnsafeMutablePointer<Double>) {
        fftw_execute_dft_c2r(inversePlan, input, output)
    }
}
