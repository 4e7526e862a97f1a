import A2MCore

/// Per-clip audio state for the sampler: pooled vector and, per decoder layer, the cross-attention keys and
/// values of the audio tokens (rotary positions 0..<T). Computed once per window by `encodeAudio`.
public final class DenoiserAudioContext {
    let clips: Int
    let frames: Int
    /// [clips, d]
    let hid: [Float]
    /// Per layer: [clips, T, d].
    let keys: [[Float]]
    let values: [[Float]]
    /// What each frame adds to its decoder input when the model is `frameAlignedAudio` [clips, T, d]: the audio
    /// tokens after `TemporalSmooth`, or `null_frame` repeated in the null context; empty otherwise.
    let tokens: [Float]
    /// The unconditional branch's context (null embeddings), computed with the same weights; nil when the
    /// model has no unconditional mode.
    var null: DenoiserAudioContext?

    init(clips: Int, frames: Int, hid: [Float], keys: [[Float]], values: [[Float]], tokens: [Float]) {
        self.clips = clips; self.frames = frames; self.hid = hid; self.keys = keys; self.values = values; self.tokens = tokens
    }
}

extension Denoiser: MotionDenoiser {
    package typealias AudioContext = DenoiserAudioContext

    public var motionDim: Int { config.motionDim }
    public var audioDim: Int { config.audioDim }
    public var trainingSteps: Int { config.diffusionSteps }
    public var supportsGuidance: Bool { config.condDropProbability > 0 }
    public var distilledGuidance: DistilledGuidance? { config.distilledGuidance }

    /// Runs the audio encoder (no dropout) on `clips` windows of `frames` ≤ windowFrames and caches what
    /// every denoising step reuses.
    public func encodeAudio(_ audio: [Float], clips: Int, frames: Int) throws -> DenoiserAudioContext {
        try withOwnGemmThreads { try encodeAudioBody(audio, clips: clips, frames: frames) }
    }

    private func encodeAudioBody(_ audio: [Float], clips: Int, frames: Int) throws -> DenoiserAudioContext {
        let cf = config
        guard clips >= 1 else { throw DenoiserError.badInput(field: "clips", got: "\(clips)", expected: "≥ 1") }
        guard (2...cf.windowFrames).contains(frames) else {
            throw DenoiserError.badInput(field: "frames", got: "\(frames)", expected: "2...\(cf.windowFrames) (windowFrames)")
        }
        guard audio.count == clips * frames * cf.audioDim else {
            throw DenoiserError.badInput(field: "audio", got: "\(audio.count) floats", expected: "\(clips * frames * cf.audioDim) = clips·frames·audioDim")
        }
        if encodeActs?.b != clips || encodeActs?.t != frames {
            encodeActs = nil
            encodeActs = DenoiserActivations(config: cf, rows: clips, frames: frames, training: false)
        }
        let a = encodeActs!
        dropoutActive = false
        copy(audio, a.encMel)
        let enc = encoderForward(a, rows: clips, mask: nil)
        let d = cf.width
        meanPoolForward(out: a.pooled, inp: enc, mask: nil, b: clips, t: frames, c: d)
        layerNormForward(out: a.poolLn, mean: a.poolMean, rstd: a.poolRstd, inp: a.pooled, gamma: W + p.poolNorm.g,
                         beta: W + p.poolNorm.b, n: clips, c: d)
        linear(a.p1, a.poolLn, p.pool1, rows: clips)
        siluForward(out: a.p1a, inp: a.p1, count: clips * d)
        linear(a.p2, a.p1a, p.pool3, rows: clips)
        let hid = Array(UnsafeBufferPointer(start: a.p2, count: clips * d))
        var aligned = [Float](repeating: 0, count: cf.frameAlignedAudio ? clips * frames * d : 0)
        let smooth = TemporalSmooth(radius: cf.alignedAudioSmoothing)
        aligned.withUnsafeMutableBufferPointer { buf in
            for r in 0..<(buf.isEmpty ? 0 : clips) {
                temporalSmoothForward(smooth, out: buf.baseAddress! + r * frames * d, inp: enc + r * frames * d, mask: nil, t: frames, c: d)
            }
        }
        let ctx = audioKeysValues(tokens: enc, clips: clips, frames: frames, hid: hid, aligned: aligned, scratch: a)
        if supportsGuidance { ctx.null = nullContext(frames: frames) }
        return ctx
    }

    /// The context of the unconditional branch: the learned null token sequence and null pooled vector.
    /// Computed with the current weights every time (weights may have been replaced since the last window).
    func nullContext(frames: Int) -> DenoiserAudioContext {
        if nullActs?.t != frames { nullActs = DenoiserActivations(config: config, rows: 1, frames: frames, training: false) }
        let hid = Array(UnsafeBufferPointer(start: W + p.nullHid, count: config.width))
        let frame = p.nullFrame.map { Array(UnsafeBufferPointer(start: W + $0, count: config.width)) } ?? []
        let aligned = Array([[Float]](repeating: frame, count: frames).joined())
        return audioKeysValues(tokens: W + p.nullTok, clips: 1, frames: frames, hid: hid, aligned: aligned, scratch: nullActs!)
    }

    /// LayerNorm(nm) of the audio tokens (per token, so independent of the time tokens), rotary at positions
    /// 0..<T, and each layer's K/V projections.
    /// `aligned` is what the rows add to their frames when `frameAlignedAudio` ([clips, T, d]; empty otherwise).
    private func audioKeysValues(tokens: FPtr, clips: Int, frames: Int, hid: [Float], aligned: [Float],
                                 scratch a: DenoiserActivations) -> DenoiserAudioContext {
        let d = config.width, n = clips * frames
        layerNormForward(out: a.mem, mean: a.memMean, rstd: a.memRstd, inp: tokens, gamma: W + p.nm.g, beta: W + p.nm.b, n: n, c: d)
        rotaryForward(out: a.rmem, inp: a.mem, table: rotary, b: clips, t: frames, c: d)
        var keys: [[Float]] = [], values: [[Float]] = []
        for lp in p.layers {
            var k = [Float](repeating: 0, count: n * d), v = k
            k.withUnsafeMutableBufferPointer { linear($0.baseAddress!, a.rmem, lp.caIn, rows: n, outOffset: d, outCount: d) }
            v.withUnsafeMutableBufferPointer { linear($0.baseAddress!, a.mem, lp.caIn, rows: n, outOffset: 2 * d, outCount: d) }
            keys.append(k); values.append(v)
        }
        return DenoiserAudioContext(clips: clips, frames: frames, hid: hid, keys: keys, values: values, tokens: aligned)
    }

    /// x0 prediction for `rows.count` rows (no dropout). Unconditioned rows use the null embeddings and never
    /// read the audio context. Activations are cached for the last (rows, frames) shape.
    ///
    /// With more than one thread the rows are cut into `Threads.count` contiguous parts that run the whole
    /// pass at the same time, each on its own activations with inline (single-threaded) GEMMs and loops
    /// (`parallelParts`). Every op is row-independent, so this is the same computation; one window's ops are
    /// too small (2B·T = 240 token rows for the small model) for a fork/join per op to keep two cores busy.
    public func predictX0(x: [Float], timesteps: [Int], rows: [DenoiserRow], context: DenoiserAudioContext, frames: Int) throws -> [Float] {
        let cf = config, b = rows.count, t = frames
        guard b >= 1 else { throw DenoiserError.badInput(field: "rows", got: "0", expected: "≥ 1") }
        guard frames == context.frames else {
            throw DenoiserError.badInput(field: "frames", got: "\(frames)", expected: "\(context.frames) (the encoded audio's frames)")
        }
        guard x.count == b * t * cf.motionDim else {
            throw DenoiserError.badInput(field: "x", got: "\(x.count) floats", expected: "\(b * t * cf.motionDim) = rows·frames·motionDim")
        }
        guard timesteps.count == b, timesteps.allSatisfy({ (0..<cf.diffusionSteps).contains($0) }) else {
            throw DenoiserError.badInput(field: "timesteps", got: "\(timesteps.count) values", expected: "\(b) values in 0..<\(cf.diffusionSteps)")
        }
        for r in rows where r.conditioned && !(0..<context.clips).contains(r.clip) {
            throw DenoiserError.badInput(field: "rows.clip", got: "\(r.clip)", expected: "0..<\(context.clips)")
        }
        if rows.contains(where: { !$0.conditioned }) && (!supportsGuidance || context.null == nil) { throw DenoiserError.noUnconditionalMode }
        dropoutActive = false
        let parts = min(Threads.count, b)
        let bounds = (0...parts).map { $0 * b / parts }
        let sizes = (0..<parts).map { bounds[$0 + 1] - bounds[$0] }
        if inferActs.map(\.b) != sizes || inferActs.contains(where: { $0.t != t }) {
            inferActs = []
            inferActs = sizes.map { DenoiserActivations(config: cf, rows: $0, frames: t, training: false) }
        }
        var out = [Float](repeating: 0, count: b * t * cf.motionDim)
        let perRow = t * cf.motionDim
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                withOwnGemmThreads {
                    parallelParts(parts) { k in
                        let lo = bounds[k], hi = bounds[k + 1]
                        predictX0Rows(x: xp.baseAddress! + lo * perRow, timesteps: Array(timesteps[lo..<hi]),
                                      rows: Array(rows[lo..<hi]), context: context, acts: inferActs[k],
                                      out: op.baseAddress! + lo * perRow)
                    }
                }
            }
        }
        return out
    }

    /// The whole pass for validated rows on activations `a` (shaped for them): out ← x0 prediction.
    private func predictX0Rows(x: UnsafePointer<Float>, timesteps: [Int], rows: [DenoiserRow], context: DenoiserAudioContext,
                               acts a: DenoiserActivations, out: FPtr) {
        let cf = config, b = rows.count, t = a.t, d = cf.width, s = t + 2
        let null = context.null
        a.x.update(from: x, count: b * t * cf.motionDim)
        linear(a.h0, a.x, p.inp, rows: b * t)
        for (r, row) in rows.enumerated() {
            let ctx = row.conditioned ? context : null!, clip = row.conditioned ? row.clip : 0
            ctx.hid.withUnsafeBufferPointer { (a.hid + r * d).update(from: $0.baseAddress! + clip * d, count: d) }
            if cf.frameAlignedAudio {
                ctx.tokens.withUnsafeBufferPointer { addInto(a.h0 + r * t * d, a.h0 + r * t * d, UnsafeMutablePointer(mutating: $0.baseAddress! + clip * t * d), t * d) }
            }
        }
        timeForward(a, timesteps: timesteps)
        // Time tokens: Linear(4d, 2d) → LayerNorm(nm) per token → rotary at positions T, T+1 → K/V per layer.
        linear(a.ttok, a.th, p.ttok, rows: b)
        layerNormForward(out: a.memPre, mean: a.memMean, rstd: a.memRstd, inp: a.ttok, gamma: W + p.nm.g, beta: W + p.nm.b, n: 2 * b, c: d)
        rotaryForward(out: a.rmem, inp: a.memPre, table: rotary, b: b, t: 2, c: d, firstPosition: t)
        for (j, (lp, l)) in zip(p.layers, a.layers).enumerated() {
            linear(a.mem, a.rmem, lp.caIn, rows: 2 * b, outOffset: d, outCount: d)
            linear(a.ttok, a.memPre, lp.caIn, rows: 2 * b, outOffset: 2 * d, outCount: d)
            for (r, row) in rows.enumerated() {
                let ctx = row.conditioned ? context : null!, clip = row.conditioned ? row.clip : 0
                ctx.keys[j].withUnsafeBufferPointer { (l.k + r * s * d).update(from: $0.baseAddress! + clip * t * d, count: t * d) }
                ctx.values[j].withUnsafeBufferPointer { (l.vv + r * s * d).update(from: $0.baseAddress! + clip * t * d, count: t * d) }
                (l.k + (r * s + t) * d).update(from: a.mem + r * 2 * d, count: 2 * d)
                (l.vv + (r * s + t) * d).update(from: a.ttok + r * 2 * d, count: 2 * d)
            }
        }
        decoderForward(a, selfMask: nil, crossMask: nil)
        out.update(from: a.out, count: b * t * cf.motionDim)
    }
}
