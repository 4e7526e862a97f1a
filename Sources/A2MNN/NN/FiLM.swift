import A2MCore

// Shapes: B rows, T frames, C features; film [B, 2C] = (scale | shift), one vector per row.

/// FiLM-modulated residual add (EDGE's `FiLM` + residual): out = x + (scale + 1)·sub + shift.
func filmResidualForward(out: FPtr, x: FPtr, sub: FPtr, film: FPtr, b: Int, t: Int, c: Int) {
    let o = SendableBuffer(out, count: b * t * c), xs = SendableBuffer(x, count: b * t * c)
    let s = SendableBuffer(sub, count: b * t * c), f = SendableBuffer(film, count: b * 2 * c)
    parallelFor(b * t, minChunk: max(1, 16384 / c)) { range in
        for r in range {
            let sc = f.base + (r / t) * 2 * c, sh = sc + c
            let off = r * c
            var j = 0
            while j < c {
                let n = c - j
                let v = load8(xs.base + off + j, n) + (load8(sc + j, n) + F8(repeating: 1)) * load8(s.base + off + j, n) + load8(sh + j, n)
                store8(v, o.base + off + j, n); j += 8
            }
        }
    }
}

/// dx += dout; dsub += (scale + 1)·dout; dfilm[b] += (Σ_t dout·sub | Σ_t dout). `dx` may be nil.
func filmResidualBackward(dx: FPtr?, dsub: FPtr, dfilm: FPtr, dout: FPtr, sub: FPtr, film: FPtr, b: Int, t: Int, c: Int) {
    let dxs = dx.map { SendableBuffer($0, count: b * t * c) }
    let ds = SendableBuffer(dsub, count: b * t * c), df = SendableBuffer(dfilm, count: b * 2 * c)
    let dy = SendableBuffer(dout, count: b * t * c), s = SendableBuffer(sub, count: b * t * c), f = SendableBuffer(film, count: b * 2 * c)
    parallelFor(b, minChunk: 1) { range in
        for r in range {
            let sc = f.base + r * 2 * c, dsc = df.base + r * 2 * c, dsh = dsc + c
            for tt in 0..<t {
                let off = (r * t + tt) * c
                var j = 0
                while j < c {
                    let n = c - j
                    let g = load8(dy.base + off + j, n)
                    if let dxs { store8(load8(dxs.base + off + j, n) + g, dxs.base + off + j, n) }
                    store8(load8(ds.base + off + j, n) + (load8(sc + j, n) + F8(repeating: 1)) * g, ds.base + off + j, n)
                    store8(load8(dsc + j, n) + g * load8(s.base + off + j, n), dsc + j, n)
                    store8(load8(dsh + j, n) + g, dsh + j, n)
                    j += 8
                }
            }
        }
    }
}
