import Foundation

/// Which reverse process runs.
public enum SamplerKind: String, CaseIterable, Sendable, Codable {
    /// Song et al. 2021 (DDIM), with `eta` scaling the per-step noise: 0 = deterministic, 1 = DDPM-equivalent.
    case ddim
    /// Ho et al. 2020 ancestral sampling: x_{t'} ~ q(x_{t'} | x_t, x̂0) on the respaced chain
    /// (improved-diffusion `SpacedDiffusion`, posterior variance β̃, no noise on the last step).
    case ddpm
    /// DPM-Solver++(2M) (Lu et al. 2022): a deterministic second-order multistep solver of the same ODE as
    /// DDIM η = 0, for few steps (`DPMSolverPlusPlusSampler`; docs/sampling.md, "Few steps").
    case dpmpp2m = "dpmpp-2m"

    /// A fresh sampler of this kind on `timesteps` (one per run: samplers keep state between steps).
    public func makeSampler(schedule: DiffusionSchedule, timesteps: [Int], eta: Float) -> any Sampler {
        switch self {
        case .ddim: return DDIMSampler(schedule: schedule, timesteps: timesteps, eta: Double(eta))
        case .ddpm: return DDPMSampler(schedule: schedule, timesteps: timesteps)
        case .dpmpp2m: return DPMSolverPlusPlusSampler(schedule: schedule, timesteps: timesteps)
        }
    }
}

/// Errors raised before or during sampling.
public enum SamplingError: Error, CustomStringConvertible, Equatable {
    case invalidOption(name: String, value: String, expected: String)
    case guidanceUnsupported(weight: Float, schedule: GuidanceSchedule, method: GuidanceMethod)
    case denoiserOutput(got: Int, expected: Int)
    case distilledGuidance(DistilledGuidance, weight: Float, schedule: GuidanceSchedule, method: GuidanceMethod)

    public var description: String {
        switch self {
        case let .invalidOption(name, value, expected):
            return "\(name) = \(value) is invalid; expected \(expected)"
        case let .guidanceUnsupported(weight, schedule, method):
            return "guidance \(weight) (schedule \(schedule.rawValue), method \(method.rawValue)) needs an unconditional mode, but this "
                + "model was trained with condDropProbability = 0 and has none; use --guidance 1 --guidance-schedule constant "
                + "--guidance-method cfg, or a model trained with condDropProbability > 0"
        case let .distilledGuidance(d, weight, schedule, method):
            return "this model has guidance \(d.weight) (method \(d.method.rawValue)) distilled into its weights and samples at that "
                + "guidance only; asked for guidance \(weight) (schedule \(schedule.rawValue), method \(method.rawValue)). Pass "
                + "--guidance \(d.weight) --guidance-method \(d.method.rawValue), or use the model it was distilled from for other weights"
        case let .denoiserOutput(got, expected):
            return "denoiser returned \(got) values; expected \(expected)"
        }
    }
}

extension SamplerOptions {
    /// What `a2m generate`, `a2m stream` and the guidance study of `a2m eval` sample with when not told otherwise:
    /// DPM-Solver++(2M), 10 steps, `fewStep` spacing (10 network passes per window at w = 0 or 1, 20 with
    /// guidance), measured to be statistically indistinguishable from 50-step trailing DDIM on every `a2m eval`
    /// metric at 5× less work (docs/sampling.md, "Few steps"). The library's own `SamplerOptions()` stays 50-step
    /// DDIM, which the sampler tests and fixtures are written against.
    public static let commandDefault = SamplerOptions(kind: .dpmpp2m, steps: 10, spacing: .fewStep)
}

/// Everything the user chooses about sampling. Defaults: 50 DDIM steps, eta 0, guidance 1, constant, cfg, seed 0,
/// trailing spacing.
public struct SamplerOptions: Sendable, Equatable {
    public var kind: SamplerKind = .ddim
    /// Number of network evaluations (denoising steps), 1...T. Default 50 (EDGE, MDM's DDIM setting).
    public var steps: Int = 50
    /// DDIM noise scale in 0...1. Default 0 (deterministic given x_T). DDPM is eta = 1 by construction, so a
    /// nonzero eta with `.ddpm` is rejected rather than silently ignored.
    public var eta: Float = 0
    /// Classifier-free guidance weight w ≥ 0 on the x0 prediction. Default 1 (conditional model, one pass).
    public var guidance: Float = 1
    public var guidanceSchedule: GuidanceSchedule = .constant
    /// How the guided prediction enters the step (`GuidanceMethod`). Default `cfg`.
    public var guidanceMethod: GuidanceMethod = .cfg
    /// Seeds x_T and the per-step noise (RNG stream `.sampling`, one derived stream per clip).
    public var seed: UInt64 = 0
    /// Which timesteps the steps visit (`TimestepSpacing`). Default `trailing`.
    public var spacing: TimestepSpacing = .trailing

    public init(kind: SamplerKind = .ddim, steps: Int = 50, eta: Float = 0, guidance: Float = 1,
                guidanceSchedule: GuidanceSchedule = .constant, guidanceMethod: GuidanceMethod = .cfg, seed: UInt64 = 0,
                spacing: TimestepSpacing = .trailing) {
        self.kind = kind
        self.steps = steps
        self.eta = eta
        self.guidance = guidance
        self.guidanceSchedule = guidanceSchedule
        self.guidanceMethod = guidanceMethod
        self.seed = seed
        self.spacing = spacing
    }

    /// Checks every value against the model: step count within its training steps, eta and guidance ranges,
    /// that guidance other than the plain conditional model is only asked of a model that has an
    /// unconditional mode, and that a guidance-distilled model (`distilled`) is asked for its own guidance.
    public func validate(trainingSteps: Int, supportsGuidance: Bool, distilled: DistilledGuidance? = nil) throws {
        guard (1...trainingSteps).contains(steps) else {
            throw SamplingError.invalidOption(name: "steps", value: "\(steps)", expected: "1...\(trainingSteps) (the model's training steps)")
        }
        guard eta.isFinite, (0...1).contains(eta) else {
            throw SamplingError.invalidOption(name: "eta", value: "\(eta)", expected: "a number in 0...1")
        }
        if kind != .ddim && eta != 0 {
            throw SamplingError.invalidOption(name: "eta", value: "\(eta)", expected: "0 with the \(kind.rawValue) sampler (eta applies to ddim only)")
        }
        try validateGuidance()
        if let d = distilled {
            guard guidance == d.weight, guidanceMethod == d.method, guidanceSchedule == .constant else {
                throw SamplingError.distilledGuidance(d, weight: guidance, schedule: guidanceSchedule, method: guidanceMethod)
            }
            return
        }
        if !supportsGuidance && (guidance != 1 || guidanceSchedule != .constant || guidanceMethod != .cfg) {
            throw SamplingError.guidanceUnsupported(weight: guidance, schedule: guidanceSchedule, method: guidanceMethod)
        }
    }

    /// A fresh sampler of `kind` on the timesteps `spacing` picks for `steps` (validate first).
    public func makeSampler(schedule: DiffusionSchedule) -> any Sampler {
        kind.makeSampler(schedule: schedule, timesteps: spacing.timesteps(schedule: schedule, steps: steps), eta: eta)
    }

    /// The guidance mixer of `guidanceMethod` at `guidance` with `guidanceSchedule`.
    public func makeGuidance() -> any GuidanceMixer {
        guidanceMethod.mixer(weight: guidance, schedule: guidanceSchedule)
    }

    /// Network passes of one window's run: per step, two where the mixer's plan needs both branches, else one
    /// (guidance 0 or 1, and a guidance-distilled model, whose `distilled` mixer runs one branch).
    public func networkPasses(distilled: DistilledGuidance? = nil) -> Int {
        let mixer = makeGuidance(distilled: distilled)
        return (0..<steps).reduce(0) { $0 + (mixer.plan(step: $1, of: steps).branches == .both ? 2 : 1) }
    }

    /// The mixer for a model: `makeGuidance()`, or the one-branch `DistilledGuidanceMixer` of a guidance-distilled
    /// model (validated: these options ask for its guidance).
    public func makeGuidance(distilled: DistilledGuidance?) -> any GuidanceMixer {
        distilled.map { DistilledGuidanceMixer($0) } ?? makeGuidance()
    }

    /// The weight's range for the method, and the method's schedules (no model needed).
    public func validateGuidance() throws {
        guard guidance.isFinite, guidance >= 0 else {
            throw SamplingError.invalidOption(name: "guidance", value: "\(guidance)", expected: "a finite number ≥ 0")
        }
        if guidanceMethod == .cfgpp {
            guard guidance <= 1 else {
                throw SamplingError.invalidOption(name: "guidance", value: "\(guidance)",
                                                  expected: "a weight in 0...1 with guidance method cfgpp (CFG++'s λ; above 1 its last step extrapolates like cfg)")
            }
            guard guidanceSchedule == .constant else {
                throw SamplingError.invalidOption(name: "guidance schedule", value: guidanceSchedule.rawValue,
                                                  expected: "constant with guidance method cfgpp (the schedules are defined for cfg)")
            }
        }
    }
}

/// Which training timesteps a sampler with `steps` evaluations visits, noisiest first. Both spacings start at
/// T − 1, the timestep whose training inputs were (nearly) pure noise — which is what sampling starts from —
/// and after the last visited step the chain jumps to "t = −1" (ᾱ = 1, clean data).
public enum TimestepSpacing: String, CaseIterable, Sendable, Codable {
    /// Uniform in t: t_i = round(T·(steps − i)/steps) − 1, i = 0..<steps (Lin et al. 2024, table 2; identical to
    /// EDGE's `linspace(-1, T-1, steps+1)` when steps divides T). "Leading" spacing (original DDIM: 0, T/steps, …)
    /// would start at T − T/steps, feeding pure noise to a step that was trained with ᾱ > 0 and with the cosine
    /// schedule leaving the last T/steps timesteps unused.
    /// Limitation: with the cosine schedule the noise level σ = √((1 − ᾱ)/ᾱ) falls from 2·10⁴ to 32 in the first
    /// step and to 6.4 by the fifth (t = 899), so slow motion that many frames share (a weight shift across a whole
    /// window) is decided in about five steps, the first of which sees no signal; those samples come out with
    /// too little of it (docs/sampling.md, "Respacing: karras").
    case trailing
    /// Karras et al. 2022 (EDM, eq. 5, ρ = 7): after the first step at T − 1, steps − 1 noise levels
    /// σ_i = (σ_max^(1/ρ) + i/(steps − 2)·(σ_min^(1/ρ) − σ_max^(1/ρ)))^ρ from σ_max = 80 (EDM's, capped at
    /// σ(T − 2)) to σ_min = σ(0), each mapped to the training timestep nearest in log σ, then made strictly
    /// decreasing. With the cosine schedule and 50 steps: 21 at t ≥ 900 (σ ≥ 6.4) against trailing's 5, 11 below
    /// t = 100 against 5, and 18 in between against 40.
    /// Limitations: the network sees integer timesteps, so σ_i is rounded to a training level (at most half a
    /// timestep's change of log σ off); ρ and σ_max are EDM's image defaults, not tuned here.
    case karras
    /// Karras's ρ = 7 interpolation over a narrower range, for few steps: from σ_max = 20 (instead of EDM's 80) down
    /// to σ_min = σ(T/50 − 1), the last noise level 50-step trailing DDIM visits (t = 19 of 1000), instead of σ(0).
    /// For 10 steps: 999, 967, 944, 903, 822, 669, 433, 206, 75, 19. Chosen by measurement among five 10- and
    /// 5-step variants (docs/sampling.md, "Few steps"): with DPM-Solver++(2M) at 10 steps it is the one whose
    /// output is statistically indistinguishable from 50-step trailing DDIM on every `a2m eval` metric, jerk
    /// included. EDM's own range ends at σ(0) and smooths the motion (jerk ratio 0.72 against 50-step DDIM's 1.09,
    /// the ground truth's 1); ending at σ(19) from σ_max = 80 roughens it (1.30). Limitation: the range was fitted
    /// to this one model and corpus; `a2m eval --spacing` measures it on another.
    case fewStep = "few-step"

    /// EDM's σ_max for ρ = 7 (Karras et al. 2022, table 1).
    static let karrasSigmaMax = 80.0
    /// EDM's ρ.
    static let karrasRho = 7.0
    /// `fewStep`'s σ_max.
    static let fewStepSigmaMax = 20.0

    /// The visited timesteps, noisiest first: `steps` distinct values in 0..<T, starting at T − 1.
    public func timesteps(schedule: DiffusionSchedule, steps: Int) -> [Int] {
        switch self {
        case .trailing: return Self.trailing(trainingSteps: schedule.steps, steps: steps)
        case .karras: return Self.karras(schedule: schedule, steps: steps)
        case .fewStep:
            return Self.karras(schedule: schedule, steps: steps, sigmaMax: Self.fewStepSigmaMax, lastTimestep: max(0, schedule.steps / 50 - 1))
        }
    }

    public static func trailing(trainingSteps T: Int, steps: Int) -> [Int] {
        precondition((1...T).contains(steps), "steps \(steps) outside 1...\(T)")
        return (0..<steps).map { i in Int((Double(T) * Double(steps - i) / Double(steps)).rounded()) - 1 }
    }

    /// σ_min is the noise level of timestep `lastTimestep` (0: σ(0), EDM's choice).
    static func karras(schedule: DiffusionSchedule, steps: Int, sigmaMax: Double = karrasSigmaMax, lastTimestep: Int = 0,
                       rho: Double = karrasRho) -> [Int] {
        let T = schedule.steps
        precondition((1...T).contains(steps), "steps \(steps) outside 1...\(T)")
        let logSigma = schedule.alphasCumprod64.map { 0.5 * log((1 - $0) / $0) }
        // EDM interpolates σ^(1/ρ) linearly between the two ends.
        let hi = pow(min(sigmaMax, exp(logSigma[max(0, T - 2)])), 1 / rho), lo = exp(logSigma[min(lastTimestep, T - 1)] / rho)
        var out = [T - 1]
        for i in 0..<(steps - 1) {
            let u = steps > 2 ? Double(i) / Double(steps - 2) : 1
            let target = rho * log(hi + u * (lo - hi))
            // log σ rises with t, so the nearest level is next to the first t whose log σ reaches the target.
            var t = logSigma.firstIndex { $0 >= target } ?? (T - 1)
            if t > 0 && abs(logSigma[t - 1] - target) <= abs(logSigma[t] - target) { t -= 1 }
            // Strictly decreasing, and leave room for the steps still to come.
            out.append(max(min(t, out[out.count - 1] - 1), steps - 2 - i))
        }
        return out
    }
}
