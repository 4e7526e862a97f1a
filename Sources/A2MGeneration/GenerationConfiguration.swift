import A2MMotion
import A2MNN
import Foundation

/// Every choice of a generation run, with `a2m generate`'s defaults: the CLI, `a2m eval` (`GuidanceStudy`)
/// and library users fill one of these and hand it to `GenerationPipeline` (docs/architecture.md, "Pipeline").
public struct GenerationConfiguration: Sendable {
    /// Sampler, steps, spacing, eta, guidance weight, schedule and method, seed (`SamplerOptions`' defaults:
    /// 50 DDIM steps, trailing spacing, eta 0, guidance 1 constant cfg, seed 0).
    public var sampling = SamplerOptions()
    /// Samples per input, 1...`maxSamples` (sample k uses noise stream k).
    public var samples = 1
    /// Output frame rate, 1...1000; nil takes the training data's own rate when the model records it
    /// (`GenerationModel.sourceFPS`), else the model's. Another rate resamples whole clips (slerp).
    public var fps: Double?
    /// Steps between the sampler and the writers, in order (`RetargetStep` puts frames on a user's rig). Default:
    /// the foot lock.
    public var postProcessing: [any MotionPostProcess] = [FootLockStep()]
    /// Files written per sample (`generate(files:...)`), in order. Default: BVH and a2m JSON.
    public var formats: [any MotionFormat] = [BVHFormat(), A2MJSONFormat()]
    /// Files written once per input from all its samples (`generate(files:...)`), e.g. `PlayerPage` for
    /// `a2m generate --view`. Default: none.
    public var sampleSetFormats: [any SampleSetFormat] = []
    /// Where files go (`generate(files:...)`); nil = next to each input. Created when missing.
    public var outputDirectory: URL?
    /// Whether existing files may be replaced (never an input of the run).
    public var overwrite = false
    /// Further inputs of the run that no output may replace (a rig, a joint map); the audio files and the
    /// model always are.
    public var protectedFiles: [URL] = []

    public static let maxSamples = 1000
    public static let fpsRange = 1.0...1000.0

    public init() {}

    /// Whether the foot lock is in `postProcessing`; setting it adds it first or removes it.
    public var footLock: Bool {
        get { postProcessing.contains { $0 is FootLockStep } }
        set {
            postProcessing.removeAll { $0 is FootLockStep }
            if newValue { postProcessing.insert(FootLockStep(), at: 0) }
        }
    }

    /// Checks what can be checked without a model.
    public func validate() throws {
        try sampling.validateGuidance()
        guard (1...Self.maxSamples).contains(samples) else {
            throw SamplingError.invalidOption(name: "samples", value: "\(samples)", expected: "1...\(Self.maxSamples)")
        }
        if let fps, !(fps.isFinite && Self.fpsRange.contains(fps)) {
            throw SamplingError.invalidOption(name: "fps", value: "\(fps)", expected: "\(Self.fpsRange.lowerBound)...\(Self.fpsRange.upperBound)")
        }
    }

    /// Checks everything against `model` (steps within its training steps, guidance only with an unconditional
    /// mode, …).
    public func validate(for model: GenerationModel) throws {
        try validate()
        try sampling.validate(trainingSteps: model.diffusion.steps, supportsGuidance: model.denoiser.supportsGuidance,
                              distilled: model.denoiser.distilledGuidance)
    }
}

/// How far a run is, for a progress display: `step` of `stepCount` window-steps (a denoising step of a batch
/// of R window rows counts R). The handler returns false to cancel: the run stops at the next step and
/// throws `OutputError.cancelled`, leaving no file behind.
public struct GenerationProgress: Sendable {
    public var step: Int
    public var stepCount: Int
}

/// `(progress) -> continue?`
public typealias GenerationProgressHandler = (GenerationProgress) -> Bool
