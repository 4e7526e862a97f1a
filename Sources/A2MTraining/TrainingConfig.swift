import A2MCore
import A2MNN
import Foundation

/// The "training" object of Configs/*.json: optimizer, schedule, data windows, logging and loss weights.
/// Missing keys take the documented default; unknown keys are rejected; `validate` range-checks each field.
///
/// Defaults follow EDGE (Tseng et al. 2023) where it applies: 30 fps, learning
/// rate 2e-4, weight decay 0.02, EMA of the weights, x0 + velocity loss, and EDGE's foot-contact term as an
/// option. EDGE's forward-kinematics position term is not implemented, so it has no key (see docs/training.md).
public struct TrainingConfig: Codable, Sendable, Equatable {
    /// Windows per optimizer step. Default 16.
    public var batchSize: Int = 16
    /// Peak AdamW learning rate, reached after `warmupSteps`, then cosine-decayed to 0 at `totalSteps`. Default 2e-4.
    public var learningRate: Float = 2e-4
    /// Linear warm-up steps from 0 to `learningRate`. Default 500.
    public var warmupSteps: Int = 500
    /// Optimizer steps of the whole run (`a2m train --steps` overrides it). Default 20000.
    public var totalSteps: Int = 20_000
    /// Decoupled (AdamW) weight decay. Default 0.02.
    public var weightDecay: Float = 0.02
    /// Global L2 gradient-norm clip; 0 turns clipping off. Default 1.0.
    public var gradClip: Float = 1.0
    /// Decay of the exponential moving average of the weights (the EMA weights are the released model). Default 0.999.
    public var emaDecay: Float = 0.999
    /// Frame rate motion is resampled to (slerp) before features are computed; must equal the audio feature rate
    /// `audio.sampleRate / audio.hopLength`. Default 30 (the training norm; ZeroEGGS 60 and BEAT 120 are resampled).
    public var fps: Double = 30
    /// Frames per training window; must equal `model.windowFrames` (the network's window, also used when
    /// generating). Default 120 (4 s at 30 fps, the model default).
    public var windowFrames: Int = 120
    /// Frames between the starts of consecutive windows of one file. Default 60 (half overlap).
    public var windowStride: Int = 60
    /// Fraction of the files (not windows) held out for validation, chosen deterministically from `seed`.
    /// With a fraction > 0 at least one file is held out and at least one is kept. Default 0.1.
    public var validationFraction: Double = 0.1
    /// Most validation windows evaluated per validation pass (the first ones of the held-out files, in file
    /// order), bounding its cost on big corpora. Default 64.
    public var validationMaxWindows: Int = 64
    /// Steps between JSONL log lines (the final step is always logged). Default 10.
    public var logInterval: Int = 10
    /// Steps between validation-loss evaluations (and at the final step). Default 200.
    public var validationInterval: Int = 200
    /// Steps between checkpoints (and at the final step). Default 1000.
    public var checkpointInterval: Int = 1000
    /// Weight of the MSE between predicted and true x0. Default 1.
    public var x0LossWeight: Float = 1
    /// Weight of the MSE between frame-to-frame differences of predicted and true x0. Default 1.
    public var velocityLossWeight: Float = 1
    /// Weight of the foot velocity term (`FootVelocityLoss`, EDGE's foot-contact loss): forward kinematics of the
    /// predicted x0, squared error of the feet's world velocity against the ground truth's, in body heights per
    /// second. It prices foot sliding in world space, where the per-feature MSE sees a millimetre of sliding as a
    /// sum of tiny rotation errors spread over the leg. Needs a skeleton with feet (joints in the lowest 10 % of
    /// its rest height). Default 0 (off).
    public var footVelocityLossWeight: Float = 0
    /// Weight of the MSE between second frame differences (accelerations) of predicted and true x0. Per
    /// frequency it adds |2 sin(πf/fps)|⁴ times this weight to an error's cost: at 30 fps, 0.44× the weight at
    /// 4 Hz and 0.00012× at 0.5 Hz, so it prices jitter at a few hertz without touching slow motion, which the
    /// velocity term's |2 sin(πf/fps)|² separates far less (docs/training.md). Default 0 (off).
    public var accelerationLossWeight: Float = 0
    /// How the velocity and acceleration terms weigh the features: `uniform` (EDGE) or `inverseVariance` (each
    /// feature's frame-difference error divided by how much that difference varies in the training data, relative
    /// to the mean over features, so slow features pay for tremor and fast ones are left free). With
    /// `inverseVariance` the terms' values are in other units, so their weights need other magnitudes
    /// (docs/training.md, "Derivative weighting"). Default `uniform`.
    public var derivativeWeighting: DerivativeWeighting = .uniform
    /// With `inverseVariance`, the smallest factor a feature gets: factor_j = max(factor_j, floor). The factors of
    /// the fast features (the hands' rotations, 0.04 on a2m's corpus) would otherwise leave them almost free of
    /// the derivative terms, and guidance then makes them overshoot (docs/training.md, "Derivative weighting").
    /// With weights 0.1 a floor of 10 gives them the uniform weight 1 of the default config. 0 to 10⁴ (the
    /// factors' cap); above 0 only with `inverseVariance`. Default 0 (no floor).
    public var derivativeFactorFloor: Float = 0
    /// Floor of the per-feature motion std used for normalization (`NormalizationStats.stdFloor`). Features of
    /// near-static joints (planted legs and feet, the root's lateral velocity) have a std below it, so the
    /// floor sets how much their errors cost in the loss: 0.01 (the default) counts a 0.57° leg-rotation error as
    /// one unit, and generated feet then tremble by a few millimetres; 0.001 makes those features 10× dearer.
    /// Default 0.01.
    public var motionStdFloor: Float = NormalizationStats.defaultStdFloor
    /// Seed of every training RNG stream (initialization, data order, timesteps, noise, condition drop). Default 0.
    public var seed: UInt64 = 0

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case batchSize, learningRate, warmupSteps, totalSteps, weightDecay, gradClip, emaDecay
        case fps, windowFrames, windowStride, validationFraction, validationMaxWindows
        case logInterval, validationInterval, checkpointInterval, x0LossWeight, velocityLossWeight, footVelocityLossWeight
        case accelerationLossWeight, derivativeWeighting, derivativeFactorFloor, motionStdFloor, seed
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainingConfig()
        batchSize = try c.value(.batchSize, or: d.batchSize)
        learningRate = try c.value(.learningRate, or: d.learningRate)
        warmupSteps = try c.value(.warmupSteps, or: d.warmupSteps)
        totalSteps = try c.value(.totalSteps, or: d.totalSteps)
        weightDecay = try c.value(.weightDecay, or: d.weightDecay)
        gradClip = try c.value(.gradClip, or: d.gradClip)
        emaDecay = try c.value(.emaDecay, or: d.emaDecay)
        fps = try c.value(.fps, or: d.fps)
        windowFrames = try c.value(.windowFrames, or: d.windowFrames)
        windowStride = try c.value(.windowStride, or: d.windowStride)
        validationFraction = try c.value(.validationFraction, or: d.validationFraction)
        validationMaxWindows = try c.value(.validationMaxWindows, or: d.validationMaxWindows)
        logInterval = try c.value(.logInterval, or: d.logInterval)
        validationInterval = try c.value(.validationInterval, or: d.validationInterval)
        checkpointInterval = try c.value(.checkpointInterval, or: d.checkpointInterval)
        x0LossWeight = try c.value(.x0LossWeight, or: d.x0LossWeight)
        velocityLossWeight = try c.value(.velocityLossWeight, or: d.velocityLossWeight)
        footVelocityLossWeight = try c.value(.footVelocityLossWeight, or: d.footVelocityLossWeight)
        accelerationLossWeight = try c.value(.accelerationLossWeight, or: d.accelerationLossWeight)
        derivativeWeighting = try c.value(.derivativeWeighting, or: d.derivativeWeighting)
        derivativeFactorFloor = try c.value(.derivativeFactorFloor, or: d.derivativeFactorFloor)
        motionStdFloor = try c.value(.motionStdFloor, or: d.motionStdFloor)
        seed = try c.value(.seed, or: d.seed)
    }

    /// Range checks; `prefix` is this object's key path in the file.
    func validate(file: String, prefix: String = "training") throws {
        let v = ConfigValidator(file: file)
        let p = prefix.isEmpty ? "" : prefix + "."
        try v.check(p + "batchSize", batchSize, in: 1...4096)
        try v.check(p + "learningRate", learningRate, in: 1e-8...1)
        try v.check(p + "totalSteps", totalSteps, in: 1...1_000_000_000)
        try v.check(p + "warmupSteps", warmupSteps, in: 0...1_000_000_000)
        try v.check(p + "weightDecay", weightDecay, in: 0...1)
        try v.check(p + "gradClip", gradClip, in: 0...1e6)
        // 1 would freeze the EMA at the initial weights forever.
        try v.check(p + "emaDecay", emaDecay, in: 0...0.999999)
        try v.check(p + "fps", fps, in: 1...1000)
        try v.check(p + "windowFrames", windowFrames, in: 2...100_000)
        try v.check(p + "windowStride", windowStride, in: 1...100_000)
        try v.check(p + "validationFraction", validationFraction, in: 0...0.9)
        try v.check(p + "validationMaxWindows", validationMaxWindows, in: 1...1_000_000)
        try v.check(p + "logInterval", logInterval, in: 1...1_000_000_000)
        try v.check(p + "validationInterval", validationInterval, in: 1...1_000_000_000)
        try v.check(p + "checkpointInterval", checkpointInterval, in: 1...1_000_000_000)
        try v.check(p + "x0LossWeight", x0LossWeight, in: 0...1e4)
        try v.check(p + "velocityLossWeight", velocityLossWeight, in: 0...1e4)
        try v.check(p + "footVelocityLossWeight", footVelocityLossWeight, in: 0...1e6)
        try v.check(p + "accelerationLossWeight", accelerationLossWeight, in: 0...1e4)
        try v.check(p + "motionStdFloor", motionStdFloor, in: 1e-6...1)
        try v.check(p + "derivativeFactorFloor", derivativeFactorFloor, in: 0...Float(1 / DerivativeChannelWeights.floorRatio))
        try v.require(p + "derivativeFactorFloor", derivativeFactorFloor == 0 || derivativeWeighting == .inverseVariance,
                      "is \(derivativeFactorFloor) but derivativeWeighting is \(derivativeWeighting.rawValue), which has no per-feature factors to floor; set it to 0 or use inverseVariance")
        try v.require(p + "derivativeWeighting", derivativeWeighting == .uniform || velocityLossWeight + accelerationLossWeight > 0,
                      "is \(derivativeWeighting.rawValue) but velocityLossWeight and accelerationLossWeight are both 0, so it would change nothing; set one of them above 0 or use uniform")
        try v.require(p + "x0LossWeight", x0LossWeight + velocityLossWeight + accelerationLossWeight > 0,
                      "x0LossWeight, velocityLossWeight and accelerationLossWeight are all 0; at least one loss term must be on")
    }
}
