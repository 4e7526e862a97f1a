// Shapes: B rows, T frames, D motion features. mask [B, T] (1 valid, 0 padding; nil = all valid),
// rowWeights [B] (nil = all 1), e.g. for timestep-dependent loss weighting.

/// Relative weights of the loss terms (EDGE: x0 MSE + velocity + foot contact; EDGE's FK position term is not
/// part of a2m).
public struct LossWeights: Sendable, Equatable, Codable {
    /// Weight of the masked x0 MSE. Default 1.
    public var mse: Float = 1
    /// Weight of the masked velocity (frame-difference) MSE. Default 1.
    public var velocity: Float = 1
    /// Weight of the forward-kinematics foot velocity term (`FootVelocityLoss`). Default 0 (off).
    public var footVelocity: Float = 0
    public init(mse: Float = 1, velocity: Float = 1, footVelocity: Float = 0) {
        self.mse = mse; self.velocity = velocity; self.footVelocity = footVelocity
    }
}

/// The terms (unweighted) and their weighted sum.
public struct LossParts: Sendable, Equatable {
    public var total: Double
    public var mse: Double
    public var velocity: Double
    /// The foot velocity term (0 when it is off).
    public var foot: Double = 0
}

/// Valid frames and valid adjacent frame pairs of a [B, T] mask (nil = all valid): the denominators of the
/// masked means of every loss term.
func maskedCounts(mask: FPtr?, b: Int, t: Int) -> (frames: Double, pairs: Double) {
    var frames = 0.0, pairs = 0.0
    for r in 0..<b {
        for f in 0..<t {
            let m = Double(mask?[r * t + f] ?? 1)
            frames += m
            if f + 1 < t { pairs += m * Double(mask?[r * t + f + 1] ?? 1) }
        }
    }
    return (frames, pairs)
}

/// Masked MSE(pred, target) + velocity MSE over adjacent valid frame pairs, each a mean over its valid
/// elements (= torch's `F.mse_loss(out, x) + F.mse_loss(out[:,1:]-out[:,:-1], x[:,1:]-x[:,:-1])` when the
/// mask is all ones and weights are 1). Writes (overwrites) dpred = ∂total/∂pred when given.
func diffusionLoss(dpred: FPtr?, pred: FPtr, target: FPtr, mask: FPtr?, rowWeights: FPtr?,
                   b: Int, t: Int, d: Int, weights: LossWeights) -> LossParts {
    let (nFrames, nPairs) = maskedCounts(mask: mask, b: b, t: t)
    let cm = nFrames > 0 ? 1 / (nFrames * Double(d)) : 0
    let cv = nPairs > 0 ? 1 / (nPairs * Double(d)) : 0
    dpred?.update(repeating: 0, count: b * t * d)
    var mse = 0.0, vel = 0.0
    for r in 0..<b {
        let w = Double(rowWeights?[r] ?? 1)
        for f in 0..<t {
            let m = Double(mask?[r * t + f] ?? 1)
            let o = (r * t + f) * d
            if m != 0 {
                let g = Float(2 * Double(weights.mse) * w * m * cm)
                var s = 0.0
                for j in 0..<d {
                    let e = pred[o + j] - target[o + j]
                    s += Double(e * e)
                    if let dpred { dpred[o + j] += g * e }
                }
                mse += w * m * s
            }
            guard f + 1 < t else { continue }
            let mm = m * Double(mask?[r * t + f + 1] ?? 1)
            if mm == 0 { continue }
            let g = Float(2 * Double(weights.velocity) * w * mm * cv)
            var s = 0.0
            for j in 0..<d {
                let e = (pred[o + d + j] - pred[o + j]) - (target[o + d + j] - target[o + j])
                s += Double(e * e)
                if let dpred { dpred[o + d + j] += g * e; dpred[o + j] -= g * e }
            }
            vel += w * mm * s
        }
    }
    mse *= cm; vel *= cv
    return LossParts(total: Double(weights.mse) * mse + Double(weights.velocity) * vel, mse: mse, velocity: vel)
}
