import A2MAudio
import A2MCore
import A2MMotion
import A2MNN
import Foundation

/// Audio files in, motion clips out: features → long-form sampling → decode and stitch in motion space.
/// All inputs and all `samples` per input run as one batched `LongFormGenerator` pass; sample k of every
/// input uses noise stream k (unless `run` is given `streams`), so an input's output does not depend on the
/// other inputs. The same seed therefore gives every input the same noise: at w = 0, where the audio is not
/// read, every input of a run gets the same motion.
public final class GenerationPipeline {
    public let model: GenerationModel
    /// Seconds spent per stage over all `run` calls: "features" (audio load + log-mel), "sampling" (denoiser
    /// and sampler), "decode" (denormalize, decode, stitch), "export" (what the consumer of the frames does
    /// with them: file writers' formatting and I/O).
    public private(set) var seconds: [String: Double] = ["features": 0, "sampling": 0, "decode": 0, "export": 0]
    /// Whether stitched frames pass through `FootLock` (feet the network leaves nearly still are held still by
    /// leg IK; docs/sampling.md, "Foot lock") before they reach the caller. On by default, as in `a2m generate`;
    /// a skeleton without legs passes through unchanged.
    public var footLock = true
    /// Whether the model's skeleton has legs the foot lock can hold (`Skeleton.legs`).
    public var skeletonHasLegs: Bool { FootLock(skeleton: model.skeleton, fps: model.fps) != nil }

    public init(model: GenerationModel) {
        self.model = model
    }

    /// Normalized audio features of `url` (log-mel, then the model's prosody columns) with exactly
    /// round(duration × fps) rows, checked non-empty.
    public func features(_ url: URL) throws -> FeatureMatrix {
        let t0 = DispatchTime.now().uptimeNanoseconds
        defer { seconds["features", default: 0] += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 }
        var f = try AudioFeatures.extract(url: url, config: model.audio, fps: model.fps)
        guard f.frames > 0 else { throw GenerationError.emptyClip(name: url.path) }
        // The network was trained on feature rows normalized with the training set's statistics (unvoiced
        // log-F0 at the mean).
        model.audioStats.normalizeFillingMissing(&f.values)
        return f
    }

    /// The normalized features of `url` as a stream (`AudioFeatureStream`: the file is checked now and read
    /// again as generation needs its frames, so a clip of any length holds a bounded number of rows).
    public func featureStream(_ url: URL) throws -> AudioFeatureStream {
        let t0 = DispatchTime.now().uptimeNanoseconds
        defer { seconds["features", default: 0] += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 }
        let stream = try AudioFeatureStream(url: url, config: model.audio, fps: model.fps, normalization: model.audioStats)
        guard stream.frames > 0 else { throw GenerationError.emptyClip(name: url.path) }
        return stream
    }

    /// The `progress` total of a run over inputs of `frames` motion frames: window-steps over all samples.
    public func totalSteps(frames: [Int], samples: Int, options: SamplerOptions) -> Int {
        frames.reduce(0) { $0 + WindowPlan(totalFrames: $1, windowFrames: model.windowFrames).count } * samples * options.steps
    }

    /// `result[i][k]` is sample k of `inputs[i]`, with noise stream `streams[i] + k` (`streams` default all 0).
    /// `progress(done, total)` counts clip-steps.
    public func run(_ inputs: [(name: String, features: FeatureMatrix)], samples: Int, options: SamplerOptions,
                    streams: [Int]? = nil, progress: ((Int, Int) -> Void)? = nil) throws -> [[MotionClip]] {
        let J = model.skeleton.jointCount
        var roots = [[[SIMD3<Float>]]](repeating: [[SIMD3<Float>]](repeating: [], count: samples), count: inputs.count)
        var rotations = [[[SIMD4<Float>]]](repeating: [[SIMD4<Float>]](repeating: [], count: samples), count: inputs.count)
        for (i, input) in inputs.enumerated() {
            for k in 0..<samples {
                // Exact capacity: growing by doubling would briefly hold 1.5–3× a long clip's frames.
                roots[i][k].reserveCapacity(input.features.frames)
                rotations[i][k].reserveCapacity(input.features.frames * J)
            }
        }
        try run(inputs.map { (name: $0.name, source: FeatureMatrixSource($0.features) as any FeatureSource) },
                samples: samples, options: options, streams: streams, progress: progress) { i, k, first, chunk in
            precondition(first == roots[i][k].count, "frames out of order")
            roots[i][k] += chunk.rootPositions
            rotations[i][k] += chunk.rotations
        }
        return inputs.indices.map { i in
            (0..<samples).map { k in
                precondition(roots[i][k].count == inputs[i].features.frames && rotations[i][k].count == roots[i][k].count * J)
                return MotionClip(skeleton: model.skeleton, fps: model.fps, rootPositions: roots[i][k], rotations: rotations[i][k])
            }
        }
    }

    /// Generates `samples` samples of every input and hands their finished frames to `emit(input, sample,
    /// first, chunk)` as they are stitched: per clip in order, each frame once, `chunk` holding frames
    /// `first ..< first + chunk.frameCount` (quaternions sign-continuous across chunks). Features are read
    /// from the sources window by window and released behind the last window that needs them, so with
    /// `AudioFeatureStream` sources and a streaming consumer (`MotionFileStream`) memory does not grow with
    /// the audio's length. Time spent reading features counts as "features", not "sampling".
    /// `streams[i]` (default 0) is the noise stream of input i's first sample; sample k uses `streams[i] + k`.
    public func run(_ inputs: [(name: String, source: any FeatureSource)], samples: Int, options: SamplerOptions,
                    streams: [Int]? = nil, progress: ((Int, Int) -> Void)? = nil,
                    emit: @escaping (_ input: Int, _ sample: Int, _ first: Int, _ chunk: MotionClip) throws -> Void) throws {
        guard samples >= 1 else {
            throw SamplingError.invalidOption(name: "samples", value: "\(samples)", expected: "at least 1")
        }
        if let streams, streams.count != inputs.count {
            throw SamplingError.invalidOption(name: "streams", value: "\(streams.count) values", expected: "one per input (\(inputs.count))")
        }
        let generator = try LongFormGenerator(denoiser: model.denoiser, schedule: DiffusionSchedule(model.diffusion),
                                              windowFrames: model.windowFrames, options: options)
        var decodeNanos: UInt64 = 0, featureNanos: UInt64 = 0, emitNanos: UInt64 = 0
        var clips: [LongFormClip] = []
        for (i, input) in inputs.enumerated() {
            guard input.source.bins == model.denoiser.audioDim else {
                throw GenerationError.audioFeatures(name: input.name, frames: 0..<input.source.frames,
                                                    got: input.source.bins, expected: model.denoiser.audioDim)
            }
            // The samples of an input read the same rows; a row is released once every sample is past it.
            let reader = SharedFeatureReader(input.source, consumers: samples)
            for k in 0..<samples {
                let lock = footLock ? FootLock(skeleton: model.skeleton, fps: model.fps) : nil
                let stitcher = MotionStitcher(skeleton: model.skeleton, fps: model.fps, normalization: model.motionStats) { first, chunk in
                    var chunk = chunk
                    lock?.process(&chunk)   // counted as decode time
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    defer { emitNanos += DispatchTime.now().uptimeNanoseconds - t0 }
                    try emit(i, k, first, chunk)
                }
                let timed = TimedStitcher(ModelOutputCheck(stitcher, model: model.path, input: input.name)) { decodeNanos += $0 }
                clips.append(LongFormClip(name: input.name, frameCount: input.source.frames, stream: (streams?[i] ?? 0) + k,
                                          audioFeatures: { r in
                                              let t0 = DispatchTime.now().uptimeNanoseconds
                                              defer { featureNanos += DispatchTime.now().uptimeNanoseconds - t0 }
                                              return try reader.rows(r, consumer: k)
                                          },
                                          stitcher: timed))
            }
        }
        let t0 = DispatchTime.now().uptimeNanoseconds
        try generator.generate(clips, progress: progress)
        let total = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        // The consumer's time (writing files) runs inside the stitcher's.
        seconds["decode", default: 0] += Double(decodeNanos - emitNanos) / 1e9
        seconds["export", default: 0] += Double(emitNanos) / 1e9
        seconds["features", default: 0] += Double(featureNanos) / 1e9
        seconds["sampling", default: 0] += total - Double(decodeNanos + featureNanos) / 1e9
    }
}

extension GenerationPipeline {
    /// Generates straight into files: `writers[i][k]` receive sample k of input i, chunk by chunk, as the
    /// frames are stitched (`run(_:samples:options:progress:emit:)`). Once every clip is complete all writers
    /// are committed; if anything fails first, all are discarded, so no output file appears (or is replaced)
    /// unless the whole run succeeded. With `AudioFeatureStream` sources and stream writers, the run's
    /// memory does not grow with the audio's length (docs/sampling.md).
    public func write(_ inputs: [(name: String, source: any FeatureSource)], samples: Int, options: SamplerOptions,
                      writers: [[[any MotionFileStream]]], progress: ((Int, Int) -> Void)? = nil) throws {
        precondition(writers.count == inputs.count && writers.allSatisfy { $0.count == samples }, "one writer list per input and sample")
        let all = writers.flatMap { $0.flatMap { $0 } }
        do {
            try run(inputs, samples: samples, options: options, progress: progress) { i, k, _, chunk in
                for w in writers[i][k] { try w.append(chunk) }
            }
            let t0 = DispatchTime.now().uptimeNanoseconds
            defer { seconds["export", default: 0] += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 }
            for w in all { try w.commit() }
        } catch {
            for w in all { w.discard() }
            throw error
        }
    }
}

/// One feature source read by several clips (the samples of one input), each with non-decreasing lower
/// bounds: rows are released below the lowest position of any reader.
private final class SharedFeatureReader {
    let source: any FeatureSource
    private var positions: [Int]

    init(_ source: any FeatureSource, consumers: Int) {
        self.source = source
        positions = [Int](repeating: 0, count: consumers)
    }

    func rows(_ range: Range<Int>, consumer k: Int) throws -> [Float] {
        precondition(range.lowerBound >= positions[k], "feature rows requested out of order")
        positions[k] = range.lowerBound
        let rows = try source.rows(range)
        source.release(below: positions.min()!)
        return rows
    }
}

/// Names the model and the input when the network's output cannot be turned into motion (NaN or infinite
/// features, or root positions that overflow): the cause is the model file (weights or statistics), not the
/// output file the frames were headed for.
private final class ModelOutputCheck: WindowStitcher {
    let inner: MotionStitcher
    let model: String, input: String

    init(_ inner: MotionStitcher, model: String, input: String) {
        self.inner = inner
        self.model = model
        self.input = input
    }

    func add(window x0: [Float], frames: Range<Int>, overlap: Int, finishedUpTo: Int) throws {
        do {
            try inner.add(window: x0, frames: frames, overlap: overlap, finishedUpTo: finishedUpTo)
        } catch let MotionFeatureError.nonFinite(frame, feature) {
            throw GenerationError.nonFiniteMotion(model: model, input: input, frame: frames.lowerBound + frame,
                                                  what: "motion feature \(feature) is NaN or infinite")
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
