import Testing
import Foundation
@testable import A2MCore
@testable import A2MNN

/// Tiny model used by the whole-network tests.
func tinyConfig(dropout: Float = 0.1, condDrop: Float = 0.25, aligned: Bool = false) -> DenoiserConfig {
    var c = DenoiserConfig()
    c.frameAlignedAudio = aligned
    c.width = 16; c.layers = 2; c.heads = 2; c.ffn = 24; c.encoderLayers = 2; c.dropout = dropout
    c.windowFrames = 6; c.motionDim = 5; c.audioDim = 4; c.condDropProbability = condDrop; c.diffusionSteps = 1000
    return c
}

func tinyBatch(_ c: DenoiserConfig, rows: Int, keep: [Bool], mask: Bool, seed: UInt64 = 5) -> DenoiserBatch {
    var rng = PCG32(seed: seed, stream: 9)
    let t = c.windowFrames
    func g(_ n: Int) -> [Float] { (0..<n).map { _ in rng.gaussian() } }
    var fm: [Float]?
    if mask { fm = (0..<(rows * t)).map { $0 == t - 1 || $0 == t - 2 ? 0 : 1 } }   // row 0 has 2 padded frames
    return DenoiserBatch(rows: rows, frames: t, noisy: g(rows * t * c.motionDim), timesteps: (0..<rows).map { 37 + 301 * $0 },
                         audio: g(rows * t * c.audioDim), keep: keep, target: g(rows * t * c.motionDim), frameMask: fm,
                         rowWeights: (0..<rows).map { 1 + 0.25 * Float($0) })
}

@Suite struct DenoiserGradientTests {
    /// Central differences on sampled values of EVERY parameter tensor (null embeddings included), with
    /// dropout active (fixed masks), a frame mask and a mixed keep mask.
    @Test(arguments: [false, true]) func wholeModelGradientCheck(aligned: Bool) throws {
        let c = tinyConfig(aligned: aligned)
        let m = try Denoiser(config: c, seed: 3)
        m.fixedDropoutKey = 42
        let batch = tinyBatch(c, rows: 3, keep: [true, false, true], mask: true)
        _ = try m.trainStep(batch)
        let probes = m.layout.specs.map { GradProbe(name: $0.name, values: m.parameters.base + $0.offset, grads: m.gradients.base + $0.offset, count: $0.count) }
        let r = gradCheck(probes, samples: 3) { try! m.forward(batch, training: true).total }
        #expect(r.maxError < GradTolerance.model, "\(r)")
        #expect(r.checked >= 3 * m.layout.specs.count - 10)
    }
}

@Suite struct ClassifierFreeGuidanceTests {
    static func encoderOrPool(_ name: String) -> Bool { name.hasPrefix("cin.") || name.hasPrefix("enc.") || name.hasPrefix("pool.") }

    @Test(arguments: [false, true]) func droppedRowsIgnoreAudioKeptRowsUseIt(aligned: Bool) throws {
        let c = tinyConfig(aligned: aligned)
        let m = try Denoiser(config: c, seed: 4)
        var rng = PCG32(seed: 1)
        let t = c.windowFrames
        let audioA = (0..<(2 * t * c.audioDim)).map { _ in rng.gaussian() }, audioB = (0..<(2 * t * c.audioDim)).map { _ in rng.gaussian() }
        let x = (0..<(2 * t * c.motionDim)).map { _ in rng.gaussian() }
        let ctxA = try m.encodeAudio(audioA, clips: 2, frames: t), ctxB = try m.encodeAudio(audioB, clips: 2, frames: t)
        let uncond = [DenoiserRow(clip: 0, conditioned: false), DenoiserRow(clip: 1, conditioned: false)]
        let cond = [DenoiserRow(clip: 0, conditioned: true), DenoiserRow(clip: 1, conditioned: true)]
        let ua = try m.predictX0(x: x, timesteps: [10, 500], rows: uncond, context: ctxA, frames: t)
        let ub = try m.predictX0(x: x, timesteps: [10, 500], rows: uncond, context: ctxB, frames: t)
        #expect(ua == ub, "unconditioned rows must be bit-identical for different audio")
        let ca = try m.predictX0(x: x, timesteps: [10, 500], rows: cond, context: ctxA, frames: t)
        let cb = try m.predictX0(x: x, timesteps: [10, 500], rows: cond, context: ctxB, frames: t)
        let diff = zip(ca, cb).map { abs($0 - $1) }.max()!
        #expect(diff > 1e-3, "conditioned rows must depend on audio (max diff \(diff))")
        // Mixed 2B batch (cond then uncond) equals the separate passes (up to GEMM blocking for another M).
        let mixed = try m.predictX0(x: x + x, timesteps: [10, 500, 10, 500], rows: cond + uncond, context: ctxA, frames: t)
        let mixDiff = zip(mixed, ca + ua).map { abs($0 - $1) }.max()!
        #expect(mixDiff < 1e-5, "2B batch vs separate passes: max diff \(mixDiff)")
    }

    @Test(arguments: [false, true]) func nullEmbeddingsGetGradientOnlyFromDroppedRows(aligned: Bool) throws {
        let c = tinyConfig(aligned: aligned)
        func grads(_ keep: [Bool], audioSeed: UInt64 = 5) throws -> (Denoiser, [String: [Float]]) {
            let m = try Denoiser(config: c, seed: 6)
            m.fixedDropoutKey = 9
            var b = tinyBatch(c, rows: 3, keep: keep, mask: false)
            var rng = PCG32(seed: audioSeed)
            if audioSeed != 5 { b.audio = b.audio.map { _ in rng.gaussian() } }
            _ = try m.trainStep(b)
            var out: [String: [Float]] = [:]
            for s in m.layout.specs { out[s.name] = Array(m.gradients.view(s.name)) }
            return (m, out)
        }
        let nulls = aligned ? ["null_tok", "null_hid", "null_frame"] : ["null_tok", "null_hid"]
        let (_, allKept) = try grads([true, true, true])
        for n in nulls { #expect(allKept[n]!.allSatisfy { $0 == 0 }, "\(n) got gradient from kept rows") }
        #expect(allKept["cin.weight"]!.contains { $0 != 0 })
        let (m, allDropped) = try grads([false, false, false])
        for n in nulls { #expect(allDropped[n]!.contains { $0 != 0 }, "\(n) got no gradient from dropped rows") }
        for s in m.layout.specs where Self.encoderOrPool(s.name) {
            #expect(allDropped[s.name]!.allSatisfy { $0 == 0 }, "\(s.name) got gradient from dropped rows")
        }
        // Mixed: the dropped row's audio is never read, so changing all audio changes only encoder-side grads.
        let (_, mixedA) = try grads([true, false, true])
        let (_, mixedB) = try grads([true, false, true], audioSeed: 77)
        #expect(mixedA["null_tok"]!.contains { $0 != 0 })
        #expect(mixedA["cin.weight"]! != mixedB["cin.weight"]!)
        let (_, droppedA) = try grads([false, false, false])
        let (_, droppedB) = try grads([false, false, false], audioSeed: 77)
        #expect(droppedA == droppedB, "with every row dropped the audio must not matter at all")
    }

    @Test func guidanceRefusedWithoutUnconditionalMode() throws {
        let c = tinyConfig(condDrop: 0)
        let m = try Denoiser(config: c)
        #expect(!m.supportsGuidance)
        let ctx = try m.encodeAudio([Float](repeating: 0.1, count: c.windowFrames * c.audioDim), clips: 1, frames: c.windowFrames)
        #expect(throws: DenoiserError.noUnconditionalMode) {
            _ = try m.predictX0(x: [Float](repeating: 0, count: c.windowFrames * c.motionDim), timesteps: [3],
                                rows: [DenoiserRow(clip: 0, conditioned: false)], context: ctx, frames: c.windowFrames)
        }
    }
}

@Suite struct DenoiserConsistencyTests {
    /// The sampler path (cached audio K/V, time tokens appended) equals the training forward without dropout.
    @Test(arguments: [false, true]) func inferenceMatchesTrainingForward(aligned: Bool) throws {
        let c = tinyConfig(aligned: aligned)
        let m = try Denoiser(config: c, seed: 8)
        let b = tinyBatch(c, rows: 3, keep: [true, false, true], mask: false)
        _ = try m.forward(b, training: false)
        let trainOut = Array(UnsafeBufferPointer(start: m.trainActs!.out, count: b.noisy.count))
        let ctx = try m.encodeAudio(b.audio, clips: 3, frames: b.frames)
        let rows = b.keep.enumerated().map { DenoiserRow(clip: $0.offset, conditioned: $0.element) }
        let pred = try m.predictX0(x: b.noisy, timesteps: b.timesteps, rows: rows, context: ctx, frames: b.frames)
        let diff = zip(pred, trainOut).map { abs($0 - $1) }.max()!
        #expect(diff < 1e-5, "max |predictX0 − training forward| = \(diff)")
    }

    /// With two threads `predictX0` runs its rows as two concurrent parts (`parallelParts`), each with inline
    /// GEMMs and loops and its own activations. Rows never interact, so each part must give what the one-thread
    /// pass gives for those rows (up to GEMM blocking for another M), for an odd row count too, and repeated
    /// calls must be bit-identical.
    @Test(arguments: [false, true]) func predictionSplitAcrossThreadsMatchesOneThread(aligned: Bool) throws {
        let c = tinyConfig(aligned: aligned)
        let m = try Denoiser(config: c, seed: 4)
        let b = tinyBatch(c, rows: 3, keep: [true, false, true], mask: false)
        let rows = b.keep.enumerated().map { DenoiserRow(clip: $0.offset, conditioned: $0.element) }
        func predict(_ threads: Int) throws -> [Float] {
            try Threads.withCount(threads) {
                let ctx = try m.encodeAudio(b.audio, clips: 3, frames: b.frames)
                return try m.predictX0(x: b.noisy, timesteps: b.timesteps, rows: rows, context: ctx, frames: b.frames)
            }
        }
        let one = try predict(1), two = try predict(2), again = try predict(2)
        #expect(m.inferActs.count == 2 && m.inferActs.map(\.b) == [1, 2], "parts: \(m.inferActs.map(\.b))")
        let diff = zip(one, two).map { abs($0 - $1) }.max()!
        #expect(diff < 1e-5, "max |2 parts − 1 thread| = \(diff)")
        #expect(two == again, "two-part prediction is not deterministic")
    }

    /// Copying other weights in (e.g. the EMA copy) and encoding again gives that model's predictions,
    /// unconditioned rows included (no stale caches).
    @Test func replacedWeightsTakeEffect() throws {
        let c = tinyConfig()
        let a = try Denoiser(config: c, seed: 1), b = try Denoiser(config: c, seed: 2)
        let audio = [Float](repeating: 0.3, count: c.windowFrames * c.audioDim), x = [Float](repeating: 0.1, count: c.windowFrames * c.motionDim)
        let rows = [DenoiserRow(clip: 0, conditioned: true), DenoiserRow(clip: 0, conditioned: false)]
        _ = try a.predictX0(x: x + x, timesteps: [9, 9], rows: rows, context: a.encodeAudio(audio, clips: 1, frames: c.windowFrames), frames: c.windowFrames)
        a.parameters.copy(from: b.parameters)
        let pa = try a.predictX0(x: x + x, timesteps: [9, 9], rows: rows, context: a.encodeAudio(audio, clips: 1, frames: c.windowFrames), frames: c.windowFrames)
        let pb = try b.predictX0(x: x + x, timesteps: [9, 9], rows: rows, context: b.encodeAudio(audio, clips: 1, frames: c.windowFrames), frames: c.windowFrames)
        #expect(pa == pb)
    }

    @Test func sameSeedSameStep() throws {
        let c = tinyConfig()
        func run() throws -> (Double, [Float]) {
            let m = try Denoiser(config: c, seed: 11)
            let l = try m.trainStep(tinyBatch(c, rows: 2, keep: [true, false], mask: true))
            return (l.total, Array(UnsafeBufferPointer(start: m.gradients.base, count: m.gradients.count)))
        }
        let a = try run(), b = try run()
        #expect(a.0 == b.0 && a.1 == b.1)
    }

    /// Backward leaves no state behind: a second step on the same batch gives bit-identical gradients
    /// (regression: the FiLM-vector scratch gradient used to keep the previous step's values).
    @Test func repeatedStepGivesIdenticalGradients() throws {
        let c = tinyConfig(dropout: 0)
        let m = try Denoiser(config: c, seed: 5)
        let batch = tinyBatch(c, rows: 2, keep: [true, false], mask: true)
        let first = try m.trainStep(batch)
        let g1 = Array(UnsafeBufferPointer(start: m.gradients.base, count: m.gradients.count))
        let second = try m.trainStep(batch)
        let g2 = Array(UnsafeBufferPointer(start: m.gradients.base, count: m.gradients.count))
        let maxDiff = zip(g1, g2).map { abs($0 - $1) }.max() ?? 0
        #expect(first.total == second.total)
        #expect(maxDiff == 0, "max gradient difference between identical steps: \(maxDiff)")
    }

    /// The spans backward reports as done cover the arena once, arrive in `gradientSpans.during` order, and hold
    /// their final values when reported (what lets a data-parallel trainer sum them while backward goes on).
    @Test(arguments: [false, true]) func reportedGradientSpansAreFinal(aligned: Bool) throws {
        let c = tinyConfig(dropout: 0, aligned: aligned)
        let m = try Denoiser(config: c, seed: 5)
        let spans = m.gradientSpans
        var covered = [Int](repeating: 0, count: m.gradients.count)
        for r in spans.during + spans.after { for i in r { covered[i] += 1 } }
        #expect(covered.allSatisfy { $0 == 1 }, "spans cover \(covered.filter { $0 != 1 }.count) floats other than once")
        #expect(spans.during.count == c.layers + 1)
        var reported: [(Range<Int>, [Float])] = []
        m.onGradientSpanDone = { r in reported.append((r, Array(UnsafeBufferPointer(start: m.gradients.base + r.lowerBound, count: r.count)))) }
        _ = try m.trainStep(tinyBatch(c, rows: 2, keep: [true, false], mask: true))
        m.onGradientSpanDone = nil
        #expect(reported.map(\.0) == spans.during)
        var worst: Float = 0
        for (r, values) in reported {
            for (k, i) in r.enumerated() { worst = max(worst, abs(values[k] - m.gradients.base[i])) }
            #expect(values.contains { $0 != 0 }, "span \(r) was all zero when reported")
        }
        #expect(worst == 0, "largest change of a reported gradient after its report: \(worst)")
    }

    @Test func badInputsAreRejected() throws {
        let c = tinyConfig()
        let m = try Denoiser(config: c)
        var b = tinyBatch(c, rows: 2, keep: [true, false], mask: false)
        b.audio.removeLast()
        #expect(throws: DenoiserError.self) { _ = try m.forward(b) }
        #expect(throws: DenoiserError.backwardWithoutForward) { try m.backward() }
        #expect(throws: DenoiserError.self) { _ = try m.encodeAudio([1, 2], clips: 1, frames: c.windowFrames) }
    }

    /// A few AdamW steps on one batch reduce the loss (the optimizer, schedule and gradients agree in sign).
    @Test func adamWReducesLoss() throws {
        let c = tinyConfig(dropout: 0)
        let m = try Denoiser(config: c, seed: 2)
        let opt = AdamW(model: m, schedule: LearningRateSchedule(peak: 3e-3, warmupSteps: 2, totalSteps: 40))
        let ema = ExponentialMovingAverage(copying: m.parameters, decay: 0.9)
        let b = tinyBatch(c, rows: 3, keep: [true, false, true], mask: true)
        let first = try m.trainStep(b).total
        var last = first
        for _ in 0..<30 { opt.update(params: m.parameters, grads: m.gradients); ema.update(from: m.parameters); last = try m.trainStep(b).total }
        #expect(last < 0.7 * first, "loss \(first) → \(last)")
        #expect(opt.step == 30)
    }
}

@Suite struct OptimizerTests {
    @Test func scheduleWarmupAndCosine() {
        let s = LearningRateSchedule(peak: 1e-3, floor: 1e-5, warmupSteps: 10, totalSteps: 110)
        #expect(abs(s.rate(step: 5) - 5e-4) < 1e-15)
        #expect(abs(s.rate(step: 10) - 1e-3) < 1e-15)
        #expect(abs(s.rate(step: 60) - (1e-5 + (1e-3 - 1e-5) * 0.5)) < 1e-12)
        #expect(abs(s.rate(step: 110) - 1e-5) < 1e-15)
        #expect(abs(s.rate(step: 500) - 1e-5) < 1e-15)
    }

    /// One AdamW step against the closed form of torch.optim.AdamW (with clipping).
    @Test func adamWStepMatchesTorchFormula() {
        var layout = TensorLayout()
        layout.add("w", [2, 2]); layout.add("b", [2])
        let p = TensorArena(layout: layout), g = TensorArena(layout: layout)
        let pv: [Float] = [1, -2, 0.5, 3, 0.1, -0.1], gv: [Float] = [3, 0, -4, 0, 1, 2]
        for i in 0..<4 { p.view("w")[i] = pv[i]; g.view("w")[i] = gv[i] }
        for i in 0..<2 { p.view("b")[i] = pv[4 + i]; g.view("b")[i] = gv[4 + i] }
        let opt = AdamW(layout: layout, decayed: [layout.spec("w")!], schedule: LearningRateSchedule(peak: 0.1, warmupSteps: 0, totalSteps: 10))
        opt.maxGradNorm = 1
        let (lr, norm) = opt.update(params: p, grads: g)
        #expect(abs(norm - (9 + 16 + 1 + 4.0).squareRoot()) < 1e-9)
        let clip = 1 / (norm + 1e-6)
        let all = Array(p.view("w")) + Array(p.view("b"))
        for i in 0..<6 {
            let gi = Double(gv[i]) * clip
            let mhat = 0.1 * gi / 0.1, vhat = 0.001 * gi * gi / 0.001
            let decayed = i < 4 ? Double(pv[i]) * (1 - lr * 0.01) : Double(pv[i])
            let want = decayed - lr * mhat / (vhat.squareRoot() + 1e-8)
            #expect(abs(Double(all[i]) - want) < 1e-6, "param \(i): \(all[i]) vs \(want)")
        }
    }
}
