import A2MAudio
import A2MCore
import A2MNN
import Foundation

/// A whole model/training config file (Configs/*.json): every top-level section, each decoded strictly by its
/// owner, plus the checks that tie sections together. Unknown keys anywhere are rejected with their path.
public struct A2MConfig: Codable, Sendable, Equatable {
    public var audio: AudioFeatureConfig
    public var model: DenoiserConfig
    public var diffusion: DiffusionConfig
    public var training: TrainingConfig
    /// `model.motionDim` was left out of the file: the training data sets it (`resolvingDimensions`). Not part of
    /// the config's identity (a resolved config equals one that wrote the number) and never encoded.
    public private(set) var motionDimFromData = false

    public static func == (a: A2MConfig, b: A2MConfig) -> Bool {
        a.audio == b.audio && a.model == b.model && a.diffusion == b.diffusion && a.training == b.training
    }

    public init(audio: AudioFeatureConfig = AudioFeatureConfig(), model: DenoiserConfig = DenoiserConfig(),
                diffusion: DiffusionConfig = DiffusionConfig(), training: TrainingConfig = TrainingConfig()) {
        self.audio = audio
        self.model = model
        self.diffusion = diffusion
        self.training = training
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case audio, model, diffusion, training }

    /// Missing sections take their defaults (so `{}` is the default config); unknown top-level keys are rejected.
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        audio = try c.decodeIfPresent(AudioFeatureConfig.self, forKey: .audio) ?? AudioFeatureConfig()
        model = try c.decodeIfPresent(DenoiserConfig.self, forKey: .model) ?? DenoiserConfig()
        diffusion = try c.decodeIfPresent(DiffusionConfig.self, forKey: .diffusion) ?? DiffusionConfig()
        training = try c.decodeIfPresent(TrainingConfig.self, forKey: .training) ?? TrainingConfig()
        // The sizes the data fixes may be left out: audioDim follows from the audio section at once, motionDim
        // from the training data's skeleton (`resolvingDimensions`).
        let given = try c.decodeIfPresent(PresentKeys.self, forKey: .model)?.keys ?? []
        if !given.contains("audioDim") { model.audioDim = audio.featureDim }
        motionDimFromData = !given.contains("motionDim")
    }

    /// The keys of a JSON object.
    private struct PresentKeys: Decodable {
        var keys: Set<String>
        init(from decoder: Decoder) throws { keys = Set(try decoder.container(keyedBy: AnyCodingKey.self).allKeys.map(\.stringValue)) }
    }

    /// This config with the sizes the data fixes filled in: `model.motionDim` from the data's skeleton when the
    /// file left it out. A number the file gives that disagrees with the data is refused with both numbers.
    public func resolvingDimensions(motionDim: Int, jointCount: Int, file: String) throws -> A2MConfig {
        var c = self
        if motionDimFromData {
            c.model.motionDim = motionDim
            c.motionDimFromData = false
        } else if model.motionDim != motionDim {
            throw ConfigError.invalid(file: file, field: "model.motionDim",
                                      reason: "is \(model.motionDim) but the data's skeleton (\(jointCount) joints) gives \(motionDim) motion features per frame (4 + 6 × joints); leave the key out to take it from the data, or set it to \(motionDim)")
        }
        try c.model.validate(file: file)
        return c
    }

    /// Reads, decodes and validates a config file.
    public static func load(contentsOf url: URL) throws -> A2MConfig {
        let config = try StrictJSON.decode(A2MConfig.self, contentsOf: url)
        try config.validate(file: url.path)
        return config
    }

    /// Range checks of every section, then the consistency checks between sections.
    func validate(file: String) throws {
        try audio.validate(file: file, fieldPrefix: "audio")
        try model.validate(file: file)
        try diffusion.validate(file: file, prefix: "diffusion")
        try training.validate(file: file, prefix: "training")
        let v = ConfigValidator(file: file)
        try v.require("model.audioDim", model.audioDim == audio.featureDim,
                      "model.audioDim \(model.audioDim) must equal the number of audio features, \(audio.featureDimDescription) (the network reads one feature row per frame); leave the key out to take it from the audio section")
        try v.require("model.diffusionSteps", model.diffusionSteps == diffusion.steps,
                      "model.diffusionSteps \(model.diffusionSteps) must equal diffusion.steps \(diffusion.steps) (the timestep embedding covers the schedule)")
        try v.require("training.windowFrames", training.windowFrames == model.windowFrames,
                      "training.windowFrames \(training.windowFrames) must equal model.windowFrames \(model.windowFrames) (the network's window, also used for generation)")
        try v.require("training.windowStride", training.windowStride <= training.windowFrames,
                      "training.windowStride \(training.windowStride) is larger than training.windowFrames \(training.windowFrames); frames between windows would never be trained on")
        let rate = audio.frameRate
        try v.require("training.fps", abs(rate - training.fps) <= 1e-9 * training.fps,
                      "training.fps \(training.fps) must equal the audio feature rate audio.sampleRate / audio.hopLength = \(audio.sampleRate) / \(audio.hopLength) = \(rate), so audio and motion frames line up")
    }
}
