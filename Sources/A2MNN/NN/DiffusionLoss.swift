// Shapes: B rows, T frames, D motion features. mask [B, T] (1 valid, 0 padding; nil = all valid),
// rowWeights [B] (nil = all 1), e.g. for timestep-dependent loss weighting.

/// Relative weights of the loss terms (EDGE: x0 MSE + velocity + foot contact; EDGE's FK position term is not
/// part of a2m). The acceleration term is a2m's own (docs/training.md).
public struct LossWeights: Sendable, Equatable, Codable {
    /// Weight of the masked x0 MSE. Default 1.
    package var mse: Float = 1
    /// Weight of the masked velocity (frame-difference) MSE. Default 1.
    package var velocity: Float = 1
    /// Weight of the forward-kinematics foot velocity term (`FootVelocityLoss`). Default 0 (off).
    package var footVelocity: Float = 0
    /// Weight of the masked acceleration (second frame-difference) MSE. Default 0 (off).
    package var acceleration: Float = 0
    /// Per-feature factors of the velocity and acceleration terms; nil = 1 for every feature. Set by the trainer
    /// from `training.derivativeWeighting`.
    package var derivativeChannels: DerivativeChannelWeights? = nil
    public init(mse: Float = 1, velocity: Float = 1, footVelocity: Float = 0, acceleration: Float = 0) {
        self.mse = mse; self.velocity = velocity; self.footVelocity = footVelocity; self.acceleration = acceleration
    }
}

/// Per-feature factors [D] of the velocity and acceleration terms' squared errors (Training/DerivativeWeighting.swift
/// computes them from the training data).
package struct DerivativeChannelWeights: Equatable, Sendable, Codable {
    package var velocity: [Float]
    package var acceleration: [Float]

    package init(velocity: [Float], acceleration: [Float]) {
        self.velocity = velocity; self.acceleration = acceleration
    }
}

/// The terms (unweighted) and their weighted sum.
public struct LossParts: Sendable, Equatable {
    package var total: Double
    package var mse: Double
    package var velocity: Double
    /// The foot velocity term (0 when it is off).
    package var foot: Double = 0
    /// The acceleration term (0 when it is off).
    package var acceleration: Double = 0

    package init(total: Double, mse: Double, velocity: Double, foot: Double = 0, acceleration: Double = 0) {
        self.total = total; self.mse = mse; self.velocity = velocity; self.foot = foot; self.acceleration = acceleration
    }
}

/// Valid frames, valid adjacent frame pairs and valid runs of three frames of a batch: the denominators of the
/// masked means of every loss term.
package struct MaskedCounts: Sendable, Equatable {
    package var frames: Double, pairs: Double, triples: Double
    package init(frames: Double, pairs: Double, triples: Double) { self.frames = frames; self.pairs = pairs; self.triples = triples }

    /// The counts of a [B, T] frame mask (nil = all valid).
    package init(mask: [Float]?, b: Int, t: Int) {
        if let mask {
            let c = mask.withUnsafeBufferPointer { maskedCounts(mask: UnsafeMutablePointer(mutating: $0.baseAddress!), b: b, t: t) }
            self.init(frames: c.frames, pairs: c.pairs, triples: c.triples)
        } else {
            let c = maskedCounts(mask: nil, b: b, t: t)
            self.init(frames: c.frames, pairs: c.pairs, triples: c.triples)
        }
    }
}

/// One rank's rows of a batch split over data-parallel ranks (docs/training.md, "Data-parallel training").
package struct BatchShard: Sendable, Equatable {
    /// Rows of the whole batch before these.
    package var rowOffset: Int
    /// Rows whose audio is kept (CFG) before these.
    package var keptRowOffset: Int
    /// The whole batch's masked counts (`maskedCounts`): valid frames, frame pairs and runs of three frames.
    package var counts: MaskedCounts

    package init(rowOffset: Int, keptRowOffset: Int, counts: MaskedCounts) {
        self.rowOffset = rowOffset; self.keptRowOffset = keptRowOffset; self.counts = counts
    }
}

/// Valid frames, valid adjacent frame pairs and valid runs of three frames of a [B, T] mask (nil = all valid):
/// the denominators of the masked means of every loss term.
package func maskedCounts(mask: FPtr?, b: Int, t: Int) -> (frames: Double, pairs: Double, triples: Double) {
    var frames = 0.0, pairs = 0.0, triples = 0.0
    for r in 0..<b {
        for f in 0..<t {
            let m = Double(mask?[r * t + f] ?? 1)
            frames += m
            if f + 1 < t { pairs += m * Double(mask?[r * t + f + 1] ?? 1) }
            if f + 2 < t { triples += m * Double(mask?[r * t + f + 1] ?? 1) * Double(mask?[r * t + f + 2] ?? 1) }
        }
    }
    return (frames, pairs, triples)
}

/// Masked MSE(pred, target) + velocity MSE over adjacent valid frame pairs + acceleration MSE over valid runs
/// of three frames, each a mean over its valid elements (= torch's `F.mse_loss(out, x) +
/// F.mse_loss(out[:,1:]-out[:,:-1], x[:,1:]-x[:,:-1])` when the mask is all ones, the weights are 1 and the
/// acceleration weight is 0). Writes (overwrites) dpred = ∂total/∂pred when given.
///
/// Per frequency f (fps F), an error costs 1 + w_vel·|2 sin(πf/F)|² + w_acc·|2 sin(πf/F)|⁴ times its x0 cost:
/// the acceleration term prices jitter at a few hertz far above slow drift, which the velocity term barely
/// separates (docs/training.md). Feature j's velocity (acceleration) error is further multiplied by
/// `weights.derivativeChannels.velocity[j]` (`.acceleration[j]`) when given; a factor of 1 leaves the sums bit-identical.
/// `counts` replaces the mask's own denominators when these rows are a share of a larger batch (`BatchShard`).
func diffusionLoss(dpred: FPtr?, pred: FPtr, target: FPtr, mask: FPtr?, rowWeights: FPtr?,
                   b: Int, t: Int, d: Int, weights: LossWeights, counts: MaskedCounts? = nil) -> LossParts {
    let channels = weights.derivativeChannels
    precondition(channels.map { $0.velocity.count == d && $0.acceleration.count == d } ?? true,
                 "per-feature loss factors must have D = \(d) entries")
    let vw = channels?.velocity ?? [Float](repeating: 1, count: d)
    let aw = channels?.acceleration ?? [Float](repeating: 1, count: d)
    let (nFrames, nPairs, nTriples) = counts.map { ($0.frames, $0.pairs, $0.triples) } ?? maskedCounts(mask: mask, b: b, t: t)
    let cm = nFrames > 0 ? 1 / (nFrames * Double(d)) : 0
    let cv = nPairs > 0 ? 1 / (nPairs * Double(d)) : 0
    let ca = nTriples > 0 ? 1 / (nTriples * Double(d)) : 0
    dpred?.update(repeating: 0, count: b * t * d)
    var mse = 0.0, vel = 0.0, acc = 0.0
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
                let we = vw[j] * e
                s += Double(we * e)
                if let dpred { dpred[o + d + j] += g * we; dpred[o + j] -= g * we }
            }
            vel += w * mm * s
            guard weights.acceleration > 0, f + 2 < t else { continue }
            let m3 = mm * Double(mask?[r * t + f + 2] ?? 1)
            if m3 == 0 { continue }
            let ga = Float(2 * Double(weights.acceleration) * w * m3 * ca)
            var sa = 0.0
            for j in 0..<d {
                let e = (pred[o + 2 * d + j] - 2 * pred[o + d + j] + pred[o + j])
                    - (target[o + 2 * d + j] - 2 * target[o + d + j] + target[o + j])
                let we = aw[j] * e
                sa += Double(we * e)
                if let dpred { dpred[o + 2 * d + j] += ga * we; dpred[o + d + j] -= 2 * ga * we; dpred[o + j] += ga * we }
            }
            acc += w * m3 * sa
        }
    }
    mse *= cm; vel *= cv; acc *= ca
    return LossParts(total: Double(weights.mse) * mse + Double(weights.velocity) * vel + Double(weights.acceleration) * acc,
                     mse: mse, velocity: vel, acceleration: acc)
}
