import Testing
import Foundation
@testable import A2MCore
@testable import A2MMotion
@testable import A2MAudio
@testable import A2MNN
@testable import A2MGeneration
@testable import A2MTraining

/// Rigs as they are: motion carried by a joint below a still root, every mismatching file named, mixed rates.
@Suite(.serialized) struct RigTests {
    /// Largest world-position difference allowed between a clip and its re-rooted form, as a fraction of the rig's
    /// height: Float rounding of one composed transform.
    static let rerootTolerance: Float = 1e-5
    /// Generated hips travel may differ from the data's by this fraction (issue 39).
    static let travelTolerance = 0.05

    @Test func stillRootIsFoundAndRerootingKeepsEveryJointInPlace() throws {
        let dir = try ScratchDirectory("rig")
        try TrainingFixtures.writeStillRootPair("walk", in: dir.url, seconds: 1, seed: 2)
        var (clip, _) = try BVHReader.read(dir.path("walk.bvh"))
        #expect(clip.translations[1] != nil)
        let carrier = try #require(MotionRoot.carrier(of: clip))
        #expect(carrier == MotionRoot.Carrier(joint: "Hips", removed: ["Reference"]))
        // A still root turned by a constant rotation (a Z-up export) and moved: re-rooting folds it in exactly.
        let turn = SIMD4<Float>(Float(-sin(Double.pi / 4)), 0, 0, Float(cos(Double.pi / 4)))
        for f in 0..<clip.frameCount {
            clip.rotations[f * clip.jointCount] = turn
            clip.rootPositions[f] = SIMD3(3, -2, 7)
        }
        let turned = MotionRoot.carrier(of: clip)
        #expect(turned?.joint == "Hips")
        let r = try MotionRoot.rerooted(clip, at: try #require(turned))
        #expect(r.skeleton.names == Array(clip.skeleton.names.dropFirst()) && r.skeleton.joints[0].parent == nil && r.translations.isEmpty)
        let height = Float(MotionRoot.restHeight(clip.skeleton))
        var worst: Float = 0
        for f in 0..<clip.frameCount {
            let a = clip.worldPositions(frame: f, includeEndSites: true), b = r.worldPositions(frame: f, includeEndSites: true)
            worst = max(worst, zip(Array(a.dropFirst()), b).map { (x: SIMD3<Float>, y: SIMD3<Float>) -> Float in let e = x - y; return max(abs(e.x), abs(e.y), abs(e.z)) }.max()!)
        }
        #expect(worst <= Self.rerootTolerance * height, "largest joint difference \(worst)")
        // A moving root is not re-rooted; nor is a still root with two children (nothing single to move to).
        var moving = clip
        for f in 0..<moving.frameCount { moving.rootPositions[f].x = Float(f) }
        let none = MotionRoot.carrier(of: moving)
        #expect(none == nil)
        let (plain, _) = try BVHReader.read(string: String(decoding: try BVHWriter.bytes(MotionClip(restPoseOf: .a2mDefault, fps: 30, frames: 3)), as: UTF8.self), name: "rest")
        let plainCarrier = MotionRoot.carrier(of: plain)
        #expect(plainCarrier == nil)
    }

    /// A corpus whose Hips carry the travel below a still root trains with the travel: generated Hips travel
    /// (net ground-plane displacement) within 5 % of the data's over the same time.
    @Test func stillRootRigKeepsItsHipsTravel() throws {
        Threads.set(1)
        let dir = try ScratchDirectory("rig-travel")
        let data = dir.path("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for i in 0..<3 { try TrainingFixtures.writeStillRootPair("walk\(i)", in: data, seconds: 3, seed: UInt64(i + 1)) }
        let cfg = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(steps: 60, validationFraction: 0, logInterval: 20, checkpointInterval: 1000)
            .replacingOccurrences(of: #""motionDim": 136, "#, with: ""), in: dir)
        let (t, notes) = try TrainingSession.prepare(.init(data: data, config: cfg, out: dir.path("out")))
        #expect(t.data.carrier?.joint == "Hips" && t.data.skeleton.joints[0].name == "Hips")
        #expect(notes.contains { $0.contains("'Reference'") && $0.contains("'Hips' carries the motion") && $0.contains("3 of 3 files") }, "\(notes)")
        #expect(t.config.model.motionDim == MotionFeatures.featureDim(for: .a2mDefault))
        _ = try t.run()
        let model = try GenerationModel.load(contentsOf: t.modelURL)
        #expect(model.sourceFPS == 60)   // the data's own rate, which generation writes at by default
        let wav = data.appendingPathComponent("walk0.wav")
        let pipeline = GenerationPipeline(model: model)
        var configuration = GenerationConfiguration()
        configuration.sampling = SamplerOptions(steps: 10, guidance: 1, seed: 3)
        configuration.postProcessing = []   // the network's own root travel
        let clip = try pipeline.clips([(name: wav.path, features: try pipeline.features(wav))], configuration: configuration)[0][0]
        let seconds = Double(clip.frameCount - 1) / clip.fps
        func travel(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Double { Double(((b - a) * SIMD3(1, 0, 1) * (b - a)).sum().squareRoot()) }
        let generated = travel(clip.rootPositions.first!, clip.rootPositions.last!)
        // The data's Hips in world space over the same time (the BVH's own Hips channels).
        let (source, _) = try BVHReader.read(data.appendingPathComponent("walk0.bvh"))
        let last = Int((seconds * source.fps).rounded())
        let truth = travel(source.worldPositions(frame: 0)[1], source.worldPositions(frame: last)[1])
        #expect(truth > 10)
        #expect(abs(generated - truth) <= Self.travelTolerance * truth, "generated hips travel \(generated), data \(truth) over \(seconds) s")
    }

    /// Two rigs in one corpus: one error naming every file of the minority rig with its first difference.
    @Test func twoRigsInOneCorpusNameEveryOddFile() throws {
        let dir = try ScratchDirectory("rigs")
        for i in 0..<3 { try TrainingFixtures.writePair("main\(i)", in: dir.url, seconds: 1, seed: UInt64(i + 1)) }
        // Another unit (metres for centimetres): every bone 100× shorter.
        var metres = Skeleton.a2mDefault.joints
        for j in metres.indices { metres[j].offset /= 100 }
        for i in 0..<2 { try TrainingFixtures.writePair("odd\(i)", in: dir.url, seconds: 1, seed: UInt64(i + 1), skeleton: try Skeleton(joints: metres)) }
        // A third rig: the default skeleton with one joint renamed.
        var joints = Skeleton.a2mDefault.joints
        joints[5].name = "Renamed"
        try TrainingFixtures.writePair("other", in: dir.url, seconds: 1, seed: 9, skeleton: try Skeleton(joints: joints))
        let cfg = try StrictJSON.decode(A2MConfig.self, from: Data(TrainingFixtures.tinyConfig(validationFraction: 0).utf8), file: "tiny")
        #expect { try TrainingSet.load(directory: dir.url, audio: cfg.audio, training: cfg.training) } throws: { e in
            let m = "\(e)"
            return m.contains("3 BVH file(s) use another skeleton than the 3 file(s) like") && m.contains("main0.bvh")
                && m.contains("odd0.bvh") && m.contains("odd1.bvh") && m.contains("another unit") && m.contains("other.bvh") && m.contains("'Renamed'")
                && !m.contains("main1.bvh:") && !m.contains("main2.bvh:")
        }
    }

    /// Validation is chosen by duration: of a 10-minute take and an 18-second one, the short one is held out
    /// (by file count, the long one could be).
    @Test func validationByDurationHoldsOutTheShortTake() {
        for seed in 0..<UInt64(8) {
            let s = ValidationSplit.split(durations: [600, 18], fraction: 0.1, seed: seed)
            #expect(s.validation == [1] && s.training == [0], "seed \(seed)")
        }
        // Many equal files: the fraction of their number; one file far longer than the rest is never held out.
        let even = ValidationSplit.split(durations: [Double](repeating: 60, count: 20), fraction: 0.1, seed: 3)
        #expect(even.validation.count == 2)
        let skewed = ValidationSplit.split(durations: [3600] + [Double](repeating: 60, count: 20), fraction: 0.1, seed: 3)
        #expect(!skewed.validation.contains(0) && skewed.validation.count == 8)
    }
}
