import Testing
import Foundation
@testable import A2MCore
@testable import A2MMotion

@Suite struct MotionFeaturesTests {
    /// World joint positions (cm) after clip → features → clip, over 10 s (issue 3).
    static let positionTolerance: Float = 1e-4

    @Test(arguments: [30.0, 60.0])
    func featuresRoundTripTenSeconds(fps: Double) throws {
        let clip = MotionTestSupport.smoothClip(skeleton: .a2mDefault, fps: fps, seconds: 10, seed: 4)
        let features = MotionFeatures.encode(clip)
        #expect(features.count == clip.frameCount * Skeleton.a2mDefault.featureDim)
        #expect(Skeleton.a2mDefault.featureDim == 4 + 6 * 52 && Skeleton.a2mBody.featureDim == 4 + 6 * 22)
        let back = try MotionFeatures.decode(features, skeleton: clip.skeleton, fps: fps, start: MotionFeatures.rootStart(of: clip))
        let err = MotionTestSupport.maxPositionError(clip, back)
        #expect(err < Self.positionTolerance, "max world position error \(err) cm")
    }

    @Test func rootFeaturesByHand() throws {
        // Root walks +X at 30 cm/s while facing +X (heading +90° about Y): in the heading frame that is
        // straight forward (+Z), 30 cm/s; it turns at 0 rad/s; height 90.
        var clip = MotionClip(restPoseOf: .a2mDefault, fps: 30, frames: 4)
        let facingX = SIMD4<Float>(Rotation.quaternion(Matrix3.axisRotation(1, .pi / 2)))
        for f in 0..<4 {
            clip.rootPositions[f] = [Float(f), 90, 0]
            clip.rotations[f * clip.jointCount] = facingX
        }
        let x = MotionFeatures.encode(clip)
        let d = clip.skeleton.featureDim
        for f in 0..<4 {
            #expect(abs(x[f * d + 0]) < 1e-5)
            #expect(abs(x[f * d + 1] - 30) < 1e-4)
            #expect(x[f * d + 2] == 90)
            #expect(abs(x[f * d + 3]) < 1e-6)
            // Root 6D with heading removed is the identity's first two columns.
            #expect(zip(x[(f * d + 4)..<(f * d + 10)], [1, 0, 0, 0, 1, 0] as [Float]).allSatisfy { abs($0 - $1) < 1e-6 })
        }
        // Turning at 90°/s: ω = π/2 rad/s.
        for f in 0..<4 {
            clip.rotations[f * clip.jointCount] = SIMD4<Float>(Rotation.quaternion(Matrix3.axisRotation(1, Double(f) * .pi / 60)))
        }
        let y = MotionFeatures.encode(clip)
        for f in 0..<4 { #expect(abs(y[f * d + 3] - .pi / 2) < 1e-5) }
    }

    @Test func decodeRejectsBadShapesAndNaN() {
        #expect(throws: MotionFeatureError.self) { try MotionFeatures.decode([1, 2, 3], skeleton: .a2mDefault, fps: 30) }
        var x = [Float](repeating: 0, count: Skeleton.a2mDefault.featureDim * 2)
        x[7] = .nan
        #expect(throws: MotionFeatureError.nonFinite(frame: 0, feature: 7)) { try MotionFeatures.decode(x, skeleton: .a2mDefault, fps: 30) }
    }
}

@Suite struct ResamplingTests {
    static let tolerance: Float = 1e-3

    /// A frame rate from a flag or a config is checked by the library too: an error, not a trap.
    @Test(arguments: [0.0, -30, .infinity, .nan])
    func impossibleFrameRateIsAnError(fps: Double) {
        let clip = MotionTestSupport.smoothClip(skeleton: .a2mDefault, fps: 30, seconds: 1, seed: 1)
        #expect(throws: ResamplingError.self) { try clip.resampled(to: fps) }
    }

    @Test func downAndUpSampling() throws {
        let clip120 = MotionTestSupport.smoothClip(skeleton: .a2mDefault, fps: 120, seconds: 3, seed: 8)
        let clip30 = try clip120.resampled(to: 30)
        // 361 frames at 120 fps last 361 / 120 s: round(361 / 4) = 90 frames at 30 fps.
        #expect(clip30.frameCount == 90)
        #expect(clip30.fps == 30)
        // 120 → 30 keeps every 4th frame exactly.
        for f in [0, 1, 45, 89] {
            let a = clip30.worldPositions(frame: f), b = clip120.worldPositions(frame: f * 4)
            let err = zip(a, b).map { SIMD3<Double>($0 - $1).abs().max() }.max()!
            #expect(err < 1e-4, "frame \(f): \(err)")
        }
        // 30 → 60: odd frames are slerp midpoints; the angle to both neighbours is half their angle.
        let clip60 = try clip30.resampled(to: 60)
        #expect(clip60.frameCount == 180)
        for f in stride(from: 1, to: 180, by: 18) {
            for j in 0..<clip60.jointCount {
                let m = SIMD4<Double>(clip60.rotation(frame: f, joint: j))
                let a = SIMD4<Double>(clip30.rotation(frame: f / 2, joint: j)), b = SIMD4<Double>(clip30.rotation(frame: f / 2 + 1, joint: j))
                // Angle of p⁻¹q, via atan2 (acos loses precision near 1).
                let ang = { (p: SIMD4<Double>, q: SIMD4<Double>) -> Double in
                    let r = Rotation.multiply(SIMD4(-p.x, -p.y, -p.z, p.w), q)
                    return 2 * atan2((r.x * r.x + r.y * r.y + r.z * r.z).squareRoot(), abs(r.w))
                }
                #expect(abs(ang(a, m) - ang(m, b)) < 1e-5, "frame \(f) joint \(j)")
                #expect(abs(ang(a, m) * 2 - ang(a, b)) < 1e-5, "frame \(f) joint \(j)")
            }
            let p = clip60.rootPositions[f], pa = clip30.rootPositions[f / 2], pb = clip30.rootPositions[f / 2 + 1]
            #expect(SIMD3<Double>(p - (pa + pb) / 2).abs().max() < 1e-4)
        }
        // Quaternions stay sign-continuous.
        for f in 1..<clip60.frameCount {
            for j in 0..<clip60.jointCount {
                #expect((clip60.rotation(frame: f, joint: j) * clip60.rotation(frame: f - 1, joint: j)).sum() >= 0)
            }
        }
    }
}

@Suite struct NormalizationStatsTests {
    @Test func statsByHandAndRoundTrip() throws {
        // Two clips, featureDim 2: feature 0 = 1, 3 | 5 → mean 3, population std √(8/3);
        // feature 1 constant 7 → std floored.
        let stats = try NormalizationStats(featureDim: 2, clips: [[1, 7, 3, 7], [5, 7]], stdFloor: 0.01)
        #expect(abs(stats.mean[0] - 3) < 1e-6 && abs(stats.mean[1] - 7) < 1e-6)
        #expect(abs(stats.std[0] - (8.0 / 3).squareRoot()) < 1e-6)
        #expect(stats.std[1] == 0.01)
        let x: [Float] = [2, 7.5, -1, 6]
        let y = stats.normalized(x)
        #expect(abs(y[1] - 50) < 1e-3)
        let back = stats.denormalized(y)
        #expect(zip(back, x).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func codableRoundTripAndValidation() throws {
        let clip = MotionTestSupport.smoothClip(skeleton: .a2mDefault, fps: 30, seconds: 2, seed: 6)
        let stats = try NormalizationStats(featureDim: Skeleton.a2mDefault.featureDim, clips: [MotionFeatures.encode(clip)])
        let data = try JSONEncoder().encode(stats)
        #expect(try JSONDecoder().decode(NormalizationStats.self, from: data) == stats)
        try stats.validate(featureDim: Skeleton.a2mDefault.featureDim)
        #expect(throws: NormalizationError.self) { try stats.validate(featureDim: 5) }
        let bad = #"{"mean":[0,1],"std":[1,0],"stdFloor":0.01}"#
        #expect(throws: NormalizationError.self) { try JSONDecoder().decode(NormalizationStats.self, from: Data(bad.utf8)) }
        let extra = #"{"mean":[0],"std":[1],"stdFloor":0.01,"scale":2}"#
        #expect(throws: ConfigError.self) { try JSONDecoder().decode(NormalizationStats.self, from: Data(extra.utf8)) }
        #expect(throws: NormalizationError.self) { try NormalizationStats(featureDim: 3, clips: [[1, 2]]) }
    }
}
