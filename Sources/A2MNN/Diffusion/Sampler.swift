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

/// The reverse diffusion process as a `Sequence` of `DenoisingStep`s: the network, a `Sampler` (the update
/// rule, DDIM or DDPM or any other conforming type) and a `GuidanceMixer` (CFG, CFG++), plus the long-form
/// frame constraints, which only need the sampler's `marginal(step:)` and so work with every sampler.
///
/// Each step: impose the constraint's known frames on x at the step's noise level and apply the ties; run the
/// network on the branches the mixer's plan asks for (one call, 2B rows for both); mix them into the guided
/// prediction; let the sampler move x to the next noise level (after the last step, the sample).
///
/// Noise: row b draws x_T, the constraint noise and the sampler's step noise from `generators[b]` (by default
/// `PCG32.derived(seed, .sampling, rank: b)`), so a row's result does not depend on which other rows share the
/// batch. `next()` stops (returns nil) on a denoiser error and keeps it in `error`; `finish()` rethrows it.
package final class DenoisingLoop<Network: MotionDenoiser>: Sequence, IteratorProtocol {
    package let sampler: any Sampler
    package let guidance: any GuidanceMixer
    package var timesteps: [Int] { sampler.timesteps }
    package var generators: [PCG32] { noise.generators }
    package private(set) var error: Error?
    package private(set) var current: [Float]
    package private(set) var lastX0: [Float]?

    private let denoiser: Network
    private let noise: RowNoise
    private let context: Network.AudioContext
    private let clips: [Int]
    private let frames: Int
    private let constraint: PrefixConstraint?
    private var index = 0

    /// - Parameters:
    ///   - options: validated against the model; the sampler and mixer are made from them unless given.
    ///   - clips: for each of the B rows, its clip index in `context`.
    ///   - generators: one RNG per row; nil = `PCG32.derived(seed: options.seed, purpose: .sampling, rank: b)`.
    ///   - initialNoise: x_T ([B, frames, D]); nil = drawn from the generators.
    ///   - sampler, guidance: the update rule and mixer; nil = `options.makeSampler(schedule:)`, `options.makeGuidance()`.
    package init(denoiser: Network, schedule: DiffusionSchedule, options: SamplerOptions,
                context: Network.AudioContext, clips: [Int], frames: Int,
                generators: [PCG32]? = nil, initialNoise: [Float]? = nil, constraint: PrefixConstraint? = nil,
                sampler: (any Sampler)? = nil, guidance: (any GuidanceMixer)? = nil) throws {
        try options.validate(trainingSteps: schedule.steps, supportsGuidance: denoiser.supportsGuidance, distilled: denoiser.distilledGuidance)
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
        let sampler = sampler ?? options.makeSampler(schedule: schedule)
        guard !sampler.timesteps.isEmpty, sampler.timesteps.allSatisfy({ (0..<schedule.steps).contains($0) }) else {
            throw SamplingError.invalidOption(name: "sampler timesteps", value: "\(sampler.timesteps.count) steps",
                                              expected: "at least one, each in 0..<\(schedule.steps)")
        }
        self.denoiser = denoiser
        self.sampler = sampler
        self.guidance = guidance ?? options.makeGuidance(distilled: denoiser.distilledGuidance)
        self.context = context
        self.clips = clips
        self.frames = frames
        self.constraint = constraint
        noise = RowNoise(generators ?? (0..<B).map { PCG32.derived(seed: options.seed, purpose: .sampling, rank: $0) })
        if let x = initialNoise {
            guard x.count == n else { throw SamplingError.invalidOption(name: "initialNoise", value: "\(x.count) values", expected: "\(n)") }
            current = x
        } else {
            current = [Float](repeating: 0, count: n)
            noise.fill(&current)
        }
    }

    /// Known frames noised to the step's level with fresh noise (q(x_t | x0) for the DDPM family), then ties.
    private func applyConstraint(step: Int) {
        guard let c = constraint else { return }
        let D = denoiser.motionDim
        let (a, s) = sampler.marginal(step: step)
        for b in 0..<clips.count where c.lengths[b] > 0 {
            let base = b * frames * D
            for i in base..<base + c.lengths[b] * D {
                current[i] = a * c.x0[i] + s * noise.gaussian(row: b)
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

    /// The network on the branches `plan` asks for: B rows, or 2B rows in one call (conditioned first).
    private func predict(_ plan: GuidancePlan, timestep t: Int) throws -> [Float] {
        let n = current.count
        let ts = [Int](repeating: t, count: clips.count)
        switch plan.branches {
        case .conditional, .unconditional:
            let rows = clips.map { DenoiserRow(clip: $0, conditioned: plan.branches == .conditional) }
            let out = try denoiser.predictX0(x: current, timesteps: ts, rows: rows, context: context, frames: frames)
            guard out.count == n else { throw SamplingError.denoiserOutput(got: out.count, expected: n) }
            return out
        case .both:
            let rows = clips.map { DenoiserRow(clip: $0, conditioned: true) } + clips.map { DenoiserRow(clip: $0, conditioned: false) }
            let out = try denoiser.predictX0(x: current + current, timesteps: ts + ts, rows: rows, context: context, frames: frames)
            guard out.count == 2 * n else { throw SamplingError.denoiserOutput(got: out.count, expected: 2 * n) }
            return out
        }
    }

    /// Runs one denoising step; nil when all steps are done.
    package func step() throws -> DenoisingStep? {
        let count = sampler.timesteps.count
        guard index < count, error == nil else { return nil }
        let t = sampler.timesteps[index]
        applyConstraint(step: index)
        let plan = guidance.plan(step: index, of: count)
        let shape = PredictionShape(rows: clips.count, frames: frames, dim: denoiser.motionDim)
        let prediction = guidance.mix(plan, output: try predict(plan, timestep: t), shape: shape)
        let xt = current
        current = try sampler.step(index, x: xt, prediction: prediction, noise: noise)
        let result = DenoisingStep(index: index, count: count, timestep: t, guidance: plan.weight, x: xt, x0: prediction.x0)
        index += 1
        lastX0 = prediction.x0
        return result
    }

    package func next() -> DenoisingStep? {
        do { return try step() } catch {
            self.error = error
            return nil
        }
    }

    /// Runs the remaining steps and returns the sample x0 ([B, frames, D]); rethrows a denoiser error.
    package func finish() throws -> [Float] {
        if let e = error { throw e }
        while try step() != nil {}
        return current
    }
}
