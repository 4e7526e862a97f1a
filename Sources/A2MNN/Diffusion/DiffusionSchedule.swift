import A2MCore
import Foundation

/// How β_t grows over the training timesteps.
public enum BetaSchedule: String, Codable, Sendable, CaseIterable {
    /// Nichol & Dhariwal 2021 ("Improved DDPM", `betas_for_alpha_bar`): ᾱ(u) = cos²((u + s)/(1 + s)·π/2) / ᾱ(0),
    /// s = 0.008, β_t = min(1 − ᾱ((t+1)/T)/ᾱ(t/T), 0.999). What EDGE and audio2photoreal train with.
    case cosine
    /// Ho et al. 2020, rescaled as in improved-diffusion: β linear from 1e-4·(1000/T) to 0.02·(1000/T).
    case linear
}

/// The "diffusion" object of Configs/*.json. Missing keys take the documented defaults; unknown keys are rejected.
public struct DiffusionConfig: Codable, Sendable, Equatable {
    /// Number of training timesteps T. Default 1000 (EDGE, MDM, audio2photoreal).
    public var steps: Int = 1000
    /// β schedule. Default `.cosine`.
    public var schedule: BetaSchedule = .cosine

    public init(steps: Int = 1000, schedule: BetaSchedule = .cosine) {
        self.steps = steps
        self.schedule = schedule
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case steps, schedule }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        steps = try c.value(.steps, or: 1000)
        schedule = try c.value(.schedule, or: .cosine)
    }

    /// Range checks; `file` names the config in the error. `prefix` is the key path of this object.
    public func validate(file: String, prefix: String = "diffusion") throws {
        // Below 2 there is no denoising chain; above 10000 the cosine β clip dominates and nothing is gained.
        try ConfigValidator(file: file).check("\(prefix).steps", steps, in: 2...10_000)
    }
}

/// The forward (noising) process of a DDPM: β_t, ᾱ_t and the posterior q(x_{t−1} | x_t, x0) for t in 0..<T.
///
/// Everything is computed in Double and stored as Float (the samplers derive respaced coefficients from the
/// Double ᾱ). Timesteps are 0-based as in improved-diffusion/EDGE: t = 0 is the least noisy step, t = T−1 the
/// noisiest, and the network sees these integers.
public struct DiffusionSchedule: Sendable {
    package let steps: Int
    package let kind: BetaSchedule
    let betas: [Float]
    /// ᾱ_t = Π_{s≤t} (1 − β_s).
    let alphasCumprod: [Float]
    let sqrtAlphasCumprod: [Float]
    let sqrtOneMinusAlphasCumprod: [Float]
    /// Var q(x_{t−1} | x_t, x0) = β_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t), with ᾱ_{−1} = 1 (so 0 at t = 0).
    let posteriorVariance: [Float]
    /// Mean q(x_{t−1} | x_t, x0) = coef1_t · x0 + coef2_t · x_t.
    let posteriorMeanCoef1: [Float]
    let posteriorMeanCoef2: [Float]
    /// ᾱ in Double, for coefficients derived on respaced timesteps.
    let alphasCumprod64: [Double]

    package init(_ config: DiffusionConfig = DiffusionConfig()) {
        self.init(steps: config.steps, kind: config.schedule)
    }

    package init(steps: Int, kind: BetaSchedule = .cosine) {
        precondition(steps >= 2, "DiffusionSchedule needs at least 2 steps (validate the config first)")
        self.steps = steps
        self.kind = kind
        let T = Double(steps)
        var b = [Double](repeating: 0, count: steps)
        switch kind {
        case .cosine:
            let s = 0.008
            func f(_ u: Double) -> Double { let c = cos((u + s) / (1 + s) * Double.pi / 2); return c * c }
            for i in 0..<steps { b[i] = min(1 - f(Double(i + 1) / T) / f(Double(i) / T), 0.999) }
        case .linear:
            let scale = 1000 / T, lo = scale * 1e-4, hi = scale * 0.02
            for i in 0..<steps { b[i] = lo + (hi - lo) * Double(i) / Double(steps - 1) }
        }
        var ac = [Double](repeating: 0, count: steps)
        var prod = 1.0
        for i in 0..<steps { prod *= 1 - b[i]; ac[i] = prod }
        var pv = [Double](repeating: 0, count: steps), c1 = pv, c2 = pv
        for i in 0..<steps {
            let prev = i == 0 ? 1.0 : ac[i - 1]
            pv[i] = b[i] * (1 - prev) / (1 - ac[i])
            c1[i] = b[i] * prev.squareRoot() / (1 - ac[i])
            c2[i] = (1 - prev) * (1 - b[i]).squareRoot() / (1 - ac[i])
        }
        alphasCumprod64 = ac
        betas = b.map(Float.init)
        alphasCumprod = ac.map(Float.init)
        sqrtAlphasCumprod = ac.map { Float($0.squareRoot()) }
        sqrtOneMinusAlphasCumprod = ac.map { Float((1 - $0).squareRoot()) }
        posteriorVariance = pv.map(Float.init)
        posteriorMeanCoef1 = c1.map(Float.init)
        posteriorMeanCoef2 = c2.map(Float.init)
    }

    /// q(x_t | x0): x_t = √ᾱ_t · x0 + √(1 − ᾱ_t) · noise, one timestep per row.
    /// `x0`, `noise`, `out` are [timesteps.count, rowSize]; `out` may alias neither input.
    package func qSample(x0: UnsafeBufferPointer<Float>, timesteps: [Int], noise: UnsafeBufferPointer<Float>,
                        out: UnsafeMutableBufferPointer<Float>) {
        let rows = timesteps.count
        precondition(rows > 0 && x0.count % rows == 0 && noise.count == x0.count && out.count == x0.count,
                     "qSample: shapes disagree (x0 \(x0.count), noise \(noise.count), out \(out.count), rows \(rows))")
        let n = x0.count / rows
        for r in 0..<rows {
            let t = timesteps[r]
            precondition((0..<steps).contains(t), "qSample: timestep \(t) outside 0..<\(steps)")
            let a = sqrtAlphasCumprod[t], s = sqrtOneMinusAlphasCumprod[t]
            for i in r * n..<(r + 1) * n { out[i] = a * x0[i] + s * noise[i] }
        }
    }

    /// Array form of `qSample`: returns x_t for `x0` and `noise` of shape [timesteps.count, rowSize].
    package func qSample(x0: [Float], timesteps: [Int], noise: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: x0.count)
        x0.withUnsafeBufferPointer { xp in
            noise.withUnsafeBufferPointer { np in
                out.withUnsafeMutableBufferPointer { op in
                    qSample(x0: xp, timesteps: timesteps, noise: np, out: op)
                }
            }
        }
        return out
    }
}
