import Testing
import Foundation
@testable import A2MCore
@testable import A2MNN

/// One central-difference gradient check per op on tiny shapes (every differentiable op of the denoiser).
@Suite struct OpGradientTests {
    @Test func linear() {
        var rng = PCG32(seed: 1)
        let n = 5, c = 7, oc = 4
        let x = Buf(random: n * c, rng: &rng), w = Buf(random: oc * c, rng: &rng), b = Buf(random: oc, rng: &rng)
        let out = Buf(n * oc), wt = Buf(random: n * oc, rng: &rng)
        let dx = Buf(n * c), dw = Buf(oc * c), db = Buf(oc)
        linearForward(out: out.p, inp: x.p, weight: w.p, bias: b.p, n: n, c: c, oc: oc)
        linearBackward(dinp: dx.p, dweight: dw.p, dbias: db.p, dout: wt.p, inp: x.p, weight: w.p, n: n, c: c, oc: oc)
        let r = gradCheck([GradProbe(name: "x", values: x.p, grads: dx.p, count: x.n), GradProbe(name: "w", values: w.p, grads: dw.p, count: w.n),
                           GradProbe(name: "b", values: b.p, grads: db.p, count: b.n)]) {
            linearForward(out: out.p, inp: x.p, weight: w.p, bias: b.p, n: n, c: c, oc: oc)
            return weighted(out.p, wt)
        }
        #expect(r.maxError < GradTolerance.op, "\(r)")
    }

    @Test func layerNorm() {
        var rng = PCG32(seed: 2)
        let n = 4, c = 11
        let x = Buf(random: n * c, rng: &rng, scale: 2), g = Buf(random: c, rng: &rng), b = Buf(random: c, rng: &rng)
        let out = Buf(n * c), mean = Buf(n), rstd = Buf(n), wt = Buf(random: n * c, rng: &rng)
        let dx = Buf(n * c), dg = Buf(c), db = Buf(c)
        layerNormForward(out: out.p, mean: mean.p, rstd: rstd.p, inp: x.p, gamma: g.p, beta: b.p, n: n, c: c)
        layerNormBackward(dinp: dx.p, dgamma: dg.p, dbeta: db.p, dout: wt.p, inp: x.p, gamma: g.p, mean: mean.p, rstd: rstd.p, n: n, c: c)
        let r = gradCheck([GradProbe(name: "x", values: x.p, grads: dx.p, count: x.n), GradProbe(name: "gamma", values: g.p, grads: dg.p, count: c),
                           GradProbe(name: "beta", values: b.p, grads: db.p, count: c)], samples: 12) {
            layerNormForward(out: out.p, mean: mean.p, rstd: rstd.p, inp: x.p, gamma: g.p, beta: b.p, n: n, c: c)
            return weighted(out.p, wt)
        }
        #expect(r.maxError < GradTolerance.op, "\(r)")
    }

    /// Elementwise activations, checked over [-4, 4] (further out GELU's 1 + erf(x/√2) cancels in Float and the finite difference is noise).
    @Test(arguments: ["gelu", "silu", "mish"]) func activation(_ which: String) {
        var rng = PCG32(seed: 3)
        let n = 37
        let x = Buf((0..<n).map { _ in (rng.uniformFloat() - 0.5) * 8 })
        let out = Buf(n), wt = Buf(random: n, rng: &rng), dx = Buf(n)
        func fwd() {
            switch which {
            case "gelu": geluForward(out: out.p, inp: x.p, count: n)
            case "silu": siluForward(out: out.p, inp: x.p, count: n)
            default: mishForward(out: out.p, inp: x.p, count: n)
            }
        }
        fwd()
        switch which {
        case "gelu": geluBackward(dinp: dx.p, inp: x.p, dout: wt.p, count: n)
        case "silu": siluBackward(dinp: dx.p, inp: x.p, dout: wt.p, count: n)
        default: mishBackward(dinp: dx.p, inp: x.p, dout: wt.p, count: n)
        }
        // Floor 3e-3: in GELU's tails the Float output rounding (~1e-7) over 2h = 0.02 gives ~1e-5 of absolute noise.
        let r = gradCheck([GradProbe(name: which, values: x.p, grads: dx.p, count: n)], samples: n, floor: 3e-3) { fwd(); return weighted(out.p, wt) }
        #expect(r.maxError < GradTolerance.op, "\(r)")
    }

    @Test func rotary() {
        var rng = PCG32(seed: 4)
        let b = 2, t = 5, c = 8
        let table = RotaryTable(width: c, positions: 9)
        let x = Buf(random: b * t * c, rng: &rng), out = Buf(b * t * c), wt = Buf(random: b * t * c, rng: &rng), dx = Buf(b * t * c)
        rotaryForward(out: out.p, inp: x.p, table: table, b: b, t: t, c: c, firstPosition: 2)
        rotaryBackward(dinp: dx.p, dout: wt.p, table: table, b: b, t: t, c: c, firstPosition: 2)
        let r = gradCheck([GradProbe(name: "x", values: x.p, grads: dx.p, count: x.n)], samples: 20) {
            rotaryForward(out: out.p, inp: x.p, table: table, b: b, t: t, c: c, firstPosition: 2)
            return weighted(out.p, wt)
        }
        #expect(r.maxError < GradTolerance.op, "\(r)")
    }

    /// Self (T = S) and cross (T ≠ S) attention, with a key-padding mask and attention dropout.
    @Test(arguments: [(4, 4, false), (4, 6, true), (5, 7, false)]) func attention(_ t: Int, _ s: Int, _ drop: Bool) {
        var rng = PCG32(seed: 5)
        let b = 2, h = 2, hd = 3, d = h * hd
        let q = Buf(random: b * t * d, rng: &rng), k = Buf(random: b * s * d, rng: &rng), v = Buf(random: b * s * d, rng: &rng)
        let mask = Buf((0..<(b * s)).map { $0 == s - 1 || $0 == s + 1 ? 0 : 1 })
        let sh = AttentionShape(b: b, h: h, t: t, s: s, hd: hd, ldq: d, ldk: d, ldv: d, ldo: d)
        let out = Buf(b * t * d), probs = Buf(sh.probsCount), scratch = Buf(2 * sh.probsCount)
        let wt = Buf(random: b * t * d, rng: &rng)
        let dq = Buf(q.n), dk = Buf(k.n), dv = Buf(v.n)
        let dm = DropoutMask(p: drop ? 0.3 : 0, key: 77)
        attentionForward(out: out.p, probs: probs.p, q: q.p, k: k.p, v: v.p, keyMask: mask.p, shape: sh, dropout: dm, scratch: scratch.p)
        attentionBackward(dq: dq.p, dk: dk.p, dv: dv.p, dout: wt.p, probs: probs.p, q: q.p, k: k.p, v: v.p, shape: sh, dropout: dm, scratch: scratch.p)
        let r = gradCheck([GradProbe(name: "q", values: q.p, grads: dq.p, count: q.n), GradProbe(name: "k", values: k.p, grads: dk.p, count: k.n),
                           GradProbe(name: "v", values: v.p, grads: dv.p, count: v.n)], samples: 16) {
            attentionForward(out: out.p, probs: probs.p, q: q.p, k: k.p, v: v.p, keyMask: mask.p, shape: sh, dropout: dm, scratch: scratch.p)
            return weighted(out.p, wt)
        }
        #expect(r.maxError < GradTolerance.op, "\(r)")
        // Masked keys get no gradient and have no influence.
        for i in 0..<hd { #expect(dk.p[(s - 1) * d + i] == 0 && dv.p[(s - 1) * d + i] == 0) }
    }

    @Test func filmResidual() {
        var rng = PCG32(seed: 6)
        let b = 2, t = 3, c = 9
        let x = Buf(random: b * t * c, rng: &rng), sub = Buf(random: b * t * c, rng: &rng), film = Buf(random: b * 2 * c, rng: &rng)
        let out = Buf(b * t * c), wt = Buf(random: b * t * c, rng: &rng)
        let dsub = Buf(sub.n), dfilm = Buf(film.n), dx = Buf(x.n)
        filmResidualForward(out: out.p, x: x.p, sub: sub.p, film: film.p, b: b, t: t, c: c)
        filmResidualBackward(dx: dx.p, dsub: dsub.p, dfilm: dfilm.p, dout: wt.p, sub: sub.p, film: film.p, b: b, t: t, c: c)
        let r = gradCheck([GradProbe(name: "x", values: x.p, grads: dx.p, count: x.n), GradProbe(name: "sub", values: sub.p, grads: dsub.p, count: sub.n),
                           GradProbe(name: "film", values: film.p, grads: dfilm.p, count: film.n)], samples: 16) {
            filmResidualForward(out: out.p, x: x.p, sub: sub.p, film: film.p, b: b, t: t, c: c)
            return weighted(out.p, wt)
        }
        #expect(r.maxError < GradTolerance.op, "\(r)")
    }

    /// Interior, edges and a padded tail (padding neither receives nor contributes).
    @Test(arguments: [(false, 2), (true, 2), (false, 4), (true, 4)]) func temporalSmooth(_ masked: Bool, _ radius: Int) {
        var rng = PCG32(seed: 12)
        let t = 7, c = 3, smooth = TemporalSmooth(radius: radius)
        let x = Buf(random: t * c, rng: &rng), out = Buf(t * c), wt = Buf(random: t * c, rng: &rng), dx = Buf(t * c)
        let mask = Buf((0..<t).map { masked && $0 >= 5 ? 0 : 1 })
        let m: FPtr? = masked ? mask.p : nil
        temporalSmoothBackward(smooth, dinp: dx.p, dout: wt.p, mask: m, t: t, c: c)
        let r = gradCheck([GradProbe(name: "x", values: x.p, grads: dx.p, count: x.n)], samples: t * c) {
            out.p.update(repeating: 0, count: t * c)
            temporalSmoothForward(smooth, out: out.p, inp: x.p, mask: m, t: t, c: c)
            return weighted(out.p, wt)
        }
        #expect(r.maxError < GradTolerance.op, "\(r)")
        // A constant passes unchanged through every valid frame (weights renormalized at edges and padding).
        let ones = Buf([Float](repeating: 1, count: t * c))
        out.p.update(repeating: 0, count: t * c)
        temporalSmoothForward(smooth, out: out.p, inp: ones.p, mask: m, t: t, c: c)
        for i in 0..<t { #expect(abs(out.p[i * c] - (masked && i >= 5 ? 0 : 1)) < 1e-6, "frame \(i): \(out.p[i * c])") }
        if masked { #expect((5 * c..<t * c).allSatisfy { dx.p[$0] == 0 }, "padding got gradient") }
    }

    /// Taps are Pascal's row 2r (r = 2 is the fixed kernel earlier models were trained with); an interior
    /// sinusoid of frequency f comes out scaled by the binomial's response cos^(2r)(π·f/fps), and r = 0 is the identity.
    @Test(arguments: [0, 2, 6]) func temporalSmoothIsTheBinomialLowPass(_ radius: Int) {
        let smooth = TemporalSmooth(radius: radius)
        #expect(smooth.taps.count == 2 * radius + 1)
        if radius == 2 { #expect(smooth.taps == [1, 4, 6, 4, 1]) }
        if radius == 6 { #expect(smooth.taps == [1, 12, 66, 220, 495, 792, 924, 792, 495, 220, 66, 12, 1]) }
        let t = 64, cycles = 0.15   // 4.5 Hz at 30 fps
        let x = Buf((0..<t).map { Float(sin(2 * Double.pi * cycles * Double($0))) }), out = Buf(t)
        temporalSmoothForward(smooth, out: out.p, inp: x.p, mask: nil, t: t, c: 1)
        let gain = pow(cos(Double.pi * cycles), Double(2 * radius))
        var maxDiff = 0.0
        for i in radius..<(t - radius) { maxDiff = max(maxDiff, abs(Double(out.p[i]) - gain * Double(x.p[i]))) }
        #expect(maxDiff < 1e-5, "radius \(radius): max difference \(maxDiff) from cos^(2r) response \(gain)")
    }

    @Test func maskedMeanPool() {
        var rng = PCG32(seed: 7)
        let b = 2, t = 4, c = 5
        let x = Buf(random: b * t * c, rng: &rng), mask = Buf([1, 1, 0, 1, 1, 0, 0, 0]), out = Buf(b * c), wt = Buf(random: b * c, rng: &rng), dx = Buf(x.n)
        meanPoolForward(out: out.p, inp: x.p, mask: mask.p, b: b, t: t, c: c)
        meanPoolBackward(dinp: dx.p, dout: wt.p, mask: mask.p, b: b, t: t, c: c)
        let r = gradCheck([GradProbe(name: "x", values: x.p, grads: dx.p, count: x.n)], samples: x.n) {
            meanPoolForward(out: out.p, inp: x.p, mask: mask.p, b: b, t: t, c: c)
            return weighted(out.p, wt)
        }
        #expect(r.maxError < GradTolerance.op, "\(r)")
    }

    @Test func dropout() {
        var rng = PCG32(seed: 8)
        let n = 200
        let x = Buf(random: n, rng: &rng), out = Buf(n), wt = Buf(random: n, rng: &rng), dx = Buf(n)
        let m = DropoutMask(p: 0.25, key: 1234)
        dropoutForward(out: out.p, inp: x.p, count: n, mask: m)
        dropoutBackward(dinp: dx.p, dout: wt.p, count: n, mask: m)
        let r = gradCheck([GradProbe(name: "x", values: x.p, grads: dx.p, count: n)], samples: 30) {
            dropoutForward(out: out.p, inp: x.p, count: n, mask: m)
            return weighted(out.p, wt)
        }
        #expect(r.maxError < GradTolerance.op, "\(r)")
        let dropped = (0..<n).filter { m.factor($0) == 0 }.count
        #expect((30...70).contains(dropped), "dropped \(dropped) of 200 at p = 0.25")
        #expect((0..<n).allSatisfy { m.factor($0) == 0 || m.factor($0) == Float(1 / 0.75) })
    }

    /// With and without per-feature factors on the velocity and acceleration terms.
    @Test(arguments: [false, true]) func diffusionLossWithMaskAndWeights(channelFactors: Bool) {
        var rng = PCG32(seed: 9)
        let b = 2, t = 6, d = 3
        let pred = Buf(random: b * t * d, rng: &rng), target = Buf(random: b * t * d, rng: &rng)
        let mask = Buf([1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1]), rw = Buf([0.5, 2]), dpred = Buf(pred.n)
        var weights = LossWeights(mse: 1, velocity: 0.7, acceleration: 1.3)
        if channelFactors { weights.derivativeChannels = DerivativeChannelWeights(velocity: [0.2, 3, 40], acceleration: [25, 0.1, 2]) }
        _ = diffusionLoss(dpred: dpred.p, pred: pred.p, target: target.p, mask: mask.p, rowWeights: rw.p, b: b, t: t, d: d, weights: weights)
        let r = gradCheck([GradProbe(name: "pred", values: pred.p, grads: dpred.p, count: pred.n)], samples: pred.n) {
            diffusionLoss(dpred: nil, pred: pred.p, target: target.p, mask: mask.p, rowWeights: rw.p, b: b, t: t, d: d, weights: weights).total
        }
        #expect(r.maxError < GradTolerance.op, "\(r)")
        // Padded frames get no gradient.
        for j in 0..<d { #expect(dpred.p[4 * d + j] == 0 && dpred.p[5 * d + j] == 0) }
    }

    /// With an all-ones mask the loss equals torch's F.mse_loss(out, x) + F.mse_loss(velocities) + w_acc ·
    /// F.mse_loss(second differences).
    @Test func diffusionLossMatchesUnmaskedDefinition() {
        var rng = PCG32(seed: 10)
        let b = 2, t = 4, d = 3, wAcc = 0.6
        let p = Buf(random: b * t * d, rng: &rng), y = Buf(random: b * t * d, rng: &rng)
        let got = diffusionLoss(dpred: nil, pred: p.p, target: y.p, mask: nil, rowWeights: nil, b: b, t: t, d: d,
                                weights: LossWeights(acceleration: Float(wAcc)))
        var mse = 0.0, vel = 0.0, acc = 0.0
        for i in 0..<(b * t * d) { mse += pow(Double(p.p[i] - y.p[i]), 2) }
        for r in 0..<b { for f in 0..<(t - 1) { for j in 0..<d {
            let o = (r * t + f) * d + j
            vel += pow(Double((p.p[o + d] - p.p[o]) - (y.p[o + d] - y.p[o])), 2)
            if f + 2 < t {
                acc += pow(Double((p.p[o + 2 * d] - 2 * p.p[o + d] + p.p[o]) - (y.p[o + 2 * d] - 2 * y.p[o + d] + y.p[o])), 2)
            }
        } } }
        acc /= Double(b * (t - 2) * d)
        let want = mse / Double(b * t * d) + vel / Double(b * (t - 1) * d) + wAcc * acc
        #expect(abs(got.total - want) < 1e-6 * want, "got \(got.total), want \(want)")
        #expect(abs(got.acceleration - acc) < 1e-6 * acc, "acceleration term \(got.acceleration), want \(acc)")
    }

    /// Feature j's velocity and acceleration errors are multiplied by its factor, and factors of 1 give the
    /// same bits as no factors (so `derivativeWeighting: uniform` reproduces runs made before the key existed).
    @Test func diffusionLossChannelFactors() {
        var rng = PCG32(seed: 11)
        let b = 2, t = 5, d = 3
        let p = Buf(random: b * t * d, rng: &rng), y = Buf(random: b * t * d, rng: &rng)
        let cv: [Float] = [0.5, 2, 30], ca: [Float] = [4, 0.25, 9]
        var factored = LossWeights(acceleration: 1)
        factored.derivativeChannels = DerivativeChannelWeights(velocity: cv, acceleration: ca)
        let got = diffusionLoss(dpred: nil, pred: p.p, target: y.p, mask: nil, rowWeights: nil, b: b, t: t, d: d,
                                weights: factored)
        var vel = 0.0, acc = 0.0
        for r in 0..<b { for f in 0..<(t - 1) { for j in 0..<d {
            let o = (r * t + f) * d + j
            vel += Double(cv[j]) * pow(Double((p.p[o + d] - p.p[o]) - (y.p[o + d] - y.p[o])), 2)
            if f + 2 < t {
                acc += Double(ca[j]) * pow(Double((p.p[o + 2 * d] - 2 * p.p[o + d] + p.p[o]) - (y.p[o + 2 * d] - 2 * y.p[o + d] + y.p[o])), 2)
            }
        } } }
        vel /= Double(b * (t - 1) * d); acc /= Double(b * (t - 2) * d)
        #expect(abs(got.velocity - vel) < 1e-6 * vel, "velocity term \(got.velocity), want \(vel)")
        #expect(abs(got.acceleration - acc) < 1e-6 * acc, "acceleration term \(got.acceleration), want \(acc)")

        let ones = [Float](repeating: 1, count: d)
        let d1 = Buf(p.n), d2 = Buf(p.n)
        let plain = diffusionLoss(dpred: d1.p, pred: p.p, target: y.p, mask: nil, rowWeights: nil, b: b, t: t, d: d,
                                  weights: LossWeights(acceleration: 0.3))
        var unitWeights = LossWeights(acceleration: 0.3)
        unitWeights.derivativeChannels = DerivativeChannelWeights(velocity: ones, acceleration: ones)
        let unit = diffusionLoss(dpred: d2.p, pred: p.p, target: y.p, mask: nil, rowWeights: nil, b: b, t: t, d: d,
                                 weights: unitWeights)
        #expect(plain == unit)
        #expect((0..<p.n).allSatisfy { d1.p[$0].bitPattern == d2.p[$0].bitPattern })
    }

    /// The frequency weighting the docs state: a sinusoidal error at f Hz costs |2 sin(πf/fps)|² in the velocity
    /// term and |2 sin(πf/fps)|⁴ in the acceleration term, relative to its x0 cost.
    @Test(arguments: [0.5, 4.0, 10.0]) func diffusionLossFrequencyWeighting(_ hz: Double) {
        let t = 3000, fps = 30.0
        let err = Buf((0..<t).map { Float(sin(2 * Double.pi * hz * Double($0) / fps)) }), zero = Buf(t)
        let got = diffusionLoss(dpred: nil, pred: err.p, target: zero.p, mask: nil, rowWeights: nil, b: 1, t: t, d: 1,
                                weights: LossWeights(acceleration: 1))
        let h2 = pow(2 * sin(Double.pi * hz / fps), 2)
        let velRatio = got.velocity / got.mse, accRatio = got.acceleration / got.mse
        #expect(abs(velRatio - h2) < LossTolerance.frequencyWeighting * h2, "velocity/x0 \(velRatio), want \(h2)")
        #expect(abs(accRatio - h2 * h2) < LossTolerance.frequencyWeighting * h2 * h2, "acceleration/x0 \(accRatio), want \(h2 * h2)")
    }
}

/// Relative tolerance of the loss's frequency weighting on a finite (3000-frame) sinusoid: the edge frames and a
/// non-integer number of periods move the ratio by under 0.2 %.
enum LossTolerance {
    static let frequencyWeighting = 0.01
}

@Suite struct GemmTests {
    /// Inside `withOwnGemmThreads` OpenBLAS runs one thread, whatever the calling thread's count and whatever an
    /// earlier scope with another count left behind. `cblas_sgemm` rounds differently with 1 and 2 threads, and a
    /// 2-thread scope used to leave OpenBLAS at 2 for the next 1-thread pass: `resumeIsExact` then failed when
    /// another suite's 2-thread test ended between its two runs.
    @Test func ownScopesHoldOpenBLASToOneThread() {
        Threads.withCount(2) { withOwnGemmThreads { #expect(GemmThreading.openBLASThreads == 1) } }
        Threads.withCount(1) { withOwnGemmThreads { #expect(GemmThreading.openBLASThreads == 1) } }
        Threads.withCount(1) { withOwnGemmThreads { withOwnGemmThreads { #expect(GemmThreading.own) } } }
        #expect(!GemmThreading.own)
    }

    /// The sgemm wrapper against the naive triple-loop oracle, all four transpose combinations, strided.
    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)]) func matchesNaive(_ ta: Bool, _ tb: Bool) {
        var rng = PCG32(seed: 11)
        let m = 7, n = 5, k = 9, lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 1, ldc = n + 3
        let a = Buf(random: (ta ? k : m) * lda, rng: &rng), b = Buf(random: (tb ? n : k) * ldb, rng: &rng)
        let c1 = Buf(random: m * ldc, rng: &rng), c2 = Buf(c1.array)
        sgemm(ta, tb, m, n, k, 0.7, a.p, lda, b.p, ldb, 0.3, c1.p, ldc)
        naiveGemm(ta, tb, m, n, k, 0.7, a.p, lda, b.p, ldb, 0.3, c2.p, ldc)
        var maxDiff: Float = 0
        for i in 0..<(m * ldc) { maxDiff = max(maxDiff, abs(c1.p[i] - c2.p[i])) }
        #expect(maxDiff < 1e-5, "max |sgemm − naive| = \(maxDiff)")
    }
}
