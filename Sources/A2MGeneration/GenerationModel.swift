import A2MAudio
import A2MCore
import A2MMotion
import A2MNN
import Foundation

/// A trained model file (`a2m train` writes OUT/model.safetensors): the EMA denoiser weights plus every choice
/// the weights depend on. `a2m generate` and `a2m eval` need nothing else; nothing about the motion is
/// hard-coded in generation. This is the one reader and writer of that contract.
///
/// Stored in the safetensors `__metadata__` next to the denoiser's own `a2m.model` key (all values strings):
///
/// | key | value |
/// |---|---|
/// | `a2m.format` | `a2m-model/1` |
/// | `a2m.diffusion` | `DiffusionConfig` JSON |
/// | `a2m.audio` | `AudioFeatureConfig` JSON: the front end, and in `prosody` which features follow the log-mel (none when absent) |
/// | `a2m.skeleton` | BVH text of the skeleton (hierarchy and one rest-pose frame) |
/// | `a2m.fps` | motion frames per second, decimal |
/// | `a2m.motionStats` | `NormalizationStats` JSON of the motion features: the network's output is denormalized with it |
/// | `a2m.audioStats` | `NormalizationStats` JSON of the audio feature rows (log-mel, then prosody): the network's audio input is normalized with it |
/// | `a2m.step` | training step of the weights |
/// | `a2m.sourceFPS` | optional: the frame rate the training data was recorded at; `a2m generate` writes at it by default |
/// | `a2m.teacher` | optional: on a guidance-distilled student (`a2m train --teacher`), the teacher's weight fingerprint |
/// | `a2m.init` | optional: on a fine-tuned model (`a2m train --init`), the starting model's weight fingerprint |
///
/// A training checkpoint (OUT/checkpoint.safetensors) carries the same keys, so it loads here too.
public struct GenerationModel {
    public static let format = "a2m-model/1"
    /// Motion frame rates a model may have: those `training.fps` accepts.
    public static let fpsRange: ClosedRange<Double> = 1...1000
    /// Most samples the front end may feed to its FFTs per second of audio (frame rate × nFFT): 137× the model
    /// default (30 × 1024), 47× librosa's default; a model asking for more (384 kHz with hop 1) is damaged, not real.
    public static let maxAnalysedSamplesPerSecond = 1 << 22

    public let denoiser: Denoiser
    public let diffusion: DiffusionConfig
    public let audio: AudioFeatureConfig
    public let skeleton: Skeleton
    public let fps: Double
    public let motionStats: NormalizationStats
    public let audioStats: NormalizationStats
    public let step: Int
    /// The training data's own frame rate (nil for models trained before it was recorded): generation's default
    /// output rate, so a 60 fps corpus gives 60 fps motion.
    public let sourceFPS: Double?
    public let path: String

    package enum Key {
        package static let format = "a2m.format"
        package static let diffusion = "a2m.diffusion"
        package static let audio = "a2m.audio"
        package static let skeleton = "a2m.skeleton"
        package static let fps = "a2m.fps"
        package static let motionStats = "a2m.motionStats"
        package static let audioStats = "a2m.audioStats"
        package static let step = "a2m.step"
        package static let sourceFPS = "a2m.sourceFPS"
    }

    public var windowFrames: Int { denoiser.config.windowFrames }

    /// A model assembled in memory (benchmarks, tests); `load` is the checked way from a file.
    public init(denoiser: Denoiser, diffusion: DiffusionConfig, audio: AudioFeatureConfig, skeleton: Skeleton, fps: Double,
                motionStats: NormalizationStats, audioStats: NormalizationStats, step: Int = 0, sourceFPS: Double? = nil, path: String) {
        self.denoiser = denoiser
        self.diffusion = diffusion
        self.audio = audio
        self.skeleton = skeleton
        self.fps = fps
        self.motionStats = motionStats
        self.audioStats = audioStats
        self.step = step
        self.sourceFPS = sourceFPS
        self.path = path
    }

    /// `value` as JSON with sorted keys: how every config and statistics value in the metadata is written.
    package static func sortedJSON<T: Encodable>(_ value: T) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: try enc.encode(value), as: UTF8.self)
    }

    /// The metadata entries that make a denoiser checkpoint a generation model.
    public static func metadata(diffusion: DiffusionConfig, audio: AudioFeatureConfig, skeleton: Skeleton, fps: Double,
                                motionStats: NormalizationStats, audioStats: NormalizationStats, step: Int,
                                sourceFPS: Double? = nil) throws -> [String: String] {
        let bvh = try BVHWriter.bytes(MotionClip(restPoseOf: skeleton, fps: fps, frames: 1))
        var meta = [
            Key.format: format,
            Key.diffusion: try sortedJSON(diffusion),
            Key.audio: try sortedJSON(audio),
            Key.skeleton: String(decoding: bvh, as: UTF8.self),
            Key.fps: "\(fps)",
            Key.motionStats: try sortedJSON(motionStats),
            Key.audioStats: try sortedJSON(audioStats),
            Key.step: "\(step)",
        ]
        if let sourceFPS { meta[Key.sourceFPS] = "\(sourceFPS)" }
        return meta
    }

    /// Writes this model as a generation-only file (weights and the metadata above; no training state), e.g. as
    /// F16 for shipping: half the size, and generation reads it back as F32. Atomic.
    public func write(to url: URL, dtype: CheckpointDType) throws {
        let meta = try GenerationModel.metadata(diffusion: diffusion, audio: audio, skeleton: skeleton, fps: fps,
                                                motionStats: motionStats, audioStats: audioStats, step: step, sourceFPS: sourceFPS)
        try denoiser.saveCheckpoint(to: url, metadata: meta, dtype: dtype)
    }

    /// Loads and cross-checks a checkpoint: every key present and valid, and the denoiser's feature sizes equal
    /// to the skeleton's feature size, both normalizations' sizes, the audio config's feature count (n_mels plus
    /// prosody) and the schedule's T.
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
        let formatText = try value(Key.format)
        guard formatText == format else {
            throw CheckpointError.metadata(path: path, key: Key.format, reason: "is '\(formatText)', expected '\(format)'")
        }
        let diffusion = try decoded(DiffusionConfig.self, Key.diffusion)
        do { try diffusion.validate(file: "\(path) [__metadata__.\(Key.diffusion)]") } catch {
            throw CheckpointError.metadata(path: path, key: Key.diffusion, reason: "\(error)")
        }
        let audio = try decoded(AudioFeatureConfig.self, Key.audio)
        do { try audio.validate(file: "\(path) [__metadata__.\(Key.audio)]") } catch {
            throw CheckpointError.metadata(path: path, key: Key.audio, reason: "\(error)")
        }
        let motionStats = try decoded(NormalizationStats.self, Key.motionStats)
        let audioStats = try decoded(NormalizationStats.self, Key.audioStats)
        let fpsText = try value(Key.fps)
        guard let fps = Double(fpsText), fpsRange.contains(fps) else {
            throw CheckpointError.metadata(path: path, key: Key.fps, reason: "'\(fpsText)' is not a frame rate in \(Int(fpsRange.lowerBound))...\(Int(fpsRange.upperBound)) (training.fps's range)")
        }
        // Training requires this too: audio feature frames and motion frames must line up one to one. A model that
        // disagrees would write motion with the wrong timing.
        guard abs(audio.frameRate - fps) <= 1e-9 * fps else {
            throw CheckpointError.metadata(path: path, key: Key.fps, reason: "\(fps) fps differs from the audio feature rate a2m.audio sampleRate / hopLength = "
                                              + "\(audio.sampleRate) / \(audio.hopLength) = \(audio.frameRate); expected them equal")
        }
        // Bounded front-end cost: samples fed to the FFT per second of audio.
        let analysed = audio.frameRate * Double(audio.nFFT)
        guard analysed <= Double(maxAnalysedSamplesPerSecond) else {
            throw CheckpointError.metadata(path: path, key: Key.audio, reason: "\(audio.frameRate) frames per second of \(audio.nFFT)-sample FFTs "
                                              + "(\(Int(analysed)) samples per second of audio); expected at most \(maxAnalysedSamplesPerSecond)")
        }
        let stepText = try value(Key.step)
        guard let step = Int(stepText), step >= 0 else {
            throw CheckpointError.metadata(path: path, key: Key.step, reason: "'\(stepText)' is not a step count")
        }
        var sourceFPS: Double?
        if let text = file.metadata[Key.sourceFPS] {
            guard let f = Double(text), f.isFinite, f > 0 else {
                throw CheckpointError.metadata(path: path, key: Key.sourceFPS, reason: "'\(text)' is not a positive frame rate")
            }
            sourceFPS = f
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
        if motionStats.featureDim != features {
            problems.append("motion normalization has \(motionStats.featureDim) features, the skeleton \(features)")
        }
        if audioStats.featureDim != audio.featureDim {
            problems.append("audio normalization has \(audioStats.featureDim) features, the audio config \(audio.featureDimDescription)")
        }
        if denoiser.audioDim != audio.featureDim {
            problems.append("model.audioDim \(denoiser.audioDim), but the audio config has \(audio.featureDimDescription)")
        }
        if denoiser.trainingSteps != diffusion.steps {
            problems.append("model.diffusionSteps \(denoiser.trainingSteps), but diffusion.steps is \(diffusion.steps)")
        }
        guard problems.isEmpty else { throw GenerationError.modelMismatch(path: path, problems: problems) }
        if let bad = denoiser.parameters.firstBadValue(nonNegative: false) {
            throw CheckpointError.badValue(path: path, tensor: bad.tensor, value: bad.value, expected: "finite weights")
        }
        return GenerationModel(denoiser: denoiser, diffusion: diffusion, audio: audio, skeleton: skeleton, fps: fps,
                               motionStats: motionStats, audioStats: audioStats, step: step, sourceFPS: sourceFPS, path: path)
    }
}
