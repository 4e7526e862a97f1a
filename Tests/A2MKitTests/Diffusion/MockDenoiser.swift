import Foundation
@testable import A2MNN

/// Shared helpers of the Diffusion and Generation tests (namespaced so other areas' test helpers cannot collide).
enum SamplerFixtures {}

/// A stand-in for the FiLM transformer: a smooth, nonlinear function of x, t and the audio, independent per row,
/// that records every call so tests can check how the sampler batches rows.
///
/// x0[r, f, d] = 0.6·tanh(1.5·box(x[r, ·, d])[f])·(1 − 0.5·t/T) + g, with box = mean over frames f−R…f+R
/// (clamped), g = 0.5·sin(audio[clip, f, d mod M] + 0.3·d) for a conditioned row and 0.2·cos(d) for an
/// unconditioned one (the "null embedding": never reads the audio).
final class MockDenoiser: MotionDenoiser {
    struct Context {
        let audio: [Float]
        let clips: Int
        let frames: Int
    }

    let motionDim: Int
    let audioDim: Int
    let trainingSteps: Int
    let supportsGuidance: Bool
    let radius = 3
    private(set) var calls = 0
    private(set) var encodeCalls = 0
    /// The most clips (window rows) one `encodeAudio` call has seen.
    private(set) var maxEncodeClips = 0
    private(set) var rowLog: [[DenoiserRow]] = []

    init(motionDim: Int = 6, audioDim: Int = 4, trainingSteps: Int = 1000, supportsGuidance: Bool = true) {
        self.motionDim = motionDim
        self.audioDim = audioDim
        self.trainingSteps = trainingSteps
        self.supportsGuidance = supportsGuidance
    }

    func resetLog() {
        calls = 0
        encodeCalls = 0
        maxEncodeClips = 0
        rowLog = []
    }

    func encodeAudio(_ audio: [Float], clips: Int, frames: Int) throws -> Context {
        precondition(audio.count == clips * frames * audioDim)
        encodeCalls += 1
        maxEncodeClips = max(maxEncodeClips, clips)
        return Context(audio: audio, clips: clips, frames: frames)
    }

    func predictX0(x: [Float], timesteps: [Int], rows: [DenoiserRow], context: Context, frames: Int) throws -> [Float] {
        let D = motionDim, M = audioDim
        precondition(x.count == rows.count * frames * D && timesteps.count == rows.count && context.frames == frames)
        calls += 1
        rowLog.append(rows)
        var out = [Float](repeating: 0, count: x.count)
        var prefix = [Double](repeating: 0, count: frames + 1)
        for (r, row) in rows.enumerated() {
            precondition(row.clip < context.clips && (0..<trainingSteps).contains(timesteps[r]))
            let tScale = 1 - 0.5 * Float(timesteps[r]) / Float(trainingSteps)
            for d in 0..<D {
                for f in 0..<frames { prefix[f + 1] = prefix[f] + Double(x[(r * frames + f) * D + d]) }
                for f in 0..<frames {
                    let lo = max(0, f - radius), hi = min(frames, f + radius + 1)
                    let box = Float((prefix[hi] - prefix[lo]) / Double(hi - lo))
                    let g: Float = row.conditioned
                        ? 0.5 * sin(context.audio[(row.clip * frames + f) * M + d % M] + 0.3 * Float(d))
                        : 0.2 * cos(Float(d))
                    out[(r * frames + f) * D + d] = 0.6 * tanh(1.5 * box) * tScale + g
                }
            }
        }
        return out
    }
}

extension SamplerFixtures {
    /// Smooth test audio features: feature m of absolute motion frame f.
    static func testAudio(frames: Range<Int>, dim M: Int, phase: Float = 0) -> [Float] {
        var a = [Float]()
        a.reserveCapacity(frames.count * M)
        for f in frames { for m in 0..<M { a.append(sin(0.07 * Float(f) + 0.5 * Float(m) + phase)) } }
        return a
    }
}

extension SamplerFixtures {
    /// The conditioned and unconditioned x0 predictions of a fresh `MockDenoiser` for rows 0..<clips at one
    /// timestep: the reference the guidance tests rebuild a step from.
    static func branches(x: [Float], timestep: Int, audio: [Float], clips: Int, frames: Int) throws -> (cond: [Float], uncond: [Float]) {
        let reference = MockDenoiser()
        let ctx = try reference.encodeAudio(audio, clips: clips, frames: frames)
        let ts = [Int](repeating: timestep, count: clips)
        func rows(_ conditioned: Bool) -> [DenoiserRow] { (0..<clips).map { DenoiserRow(clip: $0, conditioned: conditioned) } }
        return (try reference.predictX0(x: x, timesteps: ts, rows: rows(true), context: ctx, frames: frames),
                try reference.predictX0(x: x, timesteps: ts, rows: rows(false), context: ctx, frames: frames))
    }
}

extension SamplerFixtures {
    /// Largest |a − b| over two equally long arrays.
    static func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }
}
