import Testing
import Foundation
@testable import A2MCore
@testable import A2MMotion
@testable import A2MNN
@testable import A2MGeneration

extension SamplerFixtures {
    /// Normalization that turns the mock's outputs (about ±1.1) into plausible motion on the default skeleton:
    /// root velocity ±20 cm/s, height 90 ± 5 cm, turning ±0.5 rad/s, joint 6D = identity ± 0.3.
    static func plausibleStats(_ skeleton: Skeleton) throws -> NormalizationStats {
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
}

extension SamplerFixtures {
    /// Per-frame joint velocity: L2 norm over all joints of the world-position change (cm/frame).
    static func jointVelocities(_ clip: MotionClip) -> [Float] {
        var prev = clip.worldPositions(frame: 0)
        return (1..<clip.frameCount).map { f in
            let p = clip.worldPositions(frame: f)
            defer { prev = p }
            return zip(p, prev).reduce(Float(0)) { s, pq in let d = pq.0 - pq.1; return s + (d * d).sum() }.squareRoot()
        }
    }
}

/// Collects MotionStitcher chunks into one clip and checks their order.
final class MotionCollector {
    var roots: [SIMD3<Float>] = []
    var rotations: [SIMD4<Float>] = []
    var outOfOrder = false
    func emit(_ first: Int, _ chunk: MotionClip) {
        if first != roots.count { outOfOrder = true }
        roots += chunk.rootPositions
        rotations += chunk.rotations
    }
    func clip(_ skeleton: Skeleton, fps: Double) -> MotionClip {
        MotionClip(skeleton: skeleton, fps: fps, rootPositions: roots, rotations: rotations)
    }
}

@Suite struct MotionStitchingTests {
    static let skeleton = Skeleton.a2mDefault
    static let fps = 30.0

    func generate(frames n: Int, constrain: Bool, blend: Bool, seed: UInt64 = 11) throws -> (MotionClip, Bool) {
        let m = MockDenoiser(motionDim: MotionFeatures.featureDim(for: Self.skeleton), audioDim: 4)
        let collector = MotionCollector()
        let stitcher = MotionStitcher(skeleton: Self.skeleton, fps: Self.fps, normalization: try SamplerFixtures.plausibleStats(Self.skeleton)) {
            collector.emit($0, $1)
        }
        stitcher.blend = blend
        let g = try LongFormGenerator(denoiser: m, schedule: DiffusionSchedule(), windowFrames: 60,
                                      options: SamplerOptions(steps: 20, guidance: 2, seed: seed))
        g.constrainOverlap = constrain
        try g.generate([LongFormClip(name: "a.wav", frameCount: n, audioFeatures: { SamplerFixtures.testAudio(frames: $0, dim: 4) }, stitcher: stitcher)])
        return (collector.clip(Self.skeleton, fps: Self.fps), collector.outOfOrder)
    }

    @Test func motionSpaceJoinHasNoJointVelocitySpike() throws {
        let n = Int(65 * Self.fps)
        let plan = WindowPlan(totalFrames: n, windowFrames: 60)
        let (clip, outOfOrder) = try generate(frames: n, constrain: true, blend: true)
        #expect(clip.frameCount == n && !outOfOrder)
        let good = SamplerFixtures.seamStats(velocities: SamplerFixtures.jointVelocities(clip), plan: plan)
        #expect(good.seamless, "constrained + motion-space crossfade/slerp: \(good)")
        let (cut, _) = try generate(frames: n, constrain: false, blend: false)
        let bad = SamplerFixtures.seamStats(velocities: SamplerFixtures.jointVelocities(cut), plan: plan)
        #expect(!bad.seamless, "independent windows, hard cut: \(bad)")
    }

    @Test func rootTrajectoryIsContinuousAcrossWindows() throws {
        // Each window is decoded from the root position and heading the clip already has at its first frame,
        // so the root never jumps: the largest per-frame root step stays within what the velocity features allow.
        let (clip, _) = try generate(frames: 400, constrain: true, blend: true)
        let maxSpeed: Float = 20 * 1.2 * 2  // std × |mock output| bound × √2 for x and z, cm/s
        let steps = (1..<clip.frameCount).map { f -> Float in
            let d = clip.rootPositions[f] - clip.rootPositions[f - 1]
            return (d.x * d.x + d.z * d.z).squareRoot()
        }
        #expect(steps.max()! <= maxSpeed / Float(Self.fps), "largest root step \(steps.max()!) cm")
    }
}
