/// The contract between the network (Diffusion/Denoiser*.swift) and the samplers (Diffusion/Sampler*.swift,
/// Generation/). A mock conforming type drives the sampler tests; the FiLM transformer is the real one.
///
/// Shapes (row-major Float32): B = rows in a call, T = frames, D = `motionDim`, M = `audioDim`.
///
/// Classifier-free guidance runs through here as one batch of 2B rows: the caller lists the B conditioned
/// rows, then the B unconditioned rows (`conditioned == false`, which use the learned null embeddings and
/// never read the audio), and mixes the two halves of the output.
package protocol MotionDenoiser: AnyObject {
    /// Per-clip audio state that does not change across denoising steps (encoded audio tokens, pooled
    /// audio vector, and the audio part of the cross-attention keys/values), computed once per window.
    associatedtype AudioContext

    /// D: motion feature size per frame.
    var motionDim: Int { get }
    /// M: audio feature size per frame (n_mels of the model's `AudioFeatureConfig`).
    var audioDim: Int { get }
    /// Number of diffusion steps the model was trained with (T = 1000 in the default configs).
    var trainingSteps: Int { get }
    /// Whether the model has an unconditional mode (trained with condDropProbability > 0).
    var supportsGuidance: Bool { get }
    /// The guidance a distilled student reproduces in one conditioned pass (`DistilledGuidance`), else nil.
    var distilledGuidance: DistilledGuidance? { get }

    /// Encodes `clips` audio feature windows, `audio` is [clips, frames, M].
    func encodeAudio(_ audio: [Float], clips: Int, frames: Int) throws -> AudioContext

    /// Predicts clean motion x0 ([rows.count, frames, D]) from noisy `x` ([rows.count, frames, D]) at
    /// integer training timesteps `timesteps` (one per row, in 0..<trainingSteps).
    func predictX0(x: [Float], timesteps: [Int], rows: [DenoiserRow], context: AudioContext, frames: Int) throws -> [Float]
}

extension MotionDenoiser {
    package var distilledGuidance: DistilledGuidance? { nil }
}

/// One row of a denoiser batch: which encoded clip it belongs to, and whether it sees that clip's audio.
public struct DenoiserRow: Sendable, Equatable {
    public var clip: Int
    public var conditioned: Bool
    public init(clip: Int, conditioned: Bool) {
        self.clip = clip
        self.conditioned = conditioned
    }
}
