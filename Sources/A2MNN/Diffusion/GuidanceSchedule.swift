/// How the classifier-free guidance weight varies over the denoising steps.
public enum GuidanceSchedule: String, CaseIterable, Sendable, Codable {
    /// w at every step.
    case constant
    /// Ramp from 0 at the first (noisiest) step linearly up to w at the middle step, then w.
    /// The first steps fix the global layout of the motion (overall pose, trajectory); leaving them unguided
    /// keeps the diversity of the unconditional model there, while the later steps, which set timing and
    /// detail, get the full audio push. Costs the same as `constant` except that steps whose weight is
    /// exactly 0 or 1 run the network once with B rows instead of 2B.
    case ramp
    /// w over the first `intervalFraction` of the steps (the noisier ones), then 1, the plain conditional model
    /// (guidance in a limited interval, Kynkäänniemi et al., NeurIPS 2024). The late, low-noise steps only refine
    /// detail; guiding them multiplies the frame-to-frame differences between the two branches, which shows as
    /// tremor (docs/model_card.md, "Metrics"). Those steps also run B rows instead of 2B.
    case interval

    /// Share of the steps that `interval` guides.
    static let intervalFraction = 0.6

    /// The weight used at step `index` of `count` (index 0 is the noisiest).
    package func weight(_ w: Float, step index: Int, of count: Int) -> Float {
        switch self {
        case .constant:
            return w
        case .ramp:
            guard count > 1 else { return w }
            let half = Double(count - 1) / 2
            return Float(Double(w) * min(1, Double(index) / half))
        case .interval:
            return Double(index) < GuidanceSchedule.intervalFraction * Double(count) ? w : 1
        }
    }
}
