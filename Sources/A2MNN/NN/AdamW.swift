import A2MCore
import Foundation

/// AdamW as torch.optim.AdamW (decoupled weight decay p ← p·(1 − lr·wd), bias-corrected moments,
/// denominator √v̂ + eps), with global-norm gradient clipping first (torch.nn.utils.clip_grad_norm_).
/// Moments are arenas with the parameters' layout. Weight decay applies only to `decayed` tensors.
public final class AdamW {
    var beta1: Double = 0.9
    var beta2: Double = 0.999
    package var eps: Double = 1e-8
    package var weightDecay: Double = 0.01
    /// Clip the gradient's global L2 norm to this value (nil = no clipping).
    package var maxGradNorm: Double? = 1.0
    public var schedule: LearningRateSchedule
    /// Optimizer steps taken (the next step is `step + 1`).
    public var step = 0
    public let m: TensorArena
    public let v: TensorArena
    private let decayMask: TensorArena

    public init(layout: TensorLayout, decayed: [TensorSpec], schedule: LearningRateSchedule) {
        self.schedule = schedule
        m = TensorArena(layout: layout)
        v = TensorArena(layout: layout)
        decayMask = TensorArena(layout: layout)
        for s in decayed { (decayMask.base + s.offset).update(repeating: 1, count: s.count) }
    }

    /// Global L2 norm of `grads` (Double accumulation over fixed blocks, so it does not depend on threads).
    package static func globalNorm(_ grads: TensorArena) -> Double {
        let blocks = 64, n = grads.count, per = (n + blocks - 1) / blocks
        var partial = [Double](repeating: 0, count: blocks)
        let g = SendableBuffer(grads.base, count: n)
        partial.withUnsafeMutableBufferPointer { pb in
            let ps = SendableBuffer(pb)
            parallelFor(blocks, minChunk: 1) { range in
                for blk in range {
                    var s = 0.0
                    // Tiny arenas leave trailing blocks empty (lo ≥ n).
                    let lo = min(n, blk * per), hi = min(n, lo + per)
                    for i in lo..<hi { let x = Double(g[i]); s += x * x }
                    ps[blk] = s
                }
            }
        }
        return partial.reduce(0, +).squareRoot()
    }

    /// One update of `params` from `grads`; returns (learning rate used, gradient norm before clipping).
    @discardableResult
    public func update(params: TensorArena, grads: TensorArena) -> (lr: Double, gradNorm: Double) {
        precondition(params.count == m.count && grads.count == m.count)
        step += 1
        let norm = AdamW.globalNorm(grads)
        var clip = 1.0
        if let maxN = maxGradNorm, norm > maxN { clip = maxN / (norm + 1e-6) }
        let lr = schedule.rate(step: step)
        let bc1 = 1 - pow(beta1, Double(step)), bc2 = 1 - pow(beta2, Double(step))
        let b1 = Float(beta1), b2 = Float(beta2), cl = Float(clip)
        let stepSize = Float(lr / bc1), invSqrtBc2 = Float(1 / bc2.squareRoot()), e = Float(eps)
        let decay = Float(lr * weightDecay)
        let p = SendableBuffer(params.base, count: m.count), g = SendableBuffer(grads.base, count: m.count)
        let ms = SendableBuffer(m.base, count: m.count), vs = SendableBuffer(v.base, count: m.count)
        let dm = SendableBuffer(decayMask.base, count: m.count)
        parallelFor(m.count, minChunk: 65536) { range in
            for i in range {
                let gi = g[i] * cl
                let mi = b1 * ms[i] + (1 - b1) * gi
                let vi = b2 * vs[i] + (1 - b2) * gi * gi
                ms[i] = mi; vs[i] = vi
                var w = p[i] * (1 - decay * dm[i])
                w -= stepSize * mi / (vi.squareRoot() * invSqrtBc2 + e)
                p[i] = w
            }
        }
        return (lr, norm)
    }
}

/// Exponential moving average of the weights (what inference uses): ema ← decay·ema + (1 − decay)·params.
package final class ExponentialMovingAverage {
    package var decay: Float
    package let weights: TensorArena

    package init(copying params: TensorArena, decay: Float = 0.9999) {
        self.decay = decay
        weights = TensorArena(layout: params.layout)
        weights.copy(from: params)
    }

    package func update(from params: TensorArena) {
        let e = SendableBuffer(weights.base, count: weights.count), p = SendableBuffer(params.base, count: params.count)
        let dcy = decay
        parallelFor(weights.count, minChunk: 65536) { range in
            for i in range { e[i] = dcy * e[i] + (1 - dcy) * p[i] }
        }
    }
}
