import CSoxr

/// Band-limited sample-rate conversion with libsoxr.
///
/// Recipe: `soxr_quality_spec(SOXR_HQ, 0)` — 20-bit precision, linear phase, passband to 0.913 of the
/// lower Nyquist — single-threaded (`soxr_runtime_spec(1)`), one `soxr_oneshot` call over the whole
/// signal. This is the filter behind librosa's default `res_type='soxr_hq'` (python-soxr `quality='HQ'`).
/// Output length is `ceil(n · to / from)`, zero-padded if soxr delivers fewer samples, exactly as
/// `librosa.resample(..., fix=True)` does.
public enum Resampler {
    public static func outputLength(inputLength n: Int, from: Int, to: Int) -> Int {
        // Integer ceil(n * to / from) without floating-point rounding surprises.
        let num = n * to
        return num / from + (num % from == 0 ? 0 : 1)
    }

    public static func resample(_ samples: [Float], from: Int, to: Int, source: String = "<memory>") throws -> [Float] {
        guard from > 0 else { throw AudioError.invalidSampleRate(file: source, rate: from) }
        guard to > 0 else { throw AudioError.invalidSampleRate(file: source, rate: to) }
        if from == to || samples.isEmpty { return samples }
        let olen = outputLength(inputLength: samples.count, from: from, to: to)
        var out = [Float](repeating: 0, count: olen)
        var io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
        var quality = soxr_quality_spec(UInt(SOXR_HQ), 0)
        var runtime = soxr_runtime_spec(1)
        var done = 0
        let err: soxr_error_t? = samples.withUnsafeBufferPointer { inp in
            out.withUnsafeMutableBufferPointer { outp in
                soxr_oneshot(Double(from), Double(to), 1,
                             UnsafeRawPointer(inp.baseAddress), inp.count, nil,
                             UnsafeMutableRawPointer(outp.baseAddress), outp.count, &done,
                             &io, &quality, &runtime)
            }
        }
        if let err {
            throw AudioError.resampleFailed(file: source, fromRate: from, toRate: to, reason: String(cString: err))
        }
        return out
    }
}

extension AudioSignal {
    /// This signal at `rate` Hz (itself if the rate already matches).
    public func resampled(to rate: Int) throws -> AudioSignal {
        if rate == sampleRate { return self }
        return AudioSignal(samples: try Resampler.resample(samples, from: sampleRate, to: rate, source: source), sampleRate: rate, source: source)
    }
}
