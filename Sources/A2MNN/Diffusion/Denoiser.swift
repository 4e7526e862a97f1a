import A2MCore
import Foundation

/// The FiLM-transformer denoiser (docs/design.md §3), architecture identical to the torch reference
/// Tests/Reference/torch_denoiser.py, hand-written forward and backward on OpenBLAS.
///
/// Legend: B rows, T frames, N = B·T, S = T + 2 memory tokens, d width, F ffn, H heads, P motionDim,
/// M audioDim, L decoder layers, Bk rows whose audio is kept (the rest use the null embeddings).
///
/// Differences from the reference, all measured-neutral for an all-ones mask: an optional frame mask is a
/// key-padding mask in every attention, a masked mean in pooling and a loss mask; the audio encoder and pool
/// MLP run only on kept rows (the reference computes dropped rows and throws them away — same outputs and
/// gradients, less work); dropout masks come from a counter-based hash, not torch's generator.
public final class Denoiser {
    public let config: DenoiserConfig
    let p: DenoiserParameters
    /// All weights, one arena with named views (torch state_dict names).
    public let parameters: TensorArena
    /// Gradients, same layout as `parameters`: one contiguous buffer, summed over data-parallel ranks by one
    /// MPI_Allreduce per step together with `gradientSpare` floats after it (`Trainer`).
    public private(set) lazy var gradients = TensorArena(layout: p.layout, spare: Denoiser.gradientSpare)
    /// Floats after the gradients that travel with them (the step's loss terms and the stop flag).
    public static let gradientSpare = 16
    let rotary: RotaryTable
    var dropoutRNG: PCG32
    var stepKey: UInt64 = 0
    var dropoutActive = false
    var trainActs: DenoiserActivations?
    /// One per `parallelParts` part of `predictX0`.
    var inferActs: [DenoiserActivations] = []
    var encodeActs: DenoiserActivations?
    var nullActs: DenoiserActivations?
    // State of the last training forward, read by `backward()`.
    var kept: [Int] = []
    var dropped: [Int] = []
    var lastHasMask = false
    var forwardDone = false
    /// Tests pin the dropout masks across repeated forwards (gradient checks).
    var fixedDropoutKey: UInt64?
    /// Called by `backward()` with each span of the gradient arena (float offsets, `gradientSpans.during`, in that
    /// order) as soon as backward has finished writing it, so a data-parallel trainer can start summing it over the
    /// ranks while backward goes on. Runs on the backward's thread; it must not touch the span's values itself.
    package var onGradientSpanDone: ((Range<Int>) -> Void)?
    /// Rows (and kept rows) of the whole batch before this call's rows, when a batch is split over data-parallel
    /// ranks: dropout masks are indexed as if the whole batch ran here (`dropout(_:rowElements:encoder:)`).
    var shardRowOffset = 0, shardKeptOffset = 0

    /// A fresh model with torch-default initialization from `seed`; dropout masks use the `.dropout` stream of
    /// (seed, rank).
    public init(config: DenoiserConfig, seed: UInt64 = 0, rank: Int = 0) throws {
        try config.validate()
        self.config = config
        p = DenoiserParameters(config)
        parameters = TensorArena(layout: p.layout)
        rotary = RotaryTable(width: config.width, positions: config.windowFrames + 2)
        dropoutRNG = PCG32.derived(seed: seed, purpose: .dropout, rank: rank)
        p.initialize(parameters, seed: seed)
    }

    package var layout: TensorLayout { p.layout }

    /// The gradient arena in spans, by when backward finishes them: `during` backward, the output layer's, then
    /// each decoder layer's, last layer first (without its FiLM linears, whose gradient comes from the shared
    /// conditioning after all layers); `after`, the rest (input layer, conditioning, encoder, null embeddings, FiLM),
    /// final when `backward()` returns. Together they cover 0..<`parameterCount` once.
    package var gradientSpans: (during: [Range<Int>], after: [Range<Int>]) {
        let n = p.layout.count
        let during = [p.out.w..<n] + p.layers.reversed().map { $0.saIn.w..<$0.film[0].w }
        var after: [Range<Int>] = [], at = 0
        for r in during.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if at < r.lowerBound { after.append(at..<r.lowerBound) }
            at = r.upperBound
        }
        if at < n { after.append(at..<n) }
        return (during, after)
    }
    public var parameterCount: Int { p.layout.parameterCount }
    /// Tensors AdamW applies weight decay to (2-D weight matrices).
    var decayedTensors: [TensorSpec] { p.decayed }

    /// Reseeds the dropout stream (e.g. when resuming training).
    package func setDropoutStream(_ rng: PCG32) { dropoutRNG = rng }
    package var dropoutStream: PCG32 { dropoutRNG }

    // MARK: - Parameter access

    @inline(__always) var W: FPtr { parameters.base }
    @inline(__always) var G: FPtr { gradients.base }

    @inline(__always)
    func linear(_ out: FPtr, _ inp: FPtr, _ l: LinearParams, rows: Int, outOffset: Int = 0, outCount: Int? = nil) {
        linearForward(out: out, inp: inp, weight: W + l.w + outOffset * l.inF, bias: W + l.b + outOffset,
                      n: rows, c: l.inF, oc: outCount ?? l.outF)
    }

    @inline(__always)
    func linearGrad(_ dinp: FPtr?, _ dout: FPtr, _ inp: FPtr, _ l: LinearParams, rows: Int, outOffset: Int = 0, outCount: Int? = nil) {
        linearBackward(dinp: dinp, dweight: G + l.w + outOffset * l.inF, dbias: G + l.b + outOffset, dout: dout, inp: inp,
                       weight: W + l.w + outOffset * l.inF, n: rows, c: l.inF, oc: outCount ?? l.outF)
    }

    /// The mask of dropout site `site`, whose buffer holds `rowElements` elements per batch row (per kept row for
    /// the `encoder`'s sites). A mask hashes (key, element index), and key + i·φ hashes element i + 1 of key
    /// (`DropoutMask.factor`), so shifting the key by the elements of the rows before this shard gives each row
    /// the mask it has when the whole batch runs in one call.
    func dropout(_ site: Int, rowElements: Int, encoder: Bool = false) -> DropoutMask {
        guard dropoutActive, config.dropout > 0 else { return DropoutMask(p: 0, key: 0) }
        var z = stepKey &+ UInt64(site) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        let offset = UInt64((encoder ? shardKeptOffset : shardRowOffset) * rowElements)
        return DropoutMask(p: config.dropout, key: (z ^ (z >> 31)) &+ offset &* 0x9E37_79B9_7F4A_7C15)
    }

    // MARK: - Audio encoder (rows `b`, input a.encMel [b·T, M], output pointer [b·T, d])

    func encoderForward(_ a: DenoiserActivations, rows b: Int, mask: FPtr?) -> FPtr {
        let d = config.width, t = a.t, n = b * t, f = config.ffn
        linear(a.enc0, a.encMel, p.cin, rows: n)
        var x = a.enc0
        for (i, (lp, e)) in zip(p.encoder, a.encoder).enumerated() {
            layerNormForward(out: e.ln1, mean: e.mean1, rstd: e.rstd1, inp: x, gamma: W + lp.norm1.g, beta: W + lp.norm1.b, n: n, c: d)
            linear(e.qkv, e.ln1, lp.inProj, rows: n)
            let sh = AttentionShape(b: b, h: config.heads, t: t, s: t, hd: d / config.heads, ldq: 3 * d, ldk: 3 * d, ldv: 3 * d, ldo: d)
            attentionForward(out: e.ao, probs: e.probs, q: e.qkv, k: e.qkv + d, v: e.qkv + 2 * d, keyMask: mask, shape: sh,
                             dropout: dropout(100 + 4 * i, rowElements: config.heads * t * t, encoder: true), scratch: a.attnScratch)
            linear(e.s, e.ao, lp.outProj, rows: n)
            dropoutApply(e.s, count: n * d, mask: dropout(101 + 4 * i, rowElements: t * d, encoder: true))
            addInto(e.x1, x, e.s, n * d)
            layerNormForward(out: e.ln2, mean: e.mean2, rstd: e.rstd2, inp: e.x1, gamma: W + lp.norm2.g, beta: W + lp.norm2.b, n: n, c: d)
            linear(e.h, e.ln2, lp.linear1, rows: n)
            geluForward(out: e.g, inp: e.h, count: n * f)
            dropoutApply(e.g, count: n * f, mask: dropout(102 + 4 * i, rowElements: t * f, encoder: true))
            linear(e.s2, e.g, lp.linear2, rows: n)
            dropoutApply(e.s2, count: n * d, mask: dropout(103 + 4 * i, rowElements: t * d, encoder: true))
            addInto(e.out, e.x1, e.s2, n * d)
            x = e.out
        }
        return x
    }

    /// dEnc [b·T, d] is the gradient of the encoder output; consumed (used as residual gradient).
    func encoderBackward(_ a: DenoiserActivations, rows b: Int, mask: FPtr?, dEnc: FPtr) {
        guard let g = a.grad else { return }
        let d = config.width, t = a.t, n = b * t, f = config.ffn
        let dres = dEnc
        for i in stride(from: p.encoder.count - 1, through: 0, by: -1) {
            let lp = p.encoder[i], e = a.encoder[i]
            let xin = i == 0 ? a.enc0 : a.encoder[i - 1].out
            // x_out = x1 + drop(linear2(drop(gelu(linear1(ln2(x1))))))
            dropoutForward(out: g.dsub, inp: dres, count: n * d, mask: dropout(103 + 4 * i, rowElements: t * d, encoder: true))
            zero(g.dg, n * f)
            linearGrad(g.dg, g.dsub, e.g, lp.linear2, rows: n)
            dropoutApply(g.dg, count: n * f, mask: dropout(102 + 4 * i, rowElements: t * f, encoder: true))
            zero(g.dh, n * f)
            geluBackward(dinp: g.dh, inp: e.h, dout: g.dg, count: n * f)
            zero(g.dy, n * d)
            linearGrad(g.dy, g.dh, e.ln2, lp.linear1, rows: n)
            layerNormBackward(dinp: dres, dgamma: G + lp.norm2.g, dbeta: G + lp.norm2.b, dout: g.dy, inp: e.x1,
                              gamma: W + lp.norm2.g, mean: e.mean2, rstd: e.rstd2, n: n, c: d)
            // x1 = x + drop(out_proj(attn(ln1(x))))
            dropoutForward(out: g.dsub, inp: dres, count: n * d, mask: dropout(101 + 4 * i, rowElements: t * d, encoder: true))
            zero(g.dao, n * d)
            linearGrad(g.dao, g.dsub, e.ao, lp.outProj, rows: n)
            zero(g.dqk, n * 3 * d)
            let sh = AttentionShape(b: b, h: config.heads, t: t, s: t, hd: d / config.heads, ldq: 3 * d, ldk: 3 * d, ldv: 3 * d, ldo: d)
            attentionBackward(dq: g.dqk, dk: g.dqk + d, dv: g.dqk + 2 * d, dout: g.dao, probs: e.probs, q: e.qkv, k: e.qkv + d,
                              v: e.qkv + 2 * d, shape: sh, dropout: dropout(100 + 4 * i, rowElements: config.heads * t * t, encoder: true), scratch: g.attn)
            zero(g.dy, n * d)
            linearGrad(g.dy, g.dqk, e.ln1, lp.inProj, rows: n)
            layerNormBackward(dinp: dres, dgamma: G + lp.norm1.g, dbeta: G + lp.norm1.b, dout: g.dy, inp: xin,
                              gamma: W + lp.norm1.g, mean: e.mean1, rstd: e.rstd1, n: n, c: d)
        }
        linearGrad(nil, dres, a.encMel, p.cin, rows: n)
    }

    // MARK: - Decoder (x = a.h0 → a.out). Cross-attention K, V per layer must be in a.layers[j].k / .vv.

    func decoderForward(_ a: DenoiserActivations, selfMask: FPtr?, crossMask: FPtr?) {
        let d = config.width, t = a.t, b = a.b, n = b * t, f = config.ffn, s = t + 2
        let hd = d / config.heads
        var x = a.h0
        for (j, (lp, l)) in zip(p.layers, a.layers).enumerated() {
            let film = a.film + j * 3 * b * 2 * d
            // Self-attention: q = k = rot(y1), v = y1.
            layerNormForward(out: l.y1, mean: l.mean1, rstd: l.rstd1, inp: x, gamma: W + lp.n1.g, beta: W + lp.n1.b, n: n, c: d)
            rotaryForward(out: l.r1, inp: l.y1, table: rotary, b: b, t: t, c: d)
            linear(l.qk, l.r1, lp.saIn, rows: n, outCount: 2 * d)
            linear(l.v, l.y1, lp.saIn, rows: n, outOffset: 2 * d, outCount: d)
            let sh1 = AttentionShape(b: b, h: config.heads, t: t, s: t, hd: hd, ldq: 2 * d, ldk: 2 * d, ldv: d, ldo: d)
            attentionForward(out: l.ao1, probs: l.probs1, q: l.qk, k: l.qk + d, v: l.v, keyMask: selfMask, shape: sh1,
                             dropout: dropout(1000 + 3 * j, rowElements: config.heads * t * t), scratch: a.attnScratch)
            linear(l.s1, l.ao1, lp.saOut, rows: n)
            filmResidualForward(out: l.x1, x: x, sub: l.s1, film: film, b: b, t: t, c: d)
            // Cross-attention: q = rot(y2), k = rot(mem), v = mem.
            layerNormForward(out: l.y2, mean: l.mean2, rstd: l.rstd2, inp: l.x1, gamma: W + lp.n2.g, beta: W + lp.n2.b, n: n, c: d)
            rotaryForward(out: l.r2, inp: l.y2, table: rotary, b: b, t: t, c: d)
            linear(l.q2, l.r2, lp.caIn, rows: n, outCount: d)
            let sh2 = AttentionShape(b: b, h: config.heads, t: t, s: s, hd: hd, ldq: d, ldk: d, ldv: d, ldo: d)
            attentionForward(out: l.ao2, probs: l.probs2, q: l.q2, k: l.k, v: l.vv, keyMask: crossMask, shape: sh2,
                             dropout: dropout(1001 + 3 * j, rowElements: config.heads * t * s), scratch: a.attnScratch)
            linear(l.s2, l.ao2, lp.caOut, rows: n)
            filmResidualForward(out: l.x2, x: l.x1, sub: l.s2, film: film + b * 2 * d, b: b, t: t, c: d)
            // Feed-forward.
            layerNormForward(out: l.y3, mean: l.mean3, rstd: l.rstd3, inp: l.x2, gamma: W + lp.n3.g, beta: W + lp.n3.b, n: n, c: d)
            linear(l.h, l.y3, lp.ffn0, rows: n)
            geluForward(out: l.g, inp: l.h, count: n * f)
            dropoutApply(l.g, count: n * f, mask: dropout(1002 + 3 * j, rowElements: t * f))
            linear(l.s3, l.g, lp.ffn3, rows: n)
            filmResidualForward(out: l.x3, x: l.x2, sub: l.s3, film: film + 2 * b * 2 * d, b: b, t: t, c: d)
            x = l.x3
        }
        linear(a.out, x, p.out, rows: n)
    }

    /// From a.dout to: film gradients (g.dfilm), memory gradients (g.drmem, g.dmem), and parameter grads.
    func decoderBackward(_ a: DenoiserActivations) {
        guard let g = a.grad else { return }
        let d = config.width, t = a.t, b = a.b, n = b * t, f = config.ffn, s = t + 2
        let hd = d / config.heads
        let dres = g.dres
        // Scratch gradients are written with += below, so every one of them starts each backward at zero.
        zero(dres, n * d); zero(g.drmem, b * s * d); zero(g.dmem, b * s * d); zero(g.dfilm, p.layers.count * 3 * b * 2 * d)
        linearGrad(dres, a.dout, a.layers.last?.x3 ?? a.h0, p.out, rows: n)
        let spans = onGradientSpanDone == nil ? [] : gradientSpans.during
        onGradientSpanDone?(spans[0])
        for j in stride(from: p.layers.count - 1, through: 0, by: -1) {
            let lp = p.layers[j], l = a.layers[j]
            let xin = j == 0 ? a.h0 : a.layers[j - 1].x3
            let film = a.film + j * 3 * b * 2 * d, dfilm = g.dfilm + j * 3 * b * 2 * d
            // Feed-forward.
            zero(g.dsub, n * d)
            filmResidualBackward(dx: nil, dsub: g.dsub, dfilm: dfilm + 2 * b * 2 * d, dout: dres, sub: l.s3, film: film + 2 * b * 2 * d, b: b, t: t, c: d)
            zero(g.dg, n * f)
            linearGrad(g.dg, g.dsub, l.g, lp.ffn3, rows: n)
            dropoutApply(g.dg, count: n * f, mask: dropout(1002 + 3 * j, rowElements: t * f))
            zero(g.dh, n * f)
            geluBackward(dinp: g.dh, inp: l.h, dout: g.dg, count: n * f)
            zero(g.dy, n * d)
            linearGrad(g.dy, g.dh, l.y3, lp.ffn0, rows: n)
            layerNormBackward(dinp: dres, dgamma: G + lp.n3.g, dbeta: G + lp.n3.b, dout: g.dy, inp: l.x2, gamma: W + lp.n3.g,
                              mean: l.mean3, rstd: l.rstd3, n: n, c: d)
            // Cross-attention.
            zero(g.dsub, n * d)
            filmResidualBackward(dx: nil, dsub: g.dsub, dfilm: dfilm + b * 2 * d, dout: dres, sub: l.s2, film: film + b * 2 * d, b: b, t: t, c: d)
            zero(g.dao, n * d)
            linearGrad(g.dao, g.dsub, l.ao2, lp.caOut, rows: n)
            zero(g.dqk, n * d); zero(g.dK, b * s * d); zero(g.dV, b * s * d)
            let sh2 = AttentionShape(b: b, h: config.heads, t: t, s: s, hd: hd, ldq: d, ldk: d, ldv: d, ldo: d)
            attentionBackward(dq: g.dqk, dk: g.dK, dv: g.dV, dout: g.dao, probs: l.probs2, q: l.q2, k: l.k, v: l.vv, shape: sh2,
                              dropout: dropout(1001 + 3 * j, rowElements: config.heads * t * s), scratch: g.attn)
            linearGrad(g.drmem, g.dK, a.rmem, lp.caIn, rows: b * s, outOffset: d, outCount: d)
            linearGrad(g.dmem, g.dV, a.mem, lp.caIn, rows: b * s, outOffset: 2 * d, outCount: d)
            zero(g.dr, n * d)
            linearGrad(g.dr, g.dqk, l.r2, lp.caIn, rows: n, outCount: d)
            zero(g.dy, n * d)
            rotaryBackward(dinp: g.dy, dout: g.dr, table: rotary, b: b, t: t, c: d)
            layerNormBackward(dinp: dres, dgamma: G + lp.n2.g, dbeta: G + lp.n2.b, dout: g.dy, inp: l.x1, gamma: W + lp.n2.g,
                              mean: l.mean2, rstd: l.rstd2, n: n, c: d)
            // Self-attention.
            zero(g.dsub, n * d)
            filmResidualBackward(dx: nil, dsub: g.dsub, dfilm: dfilm, dout: dres, sub: l.s1, film: film, b: b, t: t, c: d)
            zero(g.dao, n * d)
            linearGrad(g.dao, g.dsub, l.ao1, lp.saOut, rows: n)
            zero(g.dqk, n * 2 * d); zero(g.dv, n * d)
            let sh1 = AttentionShape(b: b, h: config.heads, t: t, s: t, hd: hd, ldq: 2 * d, ldk: 2 * d, ldv: d, ldo: d)
            attentionBackward(dq: g.dqk, dk: g.dqk + d, dv: g.dv, dout: g.dao, probs: l.probs1, q: l.qk, k: l.qk + d, v: l.v,
                              shape: sh1, dropout: dropout(1000 + 3 * j, rowElements: config.heads * t * t), scratch: g.attn)
            zero(g.dr, n * d)
            linearGrad(g.dr, g.dqk, l.r1, lp.saIn, rows: n, outCount: 2 * d)
            zero(g.dy, n * d)
            linearGrad(g.dy, g.dv, l.y1, lp.saIn, rows: n, outOffset: 2 * d, outCount: d)
            rotaryBackward(dinp: g.dy, dout: g.dr, table: rotary, b: b, t: t, c: d)
            layerNormBackward(dinp: dres, dgamma: G + lp.n1.g, dbeta: G + lp.n1.b, dout: g.dy, inp: xin, gamma: W + lp.n1.g,
                              mean: l.mean1, rstd: l.rstd1, n: n, c: d)
            onGradientSpanDone?(spans[p.layers.count - j])
        }
        linearGrad(nil, dres, a.x, p.inp, rows: n)
    }
}

@inline(__always) func zero(_ p: FPtr, _ n: Int) { p.update(repeating: 0, count: n) }

/// out = a + b elementwise.
func addInto(_ out: FPtr, _ a: FPtr, _ b: FPtr, _ n: Int) {
    let o = SendableBuffer(out, count: n), x = SendableBuffer(a, count: n), y = SendableBuffer(b, count: n)
    parallelElementwise(n) { range in
        var i = range.lowerBound
        while i < range.upperBound {
            let m = range.upperBound - i
            store8(load8(x.base + i, m) + load8(y.base + i, m), o.base + i, m); i += 8
        }
    }
}
