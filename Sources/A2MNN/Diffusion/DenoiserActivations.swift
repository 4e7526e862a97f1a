// Activation and scratch buffers of one denoiser pass, carved once from a Workspace for a fixed
// (rows B, frames T, training) shape and reused every step.
// Legend: N = B·T token rows, S = T + 2 memory tokens (audio + 2 time tokens), d width, F ffn, H heads,
// P motionDim, M audioDim, L decoder layers.

struct EncoderLayerActs {
    var ln1, mean1, rstd1, qkv, probs, ao, s, x1, ln2, mean2, rstd2, h, g, s2, out: FPtr
}

struct DecoderLayerActs {
    var y1, mean1, rstd1, r1, qk, v, probs1, ao1, s1, x1: FPtr
    var y2, mean2, rstd2, r2, q2, k, vv, probs2, ao2, s2, x2: FPtr
    var y3, mean3, rstd3, h, g, s3, x3: FPtr
}

struct BackwardScratch {
    var dres, dsub, dao, dqk, dv, dr, dy, dg, dh: FPtr
    var dK, dV, drmem, dmem, dmemPre, dfilm, dmc, dc, dth, dt1, dttok: FPtr
    var dp2, dp1a, dp1, dpln, dpooled, dEnc: FPtr
    var attn: FPtr
}

final class DenoiserActivations {
    let b: Int, t: Int, training: Bool
    let workspace: Workspace
    // Inputs (copied in, so callers' arrays need not outlive the step).
    var x, encMel, target, frameMask, encMask, crossMask, rowWeights: FPtr
    var h0: FPtr
    var enc0: FPtr
    var encoder: [EncoderLayerActs]
    var pooled, poolLn, poolMean, poolRstd, p1, p1a, p2, hid: FPtr
    var temb, t1, th, t2o, c, mc, film, ttok: FPtr
    var memPre, mem, memMean, memRstd, rmem: FPtr
    var layers: [DecoderLayerActs]
    var out, dout: FPtr
    var attnScratch: FPtr
    var grad: BackwardScratch?

    init(config cf: DenoiserConfig, rows b: Int, frames t: Int, training: Bool) {
        self.b = b; self.t = t; self.training = training
        let ws = Workspace(capacity: DenoiserActivations.floats(config: cf, rows: b, frames: t, training: training))
        workspace = ws
        let parts = DenoiserActivations.carve(cf, b, t, training) { ws.take($0) }
        (x, encMel, target, frameMask, encMask, crossMask, rowWeights) = parts.inputs
        h0 = parts.h0; enc0 = parts.enc0; encoder = parts.encoder
        (pooled, poolLn, poolMean, poolRstd, p1, p1a, p2, hid) = parts.pool
        (temb, t1, th, t2o, c, mc, film, ttok) = parts.time
        (memPre, mem, memMean, memRstd, rmem) = parts.memory
        layers = parts.layers
        out = parts.out; dout = parts.dout; attnScratch = parts.attnScratch; grad = parts.grad
    }

    var bytes: Int { workspace.capacity * 4 }

    /// Floats the workspace of this shape holds: the sizing pass of `init`, without allocating (memory budgets).
    static func floats(config cf: DenoiserConfig, rows b: Int, frames t: Int, training: Bool) -> Int {
        var sizer = Workspace.Sizer()
        _ = carve(cf, b, t, training) { n in sizer.take(n); return dummyPointer }
        return sizer.total
    }

    private struct Parts {
        var inputs: (FPtr, FPtr, FPtr, FPtr, FPtr, FPtr, FPtr)
        var h0, enc0: FPtr
        var encoder: [EncoderLayerActs]
        var pool: (FPtr, FPtr, FPtr, FPtr, FPtr, FPtr, FPtr, FPtr)
        var time: (FPtr, FPtr, FPtr, FPtr, FPtr, FPtr, FPtr, FPtr)
        var memory: (FPtr, FPtr, FPtr, FPtr, FPtr)
        var layers: [DecoderLayerActs]
        var out, dout, attnScratch: FPtr
        var grad: BackwardScratch?
    }

    private static func carve(_ cf: DenoiserConfig, _ b: Int, _ t: Int, _ training: Bool, _ take: (Int) -> FPtr) -> Parts {
        let d = cf.width, f = cf.ffn, h = cf.heads, p = cf.motionDim, m = cf.audioDim, l = cf.layers
        let n = b * t, s = t + 2
        let inputs = (take(n * p), take(n * m), take(n * p), take(n), take(n), take(b * s), take(b))
        let h0 = take(n * d), enc0 = take(n * d)
        // Inference keeps no activations for a backward pass: every layer reuses one set of buffers
        // (a layer reads its input before it writes its output).
        let encOne = (0..<(training ? cf.encoderLayers : min(1, cf.encoderLayers))).map { _ in
            EncoderLayerActs(ln1: take(n * d), mean1: take(n), rstd1: take(n), qkv: take(n * 3 * d), probs: take(b * h * t * t),
                             ao: take(n * d), s: take(n * d), x1: take(n * d), ln2: take(n * d), mean2: take(n), rstd2: take(n),
                             h: take(n * f), g: take(n * f), s2: take(n * d), out: take(n * d))
        }
        let encoder = training ? encOne : (0..<cf.encoderLayers).map { _ in encOne[0] }
        let pool = (take(b * d), take(b * d), take(b), take(b), take(b * d), take(b * d), take(b * d), take(b * d))
        let time = (take(b * d), take(b * 4 * d), take(b * 4 * d), take(b * d), take(b * d), take(b * d), take(l * 3 * b * 2 * d), take(b * 2 * d))
        let memory = (take(b * s * d), take(b * s * d), take(b * s), take(b * s), take(b * s * d))
        let decOne = (0..<(training ? l : min(1, l))).map { _ in
            DecoderLayerActs(y1: take(n * d), mean1: take(n), rstd1: take(n), r1: take(n * d), qk: take(n * 2 * d), v: take(n * d),
                             probs1: take(b * h * t * t), ao1: take(n * d), s1: take(n * d), x1: take(n * d),
                             y2: take(n * d), mean2: take(n), rstd2: take(n), r2: take(n * d), q2: take(n * d),
                             k: take(b * s * d), vv: take(b * s * d), probs2: take(b * h * t * s), ao2: take(n * d), s2: take(n * d), x2: take(n * d),
                             y3: take(n * d), mean3: take(n), rstd3: take(n), h: take(n * f), g: take(n * f), s3: take(n * d), x3: take(n * d))
        }
        // Cross-attention K/V stay per layer in every mode: the sampler fills all of them before the decoder runs.
        let layers = (0..<l).map { j -> DecoderLayerActs in
            var a = decOne[training ? j : 0]
            if !training && j > 0 { a.k = take(b * s * d); a.vv = take(b * s * d) }
            return a
        }
        let out = take(n * p), dout = take(n * p)
        let attnScratch = take(training ? 2 * b * h * t * s : 1)
        var grad: BackwardScratch?
        if training {
            grad = BackwardScratch(
                dres: take(n * d), dsub: take(n * d), dao: take(n * d), dqk: take(n * 3 * d), dv: take(n * d), dr: take(n * d),
                dy: take(n * d), dg: take(n * f), dh: take(n * f),
                dK: take(b * s * d), dV: take(b * s * d), drmem: take(b * s * d), dmem: take(b * s * d), dmemPre: take(b * s * d),
                dfilm: take(l * 3 * b * 2 * d), dmc: take(b * d), dc: take(b * d), dth: take(b * 4 * d), dt1: take(b * 4 * d),
                dttok: take(b * 2 * d), dp2: take(b * d), dp1a: take(b * d), dp1: take(b * d), dpln: take(b * d), dpooled: take(b * d),
                dEnc: take(n * d), attn: take(2 * b * h * t * s))
        }
        return Parts(inputs: inputs, h0: h0, enc0: enc0, encoder: encoder, pool: pool, time: time, memory: memory,
                     layers: layers, out: out, dout: dout, attnScratch: attnScratch, grad: grad)
    }
}

/// Stand-in pointer for the sizing pass of `carve` (never dereferenced).
nonisolated(unsafe) private let dummyPointer = alignedFloats(16)
