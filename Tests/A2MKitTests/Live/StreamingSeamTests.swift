import Foundation
import Testing
@testable import A2MAudio
@testable import A2MCorpus
@testable import A2MGeneration
@testable import A2MLive
@testable import A2MMotion
@testable import A2MNN

/// Issue 40's "no seam" on the shipped model: `a2m stream`'s session (`LiveSession`: live features, the streaming
/// generator, the motion-space stitcher, the foot lock) at the default 500 ms budget, on half a minute of new
/// espeak-ng speech fed in 10 ms pieces at the model's rate (no resampler holding pieces back). Fed synchronously
/// the session never falls behind, so its windows sit on their grid and the junctions are known. Joint velocity from forward kinematics at the junctions against the interior: the
/// statistic of the long-form seam tests (`SeamStats`).
@Suite(.serialized) struct StreamingSeamTests {
    final class Collector: LiveFrameSink {
        let motion = MotionCollector()
        var skeleton: Skeleton?
        var fps = 0.0
        func start(skeleton: Skeleton, fps: Double) throws { self.skeleton = skeleton; self.fps = fps }
        func send(_ chunk: MotionClip, first: Int) throws { motion.emit(first, chunk) }
        func finish() throws {}
    }

    /// `samples` at `rate` (the model's) streamed through a session of `model` with `latency`: the motion's joint
    /// velocities, the junctions of its windows, and how many windows dropped their look-ahead.
    static func stream(_ samples: [Float], rate: Int, model: GenerationModel, latency: StreamingLatency) throws -> (velocities: [Float], junctions: Set<Int>, dropped: Int) {
        let sink = Collector()
        // What `a2m stream` runs by default.
        var configuration = GenerationConfiguration()
        configuration.sampling = SamplerOptions(kind: SamplerOptions.commandDefault.kind, steps: SamplerOptions.commandDefault.steps, guidance: 1,
                                                guidanceMethod: .commandDefault, seed: 0, spacing: SamplerOptions.commandDefault.spacing)
        let session = try LiveSession(model: model, configuration: configuration, latency: latency, inputRate: rate,
                                      source: "speech", sinks: [sink])
        let piece = rate / 100
        for start in stride(from: 0, to: samples.count, by: piece) {
            try session.feed(Array(samples[start..<min(samples.count, start + piece)]), arrival: 0)
        }
        try session.end()
        #expect(!sink.motion.outOfOrder)
        let clip = sink.motion.clip(try #require(sink.skeleton), fps: sink.fps)
        // Window k ≥ 1 starts its new frames at u = k·C and crossfades them over the previous window's look-ahead,
        // [u, u + L) (the first window's is [C, C + ⌈L/2⌉)): its joins are the velocities into u and out of the
        // crossfade's last frame.
        let (L, C) = (latency.lookahead, latency.chunk)
        var junctions = Set<Int>()
        var u = C
        while u + L + C <= clip.frameCount - 5 {
            junctions.insert(u - 1)
            junctions.insert(u + (u == C ? latency.firstLookahead : L) - 1)
            u += C
        }
        return (SamplerFixtures.jointVelocities(clip), junctions, session.generator.droppedLookahead)
    }

    /// Seconds of speech streamed: about 450 junction and 450 interior velocities at the default budget.
    static let seconds = 30

    @Test(.needsEspeak) func defaultModelStreamsWithoutSeams() throws {
        let (dir, files) = try ShippedModelTests.speech()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try GenerationModel.load(contentsOf: ShippedModelTests.modelURL)
        let rate = model.audio.sampleRate
        var samples: [Float] = []
        for f in files where samples.count < Self.seconds * rate {
            samples += try AudioFile.load(f).resampled(to: rate).samples
        }
        samples = Array(samples.prefix(Self.seconds * rate))
        let budget = StreamingLatency(seconds: 0.5, fps: 30)
        let good = try Self.stream(samples, rate: rate, model: model, latency: budget)
        #expect(good.dropped == 0)
        let stats = SamplerFixtures.seamStats(velocities: good.velocities, junctions: good.junctions)
        #expect(stats.seamless, "default budget (look-ahead \(budget.lookahead), chunk \(budget.chunk)): \(stats)")
        // The same statistic sees the seams of the earlier half-and-half split of the same budget, so the check above can fail.
        let old = try Self.stream(samples, rate: rate, model: model, latency: StreamingLatency(lookahead: 8, chunk: 7))
        let oldStats = SamplerFixtures.seamStats(velocities: old.velocities, junctions: old.junctions)
        #expect(!oldStats.seamless, "look-ahead 8, chunk 7: \(oldStats)")
    }
}
