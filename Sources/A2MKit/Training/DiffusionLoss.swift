/// The x0-prediction loss of EDGE (Tseng et al. 2023, `GaussianDiffusion.p_losses`) without its FK and foot terms:
///
///     loss = w_x0 · MSE(x̂0, x0) + w_vel · MSE(x̂0[t+1] − x̂0[t], x0[t+1] − x0[t])
///
/// with a frame mask: padded frames (mask 0) add nothing, a velocity term counts only when both of its frames
/// are real, and each mean divides by the number of real terms (× D). EDGE averages over all frames because its
/// windows are never padded; on unpadded batches the two agree.
///
/// Shapes: B windows, T frames, D features; `prediction`/`target`/`gradient` are [B, T, D], `mask` is [B, T].
/// Sums run in Double in a fixed order, so the value is deterministic for a given input.
public struct DiffusionLoss: Sendable, Equatable {
    public var x0Weight: Float
    public var velocityWeight: Float

    public init(x0Weight: Float, velocityWeight: Float) {
        self.x0Weight = x0Weight
        self.velocityWeight = velocityWeight
    }

    public struct Value: Sendable, Equatable {
        /// Weighted total.
        public var total: Float
        public var x0: Float
        public var velocity: Float
    }

    /// The loss; when `gradient` is given, writes ∂loss/∂prediction into it (overwriting, not accumulating,
    /// since the loss is the start of the backward pass).
    public func evaluate(prediction: UnsafeBufferPointer<Float>, target: UnsafeBufferPointer<Float>,
                         mask: UnsafeBufferPointer<Float>, B: Int, T: Int, D: Int,
                         gradient: UnsafeMutableBufferPointer<Float>? = nil) -> Value {
        precondition(prediction.count == B * T * D && target.count == B * T * D && mask.count == B * T)
        if let g = gradient { precondition(g.count == B * T * D) }
        var frames = 0.0, pairs = 0.0
        for b in 0..<B {
            for t in 0..<T {
                frames += Double(mask[b * T + t])
                if t + 1 < T { pairs += Double(mask[b * T + t] * mask[b * T + t + 1]) }
            }
        }
        let nX0 = max(frames, 1) * Double(D), nVel = max(pairs, 1) * Double(D)
        var sumX0 = 0.0, sumVel = 0.0
        let gx = 2 * Double(x0Weight) / nX0, gv = 2 * Double(velocityWeight) / nVel
        if let g = gradient { for i in g.indices { g[i] = 0 } }
        for b in 0..<B {
            for t in 0..<T {
                let m = mask[b * T + t]
                let mNext: Float = t + 1 < T ? mask[b * T + t + 1] : 0
                let row = (b * T + t) * D
                for d in 0..<D {
                    let e = Double(prediction[row + d] - target[row + d])
                    if m != 0 {
                        sumX0 += Double(m) * e * e
                        gradient?[row + d] += Float(gx * Double(m) * e)
                    }
                    if m * mNext != 0 {
                        let eNext = Double(prediction[row + D + d] - target[row + D + d])
                        let dv = eNext - e
                        let w = Double(m * mNext)
                        sumVel += w * dv * dv
                        if let g = gradient {
                            g[row + D + d] += Float(gv * w * dv)
                            g[row + d] -= Float(gv * w * dv)
                        }
                    }
                }
            }
        }
        let x0 = sumX0 / nX0, vel = sumVel / nVel
        return Value(total: Float(Double(x0Weight) * x0 + Double(velocityWeight) * vel), x0: Float(x0), velocity: Float(vel))
    }

    /// Array form of `evaluate`; returns the value and the gradient.
    public func evaluate(prediction: [Float], target: [Float], mask: [Float], B: Int, T: Int, D: Int) -> (Value, [Float]) {
        var grad = [Float](repeating: 0, count: prediction.count)
        let v = prediction.withUnsafeBufferPointer { p in
            target.withUnsafeBufferPointer { x in
                mask.withUnsafeBufferPointer { m in
                    grad.withUnsafeMutableBufferPointer { g in evaluate(prediction: p, target: x, mask: m, B: B, T: T, D: D, gradient: g) }
                }
            }
        }
        return (v, grad)
    }
}
