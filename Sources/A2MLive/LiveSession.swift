import A2MAudio
import A2MCore
import A2MGeneration
import A2MMotion
import A2MNN
import Foundation

/// Where a live session's finished frames go: JSON lines, VMC over UDP, a test's array. Frames arrive in
/// order, each once, in chunks (`first` is the chunk's first frame index), post-processed, at the model's rate.
public protocol LiveFrameSink: AnyObject {
    func start(skeleton: Skeleton, fps: Double) throws
    func send(_ chunk: MotionClip, first: Int) throws
    /// The stream has ended (normally or not); flush what is held.
    func finish() throws
}

/// Audio in, motion out, live: `LiveFeatureStream` → `StreamingGenerator` (windows of the model, constrained
/// prefix, `DenoisingLoop` with the configured sampler and guidance) → `MotionStitcher` → post-processing
/// (`GenerationConfiguration.postProcessing`) → sinks. The caller feeds samples as they arrive, with their
/// arrival time, and the session generates as soon as the audio allows, recording each frame's latency
/// (`LatencyRecorder`). `a2m stream` runs one; `a2m bench stream` measures one.
public final class LiveSession {
    public let model: GenerationModel
    public let latency: StreamingLatency
    public let features: LiveFeatureStream
    package let generator: StreamingGenerator<Denoiser>
    public let recorder: LatencyRecorder
    public let outputSkeleton: Skeleton
    private let sinks: [any LiveFrameSink]
    /// Time spent generating (windows, decode, sinks), nanoseconds.
    public private(set) var busyNanos: UInt64 = 0

    public init(model: GenerationModel, configuration: GenerationConfiguration, latency: StreamingLatency, inputRate: Int,
                source: String, sinks: [any LiveFrameSink]) throws {
        try configuration.validate(for: model)
        self.model = model
        self.latency = latency
        self.sinks = sinks
        features = try LiveFeatureStream(inputRate: inputRate, config: model.audio, fps: model.fps, normalization: model.audioStats, source: source)
        guard features.bins == model.denoiser.audioDim else {
            throw GenerationError.audioFeatures(name: source, frames: 0..<0, got: features.bins, expected: model.denoiser.audioDim)
        }
        let recorder = LatencyRecorder(fps: model.fps, inputRate: inputRate)
        self.recorder = recorder
        let modelLayout = MotionLayout(skeleton: model.skeleton, unit: .cm)
        let chain = try MotionPostProcessChain(configuration.postProcessing, layout: modelLayout, fps: model.fps)
        outputSkeleton = try MotionPostProcessChain.outputLayout(configuration.postProcessing, for: modelLayout).skeleton
        let stitcher = MotionStitcher(skeleton: model.skeleton, fps: model.fps, normalization: model.motionStats) { first, chunk in
            var chunk = chunk
            try chain.process(&chunk)
            for s in sinks { try s.send(chunk, first: first) }
            recorder.emitted(frames: first..<(first + chunk.frameCount), at: DispatchTime.now().uptimeNanoseconds)
        }
        generator = try StreamingGenerator(denoiser: model.denoiser, schedule: DiffusionSchedule(model.diffusion), windowFrames: model.windowFrames,
                                           options: configuration.sampling, latency: latency, stitcher: stitcher)
        for s in sinks { try s.start(skeleton: outputSkeleton, fps: model.fps) }
    }

    /// Mono samples at the input rate that arrived at `arrival` (`DispatchTime` nanoseconds); generates every
    /// window they complete.
    public func feed(_ samples: [Float], arrival: UInt64) throws {
        try feed([(samples, arrival)])
    }

    /// Several pieces that were waiting: all their audio counts before generating, so a backlog is seen as one
    /// (and the generator drops look-ahead to catch up, `StreamingGenerator`).
    public func feed(_ pieces: [(samples: [Float], arrival: UInt64)]) throws {
        for p in pieces {
            recorder.arrived(samples: p.samples.count, at: p.arrival)
            try features.feed(p.samples)
        }
        try generate(final: false)
    }

    /// The audio has ended: finishes every frame and the sinks.
    public func end() throws {
        var failure: Error?
        do {
            try features.end()
            try generate(final: true)
        } catch { failure = error }
        for s in sinks {
            do { try s.finish() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }

    private func generate(final: Bool) throws {
        let t0 = DispatchTime.now().uptimeNanoseconds
        defer { busyNanos += DispatchTime.now().uptimeNanoseconds - t0 }
        let rows = features.take()
        if !rows.isEmpty { generator.append(features: rows) }
        if final { try generator.finish() } else { try generator.advance() }
    }
}

/// Latency from audio arrival to frame output. Frame f belongs to audio time f/fps; its latency is the time it
/// was handed to the sinks minus the time the input sample at f/fps arrived. The first-frame latency is frame
/// 0's output time minus the arrival of the first audio. Keeps one arrival per fed piece until every frame of
/// it is out, and the latencies themselves (8 bytes a frame: 144 kB for 10 minutes at 30 fps).
public final class LatencyRecorder {
    public let fps: Double
    public let inputRate: Int
    private var pieces: [(end: Int, time: UInt64)] = []
    private var piecesStart = 0
    private var samples = 0
    public private(set) var firstArrival: UInt64?
    public private(set) var firstFrameOut: UInt64?
    /// Seconds per frame, in frame order.
    public private(set) var latencies: [Double] = []

    public init(fps: Double, inputRate: Int) {
        self.fps = fps
        self.inputRate = inputRate
    }

    public func arrived(samples n: Int, at time: UInt64) {
        guard n > 0 else { return }
        if firstArrival == nil { firstArrival = time }
        samples += n
        pieces.append((samples, time))
    }

    public func emitted(frames: Range<Int>, at time: UInt64) {
        if firstFrameOut == nil, frames.contains(0) { firstFrameOut = time }
        for f in frames {
            let sample = Int((Double(f) / fps * Double(inputRate)).rounded(.down))
            while piecesStart < pieces.count - 1 && pieces[piecesStart].end <= sample { piecesStart += 1 }
            let arrival = pieces.isEmpty ? time : pieces[piecesStart].time
            latencies.append(Double(Int64(time) - Int64(arrival)) / 1e9)
        }
        if piecesStart > 1024 {
            pieces.removeFirst(piecesStart)
            piecesStart = 0
        }
    }

    public var firstFrameLatency: Double? {
        guard let a = firstArrival, let b = firstFrameOut else { return nil }
        return Double(Int64(b) - Int64(a)) / 1e9
    }

    /// The q-quantile (0...1) of the frame latencies (nearest rank).
    public func quantile(_ q: Double) -> Double? {
        guard !latencies.isEmpty else { return nil }
        let s = latencies.sorted()
        return s[min(s.count - 1, max(0, Int((q * Double(s.count)).rounded(.up)) - 1))]
    }

    public var maximum: Double? { latencies.max() }
}
