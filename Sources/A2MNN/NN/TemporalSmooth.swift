// Shapes: one sequence of T frames × C features; mask [T] of 1 (valid) / 0 (padding), nil = all valid.

/// Binomial low-pass over frames: taps C(2r, k) / 4^r for k = 0…2r, a Gaussian of σ = √(r/2) frames with
/// response cos^(2r)(π·f/fps) (r = 2: [1, 4, 6, 4, 1] / 16, 0.56 at 5 Hz for 30 fps; r = 6: 0.18 at 5 Hz, 0.55 at
/// 3 Hz). Used on the denoiser's frame-aligned audio path: log-mel frames change from frame to frame, and that
/// texture otherwise reaches every output frame (legs and spine included) as tremor, which guidance then
/// multiplies (docs/notes/2026-11-results-notebook.md, "Making the model use the audio"). r = 0 is the identity.
struct TemporalSmooth: Sendable {
    let taps: [Float]
    let radius: Int

    /// Largest radius whose integer taps are exact in Float (C(24, 12) = 2 704 156 < 2^24).
    static let maxRadius = 12

    init(radius: Int) {
        precondition((0...Self.maxRadius).contains(radius), "radius \(radius)")
        self.radius = radius
        // Integer taps (Pascal's row 2r), not pre-normalized: `weights` divides by their sum over the valid frames
        // in reach, and integers keep r = 2 bit-identical to the fixed [1, 4, 6, 4, 1] the shipped model used.
        var row: [Int] = [1]
        for _ in 0..<(2 * radius) { row = zip([0] + row, row + [0]).map(+) }
        taps = row.map(Float.init)
    }

    /// Weight of input frame j in output frame i (|i − j| ≤ radius), renormalized over the valid frames in reach,
    /// so edges and padding neither darken the output nor leak padding into it. 0 for a padded output frame.
    @inline(__always)
    func weights(frame i: Int, t: Int, mask: FPtr?) -> (lo: Int, hi: Int, norm: Float) {
        let lo = max(0, i - radius), hi = min(t - 1, i + radius)
        if let m = mask, m[i] == 0 { return (lo, hi, 0) }
        var sum: Float = 0
        for j in lo...hi { sum += taps[j - i + radius] * (mask?[j] ?? 1) }
        return (lo, hi, sum > 0 ? 1 / sum : 0)
    }

    /// Calls `body(i, j, w)` for every nonzero weight w of input frame j in output frame i.
    @inline(__always)
    func forEachWeight(t: Int, mask: FPtr?, _ body: (_ i: Int, _ j: Int, _ w: Float) -> Void) {
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

/// out[i] += Σ_j w(i, j)·inp[j] over |i − j| ≤ r (accumulates, so the caller can add straight into a residual).
func temporalSmoothForward(_ smooth: TemporalSmooth, out: FPtr, inp: FPtr, mask: FPtr?, t: Int, c: Int) {
    smooth.forEachWeight(t: t, mask: mask) { i, j, w in
        let o = out + i * c, x = inp + j * c
        for k in 0..<c { o[k] += w * x[k] }
    }
}

/// dinp[j] += Σ_i w(i, j)·dout[i] (the transpose of the forward's weights).
func temporalSmoothBackward(_ smooth: TemporalSmooth, dinp: FPtr, dout: FPtr, mask: FPtr?, t: Int, c: Int) {
    smooth.forEachWeight(t: t, mask: mask) { i, j, w in
        let d = dinp + j * c, g = dout + i * c
        for k in 0..<c { d[k] += w * g[k] }
    }
}
