// Shapes: one sequence of T frames × C features; mask [T] of 1 (valid) / 0 (padding), nil = all valid.

/// Binomial low-pass over frames, taps [1, 4, 6, 4, 1] / 16 (a Gaussian of σ ≈ 1 frame: −3 dB near 0.19·fps,
/// 5.6 Hz at 30 fps). Used on the denoiser's frame-aligned audio path: gesture follows syllables and phrases
/// (≲ 5 Hz), while log-mel frames change from frame to frame, and that frame-rate texture otherwise reaches
/// every output frame as tremor, which guidance then multiplies (docs/results.md).
enum TemporalSmooth {
    static let taps: [Float] = [1, 4, 6, 4, 1]
    static let radius = 2

    /// Weight of input frame j in output frame i (|i − j| ≤ radius), renormalized over the valid frames in reach,
    /// so edges and padding neither darken the output nor leak padding into it. 0 for a padded output frame.
    @inline(__always)
    static func weights(frame i: Int, t: Int, mask: FPtr?) -> (lo: Int, hi: Int, norm: Float) {
        let lo = max(0, i - radius), hi = min(t - 1, i + radius)
        if let m = mask, m[i] == 0 { return (lo, hi, 0) }
        var sum: Float = 0
        for j in lo...hi { sum += taps[j - i + radius] * (mask?[j] ?? 1) }
        return (lo, hi, sum > 0 ? 1 / sum : 0)
    }

    /// Calls `body(i, j, w)` for every nonzero weight w of input frame j in output frame i.
    @inline(__always)
    static func forEachWeight(t: Int, mask: FPtr?, _ body: (_ i: Int, _ j: Int, _ w: Float) -> Void) {
        for i in 0..<t {
            let (lo, hi, norm) = weights(frame: i, t: t, mask: mask)
            if norm == 0 { continue }
            for j in lo...hi {
                let w = taps[j - i + radius] * (mask?[j] ?? 1) * norm
                if w != 0 { body(i, j, w) }
            }
        }
    }
}

/// out[i] += Σ_j w(i, j)·inp[j] over |i − j| ≤ 2 (accumulates, so the caller can add straight into a residual).
func temporalSmoothForward(out: FPtr, inp: FPtr, mask: FPtr?, t: Int, c: Int) {
    TemporalSmooth.forEachWeight(t: t, mask: mask) { i, j, w in
        let o = out + i * c, x = inp + j * c
        for k in 0..<c { o[k] += w * x[k] }
    }
}

/// dinp[j] += Σ_i w(i, j)·dout[i] (the transpose of the forward's weights).
func temporalSmoothBackward(dinp: FPtr, dout: FPtr, mask: FPtr?, t: Int, c: Int) {
    TemporalSmooth.forEachWeight(t: t, mask: mask) { i, j, w in
        let d = dinp + j * c, g = dout + i * c
        for k in 0..<c { d[k] += w * g[k] }
    }
}
