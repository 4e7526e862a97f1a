/// Per-step coefficients of a sampler whose update is linear in the state, the prediction and the noise:
///   x_{t'} = a·x_t + b·x̂0 + r·(x̂0 − x̃0) + s·z,
/// x̃0 the prediction the noise estimate comes from (`GuidedPrediction.noiseX0`; the r term vanishes when it is
/// x̂0). Computed in Double, stored as Float. With ε̂ from x̃0, a sampler of the form √ᾱ'·x̂0 + c·ε̂ + s·z has
/// b + r = √ᾱ' and r = a·√ᾱ, which is how CFG++ enters DDIM and DDPM without either knowing about guidance.
public struct LinearStepCoefficients: Sendable, Equatable {
    public var a: Float
    public var b: Float
    public var s: Float
    public var r: Float
}

/// A sampler with one `LinearStepCoefficients` per step (DDIM, DDPM): the shared update and constraint level.
public protocol LinearStepSampler: Sampler {
    var schedule: DiffusionSchedule { get }
    var coefficients: [LinearStepCoefficients] { get }
}

extension LinearStepSampler {
    /// x_t = √ᾱ_t·x0 + √(1 − ᾱ_t)·ε, the forward process at the step's training timestep.
    public func marginal(step index: Int) -> (scale: Float, sigma: Float) {
        let t = timesteps[index]
        return (schedule.sqrtAlphasCumprod[t], schedule.sqrtOneMinusAlphasCumprod[t])
    }

    /// Noise is drawn only for steps with s > 0, so η = 0 consumes none after x_T. The last step returns x̂0.
    public func step(_ index: Int, x xt: [Float], prediction: GuidedPrediction, noise: RowNoise) throws -> [Float] {
        let c = coefficients[index]
        let x0 = prediction.x0
        var next = [Float](repeating: 0, count: xt.count)
        if c.s > 0 { noise.fill(&next) }
        if index + 1 == coefficients.count { return x0 }
        let (a, b, s, r) = (c.a, c.b, c.s, c.r)
        if let u = prediction.noiseX0 {
            for i in 0..<next.count { next[i] = a * xt[i] + b * x0[i] + r * (x0[i] - u[i]) + s * next[i] }
        } else {
            for i in 0..<next.count { next[i] = a * xt[i] + b * x0[i] + s * next[i] }
        }
        return next
    }
}
