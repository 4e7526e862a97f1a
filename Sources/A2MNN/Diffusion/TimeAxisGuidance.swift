/// A mixer that is `ClassifierFreeGuidance` for weights up to 1 and changes only how a weight above 1
/// extrapolates, working along the frames of each row (so it needs the prediction's layout): the shared plan and
/// fallbacks of `LowPassGuidance` and `VelocityRescaledGuidance`.
public protocol TimeAxisGuidance: GuidanceMixer {
    var weight: Float { get }
    var schedule: GuidanceSchedule { get }
    /// x̂0 for a step whose weight `w` is above 1; `output` holds the conditional then the unconditional branch.
    func extrapolate(_ output: [Float], weight w: Float, shape: PredictionShape) -> [Float]
}

extension TimeAxisGuidance {
    public func plan(step index: Int, of count: Int) -> GuidancePlan {
        ClassifierFreeGuidance(weight: weight, schedule: schedule).plan(step: index, of: count)
    }

    /// Without the layout there is no time axis: plain CFG (`DenoisingLoop` always passes the shape).
    public func mix(_ plan: GuidancePlan, output: [Float], rows n: Int) -> GuidedPrediction {
        ClassifierFreeGuidance(weight: weight, schedule: schedule).mix(plan, output: output, rows: n)
    }

    public func mix(_ plan: GuidancePlan, output: [Float], shape: PredictionShape) -> GuidedPrediction {
        guard plan.branches == .both, plan.weight > 1, shape.frames > 1 else { return mix(plan, output: output, rows: shape.count) }
        return GuidedPrediction(x0: extrapolate(output, weight: plan.weight, shape: shape))
    }
}
