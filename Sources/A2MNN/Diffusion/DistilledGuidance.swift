import A2MCore

/// Guidance distilled into the weights (Meng et al., "On distillation of guided diffusion models", CVPR 2023,
/// stage one): a student trained to predict, in one pass of its conditioned rows, the x0 that the teacher's
/// `method` mixes from its conditioned and unconditioned passes at `weight` (docs/training.md, "Distilling
/// guidance"). It samples at that guidance with half the network work of the teacher, and at no other: the
/// weight is part of what it learned, so `SamplerOptions.validate` refuses any other weight, method or schedule.
public struct DistilledGuidance: Codable, Sendable, Equatable {
    /// The teacher's guidance weight (CFG's w).
    public var weight: Float
    /// The teacher's mixing method (not cfgpp, whose step takes its noise estimate from another prediction than
    /// its x0, which one x0 output cannot carry).
    public var method: GuidanceMethod

    public init(weight: Float, method: GuidanceMethod) {
        self.weight = weight
        self.method = method
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case weight, method }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        weight = try c.decode(Float.self, forKey: .weight)
        method = try c.decode(GuidanceMethod.self, forKey: .method)
    }

    /// The range a distilled weight may take: above 1 (at 1 the conditional model needs no distilling; below it
    /// the teacher's own single-branch w = 0 exists), and no higher than any weight a2m has measured.
    public static let weightRange: ClosedRange<Float> = Float(1).nextUp...10

    /// Range checks, fields named as `prefix`.weight / .method.
    public func problems(prefix: String) -> [String] {
        var out: [String] = []
        if !(weight.isFinite && Self.weightRange.contains(weight)) {
            out.append("\(prefix).weight is \(weight); expected a number above 1 and at most \(Self.weightRange.upperBound)")
        }
        if method == .cfgpp {
            out.append("\(prefix).method is cfgpp; expected cfg, lowpass or velocity (a CFG++ step takes its noise estimate from the unconditional prediction, which a single output cannot carry)")
        }
        return out
    }
}

/// The mixer of a guidance-distilled model: every step runs the conditioned rows only, and their output is
/// already the guided x0; the reported weight is the distilled one.
public struct DistilledGuidanceMixer: GuidanceMixer {
    public var distilled: DistilledGuidance

    public init(_ distilled: DistilledGuidance) {
        self.distilled = distilled
    }

    public func plan(step index: Int, of count: Int) -> GuidancePlan {
        GuidancePlan(weight: distilled.weight, branches: .conditional)
    }

    public func mix(_ plan: GuidancePlan, output: [Float], rows n: Int) -> GuidedPrediction {
        GuidedPrediction(x0: output)
    }
}
