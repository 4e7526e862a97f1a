import Testing
import Foundation
@testable import A2MCore
@testable import A2MAudio
@testable import A2MMotion
@testable import A2MNN
@testable import A2MGeneration
@testable import A2MEvaluation

/// A tiny, randomly initialized FiLM transformer saved as a generation checkpoint (the real network and the
/// real checkpoint format; the weights are untrained, which is all the pipeline's contracts need).
enum TinyModel {
    static func config(condDrop: Float = 0.25) -> DenoiserConfig {
        var c = DenoiserConfig()
        c.width = 16; c.layers = 1; c.heads = 2; c.ffn = 32; c.encoderLayers = 1
        c.windowFrames = 30
        c.motionDim = MotionFeatures.featureDim(for: .a2mDefault)
        c.audioDim = AudioFeatureConfig.model.nMels
        c.condDropProbability = condDrop
        return c
    }

    /// Writes the checkpoint into `dir`; `edit` may change the metadata (bad-input tests).
    static func write(to dir: URL, name: String = "tiny.safetensors", condDrop: Float = 0.25,
                      edit: (inout [String: String]) -> Void = { _ in }) throws -> URL {
        let model = try Denoiser(config: config(condDrop: condDrop), seed: 3)
        var meta = try GenerationModel.metadata(diffusion: DiffusionConfig(), audio: .model, skeleton: .a2mDefault, fps: 30,
                                                motionStats: try SamplerFixtures.plausibleStats(.a2mDefault),
                                                audioStats: try NormalizationStats(mean: [Float](repeating: -40, count: 80),
                                                                                   std: [Float](repeating: 20, count: 80)),
                                                step: 0)
        edit(&meta)
        let url = dir.appendingPathComponent(name)
        try model.saveCheckpoint(to: url, metadata: meta)
        return url
    }

    /// Runs `body` with the tiny model loaded from a fresh temporary directory (also handed to `body` for
    /// its own files), and removes the directory afterwards.
    static func withLoaded<R>(_ body: (GenerationModel, URL) throws -> R) throws -> R {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        return try body(try GenerationModel.load(contentsOf: try write(to: dir)), dir)
    }

    /// `options` as a pipeline configuration (foot lock on, as in `a2m generate`).
    static func configuration(_ options: SamplerOptions, samples: Int = 1) -> GenerationConfiguration {
        var c = GenerationConfiguration()
        c.sampling = options
        c.samples = samples
        return c
    }

    /// Log-mel-like features (dB around −40) that vary over frames and bins, for network-level tests.
    static func speechLikeFeatures(frames: Int, bins: Int) -> FeatureMatrix {
        FeatureMatrix(frames: frames, bins: bins, values: (0..<(frames * bins)).map { Float(-40 + 30 * sin(0.3 * Double($0))) })
    }

    /// `seconds` of a 220 Hz tone with a slow amplitude wobble, 16-bit WAV at 16 kHz.
    static func wav(in dir: URL, name: String, seconds: Double) throws -> URL {
        let sr = 16000
        let samples = (0..<Int(seconds * Double(sr))).map { i -> Int16 in
            let t = Double(i) / Double(sr)
            return Int16(12000 * (0.6 + 0.4 * sin(2 * .pi * 1.3 * t)) * sin(2 * .pi * 220 * t))
        }
        let url = dir.appendingPathComponent(name)
        try AudioFixtures.wavBytes(int16: samples, sampleRate: sr).write(to: url)
        return url
    }
}

@Suite struct GenerationPipelineTests {
    @Test func checkpointRoundTripsEverythingGenerationNeeds() throws {
        try TinyModel.withLoaded { m, _ throws in
            #expect(m.skeleton == Skeleton.a2mDefault && m.fps == 30 && m.audio == AudioFeatureConfig.model && m.diffusion == DiffusionConfig())
            #expect(m.motionStats == (try SamplerFixtures.plausibleStats(.a2mDefault)) && m.windowFrames == 30)
        }
    }

    @Test func inconsistentCheckpointsAreRefusedWithTheirProblem() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var audio = AudioFeatureConfig.model
        audio.nMels = 64
        let wrongMels = try TinyModel.write(to: dir, name: "a.safetensors") { meta in
            meta[GenerationModel.Key.audio] = String(decoding: try! JSONEncoder().encode(audio), as: UTF8.self)
        }
        do {
            _ = try GenerationModel.load(contentsOf: wrongMels)
            Issue.record("nMels mismatch accepted")
        } catch let e as GenerationError {
            #expect("\(e)".contains(wrongMels.path) && "\(e)".contains("nMels 64"), "\(e)")
        }
        let noSkeleton = try TinyModel.write(to: dir, name: "b.safetensors") { $0[GenerationModel.Key.skeleton] = nil }
        #expect(throws: CheckpointError.metadata(path: noSkeleton.path, key: GenerationModel.Key.skeleton,
                                                 reason: "missing; this checkpoint cannot be used for generation")) {
            try GenerationModel.load(contentsOf: noSkeleton)
        }
        let badFPS = try TinyModel.write(to: dir, name: "c.safetensors") { $0[GenerationModel.Key.fps] = "-3" }
        #expect(throws: CheckpointError.self) { try GenerationModel.load(contentsOf: badFPS) }
    }

    @Test func generatesExactFrameCountsDeterministically() throws {
        try TinyModel.withLoaded { model, dir throws in
            let wav = try TinyModel.wav(in: dir, name: "a.wav", seconds: 2.2)
            let options = SamplerOptions(steps: 4, guidance: 2.5, seed: 9)
            func once() throws -> [[MotionClip]] {
                let p = GenerationPipeline(model: model)
                return try p.clips([(name: wav.path, features: try p.features(wav))], configuration: TinyModel.configuration(options, samples: 2))
            }
            let a = try once(), b = try once()
            #expect(a[0].count == 2 && a[0].allSatisfy { $0.frameCount == 66 && $0.skeleton == .a2mDefault && $0.fps == 30 })
            #expect(try BVHWriter.bytes(a[0][0]) == (try BVHWriter.bytes(b[0][0])))
            #expect(try BVHWriter.bytes(a[0][1]) == (try BVHWriter.bytes(b[0][1])))
            #expect(a[0][0].rootPositions != a[0][1].rootPositions, "samples 1 and 2 must differ")
        }
    }

    @Test func realNetworkAtWeightZeroIgnoresTheAudio() throws {
        // docs/design.md §4.3 on the real network: at w = 0 only the learned null embeddings condition the sample.
        try TinyModel.withLoaded { model, _ throws in
            let M = model.audio.nMels, frames = 50
            let speech = TinyModel.speechLikeFeatures(frames: frames, bins: M)
            let other = FeatureMatrix(frames: frames, bins: M, values: (0..<(frames * M)).map { Float(-60 + 20 * cos(0.11 * Double($0))) })
            func sample(_ f: FeatureMatrix, _ w: Float) throws -> [SIMD4<Float>] {
                try GenerationPipeline(model: model).clips([(name: "x", features: f)],
                                                           configuration: TinyModel.configuration(SamplerOptions(steps: 3, guidance: w, seed: 2)))[0][0].rotations
            }
            #expect(try sample(speech, 0) == (try sample(other, 0)), "w = 0 depends on the audio")
            for w: Float in [1, 2.5] {
                #expect(try sample(speech, w) != (try sample(other, w)), "w = \(w) ignores the audio")
            }
        }
    }

    /// Largest difference the batch's make-up may cause, in cm. The real network's GEMMs run with M = the rows
    /// a batch holds, and OpenBLAS's result for a row can depend on M in the last bit (measured 7.6e-6 cm here).
    static let batchRoundingTolerance: Float = 1e-4
    /// Smallest difference two independent noise draws must show, in cm.
    static let independentDrawDifference: Float = 1e-2

    @Test func streamsGiveInputsTheirOwnNoiseWithoutDependingOnTheBatch() throws {
        try TinyModel.withLoaded { model, _ throws in
            let M = model.audio.nMels, frames = 40
            let f = TinyModel.speechLikeFeatures(frames: frames, bins: M)
            let options = SamplerOptions(steps: 3, guidance: 2.5, seed: 4)
            /// Root positions, flattened, of sample k of input i: `result[i][k]`.
            func roots(_ n: Int, streams: [Int]?) throws -> [[[Float]]] {
                try GenerationPipeline(model: model).clips(Array(repeating: (name: "x", features: f), count: n),
                                                           configuration: TinyModel.configuration(options, samples: 2), streams: streams)
                    .map { $0.map { $0.rootPositions.flatMap { [$0.x, $0.y, $0.z] } } }
            }
            let tol = Self.batchRoundingTolerance, apart = Self.independentDrawDifference
            // By default every input gets streams 0, 1: the same audio gives the same motion.
            let shared = try roots(2, streams: nil)
            #expect(SamplerFixtures.maxAbsDiff(shared[0][0], shared[1][0]) <= tol && SamplerFixtures.maxAbsDiff(shared[0][1], shared[1][1]) <= tol)
            #expect(SamplerFixtures.maxAbsDiff(shared[0][0], shared[0][1]) > apart)
            // With first streams 0 and 5, input 1's samples use streams 5 and 6, as when it runs alone.
            let own = try roots(2, streams: [0, 5]), alone = try roots(1, streams: [5])
            #expect(SamplerFixtures.maxAbsDiff(own[0][0], shared[0][0]) <= tol)
            #expect(SamplerFixtures.maxAbsDiff(own[1][0], own[0][0]) > apart && SamplerFixtures.maxAbsDiff(own[1][0], own[0][1]) > apart)
            #expect(SamplerFixtures.maxAbsDiff(alone[0][0], own[1][0]) <= tol && SamplerFixtures.maxAbsDiff(alone[0][1], own[1][1]) <= tol)
            // Sample 1 would need stream 2²⁴, where window 1 of stream 0 draws.
            #expect(throws: SamplingError.self) { try roots(1, streams: [LongFormGenerator<Denoiser>.streamLimit - 1]) }
            #expect(throws: SamplingError.self) { try roots(2, streams: [0]) }
        }
    }

    @Test func guidanceStudyDrawsEveryClipIndependentlyWhateverTheGrouping() throws {
        try TinyModel.withLoaded { model, dir throws in
            let wav = try TinyModel.wav(in: dir, name: "a.wav", seconds: 1.2)
            var study = GuidanceStudy(model: model, settings: EvaluationSettings(jointNames: model.skeleton.names)!)
            study.steps = 3
            study.samples = 2
            func motion(batch: Int) throws -> [[Float]] {
                study.batchClips = batch
                return try study.generate([wav, wav, wav], guidance: 0).flatMap { $0.map(\.values) }
            }
            let grouped = try motion(batch: 2)
            // At w = 0 the audio is not read, so motion that matched would mean shared noise; FID_k, Diversity_k
            // and the bootstrap intervals assume independent draws.
            #expect(grouped.count == 6)
            for i in grouped.indices {
                for j in grouped.indices where j > i {
                    #expect(SamplerFixtures.maxAbsDiff(grouped[i], grouped[j]) > Self.independentDrawDifference, "draws \(i) and \(j) share noise")
                }
            }
            for batch in [1, 3] {
                let other = try motion(batch: batch)
                #expect(zip(grouped, other).allSatisfy { SamplerFixtures.maxAbsDiff($0, $1) <= Self.batchRoundingTolerance }, "batchClips \(batch)")
            }
            // The study passes its spacing to the sampler (a2m eval --spacing).
            study.batchClips = 2
            study.spacing = .karras
            let karras = try study.generate([wav, wav, wav], guidance: 0).flatMap { $0.map(\.values) }
            #expect(zip(grouped, karras).allSatisfy { SamplerFixtures.maxAbsDiff($0, $1) > Self.independentDrawDifference }, "spacing ignored")
        }
    }
}

@Suite struct ModelExportTests {
    /// Half-precision relative rounding error bound (11-bit significand), plus an absolute floor for subnormals.
    static let f16RelativeTolerance: Float = 1.0 / 1024
    static let f16AbsoluteTolerance: Float = 1e-7

    @Test func f16ExportKeepsMetadataAndRoundsWeightsToHalf() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("a2m-export-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try GenerationModel.load(contentsOf: try TinyModel.write(to: dir))
        let half = dir.appendingPathComponent("half.safetensors")
        try original.write(to: half, dtype: .f16)
        let loaded = try GenerationModel.load(contentsOf: half)
        #expect(loaded.skeleton == original.skeleton && loaded.fps == original.fps && loaded.audio == original.audio)
        #expect(loaded.motionStats == original.motionStats && loaded.audioStats == original.audioStats && loaded.step == original.step)
        let a = UnsafeBufferPointer(start: original.denoiser.parameters.base, count: original.denoiser.parameters.count)
        let b = UnsafeBufferPointer(start: loaded.denoiser.parameters.base, count: loaded.denoiser.parameters.count)
        #expect(a.count == b.count)
        var worst: Float = 0
        for (x, y) in zip(a, b) { worst = max(worst, abs(x - y) - Self.f16RelativeTolerance * abs(x) - Self.f16AbsoluteTolerance) }
        #expect(worst <= 0, "a weight moved more than half-precision rounding allows (excess \(worst))")
        #expect(zip(a, b).contains { $0 != $1 }, "F16 export should round at least one weight")
        let halfBytes = try FileManager.default.attributesOfItem(atPath: half.path)[.size] as! Int
        let fullBytes = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("tiny.safetensors").path)[.size] as! Int
        #expect(halfBytes < fullBytes)
    }
}
