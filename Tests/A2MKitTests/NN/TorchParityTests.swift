import Testing
import Foundation
@testable import A2MNN

/// Forward numerics against torch 2.13.0+cpu (fixtures made by Fixtures/nn/make_fixtures.py).
@Suite struct TorchParityTests {
    /// Elementwise and normalization ops: a few float32 ulps.
    static let opTolerance: Float = 2e-6
    /// Composite blocks (projections, softmax, FiLM): sums of tens of products in float32.
    static let blockTolerance: Float = 1e-5
    /// The whole denoiser (2 encoder + 2 decoder layers).
    static let modelTolerance: Float = 1e-4

    static func fixture(_ name: String) throws -> SafetensorsFile {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Fixtures/nn"))
        return try SafetensorsFile(contentsOf: url)
    }

    static func maxDiff(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "\(a.count) vs \(b.count)")
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    @Test func layerNormGeluSiluMishTimestepRotary() throws {
        let f = try Self.fixture("ops")
        let x = Buf(try f.floats("ln_x")), w = Buf(try f.floats("ln_w")), b = Buf(try f.floats("ln_b"))
        let out = Buf(48), mean = Buf(4), rstd = Buf(4)
        layerNormForward(out: out.p, mean: mean.p, rstd: rstd.p, inp: x.p, gamma: w.p, beta: b.p, n: 4, c: 12)
        #expect(Self.maxDiff(out.array, try f.floats("ln_out")) < Self.opTolerance)

        let a = Buf(try f.floats("act_x")), y = Buf(a.n)
        geluForward(out: y.p, inp: a.p, count: a.n)
        #expect(Self.maxDiff(y.array, try f.floats("gelu_out")) < Self.opTolerance, "gelu")
        siluForward(out: y.p, inp: a.p, count: a.n)
        #expect(Self.maxDiff(y.array, try f.floats("silu_out")) < Self.opTolerance, "silu")
        mishForward(out: y.p, inp: a.p, count: a.n)
        #expect(Self.maxDiff(y.array, try f.floats("mish_out")) < Self.opTolerance, "mish")

        let te = Buf(4 * 16)
        timestepEmbedding(out: te.p, timesteps: try f.floats("temb_t").map { Int($0) }, c: 16)
        #expect(Self.maxDiff(te.array, try f.floats("temb_out")) < Self.blockTolerance, "timestep embedding")

        let r = Buf(try f.floats("rot_x")), ro = Buf(r.n)
        rotaryForward(out: ro.p, inp: r.p, table: RotaryTable(width: 8, positions: 5), b: 2, t: 5, c: 8)
        #expect(Self.maxDiff(ro.array, try f.floats("rot_out")) < Self.opTolerance, "rotary")
    }

    @Test func film() throws {
        let f = try Self.fixture("ops")
        let c = Buf(try f.floats("film_c")), mc = Buf(16), ss = Buf(32)
        mishForward(out: mc.p, inp: c.p, count: 16)
        let w = Buf(try f.floats("film_w")), b = Buf(try f.floats("film_b"))
        linearForward(out: ss.p, inp: mc.p, weight: w.p, bias: b.p, n: 2, c: 8, oc: 16)
        let x = Buf(try f.floats("film_x")), zeros = Buf(x.n), out = Buf(x.n)
        filmResidualForward(out: out.p, x: zeros.p, sub: x.p, film: ss.p, b: 2, t: 5, c: 8)
        #expect(Self.maxDiff(out.array, try f.floats("film_out")) < Self.blockTolerance)
    }

    /// torch's nn.MultiheadAttention (packed in_proj, 2 heads, key_padding_mask) with the reference's
    /// rotary placement, composed from a2m's ops.
    @Test(arguments: ["sa", "ca"]) func attentionBlock(_ which: String) throws {
        let f = try Self.fixture("ops")
        let d = 8, b = 2, t = 5, s = which == "sa" ? 5 : 7
        let rot = RotaryTable(width: d, positions: 8)
        let y = Buf(try f.floats(which + "_y")), mem = which == "sa" ? y : Buf(try f.floats("ca_mem"))
        let mask = Buf(try f.floats(which + "_mask"))
        let inW = Buf(try f.floats(which + "_in_w")), inB = Buf(try f.floats(which + "_in_b"))
        let outW = Buf(try f.floats(which + "_out_w")), outB = Buf(try f.floats(which + "_out_b"))
        let ry = Buf(b * t * d), rm = Buf(b * s * d)
        rotaryForward(out: ry.p, inp: y.p, table: rot, b: b, t: t, c: d)
        rotaryForward(out: rm.p, inp: mem.p, table: rot, b: b, t: s, c: d)
        let q = Buf(b * t * d), k = Buf(b * s * d), v = Buf(b * s * d)
        linearForward(out: q.p, inp: ry.p, weight: inW.p, bias: inB.p, n: b * t, c: d, oc: d)
        linearForward(out: k.p, inp: rm.p, weight: inW.p + d * d, bias: inB.p + d, n: b * s, c: d, oc: d)
        linearForward(out: v.p, inp: mem.p, weight: inW.p + 2 * d * d, bias: inB.p + 2 * d, n: b * s, c: d, oc: d)
        let sh = AttentionShape(b: b, h: 2, t: t, s: s, hd: 4, ldq: d, ldk: d, ldv: d, ldo: d)
        let ao = Buf(b * t * d), probs = Buf(sh.probsCount), out = Buf(b * t * d)
        attentionForward(out: ao.p, probs: probs.p, q: q.p, k: k.p, v: v.p, keyMask: mask.p, shape: sh, dropout: DropoutMask(p: 0, key: 0), scratch: nil)
        linearForward(out: out.p, inp: ao.p, weight: outW.p, bias: outB.p, n: b * t, c: d, oc: d)
        let diff = Self.maxDiff(out.array, try f.floats(which + "_out"))
        #expect(diff < Self.blockTolerance, "\(which): max diff \(diff)")
    }

    /// The whole reference denoiser: its torch state_dict loads by name, and both the sampler path
    /// (encodeAudio + predictX0) and the training forward reproduce its eval-mode output.
    @Test func wholeDenoiserMatchesTorchReference() throws {
        let url = try #require(Bundle.module.url(forResource: "denoiser_weights", withExtension: "safetensors", subdirectory: "Fixtures/nn"))
        let (m, _) = try Denoiser.load(contentsOf: url)
        let io = try Self.fixture("denoiser_io")
        let x = try io.floats("x"), mel = try io.floats("mel"), want = try io.floats("out")
        let t = try io.floats("t").map { Int($0) }, keep = try io.floats("keep").map { $0 != 0 }
        let ctx = try m.encodeAudio(mel, clips: 3, frames: 6)
        let rows = keep.enumerated().map { DenoiserRow(clip: $0.offset, conditioned: $0.element) }
        let got = try m.predictX0(x: x, timesteps: t, rows: rows, context: ctx, frames: 6)
        let diff = Self.maxDiff(got, want)
        #expect(diff < Self.modelTolerance, "predictX0 vs torch: max diff \(diff)")
        _ = try m.forward(DenoiserBatch(rows: 3, frames: 6, noisy: x, timesteps: t, audio: mel, keep: keep, target: x), training: false)
        let train = Array(UnsafeBufferPointer(start: m.trainActs!.out, count: want.count))
        let diff2 = Self.maxDiff(train, want)
        #expect(diff2 < Self.modelTolerance, "training forward vs torch: max diff \(diff2)")
    }
}
