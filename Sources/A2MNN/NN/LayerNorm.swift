import A2MCore

// Shapes: N rows of C features. Matches torch.nn.LayerNorm (biased variance, eps inside the sqrt).

let layerNormEps: Float = 1e-5

/// out = (inp − mean)·rstd·gamma + beta per row; saves mean and rstd [N] for the backward pass.
func layerNormForward(out: FPtr, mean: FPtr, rstd: FPtr, inp: FPtr, gamma: FPtr, beta: FPtr, n: Int, c: Int) {
    let o = SendableBuffer(out, count: n * c), mu = SendableBuffer(mean, count: n), rs = SendableBuffer(rstd, count: n)
    let x = SendableBuffer(inp, count: n * c), g = SendableBuffer(gamma, count: c), b = SendableBuffer(beta, count: c)
    parallelFor(n, minChunk: max(1, 16384 / c)) { range in
        for r in range {
            let xr = x.base + r * c, orow = o.base + r * c
            let m = vsum(xr, c) / Float(c)
            var acc = F8(repeating: 0)
            var i = 0
            let mv = F8(repeating: m)
            while i < c { let d = load8(xr + i, c - i) - mv; acc += d * d; i += 8 }
            // Padding lanes of the tail load are 0, so they contributed m² each: remove them.
            let pad = (8 - c % 8) % 8
            let v = (acc.sum() - Float(pad) * m * m) / Float(c)
            let s = 1 / (v + layerNormEps).squareRoot()
            i = 0
            let sv = F8(repeating: s)
            while i < c {
                let y = (load8(xr + i, c - i) - mv) * sv * load8(g.base + i, c - i) + load8(b.base + i, c - i)
                store8(y, orow + i, c - i); i += 8
            }
            mu[r] = m; rs[r] = s
        }
    }
}

/// dinp += ∂L/∂inp; dgamma += Σ dout·x̂; dbeta += Σ dout (llm.c's layernorm_backward).
func layerNormBackward(dinp: FPtr, dgamma: FPtr, dbeta: FPtr, dout: FPtr, inp: FPtr, gamma: FPtr,
                       mean: FPtr, rstd: FPtr, n: Int, c: Int) {
    let dx = SendableBuffer(dinp, count: n * c), dy = SendableBuffer(dout, count: n * c), x = SendableBuffer(inp, count: n * c)
    let g = SendableBuffer(gamma, count: c), mu = SendableBuffer(mean, count: n), rs = SendableBuffer(rstd, count: n)
    parallelFor(n, minChunk: max(1, 16384 / c)) { range in
        for r in range {
            let xr = x.base + r * c, dyr = dy.base + r * c, dxr = dx.base + r * c
            let mv = F8(repeating: mu[r]), sv = F8(repeating: rs[r])
            var a1 = F8(repeating: 0), a2 = F8(repeating: 0)
            var i = 0
            while i < c {
                let xh = (load8(xr + i, c - i) - mv) * sv
                let dn = load8(dyr + i, c - i) * load8(g.base + i, c - i)
                a1 += dn; a2 += dn * xh; i += 8
            }
            let m1 = F8(repeating: a1.sum() / Float(c)), m2 = F8(repeating: a2.sum() / Float(c))
            i = 0
            while i < c {
                let xh = (load8(xr + i, c - i) - mv) * sv
                let dn = load8(dyr + i, c - i) * load8(g.base + i, c - i)
                store8(load8(dxr + i, c - i) + (dn - m1 - xh * m2) * sv, dxr + i, c - i); i += 8
            }
        }
    }
    // Parameter gradients: column blocks, each worker walks all rows for its own columns.
    let dg = SendableBuffer(dgamma, count: c), db = SendableBuffer(dbeta, count: c)
    let blocks = (c + 31) / 32
    parallelFor(blocks, minChunk: max(1, 8192 / max(1, n * 32))) { range in
        for blk in range {
            let lo = blk * 32, w = min(32, c - lo)
            var ag = [Float](repeating: 0, count: 32), ab = [Float](repeating: 0, count: 32)
            for r in 0..<n {
                let m = mu[r], s = rs[r]
                let xr = x.base + r * c + lo, dyr = dy.base + r * c + lo
                for j in 0..<w { let d = dyr[j]; ag[j] += d * (xr[j] - m) * s; ab[j] += d }
            }
            for j in 0..<w { dg[lo + j] += ag[j]; db[lo + j] += ab[j] }
        }
    }
}
