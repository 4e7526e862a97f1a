/// How the guided x0 prediction enters each reverse step.
///
/// Both methods mix the same guided prediction x̂0 = û0 + w·(ĉ0 − û0) (ĉ0, û0: the conditioned and unconditioned
/// x0 predictions). They differ in the noise estimate ε̂ that carries x_t to the next timestep:
///   x_{t'} = √ᾱ'·x̂0 + √(1−ᾱ'−σ²)·ε̂ + σz.
public enum GuidanceMethod: String, CaseIterable, Sendable, Codable {
    /// Classifier-free guidance (Ho & Salimans 2022): ε̂ from the guided x̂0, ε̂ = (x_t − √ᾱ·x̂0)/√(1−ᾱ).
    /// w ≥ 0; w > 1 extrapolates past the conditional prediction at every step, the last one included.
    case cfg
    /// CFG++ (Chung et al., "CFG++: Manifold-constrained classifier free guidance for diffusion models",
    /// ICLR 2025, Algorithm 2): ε̂ from the *unconditional* prediction, ε̂ = (x_t − √ᾱ·û0)/√(1−ᾱ), with the
    /// weight (their λ) in 0...1. Each step still moves toward the audio by λ·(ĉ0 − û0), but the guidance a
    /// step adds is not fed back through ε̂, so it accumulates over the steps instead of being extrapolated at
    /// each: the final x̂0 is an interpolation between the two predictions, never past the conditional one.
    /// λ = 0 is the unconditional model; λ = 1 still differs from w = 1 of `cfg`. Measured on the model of 2026-11-23
    /// (docs/sampling.md, "Classifier-free guidance"): at the audio–motion correlation of `cfg` w = 2.5 it has a lower FID_k.
    /// Limitations: constant weight only (the schedules are defined for `cfg`), and every step runs 2B rows
    /// unless λ = 0, so λ = 1 costs twice `cfg`'s w = 1.
    case cfgpp
    /// CFG whose extrapolation past the conditional prediction is smoothed along time (`LowPassGuidance`):
    /// x̂0 = ĉ0 + (w − 1)·G(ĉ0 − û0), the guided difference's frequencies above about 3 Hz (at 30 fps) left at
    /// the conditional model's weight. w ≥ 0 with any schedule; w ≤ 1 is `cfg`.
    case lowpass
    /// CFG with the conditional model's speed (`VelocityRescaledGuidance`): the guided path, its deviation from
    /// its mean scaled so that its frame-to-frame velocity is no larger than the conditional prediction's.
    /// w ≥ 0 with any schedule; w ≤ 1 is `cfg`.
    case velocity
}

extension GuidanceMethod {
    /// What `--guidance` does when no method is named (`a2m generate`, `a2m eval`): `lowpass`, chosen on real speech
    /// (docs/model_card.md, "Guidance without tremor"): at w = 2.5 it keeps `cfg`'s audio coupling and seed
    /// independence with the least added tremor. `SamplerOptions` itself defaults to `cfg`, the plain mixing the
    /// sampler tests are written against; at w ≤ 1 the two are the same.
    public static let commandDefault: GuidanceMethod = .lowpass

    /// The mixer of this method at `weight` (CFG's w, CFG++'s λ) with `schedule` (all but cfgpp; validated by
    /// `SamplerOptions.validateGuidance`; cfgpp takes none).
    public func mixer(weight: Float, schedule: GuidanceSchedule) -> any GuidanceMixer {
        switch self {
        case .cfg: return ClassifierFreeGuidance(weight: weight, schedule: schedule)
        case .cfgpp: return CFGPlusPlus(lambda: weight)
        case .lowpass: return LowPassGuidance(weight: weight, schedule: schedule)
        case .velocity: return VelocityRescaledGuidance(weight: weight, schedule: schedule)
        }
    }
}
