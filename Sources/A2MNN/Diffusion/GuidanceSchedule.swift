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
    public static let intervalFraction = 0.6

    /// The weight used at step `index` of `count` (index 0 is the noisiest).
    public func weight(_ w: Float, step index: Int, of count: Int) -> Float {
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

/// Classifier-free guidance on the x0 prediction: out = uncond + w·(cond − uncond).
///
/// w = 1 runs only the B conditioned rows (`cfg`); w = 0 runs only the B unconditioned rows (both exact special
/// cases of the formula, half the work). Any other w, and w = 1 with `cfgpp`, runs ONE denoiser call with 2B
/// rows — the B conditioned rows first, then the same B rows unconditioned — and mixes the halves.
/// `unconditional` is the unconditioned prediction when `cfgpp` needs it for its noise estimate (nil when
/// it equals `x0`, at w = 0, or with `cfg`).
enum Guidance {
    static func predictX0<D: MotionDenoiser>(
        _ denoiser: D, x: [Float], timestep t: Int, clips: [Int], weight w: Float, method: GuidanceMethod,
        context: D.AudioContext, frames: Int
    ) throws -> (x0: [Float], unconditional: [Float]?) {
        let B = clips.count
        let n = x.count
        let ts = [Int](repeating: t, count: B)
        if (w == 1 && method == .cfg) || w == 0 {
            let rows = clips.map { DenoiserRow(clip: $0, conditioned: w == 1) }
            let out = try denoiser.predictX0(x: x, timesteps: ts, rows: rows, context: context, frames: frames)
            guard out.count == n else { throw SamplingError.denoiserOutput(got: out.count, expected: n) }
            return (out, nil)
        }
        let rows = clips.map { DenoiserRow(clip: $0, conditioned: true) } + clips.map { DenoiserRow(clip: $0, conditioned: false) }
        let both = try denoiser.predictX0(x: x + x, timesteps: ts + ts, rows: rows, context: context, frames: frames)
        guard both.count == 2 * n else { throw SamplingError.denoiserOutput(got: both.count, expected: 2 * n) }
        var out = [Float](repeating: 0, count: n)
        both.withUnsafeBufferPointer { p in
            for i in 0..<n {
                let c = p[i], u = p[n + i]
                out[i] = u + w * (c - u)
            }
        }
        return (out, method == .cfgpp ? Array(both[n...]) : nil)
    }
}
