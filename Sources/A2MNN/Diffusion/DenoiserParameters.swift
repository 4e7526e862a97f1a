import A2MCore

// Named parameter tensors of the FiLM-transformer denoiser. Names and shapes are exactly the torch reference's
// `state_dict()` (Tests/Reference/torch_denoiser.py, minus the rotary `inv` buffers), so a2m
// checkpoints load into that module with `load_state_dict(strict=False)` and vice versa.
// Linear weights are torch's [out, in]; nn.MultiheadAttention packs q, k, v projections in `in_proj_*`.

struct LinearParams { var w: Int; var b: Int; var inF: Int; var outF: Int }
struct NormParams { var g: Int; var b: Int }

struct EncoderLayerParams {
    var inProj: LinearParams      // [3d, d]
    var outProj: LinearParams
    var linear1: LinearParams
    var linear2: LinearParams
    var norm1: NormParams
    var norm2: NormParams
}

struct DecoderLayerParams {
    var saIn: LinearParams, saOut: LinearParams
    var caIn: LinearParams, caOut: LinearParams
    var ffn0: LinearParams, ffn3: LinearParams
    var n1: NormParams, n2: NormParams, n3: NormParams
    var film: [LinearParams]      // f1, f2, f3: Linear(d, 2d) after Mish
}

struct DenoiserParameters {
    var layout = TensorLayout()
    var inp: LinearParams!, cin: LinearParams!
    var encoder: [EncoderLayerParams] = []
    var t1: LinearParams!, t2: LinearParams!, ttok: LinearParams!
    var poolNorm: NormParams!, pool1: LinearParams!, pool3: LinearParams!
    var nm: NormParams!
    var nullTok = 0, nullHid = 0
    /// `null_frame` [1, d]: what a dropped row adds to every frame when `frameAlignedAudio` (nil otherwise). One
    /// vector for all frames, because "no audio" must carry no frame-to-frame variation (a per-frame null sequence
    /// made the unconditional branch tremble; docs/notes/2026-11-results-notebook.md, "Making the model use the audio").
    var nullFrame: Int?
    var layers: [DecoderLayerParams] = []
    var out: LinearParams!
    /// Offsets of tensors AdamW decays (2-D `.weight` matrices); biases, norms and null embeddings are not.
    var decayed: [TensorSpec] = []

    init(_ c: DenoiserConfig) {
        let d = c.width
        inp = linear("inp", c.motionDim, d)
        cin = linear("cin", c.audioDim, d)
        for i in 0..<c.encoderLayers {
            let p = "enc.layers.\(i)."
            encoder.append(EncoderLayerParams(
                inProj: packed(p + "self_attn.in_proj", d), outProj: linear(p + "self_attn.out_proj", d, d),
                linear1: linear(p + "linear1", d, c.ffn), linear2: linear(p + "linear2", c.ffn, d),
                norm1: norm(p + "norm1", d), norm2: norm(p + "norm2", d)))
        }
        t1 = linear("t1.0", d, 4 * d)
        t2 = linear("t2", 4 * d, d)
        ttok = linear("ttok", 4 * d, 2 * d)
        poolNorm = norm("pool.0", d)
        pool1 = linear("pool.1", d, d)
        pool3 = linear("pool.3", d, d)
        nm = norm("nm", d)
        nullTok = layout.add("null_tok", [1, c.windowFrames, d])
        nullHid = layout.add("null_hid", [1, d])
        if c.frameAlignedAudio { nullFrame = layout.add("null_frame", [1, d]) }
        for j in 0..<c.layers {
            let p = "layers.\(j)."
            layers.append(DecoderLayerParams(
                saIn: packed(p + "sa.in_proj", d), saOut: linear(p + "sa.out_proj", d, d),
                caIn: packed(p + "ca.in_proj", d), caOut: linear(p + "ca.out_proj", d, d),
                ffn0: linear(p + "ffn.0", d, c.ffn), ffn3: linear(p + "ffn.3", c.ffn, d),
                n1: norm(p + "n1", d), n2: norm(p + "n2", d), n3: norm(p + "n3", d),
                film: (1...3).map { linear(p + "f\($0).l.1", d, 2 * d) }))
        }
        out = linear("out", d, c.motionDim)
    }

    private mutating func linear(_ name: String, _ inF: Int, _ outF: Int) -> LinearParams {
        let w = layout.add(name + ".weight", [outF, inF])
        decayed.append(layout.specs.last!)
        let b = layout.add(name + ".bias", [outF])
        return LinearParams(w: w, b: b, inF: inF, outF: outF)
    }

    /// nn.MultiheadAttention's packed projection: `in_proj_weight` [3d, d], `in_proj_bias` [3d].
    private mutating func packed(_ name: String, _ d: Int) -> LinearParams {
        let w = layout.add(name + "_weight", [3 * d, d])
        decayed.append(layout.specs.last!)
        let b = layout.add(name + "_bias", [3 * d])
        return LinearParams(w: w, b: b, inF: d, outF: 3 * d)
    }

    private mutating func norm(_ name: String, _ d: Int) -> NormParams {
        NormParams(g: layout.add(name + ".weight", [d]), b: layout.add(name + ".bias", [d]))
    }

    /// torch's default initialization: Linear U(±1/√fan_in) for weight and bias; MHA in_proj Xavier-uniform,
    /// zero in_proj/out_proj biases; LayerNorm (1, 0); null embeddings N(0, 1) except `null_frame`, which starts at
    /// zero (an unconditioned row initially adds nothing to its frames).
    func initialize(_ arena: TensorArena, seed: UInt64) {
        var rng = PCG32.derived(seed: seed, purpose: .initialization)
        let base = arena.base
        func uniform(_ off: Int, _ n: Int, _ bound: Float) {
            for i in 0..<n { base[off + i] = (2 * rng.uniformFloat() - 1) * bound }
        }
        func lin(_ l: LinearParams, zeroBias: Bool = false) {
            let bound = 1 / Float(l.inF).squareRoot()
            uniform(l.w, l.inF * l.outF, bound)
            if zeroBias { (base + l.b).update(repeating: 0, count: l.outF) } else { uniform(l.b, l.outF, bound) }
        }
        func mha(_ l: LinearParams) {
            uniform(l.w, l.inF * l.outF, (6 / Float(l.inF + l.outF)).squareRoot())
            (base + l.b).update(repeating: 0, count: l.outF)
        }
        func nrm(_ n: NormParams, _ d: Int) {
            (base + n.g).update(repeating: 1, count: d)
            (base + n.b).update(repeating: 0, count: d)
        }
        let d = inp.outF
        lin(inp); lin(cin)
        for e in encoder { mha(e.inProj); lin(e.outProj, zeroBias: true); lin(e.linear1); lin(e.linear2); nrm(e.norm1, d); nrm(e.norm2, d) }
        lin(t1); lin(t2); lin(ttok); nrm(poolNorm, d); lin(pool1); lin(pool3); nrm(nm, d)
        let nt = layout.spec("null_tok")!.count
        for i in 0..<nt { base[nullTok + i] = rng.gaussian() }
        for i in 0..<d { base[nullHid + i] = rng.gaussian() }
        if let nf = nullFrame { (base + nf).update(repeating: 0, count: d) }
        for l in layers {
            mha(l.saIn); lin(l.saOut, zeroBias: true); mha(l.caIn); lin(l.caOut, zeroBias: true)
            lin(l.ffn0); lin(l.ffn3); nrm(l.n1, d); nrm(l.n2, d); nrm(l.n3, d)
            for f in l.film { lin(f) }
        }
        lin(out)
    }
}
