/// CFG++ (Chung et al., ICLR 2025, Algorithm 2): the same guided x̂0 = û0 + λ·(ĉ0 − û0) as classifier-free
/// guidance, but the step's noise estimate comes from the unconditional prediction û0 (`GuidedPrediction.noiseX0`),
/// so the guidance a step adds is not fed back through ε̂. λ in 0...1, constant over the steps (the schedules are
/// defined for CFG). λ = 0 is the unconditional model (B rows); every other λ, 1 included, runs 2B rows.
public struct CFGPlusPlus: GuidanceMixer {
    public var lambda: Float

    public init(lambda: Float) {
        self.lambda = lambda
    }

    public func plan(step index: Int, of count: Int) -> GuidancePlan {
        GuidancePlan(weight: lambda, branches: lambda == 0 ? .unconditional : .both)
    }

    public func mix(_ plan: GuidancePlan, output: [Float], rows n: Int) -> GuidedPrediction {
        guard plan.branches == .both else { return GuidedPrediction(x0: output) }
        return GuidedPrediction(x0: Self.interpolate(output, weight: plan.weight, rows: n), noiseX0: Array(output[n...]))
    }
}
