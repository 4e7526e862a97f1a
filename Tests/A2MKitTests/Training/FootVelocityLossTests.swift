import Testing
import Foundation
@testable import A2MCore
@testable import A2MMotion
@testable import A2MTraining

/// Closed-form kinematics: positions in cm, Double all the way, so agreement is near machine precision.
private let kinematicsTolerance = 1e-6
/// ∂/∂(6D) of the Gram–Schmidt construction in Double with h = 1e-6.
private let gramSchmidtTolerance = 1e-6
/// The loss is evaluated in Double from Float inputs, so a finer step than the ops' 1e-2 only lowers the
/// truncation error (the Gram–Schmidt curvature made it ~1 % at 1e-2).
private let footProbeStep: Float = 1e-3

@Suite struct FootVelocityLossTests {
    /// A clip on the default skeleton whose root walks, turns and bobs and whose every joint rotates, and
    /// normalization stats that are not the identity.
    static func movingClip(frames: Int = 6, seed: UInt64 = 5) throws -> (MotionClip, NormalizationStats) {
        let sk = Skeleton.a2mDefault
        var rng = PCG32(seed: seed)
        var clip = MotionClip(restPoseOf: sk, fps: 30, frames: frames)
        for f in 0..<frames {
            clip.rootPositions[f] = SIMD3(Float(f) * 1.7, 95 + 2 * sin(Float(f)), -Float(f) * 0.9)
            for j in 0..<sk.jointCount {
                var q = SIMD4<Float>(rng.gaussian(), rng.gaussian(), rng.gaussian(), 4 + rng.gaussian())
                if j == 0 { q = SIMD4(0.1 * q.x, sin(0.2 * Float(f)), 0.1 * q.z, cos(0.2 * Float(f))) }
                let n = (q * q).sum().squareRoot()
                clip.rotations[f * sk.jointCount + j] = q / n
            }
        }
        let d = sk.featureDim
        var mean = [Float](repeating: 0, count: d), std = [Float](repeating: 1, count: d)
        for k in 0..<d { mean[k] = 0.1 * rng.gaussian(); std[k] = 0.5 + rng.uniformFloat() }
        return (clip, try NormalizationStats(mean: mean, std: std))
    }

    static func normalized(_ features: [Float], _ s: NormalizationStats) -> [Float] {
        features.indices.map { (features[$0] - s.mean[$0 % s.featureDim]) / s.std[$0 % s.featureDim] }
    }

    @Test func feetOfTheDefaultSkeletonAreAnklesAndToes() throws {
        let sk = Skeleton.a2mDefault
        #expect(sk.footJoints.map { sk.joints[$0].name } == ["LeftFoot", "LeftToeBase", "RightFoot", "RightToeBase"])
        #expect(abs(sk.restHeight - 172) < kinematicsTolerance)
        // A skeleton without legs has no feet, and the loss refuses it.
        let arm = try Skeleton(joints: [.init(name: "root", parent: nil, offset: .zero, hasPosition: true, rotationOrder: .zxy),
                                        .init(name: "arm", parent: 0, offset: [10, 0, 0], rotationOrder: .zxy)])
        let stats = try NormalizationStats(mean: [Float](repeating: 0, count: arm.featureDim), std: [Float](repeating: 1, count: arm.featureDim))
        #expect(throws: TrainingError.self) { try FootVelocityLoss(skeleton: arm, stats: stats, fps: 30) }
    }

    /// The displacement formula (no root integration) equals the world-space displacement of forward kinematics
    /// on the decoded clip, rotated into the previous frame's heading frame.
    @Test func displacementIsTheWorldDisplacement() throws {
        let (clip, stats) = try Self.movingClip()
        let loss = try FootVelocityLoss(skeleton: clip.skeleton, stats: stats, fps: clip.fps)
        let x = Self.normalized(MotionFeatures.encode(clip), stats)
        let d = clip.skeleton.featureDim
        let frames = x.withUnsafeBufferPointer { p in (0..<clip.frameCount).map { loss.frame(p.baseAddress! + $0 * d) } }
        var worst = 0.0
        for f in 1..<clip.frameCount {
            let before = clip.worldPositions(frame: f - 1), now = clip.worldPositions(frame: f)
            let heading = MotionFeatures.heading(clip.rotationMatrix(frame: f - 1, joint: 0))
            for (s, j) in zip(loss.footSlots, loss.feet) {
                let world = Matrix3.axisRotation(1, -heading) * (SIMD3<Double>(now[j]) - SIMD3<Double>(before[j]))
                let got = loss.displacement(frames[f - 1], frames[f], slot: s)
                worst = max(worst, (got - world).abs().max())
            }
        }
        // Float features (≈ 1e-7 relative) times ~100 cm lever arms.
        #expect(worst < 1e-3, "max difference \(worst) cm")
    }

    @Test func gramSchmidtBackwardMatchesCentralDifferences() {
        var rng = PCG32(seed: 12)
        func v() -> SIMD3<Double> { SIMD3(Double(rng.gaussian()), Double(rng.gaussian()), Double(rng.gaussian())) }
        let a = v(), b = v()
        let w = Matrix3(columns: v(), v(), v())   // loss = Σ w ⊙ R
        func loss(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double {
            let m = Rotation.matrix(sixD: a, b)
            return (m.c0 * w.c0 + m.c1 * w.c1 + m.c2 * w.c2).sum()
        }
        let (da, db) = GramSchmidt(a: a, b: b).backward(w)
        let h = 1e-6
        var worst = 0.0
        for k in 0..<3 {
            var e = SIMD3<Double>.zero; e[k] = h
            let na = (loss(a + e, b) - loss(a - e, b)) / (2 * h), nb = (loss(a, b + e) - loss(a, b - e)) / (2 * h)
            worst = max(worst, abs(na - da[k]) / max(abs(na), abs(da[k]), 1e-3), abs(nb - db[k]) / max(abs(nb), abs(db[k]), 1e-3))
        }
        #expect(worst < gramSchmidtTolerance, "max rel err \(worst)")
    }

    /// Central differences through denormalization, Gram–Schmidt, the leg chains and the heading turn, with a
    /// padding mask and row weights. Every feature of every frame is probed (most have zero gradient: the
    /// arms and the spine do not move the feet).
    @Test func gradientMatchesCentralDifferences() throws {
        let (clip, stats) = try Self.movingClip(frames: 4)
        let loss = try FootVelocityLoss(skeleton: clip.skeleton, stats: stats, fps: clip.fps)
        let d = clip.skeleton.featureDim, t = 4, b = 2
        let one = Self.normalized(MotionFeatures.encode(clip), stats)
        var rng = PCG32(seed: 21)
        let target = Buf(one + one)
        let pred = Buf((one + one).map { $0 + 0.3 * rng.gaussian() })
        let mask = Buf([1, 1, 1, 1, 1, 1, 1, 0]), rw = Buf([0.5, 2]), dpred = Buf(b * t * d)
        let weight: Float = 3
        _ = loss.accumulate(dpred: dpred.p, pred: pred.p, target: target.p, mask: mask.p, rowWeights: rw.p, b: b, t: t, weight: weight)
        let r = gradCheck([GradProbe(name: "pred", values: pred.p, grads: dpred.p, count: pred.n)], samples: pred.n, step: footProbeStep) {
            Double(weight) * loss.accumulate(dpred: nil, pred: pred.p, target: target.p, mask: mask.p, rowWeights: rw.p, b: b, t: t, weight: weight)
        }
        #expect(r.maxError < GradTolerance.op, "\(r)")
        #expect(r.checked == b * t * d)
        // The padded last frame gets no gradient; joints off the leg chains get none anywhere.
        #expect((0..<d).allSatisfy { dpred.p[(2 * t - 1) * d + $0] == 0 })
        let head = try #require(clip.skeleton.index(of: "Head"))
        #expect((0..<(b * t)).allSatisfy { f in (0..<6).allSatisfy { dpred.p[f * d + 4 + 6 * head + $0] == 0 } })
        #expect((0..<(b * t * d)).contains { dpred.p[$0] != 0 })
    }

    @Test func zeroWhenThePredictionIsTheTarget() throws {
        let (clip, stats) = try Self.movingClip()
        let loss = try FootVelocityLoss(skeleton: clip.skeleton, stats: stats, fps: clip.fps)
        let x = Buf(Self.normalized(MotionFeatures.encode(clip), stats))
        let dx = Buf(x.n)
        #expect(loss.accumulate(dpred: dx.p, pred: x.p, target: x.p, mask: nil, rowWeights: nil, b: 1, t: clip.frameCount, weight: 1) == 0)
        #expect(dx.array.allSatisfy { $0 == 0 })
    }
}
