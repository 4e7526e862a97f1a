import Foundation

/// Audio files in, motion clips out: features → long-form sampling → decode and stitch in motion space.
/// All inputs and all `samples` per input run as one batched `LongFormGenerator` pass; sample k of every
/// input uses noise stream k, so an input's output does not depend on the other inputs.
public final class GenerationPipeline {
    public let model: GenerationModel
    /// Seconds spent per stage over all `run` calls: "features" (audio load + log-mel), "sampling" (denoiser
    /// and sampler), "decode" (denormalize, decode, stitch).
    public private(set) var seconds: [String: Double] = ["features": 0, "sampling": 0, "decode": 0]

    public init(model: GenerationModel) {
        self.model = model
    }

    /// Normalized log-mel features of `url` with exactly round(duration × fps) rows, checked non-empty.
    public func features(_ url: URL) throws -> FeatureMatrix {
        let t0 = DispatchTime.now().uptimeNanoseconds
        defer { seconds["features", default: 0] += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 }
        var f = try AudioFeatures.extract(url: url, config: model.audio, fps: model.fps)
        guard f.frames > 0 else { throw GenerationError.emptyClip(name: url.path) }
        // The network was trained on log-mel rows normalized with the training set's statistics.
        model.audioStats.normalize(&f.values)
        return f
    }

    /// `result[i][k]` is sample k of `inputs[i]`. `progress(done, total)` counts clip-steps.
    public func run(_ inputs: [(name: String, features: FeatureMatrix)], samples: Int, options: SamplerOptions,
                    progress: ((Int, Int) -> Void)? = nil) throws -> [[MotionClip]] {
        guard samples >= 1 else {
            throw SamplingError.invalidOption(name: "samples", value: "\(samples)", expected: "at least 1")
        }
        let generator = try LongFormGenerator(denoiser: model.denoiser, schedule: DiffusionSchedule(model.diffusion),
                                              windowFrames: model.windowFrames, options: options)
        let J = model.skeleton.jointCount
        var roots = [[[SIMD3<Float>]]](repeating: [[SIMD3<Float>]](repeating: [], count: samples), count: inputs.count)
        var rotations = [[[SIMD4<Float>]]](repeating: [[SIMD4<Float>]](repeating: [], count: samples), count: inputs.count)
        var decodeNanos: UInt64 = 0
        var clips: [LongFormClip] = []
        for (i, input) in inputs.enumerated() {
            guard input.features.bins == model.denoiser.audioDim else {
                throw GenerationError.audioFeatures(name: input.name, frames: 0..<input.features.frames,
                                                    got: input.features.bins, expected: model.denoiser.audioDim)
            }
            for k in 0..<samples {
                // Exact capacity: growing by doubling would briefly hold 1.5–3× a long clip's frames.
                roots[i][k].reserveCapacity(input.features.frames)
                rotations[i][k].reserveCapacity(input.features.frames * J)
                let stitcher = MotionStitcher(skeleton: model.skeleton, fps: model.fps, normalization: model.motionStats) { first, chunk in
                    precondition(first == roots[i][k].count, "frames out of order")
                    roots[i][k] += chunk.rootPositions
                    rotations[i][k] += chunk.rotations
                }
                let timed = TimedStitcher(stitcher) { decodeNanos += $0 }
                let matrix = input.features
                clips.append(LongFormClip(name: input.name, frameCount: matrix.frames, stream: k,
                                          audioFeatures: { r in Array(matrix.values[r.lowerBound * matrix.bins..<r.upperBound * matrix.bins]) },
                                          stitcher: timed))
            }
        }
        let t0 = DispatchTime.now().uptimeNanoseconds
        try generator.generate(clips, progress: progress)
        let total = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        seconds["decode", default: 0] += Double(decodeNanos) / 1e9
        seconds["sampling", default: 0] += total - Double(decodeNanos) / 1e9
        return inputs.indices.map { i in
            (0..<samples).map { k in
                precondition(roots[i][k].count == inputs[i].features.frames && rotations[i][k].count == roots[i][k].count * J)
                return MotionClip(skeleton: model.skeleton, fps: model.fps, rootPositions: roots[i][k], rotations: rotations[i][k])
            }
        }
    }
}

/// Measures the time spent in a stitcher (decode and blend), for the stage breakdown.
private final class TimedStitcher: WindowStitcher {
    let inner: any WindowStitcher
    let record: (UInt64) -> Void
    init(_ inner: any WindowStitcher, record: @escaping (UInt64) -> Void) {
        self.inner = inner
        self.record = record
    }
    func add(window x0: [Float], frames: Range<Int>, overlap: Int, finishedUpTo: Int) throws {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try inner.add(window: x0, frames: frames, overlap: overlap, finishedUpTo: finishedUpTo)
        record(DispatchTime.now().uptimeNanoseconds - t0)
    }
}
