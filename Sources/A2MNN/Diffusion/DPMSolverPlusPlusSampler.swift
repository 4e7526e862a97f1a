import Foundation

/// DPM-Solver++(2M) (Lu et al. 2022, "DPM-Solver++: Fast solver for guided sampling of diffusion probabilistic
/// models", Algorithm 2): a second-order multistep solver of the diffusion ODE in data-prediction form, the
/// same deterministic ODE DDIM (η = 0) discretizes to first order. With α = √ᾱ, σ = √(1 − ᾱ),
/// λ = log(α/σ) and h = λ' − λ from the visited timestep t to the next one t':
///   x_{t'} = (σ'/σ)·x_t + α'·(1 − e^{−h})·D,
///   D = x̂0                                   on the first step (no history: exactly DDIM η = 0),
///   D = (1 + 1/(2r))·x̂0 − 1/(2r)·x̂0_prev,    r = h_prev/h, on the others.
/// The last step goes to clean data (σ' = 0, h = ∞) and returns x̂0, as DDIM does ("lower order final":
/// the 2M correction has no finite form there). Each step is one network evaluation, and the only state
/// between steps is the previous guided x̂0 and h, so it costs one buffer per run.
///
/// Guidance enters through x̂0 (any `GuidanceMixer`). With CFG++ (`GuidedPrediction.noiseX0` = û0) the step takes
/// its noise estimate from û0, as `LinearStepSampler` does: x_{t'} += (σ'/σ)·α·(x̂0 − û0), which on the first
/// step is exactly CFG++'s DDIM step and otherwise matches ComfyUI's `dpmpp_2m_cfg_pp` except that the
/// extrapolation D uses the previous *guided* prediction (the one this step continued from).
///
/// The coefficients are computed in Double from ᾱ (Tests/A2MKitTests/Fixtures/diffusion/make_dpmpp_reference.py
/// is the numpy reference the tests compare against).
public final class DPMSolverPlusPlusSampler: Sampler {
    public let schedule: DiffusionSchedule
    public let timesteps: [Int]
    /// Per step: a = σ'/σ, b = α'(1 − e^{−h}), the 2M weight c = 1/(2r) on (x̂0 − x̂0_prev) scaled by b (0 on
    /// the first and last step), and the CFG++ weight a·α.
    public let coefficients: [Coefficients]
    private var previousX0: [Float]?

    public struct Coefficients: Sendable, Equatable {
        public var a: Float
        public var b: Float
        /// 1/(2r): D = x̂0 + c·(x̂0 − x̂0_prev).
        public var c: Float
        /// CFG++ term weight (σ'/σ)·α.
        public var r: Float
    }

    public init(schedule: DiffusionSchedule, timesteps: [Int]) {
        self.schedule = schedule
        self.timesteps = timesteps
        coefficients = Self.coefficients(schedule: schedule, timesteps: timesteps)
    }

    /// λ = log(α/σ) = ½·log(ᾱ/(1 − ᾱ)).
    static func lambda(_ ab: Double) -> Double { 0.5 * (log(ab) - log1p(-ab)) }

    static func coefficients(schedule: DiffusionSchedule, timesteps: [Int]) -> [Coefficients] {
        var out: [Coefficients] = []
        var hPrev: Double?
        for i in timesteps.indices {
            let ab = schedule.alphasCumprod64[timesteps[i]]
            guard i + 1 < timesteps.count else {
                out.append(Coefficients(a: 0, b: 1, c: 0, r: 0))
                break
            }
            let abNext = schedule.alphasCumprod64[timesteps[i + 1]]
            let (alpha, sigma) = (ab.squareRoot(), (1 - ab).squareRoot())
            let (alphaNext, sigmaNext) = (abNext.squareRoot(), (1 - abNext).squareRoot())
            let h = lambda(abNext) - lambda(ab)
            let a = sigmaNext / sigma
            let b = -alphaNext * expm1(-h)
            let c = hPrev.map { 1 / (2 * ($0 / h)) } ?? 0
            out.append(Coefficients(a: Float(a), b: Float(b), c: Float(c), r: Float(a * alpha)))
            hPrev = h
        }
        return out
    }

    /// The state on entry to step `index` is the forward process at its timestep, as for DDIM.
    public func marginal(step index: Int) -> (scale: Float, sigma: Float) {
        let t = timesteps[index]
        return (schedule.sqrtAlphasCumprod[t], schedule.sqrtOneMinusAlphasCumprod[t])
    }

    public func step(_ index: Int, x xt: [Float], prediction: GuidedPrediction, noise: RowNoise) throws -> [Float] {
        let x0 = prediction.x0
        defer { previousX0 = x0 }
        if index + 1 == coefficients.count { return x0 }
        let k = coefficients[index]
        var next = [Float](repeating: 0, count: xt.count)
        if index > 0, k.c != 0, let p = previousX0 {
            // 2M: D = x̂0 + c·(x̂0 − x̂0_prev).
            for i in 0..<next.count { next[i] = k.a * xt[i] + k.b * (x0[i] + k.c * (x0[i] - p[i])) }
        } else {
            for i in 0..<next.count { next[i] = k.a * xt[i] + k.b * x0[i] }
        }
        if let u = prediction.noiseX0 {
            for i in 0..<next.count { next[i] += k.r * (x0[i] - u[i]) }
        }
        return next
    }
}
