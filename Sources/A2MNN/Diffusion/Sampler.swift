import A2MCore

/// One denoising step, as handed to the caller (progress display, early stopping, inspection).
public struct DenoisingStep {
    /// 0-based step index; `count` steps in all.
    public let index: Int
    public let count: Int
    /// The training timestep the network saw at this step.
    public let timestep: Int
    /// Guidance weight used at this step (after the guidance schedule).
    public let guidance: Float
    /// x_t fed to the network (after any frame constraint), [B, frames, D].
    public let x: [Float]
    /// The (guided) x0 prediction at this step, [B, frames, D]. After the last step this is the sample.
    public let x0: [Float]
}

/// Frames whose clean value is known in advance (long-form stitching): for row b, frames 0..<lengths[b] of
/// `x0` ([B, frames, D]) are imposed. Before every network call those frames of x_t are replaced by the known
/// x0 noised to the current timestep, q(x_t | x0) with fresh noise (the "replacement" inpainting of Song et al.
/// 2021 and RePaint without resampling), so the network completes the rest of the window consistently.
///
/// `ties` join rows that are consecutive windows of one clip denoised in the same batch (EDGE's concurrent
/// long-form sampling, Tseng et al. 2023 §3.4): the tied frames of x_t are copied from the source row before
/// every network call, so both windows see identical values there at every noise level and the later window
/// completes its remaining frames around them. The sample itself keeps each row's own final prediction: on
/// the shared frames each window is least reliable at its own edge, so the caller crossfades them
/// (`WindowStitcher`) instead of cutting from one to the other (a cut showed seams in the long-form tests).
public struct PrefixConstraint {
    public var lengths: [Int]
    public var x0: [Float]
    public var ties: [FrameTie]
    public init(lengths: [Int], x0: [Float], ties: [FrameTie] = []) {
        self.lengths = lengths
        self.x0 = x0
        self.ties = ties
    }
}

/// Frames 0..<count of row `row` take the values of frames sourceStart..<sourceStart + count of row `source`.
/// Ties are applied in array order, so a chain (row 2 from row 1 from row 0) needs increasing rows.
public struct FrameTie: Equatable, Sendable {
    public var row: Int
    public var source: Int
    public var sourceStart: Int
    public var count: Int
    public init(row: Int, source: Int, sourceStart: Int, count: Int) {
        self.row = row; self.source = source; self.sourceStart = sourceStart; self.count = count
    }
}

/// The reverse diffusion process as a `Sequence` of `DenoisingStep`s, network predicting x0.
///
/// Each step with x_t and x̂0 = guided prediction computes x_{t'} = a·x_t + b·x̂0 + s·z, t' the next visited
/// timestep (or "−1" = clean after the last step), with (a, b, s) precomputed in Double per step:
/// - DDIM (Song et al. 2021 eq. 12): σ = η·√((1−ᾱ')/(1−ᾱ))·√(1−ᾱ/ᾱ'), ε̂ = (x_t − √ᾱ·x̂0)/√(1−ᾱ),
///   x_{t'} = √ᾱ'·x̂0 + √(1−ᾱ'−σ²)·ε̂ + σz.
/// - DDPM: the posterior q(x_{t'} | x_t, x̂0) of the respaced chain with β' = 1 − ᾱ/ᾱ' (improved-diffusion
///   `SpacedDiffusion`): mean = √ᾱ'β'/(1−ᾱ)·x̂0 + √(1−β')(1−ᾱ')/(1−ᾱ)·x_t, variance β'(1−ᾱ')/(1−ᾱ).
///   This equals DDIM with η = 1 (tested).
/// The last step returns x̂0 itself (s = 0, ᾱ' = 1).
/// With `GuidanceMethod.cfgpp` ε̂ is computed from the unconditional prediction û0 instead of x̂0, which adds
/// r·(x̂0 − û0) with r = a·√ᾱ to the same update (both samplers have b = √ᾱ' − a·√ᾱ).
///
/// Noise: row b draws x_T and every z from `generators[b]` (by default `PCG32.derived(seed, .sampling,
/// rank: b)`), so a row's result does not depend on which other rows share the batch. `next()` stops (returns
/// nil) on a denoiser error and keeps it in `error`; `finish()` rethrows it.
public final class DiffusionSampler<Denoiser: MotionDenoiser>: Sequence, IteratorProtocol {
    public let timesteps: [Int]
    public private(set) var generators: [PCG32]
    public private(set) var error: Error?
    public private(set) var current: [Float]
    public private(set) var lastX0: [Float]?

    private let denoiser: Denoiser
    private let schedule: DiffusionSchedule
    private let options: SamplerOptions
    private let context: Denoiser.AudioContext
    private let clips: [Int]
    private let frames: Int
    private let constraint: PrefixConstraint?
    private let coefficients: [(a: Float, b: Float, s: Float, r: Float)]
    private var index = 0

    /// - Parameters:
    ///   - clips: for each of the B rows, its clip index in `context`.
    ///   - generators: one RNG per row; nil = `PCG32.derived(seed: options.seed, purpose: .sampling, rank: b)`.
    ///   - initialNoise: x_T ([B, frames, D]); nil = drawn from the generators.
    public init(denoiser: Denoiser, schedule: DiffusionSchedule, options: SamplerOptions,
                context: Denoiser.AudioContext, clips: [Int], frames: Int,
                generators: [PCG32]? = nil, initialNoise: [Float]? = nil, constraint: PrefixConstraint? = nil) throws {
        try options.validate(trainingSteps: schedule.steps, supportsGuidance: denoiser.supportsGuidance)
        guard denoiser.trainingSteps == schedule.steps else {
            throw SamplingError.invalidOption(name: "schedule steps", value: "\(schedule.steps)",
                                              expected: "\(denoiser.trainingSteps) (the model's training steps)")
        }
        let B = clips.count
        let n = B * frames * denoiser.motionDim
        guard B > 0, frames > 0 else {
            throw SamplingError.invalidOption(name: "batch", value: "\(B) rows × \(frames) frames", expected: "at least 1 row and 1 frame")
        }
        if let g = generators, g.count != B {
            throw SamplingError.invalidOption(name: "generators", value: "\(g.count)", expected: "\(B) (one per row)")
        }
        if let c = constraint, c.lengths.count != B || c.x0.count != n || c.lengths.contains(where: { !(0...frames).contains($0) }) {
            throw SamplingError.invalidOption(name: "constraint", value: "\(c.lengths.count) rows, \(c.x0.count) values",
                                              expected: "\(B) rows with prefix lengths in 0...\(frames), \(n) values")
        }
        for tie in constraint?.ties ?? [] where !(0..<B).contains(tie.row) || !(0..<tie.row).contains(tie.source) || tie.count < 0
            || tie.sourceStart < 0 || tie.sourceStart + tie.count > frames || tie.count > frames {
            throw SamplingError.invalidOption(name: "constraint.ties", value: "\(tie)",
                                              expected: "row in 0..<\(B), source < row, frames within 0..<\(frames)")
        }
        self.denoiser = denoiser
        self.schedule = schedule
        self.options = options
        self.context = context
        self.clips = clips
        self.frames = frames
        self.constraint = constraint
        self.generators = generators ?? (0..<B).map { PCG32.derived(seed: options.seed, purpose: .sampling, rank: $0) }
        timesteps = options.spacing.timesteps(schedule: schedule, steps: options.steps)
        coefficients = Self.coefficients(schedule: schedule, timesteps: timesteps, kind: options.kind, eta: Double(options.eta))
        if let x = initialNoise {
            guard x.count == n else { throw SamplingError.invalidOption(name: "initialNoise", value: "\(x.count) values", expected: "\(n)") }
            current = x
        } else {
            current = [Float](repeating: 0, count: n)
            drawNoise(into: &current)
        }
    }

    /// Per-step (a, b, s) of x_{t'} = a·x_t + b·x̂0 + s·z, and CFG++'s r = a·√ᾱ, computed in Double.
    static func coefficients(schedule: DiffusionSchedule, timesteps: [Int], kind: SamplerKind, eta: Double) -> [(a: Float, b: Float, s: Float, r: Float)] {
        timesteps.indices.map { i in
            let ab = schedule.alphasCumprod64[timesteps[i]]
            let abPrev = i + 1 < timesteps.count ? schedule.alphasCumprod64[timesteps[i + 1]] : 1.0
            switch kind {
            case .ddim:
                let sigma = eta * ((1 - abPrev) / (1 - ab)).squareRoot() * (1 - ab / abPrev).squareRoot()
                let a = Swift.max(0, 1 - abPrev - sigma * sigma).squareRoot() / (1 - ab).squareRoot()
                return (Float(a), Float(abPrev.squareRoot() - a * ab.squareRoot()), Float(sigma), Float(a * ab.squareRoot()))
            case .ddpm:
                let beta = 1 - ab / abPrev
                let c1 = abPrev.squareRoot() * beta / (1 - ab)
                let c2 = (1 - beta).squareRoot() * (1 - abPrev) / (1 - ab)
                let variance = beta * (1 - abPrev) / (1 - ab)
                return (Float(c2), Float(c1), Float(variance.squareRoot()), Float(c2 * ab.squareRoot()))
            }
        }
    }

    /// Fills `buffer` row by row, row b from generator b.
    private func drawNoise(into buffer: inout [Float]) {
        let per = buffer.count / clips.count
        buffer.withUnsafeMutableBufferPointer { p in
            for b in 0..<clips.count {
                generators[b].fillGaussian(UnsafeMutableBufferPointer(rebasing: p[b * per..<(b + 1) * per]))
            }
        }
    }

    private func applyConstraint(at t: Int) {
        guard let c = constraint else { return }
        let D = denoiser.motionDim
        let a = schedule.sqrtAlphasCumprod[t], s = schedule.sqrtOneMinusAlphasCumprod[t]
        for b in 0..<clips.count where c.lengths[b] > 0 {
            let base = b * frames * D
            for i in base..<base + c.lengths[b] * D {
                current[i] = a * c.x0[i] + s * generators[b].gaussian()
            }
        }
        applyTies()
    }

    private func applyTies() {
        guard let ties = constraint?.ties, !ties.isEmpty else { return }
        let D = denoiser.motionDim
        current.withUnsafeMutableBufferPointer { p in
            for tie in ties {
                (p.baseAddress! + tie.row * frames * D).update(from: p.baseAddress! + (tie.source * frames + tie.sourceStart) * D, count: tie.count * D)
            }
        }
    }

    /// Runs one denoising step; nil when all steps are done.
    public func step() throws -> DenoisingStep? {
        guard index < timesteps.count, error == nil else { return nil }
        let t = timesteps[index]
        applyConstraint(at: t)
        let w = options.guidanceSchedule.weight(options.guidance, step: index, of: timesteps.count)
        let (x0, unconditional) = try Guidance.predictX0(denoiser, x: current, timestep: t, clips: clips, weight: w,
                                                         method: options.guidanceMethod, context: context, frames: frames)
        let xt = current
        let (a, b, s, r) = coefficients[index]
        var next = [Float](repeating: 0, count: xt.count)
        if s > 0 { drawNoise(into: &next) }
        if let u = unconditional {
            for i in 0..<next.count { next[i] = a * xt[i] + b * x0[i] + r * (x0[i] - u[i]) + s * next[i] }
        } else {
            for i in 0..<next.count { next[i] = a * xt[i] + b * x0[i] + s * next[i] }
        }
        let result = DenoisingStep(index: index, count: timesteps.count, timestep: t, guidance: w, x: xt, x0: x0)
        index += 1
        current = index == timesteps.count ? x0 : next
        lastX0 = x0
        return result
    }

    public func next() -> DenoisingStep? {
        do { return try step() } catch {
            self.error = error
            return nil
        }
    }

    /// Runs the remaining steps and returns the sample x0 ([B, frames, D]); rethrows a denoiser error.
    public func finish() throws -> [Float] {
        if let e = error { throw e }
        while try step() != nil {}
        return current
    }
}
