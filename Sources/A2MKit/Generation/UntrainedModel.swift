import Foundation

/// An untrained network saved as a model file in `TrainedModel`'s layout, for `a2m bench generate` (speed does
/// not depend on the weights) and the generation tests. `TrainedModel.load` checks what this writes.
public enum UntrainedModel {
    public static func write(config: DenoiserConfig, to url: URL, seed: UInt64 = 1, skeleton: Skeleton = .a2mDefault, fps: Double = 30,
                             audio: AudioFeatureConfig = .model, diffusion: DiffusionConfig = DiffusionConfig(),
                             motionStats: NormalizationStats, audioStats: NormalizationStats,
                             edit: (inout [String: String]) throws -> Void = { _ in }) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ v: T) throws -> String { String(decoding: try enc.encode(v), as: UTF8.self) }
        var meta = [
            "a2m.format": TrainedModel.format,
            "a2m.audio": try json(audio),
            "a2m.diffusion": try json(diffusion),
            "a2m.fps": String(fps),
            "a2m.skeleton": String(decoding: try BVHWriter.bytes(MotionClip(restPoseOf: skeleton, fps: fps, frames: 1)), as: UTF8.self),
            "a2m.motionStats": try json(motionStats),
            "a2m.audioStats": try json(audioStats),
            "a2m.step": "0",
        ]
        try edit(&meta)
        try Denoiser(config: config, seed: seed).saveCheckpoint(to: url, metadata: meta)
    }

    /// Statistics that turn ±1 network outputs into plausible motion on `skeleton`: root velocity ±20 cm/s,
    /// height 90 ± 5 cm, turning ±0.5 rad/s, every joint's 6D = identity ± 0.3.
    public static func plausibleMotionStats(_ skeleton: Skeleton) throws -> NormalizationStats {
        let D = MotionFeatures.featureDim(for: skeleton)
        var mean = [Float](repeating: 0, count: D), std = [Float](repeating: 0.3, count: D)
        mean[2] = 90
        std[0] = 20; std[1] = 20; std[2] = 5; std[3] = 0.5
        for j in 0..<skeleton.jointCount {
            mean[4 + 6 * j] = 1
            mean[4 + 6 * j + 4] = 1
        }
        return try NormalizationStats(mean: mean, std: std)
    }

    /// Log-mel statistics of speech-like dB values (mean −40 dB, std 20 dB per band).
    public static func speechAudioStats(nMels: Int) throws -> NormalizationStats {
        try NormalizationStats(mean: [Float](repeating: -40, count: nMels), std: [Float](repeating: 20, count: nMels))
    }
}
