import A2MCore
import Foundation
import CKernels

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
                a2m_softmax_rows(pp, sh.t, sh.s, ms.map { UnsafePointer($0.base + bi * sh.s) })
                var used = pp
                if dropout.active, let sc {
                    used = sc.base + bh * sh.t * sh.s
                    let base = bh * sh.t * sh.s
                    a2m_dropout_mul(used, pp, sh.t * sh.s, dropout.c, base)
                }
                sgemmSerial(false, false, sh.t, sh.hd, sh.s, 1, used, sh.s, vp, sh.ldv, 0, o.base + bi * sh.t * sh.ldo + hi * sh.hd, sh.ldo)
            }
        }
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
                sgemmSerial(false, true, sh.t, sh.s, sh.hd, 1, dos.base + oo, sh.ldo, vs.base + vo, sh.ldv, 0, dp, sh.s)
                var used = pp
                if dropout.active {
                    // One hash per element serves both the dropped probabilities and dP.
                    used = sc.base + sh.probsCount + base
                    a2m_dropout_mul2(used, pp, dp, n, dropout.c, base)
                }
                sgemmSerial(true, false, sh.s, sh.hd, sh.t, 1, used, sh.s, dos.base + oo, sh.ldo, 1, dvs.base + vo, sh.ldv)
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
