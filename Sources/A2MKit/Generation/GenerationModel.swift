import Foundation

/// Everything `a2m generate` needs from a checkpoint: the denoiser plus the diffusion schedule, audio front
/// end, skeleton, frame rate and motion normalization it was trained with. Nothing about the motion is
/// hard-coded in generation; it all comes from here.
///
/// Stored in the safetensors `__metadata__` next to the denoiser's own `a2m.model` key (all values strings):
///
/// | key | value |
/// |---|---|
/// | `a2m.diffusion` | `DiffusionConfig` JSON |
/// | `a2m.audio` | `AudioFeatureConfig` JSON |
/// | `a2m.skeleton` | BVH text of the skeleton (hierarchy and one rest-pose frame) |
/// | `a2m.fps` | motion frames per second, decimal |
/// | `a2m.normalization` | `NormalizationStats` JSON |
///
/// Training writes them with `GenerationModel.metadata(...)`.
public struct GenerationModel {
    public let denoiser: Denoiser
    public let diffusion: DiffusionConfig
    public let audio: AudioFeatureConfig
    public let skeleton: Skeleton
    public let fps: Double
    public let normalization: NormalizationStats
    public let path: String

    public enum Key {
        public static let diffusion = "a2m.diffusion"
        public static let audio = "a2m.audio"
        public static let skeleton = "a2m.skeleton"
        public static let fps = "a2m.fps"
        public static let normalization = "a2m.normalization"
    }

    public var windowFrames: Int { denoiser.config.windowFrames }

    /// A model assembled in memory (benchmarks, tests); `load` is the checked way from a file.
    public init(denoiser: Denoiser, diffusion: DiffusionConfig, audio: AudioFeatureConfig, skeleton: Skeleton, fps: Double,
                normalization: NormalizationStats, path: String) {
        self.denoiser = denoiser
        self.diffusion = diffusion
        self.audio = audio
        self.skeleton = skeleton
        self.fps = fps
        self.normalization = normalization
        self.path = path
    }

    /// The metadata entries that make a denoiser checkpoint a generation model.
    public static func metadata(diffusion: DiffusionConfig, audio: AudioFeatureConfig, skeleton: Skeleton, fps: Double,
                                normalization: NormalizationStats) throws -> [String: String] {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ v: T) throws -> String { String(decoding: try enc.encode(v), as: UTF8.self) }
        let bvh = try BVHWriter.bytes(MotionClip(restPoseOf: skeleton, fps: fps, frames: 1))
        return [
            Key.diffusion: try json(diffusion),
            Key.audio: try json(audio),
            Key.skeleton: String(decoding: bvh, as: UTF8.self),
            Key.fps: "\(fps)",
            Key.normalization: try json(normalization),
        ]
    }

    /// Loads and cross-checks a checkpoint: every key present and valid, and the denoiser's feature sizes equal
    /// to the skeleton's feature size, the normalization's size, the audio config's n_mels and the schedule's T.
    public static func load(contentsOf url: URL) throws -> GenerationModel {
        let (denoiser, file) = try Denoiser.load(contentsOf: url)
        let path = url.path
        func value(_ key: String) throws -> String {
            guard let v = file.metadata[key] else {
                throw CheckpointError.metadata(path: path, key: key, reason: "missing; this checkpoint cannot be used for generation")
            }
            return v
        }
        func decoded<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            do { return try StrictJSON.decode(T.self, from: Data(try value(key).utf8), file: "\(path) [__metadata__.\(key)]") } catch let e as CheckpointError {
                throw e
            } catch {
                throw CheckpointError.metadata(path: path, key: key, reason: "\(error)")
            }
        }
        let diffusion = try decoded(DiffusionConfig.self, Key.diffusion)
        do { try diffusion.validate(file: "\(path) [__metadata__.\(Key.diffusion)]") } catch {
            throw CheckpointError.metadata(path: path, key: Key.diffusion, reason: "\(error)")
        }
        let audio = try decoded(AudioFeatureConfig.self, Key.audio)
        let normalization = try decoded(NormalizationStats.self, Key.normalization)
        let fpsText = try value(Key.fps)
        guard let fps = Double(fpsText), fps.isFinite, fps > 0 else {
            throw CheckpointError.metadata(path: path, key: Key.fps, reason: "'\(fpsText)' is not a positive frame rate")
        }
        let skeleton: Skeleton
        do { skeleton = try BVHReader.read(string: try value(Key.skeleton), name: "\(path) [__metadata__.\(Key.skeleton)]").clip.skeleton } catch let e as CheckpointError {
            throw e
        } catch {
            throw CheckpointError.metadata(path: path, key: Key.skeleton, reason: "\(error)")
        }
        let features = MotionFeatures.featureDim(for: skeleton)
        var problems: [String] = []
        if denoiser.motionDim != features {
            problems.append("model.motionDim \(denoiser.motionDim), but the skeleton (\(skeleton.jointCount) joints) has \(features) motion features")
        }
        if normalization.featureDim != features {
            problems.append("normalization has \(normalization.featureDim) features, the skeleton \(features)")
        }
        if denoiser.audioDim != audio.nMels {
            problems.append("model.audioDim \(denoiser.audioDim), but the audio config has nMels \(audio.nMels)")
        }
        if denoiser.trainingSteps != diffusion.steps {
            problems.append("model.diffusionSteps \(denoiser.trainingSteps), but diffusion.steps is \(diffusion.steps)")
        }
        guard problems.isEmpty else { throw GenerationError.modelMismatch(path: path, problems: problems) }
        return GenerationModel(denoiser: denoiser, diffusion: diffusion, audio: audio, skeleton: skeleton, fps: fps,
                               normalization: normalization, path: path)
    }
}
