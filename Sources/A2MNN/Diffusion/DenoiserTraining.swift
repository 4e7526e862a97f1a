import A2MCore

/// One training batch. Shapes (row-major): B = rows, T = frames ≤ windowFrames, P = motionDim, M = audioDim.
public struct DenoiserBatch {
    public var rows: Int
    public var frames: Int
    /// Noisy motion x_t [B, T, P].
    public var noisy: [Float]
    /// Integer diffusion timesteps [B] in 0..<diffusionSteps.
    public var timesteps: [Int]
    /// Audio features [B, T, M].
    public var audio: [Float]
    /// Per-row condition keep mask [B]: false = this row sees the learned null audio embeddings (CFG dropout).
    public var keep: [Bool]
    /// Clean motion x0 the network should predict [B, T, P].
    public var target: [Float]
    /// Optional frame mask [B, T] (1 = real frame, 0 = padding): key padding in attention, masked pooling, loss mask.
    public var frameMask: [Float]?
    /// Optional per-row loss weights [B].
    package var rowWeights: [Float]?
    /// When these rows are one rank's share of a larger batch (data-parallel training): where they sit in it and
    /// the whole batch's loss denominators, so the ranks' losses and gradients sum to the whole batch's.
    package var shard: BatchShard?

    public init(rows: Int, frames: Int, noisy: [Float], timesteps: [Int], audio: [Float], keep: [Bool], target: [Float],
                frameMask: [Float]? = nil, rowWeights: [Float]? = nil) {
        self.rows = rows; self.frames = frames; self.noisy = noisy; self.timesteps = timesteps; self.audio = audio
        self.keep = keep; self.target = target; self.frameMask = frameMask; self.rowWeights = rowWeights
    }
}

extension Denoiser {
    /// Zeroes the gradient arena; call once per optimizer step (backward accumulates with +=).
    package func zeroGradients() { gradients.zero() }

    /// Forward pass with the loss. `training` enables dropout (a fresh mask per call from the `.dropout`
    /// stream) and keeps the activations for `backward()`; validation passes use `training: false`.
    /// `feet` computes the foot term when `lossWeights.footVelocity` > 0 (it knows the skeleton and the
    /// normalization, which the network does not).
    package func forward(_ batch: DenoiserBatch, lossWeights: LossWeights = LossWeights(), feet: (any FootLossTerm)? = nil,
                 training: Bool = true) throws -> LossParts {
        try withOwnGemmThreads { try forwardBody(batch, lossWeights: lossWeights, feet: feet, training: training) }
    }

    /// Forward pass with the x0 and velocity terms (see the internal form for the foot term).
    public func forward(_ batch: DenoiserBatch, lossWeights: LossWeights = LossWeights(), training: Bool = true) throws -> LossParts {
        try forward(batch, lossWeights: lossWeights, feet: nil, training: training)
    }

    private func forwardBody(_ batch: DenoiserBatch, lossWeights: LossWeights, feet: (any FootLossTerm)?, training: Bool) throws -> LossParts {
        try check(batch)
        let cf = config, b = batch.rows, t = batch.frames, s = t + 2
        let n = b * t
        if trainActs?.b != b || trainActs?.t != t { trainActs = nil; trainActs = DenoiserActivations(config: cf, rows: b, frames: t, training: true) }
        let a = trainActs!
        dropoutActive = training
        if training { stepKey = fixedDropoutKey ?? nextDropoutKey() }
        shardRowOffset = batch.shard?.rowOffset ?? 0
        shardKeptOffset = batch.shard?.keptRowOffset ?? 0
        copy(batch.noisy, a.x); copy(batch.target, a.target)
        kept = (0..<b).filter { batch.keep[$0] }
        dropped = (0..<b).filter { !batch.keep[$0] }
        lastHasMask = batch.frameMask != nil
        if let m = batch.frameMask {
            copy(m, a.frameMask)
            for (i, r) in kept.enumerated() { (a.encMask + i * t).update(from: a.frameMask + r * t, count: t) }
            for r in 0..<b {
                (a.crossMask + r * s).update(from: a.frameMask + r * t, count: t)
                a.crossMask[r * s + t] = 1; a.crossMask[r * s + t + 1] = 1
            }
        }
        if let w = batch.rowWeights { copy(w, a.rowWeights) }
        batch.audio.withUnsafeBufferPointer { src in
            for (i, r) in kept.enumerated() {
                (a.encMel + i * t * cf.audioDim).update(from: src.baseAddress! + r * t * cf.audioDim, count: t * cf.audioDim)
            }
        }
        linear(a.h0, a.x, p.inp, rows: n)
        conditioningForward(a, timesteps: batch.timesteps)
        if let nf = p.nullFrame {
            let d = cf.width, smooth = TemporalSmooth(radius: cf.alignedAudioSmoothing)
            for r in kept {
                temporalSmoothForward(smooth, out: a.h0 + r * t * d, inp: a.memPre + r * s * d, mask: lastHasMask ? a.frameMask + r * t : nil, t: t, c: d)
            }
            for r in dropped {
                for i in 0..<t { let h = a.h0 + (r * t + i) * d; for k in 0..<d { h[k] += W[nf + k] } }
            }
        }
        decoderForward(a, selfMask: lastHasMask ? a.frameMask : nil, crossMask: lastHasMask ? a.crossMask : nil)
        forwardDone = training
        let mask: FPtr? = lastHasMask ? a.frameMask : nil, rowWeights: FPtr? = batch.rowWeights != nil ? a.rowWeights : nil
        var parts = diffusionLoss(dpred: a.dout, pred: a.out, target: a.target, mask: mask, rowWeights: rowWeights,
                                  b: b, t: t, d: cf.motionDim, weights: lossWeights, counts: batch.shard?.counts)
        if lossWeights.footVelocity > 0 {
            guard let feet else { throw DenoiserError.badInput(field: "lossWeights.footVelocity", got: "\(lossWeights.footVelocity)", expected: "0 without a foot loss") }
            parts.foot = feet.accumulate(dpred: a.dout, pred: a.out, target: a.target, mask: mask, rowWeights: rowWeights,
                                         b: b, t: t, weight: lossWeights.footVelocity, pairs: batch.shard?.counts.pairs)
            parts.total += Double(lossWeights.footVelocity) * parts.foot
        }
        return parts
    }

    /// Accumulates ∂loss/∂parameters of the last training `forward` into `gradients`. The audio encoder and
    /// pool MLP receive gradient only from kept rows, the null embeddings only from dropped rows.
    package func backward() throws {
        try withOwnGemmThreads { try backwardBody() }
    }

    private func backwardBody() throws {
        guard forwardDone, let a = trainActs, let g = a.grad else { throw DenoiserError.backwardWithoutForward }
        forwardDone = false
        let cf = config, b = a.b, t = a.t, d = cf.width, s = t + 2, bk = kept.count
        let encMask: FPtr? = lastHasMask ? a.encMask : nil
        decoderBackward(a)
        rotaryBackward(dinp: g.dmem, dout: g.drmem, table: rotary, b: b, t: s, c: d)
        zero(g.dmemPre, b * s * d)
        layerNormBackward(dinp: g.dmemPre, dgamma: G + p.nm.g, dbeta: G + p.nm.b, dout: g.dmem, inp: a.memPre, gamma: W + p.nm.g,
                          mean: a.memMean, rstd: a.memRstd, n: b * s, c: d)
        // Frame-aligned audio: h0 += low-passed audio tokens (kept rows) or null_frame (dropped rows), so those
        // receive h0's gradient, which decoderBackward left in g.dres.
        if let nf = p.nullFrame {
            let smooth = TemporalSmooth(radius: cf.alignedAudioSmoothing)
            for r in kept {
                temporalSmoothBackward(smooth, dinp: g.dmemPre + r * s * d, dout: g.dres + r * t * d, mask: lastHasMask ? a.frameMask + r * t : nil, t: t, c: d)
            }
            for r in dropped {
                for i in 0..<t { let g0 = g.dres + (r * t + i) * d; for k in 0..<d { G[nf + k] += g0[k] } }
            }
        }
        for r in 0..<b { (g.dttok + r * 2 * d).update(from: g.dmemPre + (r * s + t) * d, count: 2 * d) }
        // FiLM vectors → Mish(c) → c = t2(th) + hid.
        zero(g.dmc, b * d)
        for j in 0..<cf.layers {
            for k in 0..<3 {
                let off = (j * 3 + k) * b * 2 * d
                linearGrad(g.dmc, g.dfilm + off, a.mc, p.layers[j].film[k], rows: b)
            }
        }
        zero(g.dc, b * d)
        mishBackward(dinp: g.dc, inp: a.c, dout: g.dmc, count: b * d)
        zero(g.dth, b * 4 * d)
        linearGrad(g.dth, g.dc, a.th, p.t2, rows: b)
        linearGrad(g.dth, g.dttok, a.th, p.ttok, rows: b)
        zero(g.dt1, b * 4 * d)
        mishBackward(dinp: g.dt1, inp: a.t1, dout: g.dth, count: b * 4 * d)
        linearGrad(nil, g.dt1, a.temb, p.t1, rows: b)
        // Null embeddings: only dropped rows.
        for r in dropped {
            for i in 0..<d { G[p.nullHid + i] += g.dc[r * d + i] }
            let src = g.dmemPre + r * s * d
            for i in 0..<(t * d) { G[p.nullTok + i] += src[i] }
        }
        guard bk > 0 else { return }
        // Kept rows: pooled-vector MLP and audio tokens → encoder.
        for (i, r) in kept.enumerated() {
            (g.dp2 + i * d).update(from: g.dc + r * d, count: d)
            (g.dEnc + i * t * d).update(from: g.dmemPre + r * s * d, count: t * d)
        }
        zero(g.dp1a, bk * d)
        linearGrad(g.dp1a, g.dp2, a.p1a, p.pool3, rows: bk)
        zero(g.dp1, bk * d)
        siluBackward(dinp: g.dp1, inp: a.p1, dout: g.dp1a, count: bk * d)
        zero(g.dpln, bk * d)
        linearGrad(g.dpln, g.dp1, a.poolLn, p.pool1, rows: bk)
        zero(g.dpooled, bk * d)
        layerNormBackward(dinp: g.dpooled, dgamma: G + p.poolNorm.g, dbeta: G + p.poolNorm.b, dout: g.dpln, inp: a.pooled,
                          gamma: W + p.poolNorm.g, mean: a.poolMean, rstd: a.poolRstd, n: bk, c: d)
        meanPoolBackward(dinp: g.dEnc, dout: g.dpooled, mask: encMask, b: bk, t: t, c: d)
        encoderBackward(a, rows: bk, mask: encMask, dEnc: g.dEnc)
    }

    /// zeroGradients + forward + backward; returns the loss. The optimizer step is the caller's (`AdamW`).
    public func trainStep(_ batch: DenoiserBatch, lossWeights: LossWeights = LossWeights()) throws -> LossParts {
        try trainStep(batch, lossWeights: lossWeights, feet: nil)
    }

    package func trainStep(_ batch: DenoiserBatch, lossWeights: LossWeights, feet: (any FootLossTerm)?) throws -> LossParts {
        zeroGradients()
        let loss = try forward(batch, lossWeights: lossWeights, feet: feet, training: true)
        try backward()
        return loss
    }

    /// Encoder (kept rows), pooled vector, time embedding, FiLM vectors, cross-attention memory and K/V.
    func conditioningForward(_ a: DenoiserActivations, timesteps: [Int]) {
        let cf = config, b = a.b, t = a.t, d = cf.width, s = t + 2, bk = kept.count
        let encMask: FPtr? = lastHasMask ? a.encMask : nil
        if bk > 0 {
            let enc = encoderForward(a, rows: bk, mask: encMask)
            meanPoolForward(out: a.pooled, inp: enc, mask: encMask, b: bk, t: t, c: d)
            layerNormForward(out: a.poolLn, mean: a.poolMean, rstd: a.poolRstd, inp: a.pooled, gamma: W + p.poolNorm.g,
                             beta: W + p.poolNorm.b, n: bk, c: d)
            linear(a.p1, a.poolLn, p.pool1, rows: bk)
            siluForward(out: a.p1a, inp: a.p1, count: bk * d)
            linear(a.p2, a.p1a, p.pool3, rows: bk)
            for (i, r) in kept.enumerated() {
                (a.memPre + r * s * d).update(from: enc + i * t * d, count: t * d)
                (a.hid + r * d).update(from: a.p2 + i * d, count: d)
            }
        }
        for r in dropped {
            (a.memPre + r * s * d).update(from: W + p.nullTok, count: t * d)
            (a.hid + r * d).update(from: W + p.nullHid, count: d)
        }
        timeForward(a, timesteps: timesteps)
        linear(a.ttok, a.th, p.ttok, rows: b)
        for r in 0..<b { (a.memPre + (r * s + t) * d).update(from: a.ttok + r * 2 * d, count: 2 * d) }
        layerNormForward(out: a.mem, mean: a.memMean, rstd: a.memRstd, inp: a.memPre, gamma: W + p.nm.g, beta: W + p.nm.b, n: b * s, c: d)
        rotaryForward(out: a.rmem, inp: a.mem, table: rotary, b: b, t: s, c: d)
        for (lp, l) in zip(p.layers, a.layers) {
            linear(l.k, a.rmem, lp.caIn, rows: b * s, outOffset: d, outCount: d)
            linear(l.vv, a.mem, lp.caIn, rows: b * s, outOffset: 2 * d, outCount: d)
        }
    }

    /// temb → Linear → Mish = th; c = t2(th) + hid; mc = Mish(c); FiLM vectors of every sublayer.
    /// Needs a.hid filled.
    func timeForward(_ a: DenoiserActivations, timesteps: [Int]) {
        let b = a.b, d = config.width
        timestepEmbedding(out: a.temb, timesteps: timesteps, c: d)
        linear(a.t1, a.temb, p.t1, rows: b)
        mishForward(out: a.th, inp: a.t1, count: b * 4 * d)
        linear(a.t2o, a.th, p.t2, rows: b)
        for i in 0..<(b * d) { a.c[i] = a.t2o[i] + a.hid[i] }
        mishForward(out: a.mc, inp: a.c, count: b * d)
        for (j, lp) in p.layers.enumerated() {
            for k in 0..<3 { linear(a.film + (j * 3 + k) * b * 2 * d, a.mc, lp.film[k], rows: b) }
        }
    }

    private func nextDropoutKey() -> UInt64 { dropoutRNG.next() }

    private func check(_ x: DenoiserBatch) throws {
        let cf = config, b = x.rows, t = x.frames
        func need(_ ok: Bool, _ field: String, _ got: String, _ expected: String) throws {
            if !ok { throw DenoiserError.badInput(field: field, got: got, expected: expected) }
        }
        try need(b >= 1, "rows", "\(b)", "≥ 1")
        try need((2...cf.windowFrames).contains(t), "frames", "\(t)", "2...\(cf.windowFrames) (windowFrames)")
        try need(x.noisy.count == b * t * cf.motionDim, "noisy", "\(x.noisy.count) floats", "\(b * t * cf.motionDim) = rows·frames·motionDim")
        try need(x.target.count == b * t * cf.motionDim, "target", "\(x.target.count) floats", "\(b * t * cf.motionDim)")
        try need(x.audio.count == b * t * cf.audioDim, "audio", "\(x.audio.count) floats", "\(b * t * cf.audioDim) = rows·frames·audioDim")
        try need(x.timesteps.count == b, "timesteps", "\(x.timesteps.count)", "\(b)")
        try need(x.timesteps.allSatisfy { (0..<cf.diffusionSteps).contains($0) }, "timesteps", "a value outside", "0..<\(cf.diffusionSteps)")
        try need(x.keep.count == b, "keep", "\(x.keep.count)", "\(b)")
        if let m = x.frameMask {
            try need(m.count == b * t, "frameMask", "\(m.count)", "\(b * t)")
            try need(m.allSatisfy { $0 == 0 || $0 == 1 }, "frameMask", "a value other than 0/1", "0 or 1")
        }
        if let w = x.rowWeights { try need(w.count == b, "rowWeights", "\(w.count)", "\(b)") }
    }
}

@inline(__always) func copy(_ src: [Float], _ dst: FPtr) {
    src.withUnsafeBufferPointer { dst.update(from: $0.baseAddress!, count: $0.count) }
}

extension AdamW {
    /// An optimizer for `model`'s parameters, with weight decay on its `decayedTensors`.
    public convenience init(model: Denoiser, schedule: LearningRateSchedule) {
        self.init(layout: model.layout, decayed: model.decayedTensors, schedule: schedule)
    }
}
