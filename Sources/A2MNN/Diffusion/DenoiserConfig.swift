import A2MCore
import Foundation

/// Sizes of the FiLM-transformer denoiser (docs/design.md §3). Every field has a documented default; unknown keys
/// are rejected and every value is range-checked by `validate(file:)`.
public struct DenoiserConfig: Codable, Sendable, Equatable {
    /// Model width d (token size). Default 128. Must be divisible by `heads` and even (rotary pairs).
    public var width: Int = 128
    /// Decoder layers L. Default 4.
    public var layers: Int = 4
    /// Attention heads. Default 8 (EDGE, audio2photoreal).
    public var heads: Int = 8
    /// Feed-forward hidden size. Default 512 (4·d).
    public var ffn: Int = 512
    /// Transformer encoder layers over the audio features. Default 2 (EDGE).
    public var encoderLayers: Int = 2
    /// Dropout on attention probabilities, FFN hidden units and encoder residual branches. Default 0.1.
    public var dropout: Float = 0.1
    /// Frames per training window (also the length of the learned null audio-token sequence). Default 120.
    public var windowFrames: Int = 120
    /// Motion features per frame D, 4 + 6 × joints (`MotionFeatures.featureDim`). Default 316, the 52-joint
    /// default skeleton's (with fingers); a training config that leaves it out takes it from the data.
    public var motionDim: Int = 316
    /// Audio features per frame M (n_mels). Default 80.
    public var audioDim: Int = 80
    /// Probability of replacing a training sample's audio with the learned null embeddings (CFG). Default 0.25.
    public var condDropProbability: Float = 0.25
    /// Diffusion steps the timestep embedding is trained for. Default 1000.
    public var diffusionSteps: Int = 1000
    /// Also add each frame's audio token, low-passed over ±`alignedAudioSmoothing` frames (`TemporalSmooth`), to
    /// that frame's motion token at the decoder input, besides the cross-attention memory; a dropped row adds the
    /// learned constant `null_frame` instead. Default false (EDGE and the torch reference have only cross-attention).
    /// The shipped configs turn it on: cross-attention starts uniform over all audio tokens and learns frame-level
    /// timing slowly, while this path gives every frame its own audio from the first step (docs/notes/2026-11-results-notebook.md,
    /// "Making the model use the audio").
    public var frameAlignedAudio: Bool = false
    /// Radius r of the binomial low-pass over frames on the frame-aligned audio path (taps C(2r, k), σ = √(r/2)
    /// frames, response cos^(2r)(π·f/fps)). Default 2 ([1, 4, 6, 4, 1], what every model before the key was
    /// trained with, so checkpoints without it load unchanged); 0 = no smoothing; at most 12. Another value without
    /// `frameAlignedAudio` is rejected (it would change nothing). docs/notes/2026-11-results-notebook.md ("Where FID_k's excess sits")
    /// measures 2, 4 and 8.
    public var alignedAudioSmoothing: Int = 2
    /// Set on a student trained by guidance distillation (`a2m train --teacher`): the teacher's guidance weight
    /// and method, which this model's conditioned pass reproduces alone (`DistilledGuidance`). Default none.
    public var distilledGuidance: DistilledGuidance?

    public init() {}

    /// The config without `distilledGuidance`: the architecture a teacher and its student share.
    public var architecture: DenoiserConfig {
        var c = self
        c.distilledGuidance = nil
        return c
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case width, layers, heads, ffn, encoderLayers, dropout, windowFrames, motionDim, audioDim
        case condDropProbability, diffusionSteps, frameAlignedAudio, alignedAudioSmoothing, distilledGuidance
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = DenoiserConfig()
        width = try c.value(.width, or: d.width)
        layers = try c.value(.layers, or: d.layers)
        heads = try c.value(.heads, or: d.heads)
        ffn = try c.value(.ffn, or: d.ffn)
        encoderLayers = try c.value(.encoderLayers, or: d.encoderLayers)
        dropout = try c.value(.dropout, or: d.dropout)
        windowFrames = try c.value(.windowFrames, or: d.windowFrames)
        motionDim = try c.value(.motionDim, or: d.motionDim)
        audioDim = try c.value(.audioDim, or: d.audioDim)
        condDropProbability = try c.value(.condDropProbability, or: d.condDropProbability)
        diffusionSteps = try c.value(.diffusionSteps, or: d.diffusionSteps)
        frameAlignedAudio = try c.value(.frameAlignedAudio, or: d.frameAlignedAudio)
        alignedAudioSmoothing = try c.value(.alignedAudioSmoothing, or: d.alignedAudioSmoothing)
        distilledGuidance = try c.value(.distilledGuidance, or: nil)
    }

    /// Writes every field except `alignedAudioSmoothing` at its default: models trained before the key existed
    /// have none in their metadata, so the same recipe still writes a byte-identical model file.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(width, forKey: .width)
        try c.encode(layers, forKey: .layers)
        try c.encode(heads, forKey: .heads)
        try c.encode(ffn, forKey: .ffn)
        try c.encode(encoderLayers, forKey: .encoderLayers)
        try c.encode(dropout, forKey: .dropout)
        try c.encode(windowFrames, forKey: .windowFrames)
        try c.encode(motionDim, forKey: .motionDim)
        try c.encode(audioDim, forKey: .audioDim)
        try c.encode(condDropProbability, forKey: .condDropProbability)
        try c.encode(diffusionSteps, forKey: .diffusionSteps)
        try c.encode(frameAlignedAudio, forKey: .frameAlignedAudio)
        if alignedAudioSmoothing != DenoiserConfig().alignedAudioSmoothing {
            try c.encode(alignedAudioSmoothing, forKey: .alignedAudioSmoothing)
        }
        try c.encodeIfPresent(distilledGuidance, forKey: .distilledGuidance)
    }

    /// Range checks; `file` names the config in messages (fields are reported as `model.<name>`).
    public func validate(file: String = "<config>") throws {
        let v = ConfigValidator(file: file)
        try v.check("model.width", width, in: 8...4096)
        try v.check("model.layers", layers, in: 1...64)
        try v.check("model.heads", heads, in: 1...64)
        try v.require("model.heads", width % heads == 0, "width \(width) must be divisible by heads \(heads)")
        try v.require("model.width", width % 2 == 0, "width \(width) must be even (rotary and timestep embeddings pair features)")
        try v.check("model.ffn", ffn, in: 1...65536)
        try v.check("model.encoderLayers", encoderLayers, in: 0...16)
        try v.check("model.dropout", dropout, in: 0...0.9)
        try v.check("model.windowFrames", windowFrames, in: 2...4096)
        try v.check("model.motionDim", motionDim, in: 1...4096)
        try v.check("model.audioDim", audioDim, in: 1...1024)
        try v.check("model.condDropProbability", condDropProbability, in: 0...1)
        try v.check("model.diffusionSteps", diffusionSteps, in: 1...100_000)
        try v.check("model.alignedAudioSmoothing", alignedAudioSmoothing, in: 0...TemporalSmooth.maxRadius)
        try v.require("model.alignedAudioSmoothing",
                      frameAlignedAudio || alignedAudioSmoothing == DenoiserConfig().alignedAudioSmoothing,
                      "\(alignedAudioSmoothing) smooths the frame-aligned audio path, which this model does not have; "
                          + "set model.frameAlignedAudio to true or leave the key out")
        if let g = distilledGuidance {
            let problems = g.problems(prefix: "model.distilledGuidance")
            try v.require("model.distilledGuidance", problems.isEmpty, problems.joined(separator: "; "))
        }
    }

    /// Reads the top-level "model" object of a config file (other top-level keys belong to other sections).
    public static func load(contentsOf url: URL) throws -> DenoiserConfig {
        let section = try StrictJSON.decode(ModelSection.self, contentsOf: url)
        try section.model.validate(file: url.path)
        return section.model
    }

    private struct ModelSection: Decodable { var model: DenoiserConfig }
}
