import Foundation

/// Classifier-free guidance whose extrapolation only reaches the low temporal frequencies of the guided
/// difference: x̂0 = ĉ0 + (w − 1)·G_σ(ĉ0 − û0) for w > 1, with G_σ a Gaussian smoothing along the frames of
/// each row and feature. For w ≤ 1 it is `ClassifierFreeGuidance` (an interpolation between the two
/// predictions, which adds no motion of its own).
///
/// Why: plain CFG extrapolates the whole difference ĉ0 − û0, frame-to-frame jitter included, and at w = 2.5
/// the wrists' share of speed power above 6 Hz doubles (issue 36; docs/model_card.md, "Guidance without
/// tremor"). The audio pushes the pose and the gesture timing, which live below a few hertz; the difference
/// above that is mostly disagreement between two noisy estimates. Here that high-frequency part keeps weight 1
/// (the conditional model's own detail) and only the smooth part is amplified.
///
/// The filter: σ = `sigmaFrames` frames (default `defaultSigmaFrames`), gain exp(−2π²σ²f²) at f cycles per
/// frame, truncated at 3σ and renormalised over the frames that exist at a window's edges (so a constant
/// difference passes unchanged everywhere). Rows are filtered independently.
public struct LowPassGuidance: TimeAxisGuidance {
    public var weight: Float
    public var schedule: GuidanceSchedule
    public var sigmaFrames: Double

    /// 2 frames: at the shipped model's 30 fps, gain 0.82 at 1.5 Hz, 0.45 at 3 Hz and 0.04 at 6 Hz.
    public static let defaultSigmaFrames = 2.0

    public init(weight: Float, schedule: GuidanceSchedule = .constant, sigmaFrames: Double = defaultSigmaFrames) {
        self.weight = weight
        self.schedule = schedule
        self.sigmaFrames = sigmaFrames
    }

    public func extrapolate(_ output: [Float], weight w: Float, shape: PredictionShape) -> [Float] {
        let n = shape.count
        var difference = [Float](repeating: 0, count: n)
        for i in 0..<n { difference[i] = output[i] - output[n + i] }
        let smooth = Self.smooth(difference, shape: shape, sigma: sigmaFrames)
        var x0 = Array(output[0..<n])
        for i in 0..<n { x0[i] += (w - 1) * smooth[i] }
        return x0
    }

    /// Gaussian smoothing along the frames of every row and feature of `values` ([rows, frames, dim]), the
    /// kernel truncated at 3σ and renormalised where it runs past a row's first or last frame.
    public static func smooth(_ values: [Float], shape: PredictionShape, sigma: Double) -> [Float] {
        guard sigma > 0, shape.frames > 1 else { return values }
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        let kernel = (-radius...radius).map { k in exp(-Double(k * k) / (2 * sigma * sigma)) }
        let (T, D) = (shape.frames, shape.dim)
        var out = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for b in 0..<shape.rows {
                    let base = b * T * D
                    for t in 0..<T {
                        let lo = max(-radius, -t), hi = min(radius, T - 1 - t)
                        var norm = 0.0
                        for k in lo...hi { norm += kernel[k + radius] }
                        for d in 0..<D {
                            var acc = 0.0
                            for k in lo...hi { acc += kernel[k + radius] * Double(src[base + (t + k) * D + d]) }
                            dst[base + t * D + d] = Float(acc / norm)
                        }
                    }
                }
            }
        }
        return out
    }
}
