/// Classifier-free guidance on where the motion goes, with the conditional model's speed: the CFG prediction
/// x̂0 = û0 + w·(ĉ0 − û0), then, for w > 1, each row's and feature's deviation from its mean over the frames is
/// scaled by φ = min(1, ‖Δĉ0‖ / ‖Δx̂0‖), the ratio of the frame-to-frame differences (velocities) of the
/// conditional and the guided prediction. The guided mean pose and the shape of the guided path stay; only the
/// speed that the extrapolation added on top of the conditional model's is taken back (never boosted: φ ≤ 1).
/// For w ≤ 1 it is `ClassifierFreeGuidance`.
///
/// The same idea as the "guidance rescale" of Lin et al. 2024 (§3.4, which matches the guided prediction's
/// standard deviation to the conditional one's), applied to the velocity along time, where guidance tremor
/// shows (docs/model_card.md, "Guidance without tremor").
public struct VelocityRescaledGuidance: TimeAxisGuidance {
    public var weight: Float
    public var schedule: GuidanceSchedule

    public init(weight: Float, schedule: GuidanceSchedule = .constant) {
        self.weight = weight
        self.schedule = schedule
    }

    public func extrapolate(_ output: [Float], weight w: Float, shape: PredictionShape) -> [Float] {
        var x0 = Self.interpolate(output, weight: w, rows: shape.count)
        let (T, D) = (shape.frames, shape.dim)
        for b in 0..<shape.rows {
            let base = b * T * D
            for d in 0..<D {
                var mean = 0.0, guided = 0.0, conditional = 0.0
                for t in 0..<T { mean += Double(x0[base + t * D + d]) }
                mean /= Double(T)
                for t in 1..<T {
                    let i = base + t * D + d, j = i - D
                    let g = Double(x0[i] - x0[j]), c = Double(output[i] - output[j])
                    guided += g * g
                    conditional += c * c
                }
                guard guided > conditional else { continue }
                let phi = (conditional / guided).squareRoot()
                for t in 0..<T {
                    let i = base + t * D + d
                    x0[i] = Float(mean + phi * (Double(x0[i]) - mean))
                }
            }
        }
        return x0
    }
}
