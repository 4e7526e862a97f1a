// Shapes: B sequences, T frames, C features; mask [B, T] of 1 (valid) / 0 (padding), nil = all valid.

/// out[b] = Σ_t m[b,t]·inp[b,t] / Σ_t m[b,t] (zero when a row has no valid frame).
func meanPoolForward(out: FPtr, inp: FPtr, mask: FPtr?, b: Int, t: Int, c: Int) {
    for r in 0..<b {
        let o = out + r * c
        o.update(repeating: 0, count: c)
        var n: Float = 0
        for f in 0..<t {
            let w = mask?[r * t + f] ?? 1
            if w == 0 { continue }
            n += w
            let x = inp + (r * t + f) * c
            for j in 0..<c { o[j] += w * x[j] }
        }
        let s = n > 0 ? 1 / n : 0
        for j in 0..<c { o[j] *= s }
    }
}

/// dinp[b,t] += m[b,t]/Σm · dout[b].
func meanPoolBackward(dinp: FPtr, dout: FPtr, mask: FPtr?, b: Int, t: Int, c: Int) {
    for r in 0..<b {
        var n: Float = 0
        for f in 0..<t { n += mask?[r * t + f] ?? 1 }
        guard n > 0 else { continue }
        for f in 0..<t {
            let w = (mask?[r * t + f] ?? 1) / n
            if w == 0 { continue }
            let d = dinp + (r * t + f) * c, g = dout + r * c
            for j in 0..<c { d[j] += w * g[j] }
        }
    }
}
