import Foundation

// Shapes: B batch rows, H heads, T queries, S keys, hd = head size. q, k, v, out are row-major with a row
// stride (ld*) so they can be column blocks of wider buffers: head h of row (b, i) is at
// q + (b·T + i)·ldq + h·hd. probs [B, H, T, S] keeps the softmax output for the backward pass.
// keyMask [B, S]: 1 = attend, 0 = padding (nil = all keys valid).

struct AttentionShape {
    var b: Int, h: Int, t: Int, s: Int, hd: Int
    var ldq: Int, ldk: Int, ldv: Int, ldo: Int
    var scale: Float { 1 / Float(hd).squareRoot() }
    var probsCount: Int { b * h * t * s }
}

/// Scaled dot-product attention per (batch, head) — the core of torch's nn.MultiheadAttention after its
/// input projections: softmax(q·kᵀ/√hd + mask) → dropout → ·v. Each (b, h) pair is three small sgemm
/// calls; pairs run on the `parallelFor` workers with OpenBLAS held to one thread.
/// `scratch` needs `probsCount` floats when dropout is active (the dropped probabilities).
func attentionForward(out: FPtr, probs: FPtr, q: FPtr, k: FPtr, v: FPtr, keyMask: FPtr?,
                      shape sh: AttentionShape, dropout: DropoutMask, scratch: FPtr?) {
    let o = SendableBuffer(out, count: 0), p = SendableBuffer(probs, count: sh.probsCount)
    let qs = SendableBuffer(q, count: 0), ks = SendableBuffer(k, count: 0), vs = SendableBuffer(v, count: 0)
    let ms = keyMask.map { SendableBuffer($0, count: sh.b * sh.s) }
    let sc = scratch.map { SendableBuffer($0, count: sh.probsCount) }
    withOwnGemmThreads {
        parallelFor(sh.b * sh.h, minChunk: 1) { range in
            for bh in range {
                let bi = bh / sh.h, hi = bh % sh.h
                let qp = qs.base + bi * sh.t * sh.ldq + hi * sh.hd
                let kp = ks.base + bi * sh.s * sh.ldk + hi * sh.hd
                let vp = vs.base + bi * sh.s * sh.ldv + hi * sh.hd
                let pp = p.base + bh * sh.t * sh.s
                sgemmSerial(false, true, sh.t, sh.s, sh.hd, sh.scale, qp, sh.ldq, kp, sh.ldk, 0, pp, sh.s)
                softmaxRows(pp, rows: sh.t, cols: sh.s, mask: ms.map { $0.base + bi * sh.s })
                var used = pp
                if dropout.active, let sc {
                    used = sc.base + bh * sh.t * sh.s
                    let base = bh * sh.t * sh.s
                    for i in 0..<(sh.t * sh.s) { used[i] = pp[i] * dropout.factor(base + i) }
                }
                sgemmSerial(false, false, sh.t, sh.hd, sh.s, 1, used, sh.s, vp, sh.ldv, 0, o.base + bi * sh.t * sh.ldo + hi * sh.hd, sh.ldo)
            }
        }
    }
}

/// In-place masked softmax of each row; a row with no valid key becomes all zeros.
@inline(__always)
func softmaxRows(_ p: FPtr, rows: Int, cols: Int, mask: FPtr?) {
    let tail = cols % 8, body = cols - tail
    for r in 0..<rows {
        let row = p + r * cols
        if let mask { for j in 0..<cols where mask[j] == 0 { row[j] = -.infinity } }
        var mv8 = F8(repeating: -.infinity)
        var j = 0
        while j < body { mv8 = vmax(mv8, load8(row + j, 8)); j += 8 }
        var mx = mv8.max()
        while j < cols { mx = max(mx, row[j]); j += 1 }
        if mx == -.infinity { row.update(repeating: 0, count: cols); continue }
        var acc = F8(repeating: 0)
        let mv = F8(repeating: mx)
        j = 0
        while j < body {
            let e = vexp(load8(row + j, 8) - mv)
            acc += e
            store8(e, row + j, 8); j += 8
        }
        var sum = acc.sum()
        if tail > 0 {
            let e = vexp(load8(row + body, tail) - mv)
            for l in 0..<tail { row[body + l] = e[l]; sum += e[l] }
        }
        if let mask { for j in 0..<cols where mask[j] == 0 { row[j] = 0 } }
        let inv = F8(repeating: 1 / sum)
        j = 0
        while j < body { store8(load8(row + j, 8) * inv, row + j, 8); j += 8 }
        let s = 1 / sum
        while j < cols { row[j] *= s; j += 1 }
    }
}

/// dq, dk, dv += gradients of `attentionForward`. `scratch` needs 2·probsCount floats.
/// Per pair: dP' = dO·vᵀ; dv += P'ᵀ·dO; dP = dP'·mask; dS = P∘(dP − rowsum(dP∘P)); dq += dS·k·scale;
/// dk += dSᵀ·q·scale.
func attentionBackward(dq: FPtr, dk: FPtr, dv: FPtr, dout: FPtr, probs: FPtr, q: FPtr, k: FPtr, v: FPtr,
                       shape sh: AttentionShape, dropout: DropoutMask, scratch: FPtr) {
    let dqs = SendableBuffer(dq, count: 0), dks = SendableBuffer(dk, count: 0), dvs = SendableBuffer(dv, count: 0)
    let dos = SendableBuffer(dout, count: 0), p = SendableBuffer(probs, count: sh.probsCount)
    let qs = SendableBuffer(q, count: 0), ks = SendableBuffer(k, count: 0), vs = SendableBuffer(v, count: 0)
    let sc = SendableBuffer(scratch, count: 2 * sh.probsCount)
    withOwnGemmThreads {
        parallelFor(sh.b * sh.h, minChunk: 1) { range in
            for bh in range {
                let bi = bh / sh.h, hi = bh % sh.h
                let qo = bi * sh.t * sh.ldq + hi * sh.hd, ko = bi * sh.s * sh.ldk + hi * sh.hd
                let vo = bi * sh.s * sh.ldv + hi * sh.hd, oo = bi * sh.t * sh.ldo + hi * sh.hd
                let n = sh.t * sh.s, base = bh * n
                let pp = p.base + base
                let dp = sc.base + base
                var used = pp
                if dropout.active {
                    used = sc.base + sh.probsCount + base
                    for i in 0..<n { used[i] = pp[i] * dropout.factor(base + i) }
                }
                sgemmSerial(false, true, sh.t, sh.s, sh.hd, 1, dos.base + oo, sh.ldo, vs.base + vo, sh.ldv, 0, dp, sh.s)
                sgemmSerial(true, false, sh.s, sh.hd, sh.t, 1, used, sh.s, dos.base + oo, sh.ldo, 1, dvs.base + vo, sh.ldv)
                if dropout.active { for i in 0..<n { dp[i] *= dropout.factor(base + i) } }
                for r in 0..<sh.t {
                    let prow = pp + r * sh.s, drow = dp + r * sh.s
                    let dot = F8(repeating: vdot(prow, drow, sh.s))
                    var j = 0
                    while j < sh.s {
                        let m = sh.s - j
                        store8(load8(prow + j, m) * (load8(drow + j, m) - dot), drow + j, m); j += 8
                    }
                }
                sgemmSerial(false, false, sh.t, sh.hd, sh.s, sh.scale, dp, sh.s, ks.base + ko, sh.ldk, 1, dqs.base + qo, sh.ldq)
                sgemmSerial(true, false, sh.s, sh.hd, sh.t, sh.scale, dp, sh.s, qs.base + qo, sh.ldq, 1, dks.base + ko, sh.ldk)
            }
        }
    }
}
