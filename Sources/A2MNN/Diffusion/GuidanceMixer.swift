/// Which network branches a step needs.
public enum GuidanceBranches: Sendable, Equatable {
    /// The B rows with their audio.
    case conditional
    /// The B rows with the null audio embeddings (the unconditional model).
    case unconditional
    /// Both, as one call of 2B rows: the B conditioned rows first, then the same B rows unconditioned.
    case both
}

/// The layout of a prediction: `rows` × `frames` × `dim` values, row-major (the batch rows, the motion frames
/// along time, the motion features of a frame).
public struct PredictionShape: Sendable, Equatable {
    public var rows: Int
    public var frames: Int
    public var dim: Int

    public init(rows: Int, frames: Int, dim: Int) {
        self.rows = rows
        self.frames = frames
        self.dim = dim
    }

    /// Values in one branch.
    public var count: Int { rows * frames * dim }
}

/// What a mixer asks of one step: the weight it uses there (reported in `DenoisingStep.guidance`) and the
/// branches the network must run.
public struct GuidancePlan: Sendable, Equatable {
    public var weight: Float
    public var branches: GuidanceBranches

    public init(weight: Float, branches: GuidanceBranches) {
        self.weight = weight
        self.branches = branches
    }
}

/// How the conditional and unconditional x0 predictions become the `GuidedPrediction` a sampler step uses.
/// Separate from the samplers, so every guidance method works with every sampler.
///
/// Adding a method: a type conforming to `GuidanceMixer`, and a case in `GuidanceMethod` that makes it.
public protocol GuidanceMixer: Sendable {
    /// The weight and branches of step `index` of `count` (index 0 is the noisiest).
    func plan(step index: Int, of count: Int) -> GuidancePlan
    /// Mixes the network output of a step: `output` holds `rows` values per branch, in the order of
    /// `plan.branches` (conditional first for `.both`).
    func mix(_ plan: GuidancePlan, output: [Float], rows n: Int) -> GuidedPrediction
    /// The same with the prediction's layout, for mixers that work along time (`LowPassGuidance`,
    /// `VelocityRescaledGuidance`). `DenoisingLoop` calls this one; by default it is `mix(_:output:rows:)`.
    func mix(_ plan: GuidancePlan, output: [Float], shape: PredictionShape) -> GuidedPrediction
}

extension GuidanceMixer {
    public func mix(_ plan: GuidancePlan, output: [Float], shape: PredictionShape) -> GuidedPrediction {
        mix(plan, output: output, rows: shape.count)
    }
}

extension GuidanceMixer {
    /// u + w·(c − u) over the two halves of a `.both` output.
    static func interpolate(_ both: [Float], weight w: Float, rows n: Int) -> [Float] {
        var out = [Float](repeating: 0, count: n)
        both.withUnsafeBufferPointer { p in
            for i in 0..<n {
                let c = p[i], u = p[n + i]
                out[i] = u + w * (c - u)
            }
        }
        return out
    }
}

/// Classifier-free guidance (Ho & Salimans 2022) on the x0 prediction: x̂0 = û0 + w·(ĉ0 − û0), the weight
/// following `schedule` over the steps. w = 1 runs only the conditioned rows and w = 0 only the unconditioned
/// ones (both exact cases of the formula, half the work); any other weight one call of 2B rows.
public struct ClassifierFreeGuidance: GuidanceMixer {
    public var weight: Float
    public var schedule: GuidanceSchedule

    public init(weight: Float, schedule: GuidanceSchedule = .constant) {
        self.weight = weight
        self.schedule = schedule
    }

    public func plan(step index: Int, of count: Int) -> GuidancePlan {
        let w = schedule.weight(weight, step: index, of: count)
        return GuidancePlan(weight: w, branches: w == 1 ? .conditional : w == 0 ? .unconditional : .both)
    }

    public func mix(_ plan: GuidancePlan, output: [Float], rows n: Int) -> GuidedPrediction {
        plan.branches == .both ? GuidedPrediction(x0: Self.interpolate(output, weight: plan.weight, rows: n)) : GuidedPrediction(x0: output)
    }
}
