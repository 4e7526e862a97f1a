import Foundation

/// What generation needs from a training run, stored in OUT/model.safetensors: the EMA weights (plain tensor
/// names) and, in `__metadata__`, every choice the weights depend on.
///
/// Metadata keys (all strings; JSON where noted):
/// - `a2m.format` = "a2m-model/1"
/// - `a2m.model` (JSON `DenoiserConfig`, written by `Denoiser.saveCheckpoint`)
/// - `a2m.audio` (JSON `AudioFeatureConfig`), `a2m.diffusion` (JSON `DiffusionConfig`)
/// - `a2m.fps` motion frames per second; `a2m.skeleton` the skeleton as a one-frame rest-pose BVH
/// - `a2m.motionStats`, `a2m.audioStats` (JSON `NormalizationStats`): the network sees normalized motion
///   features and normalized log-mel rows, x̂ = (x − mean) / std; generation must normalize the audio features
///   with `audioStats` and denormalize the network's output with `motionStats`
/// - `a2m.step` the training step of the weights
public struct TrainedModel {
    public static let format = "a2m-model/1"

    public var denoiser: Denoiser
    public var audio: AudioFeatureConfig
    public var diffusion: DiffusionConfig
    public var fps: Double
    public var skeleton: Skeleton
    public var skeletonBVH: String
    public var motionStats: NormalizationStats
    public var audioStats: NormalizationStats
    public var step: Int

    /// The metadata of a model file (`a2m.model` is added by the writer).
    static func metadata(config: A2MConfig, data: TrainingSet, step: Int) throws -> [String: String] {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ x: T) throws -> String { String(decoding: try enc.encode(x), as: UTF8.self) }
        return [
            "a2m.format": format,
            "a2m.audio": try json(config.audio),
            "a2m.diffusion": try json(config.diffusion),
            "a2m.fps": String(data.fps),
            "a2m.skeleton": data.skeletonBVH,
            "a2m.motionStats": try json(data.motionStats),
            "a2m.audioStats": try json(data.audioStats),
            "a2m.step": String(step),
        ]
    }

    /// Loads and checks a model file (also accepts a training checkpoint, whose plain tensors are the EMA weights).
    public static func load(contentsOf url: URL) throws -> TrainedModel {
        let (denoiser, file) = try Denoiser.load(contentsOf: url)
        let meta = file.metadata
        func value(_ key: String) throws -> String {
            guard let v = meta[key] else { throw CheckpointError.metadata(path: url.path, key: key, reason: "missing; not an a2m model file") }
            return v
        }
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            do { return try StrictJSON.decode(T.self, from: Data(try value(key).utf8), file: url.path + " [__metadata__.\(key)]") } catch let e as CheckpointError {
                throw e
            } catch {
                throw CheckpointError.metadata(path: url.path, key: key, reason: "\(error)")
            }
        }
        guard try value("a2m.format") == format else {
            throw CheckpointError.metadata(path: url.path, key: "a2m.format", reason: "is '\(meta["a2m.format"]!)', expected '\(format)'")
        }
        let audio = try decode(AudioFeatureConfig.self, "a2m.audio")
        let diffusion = try decode(DiffusionConfig.self, "a2m.diffusion")
        let motionStats = try decode(NormalizationStats.self, "a2m.motionStats")
        let audioStats = try decode(NormalizationStats.self, "a2m.audioStats")
        guard let fps = Double(try value("a2m.fps")), fps.isFinite, fps > 0 else {
            throw CheckpointError.metadata(path: url.path, key: "a2m.fps", reason: "is '\(meta["a2m.fps"]!)', expected a positive number")
        }
        guard let step = Int(try value("a2m.step")), step >= 0 else {
            throw CheckpointError.metadata(path: url.path, key: "a2m.step", reason: "is '\(meta["a2m.step"]!)', expected a step count")
        }
        let text = try value("a2m.skeleton")
        let skeleton: Skeleton
        do { skeleton = try BVHReader.read(string: text, name: url.path + " [__metadata__.a2m.skeleton]").clip.skeleton } catch {
            throw CheckpointError.metadata(path: url.path, key: "a2m.skeleton", reason: "\(error)")
        }
        let cfg = denoiser.config
        func require(_ ok: Bool, _ key: String, _ reason: String) throws {
            if !ok { throw CheckpointError.metadata(path: url.path, key: key, reason: reason) }
        }
        try require(motionStats.featureDim == cfg.motionDim, "a2m.motionStats", "has \(motionStats.featureDim) features, the model \(cfg.motionDim)")
        try require(audioStats.featureDim == cfg.audioDim, "a2m.audioStats", "has \(audioStats.featureDim) features, the model \(cfg.audioDim)")
        try require(MotionFeatures.featureDim(for: skeleton) == cfg.motionDim, "a2m.skeleton",
                    "\(skeleton.jointCount) joints give \(MotionFeatures.featureDim(for: skeleton)) features, the model has \(cfg.motionDim)")
        try require(audio.nMels == cfg.audioDim, "a2m.audio", "nMels \(audio.nMels) differs from the model's audioDim \(cfg.audioDim)")
        try require(diffusion.steps == cfg.diffusionSteps, "a2m.diffusion", "steps \(diffusion.steps) differ from the model's \(cfg.diffusionSteps)")
        return TrainedModel(denoiser: denoiser, audio: audio, diffusion: diffusion, fps: fps, skeleton: skeleton, skeletonBVH: text,
                            motionStats: motionStats, audioStats: audioStats, step: step)
    }
}
