import Foundation
import Testing
@testable import A2MCore
@testable import A2MMotion
@testable import A2MRetarget
@testable import A2MExport

/// Quality measures of a retargeted clip against its source (issue 38's checks), and rig builders.
enum RetargetCheck {
    /// Per-frame local rotation change above which a joint counts as flipping, at 30 fps.
    static let flipDegreesPerFrame = 30.0
    /// Trajectory correlation the issue asks for.
    static let minimumCorrelation = 0.95

    static func rig(_ name: String) -> URL {
        MotionTestSupport.repoRoot.appendingPathComponent("Tests/A2MKitTests/Fixtures/rigs/\(name)")
    }

    static func legLength(_ rig: Rig) -> Double {
        let w = Retargeter.restWorld(rig), h = rig.humanoid.joints
        func p(_ b: HumanoidBone) -> SIMD3<Double> { w[h[b]!].position }
        return ((p(.leftLowerLeg) - p(.leftUpperLeg)).length + (p(.leftFoot) - p(.leftLowerLeg)).length
            + (p(.rightLowerLeg) - p(.rightUpperLeg)).length + (p(.rightFoot) - p(.rightLowerLeg)).length) / 2
    }

    /// Joint position relative to the hips, in leg lengths, through `frame` (source → common axes).
    static func track(_ clip: MotionClip, joint: Int, hips: Int, leg: Double, frame: Matrix3 = .identity) -> [SIMD3<Double>] {
        (0..<clip.frameCount).map { f in
            let w = clip.worldPositions(frame: f)
            return frame * (SIMD3<Double>(w[joint]) - SIMD3<Double>(w[hips])) / leg
        }
    }

    /// Pearson correlation of two trajectories (x, y and z series concatenated after removing each one's mean).
    static func correlation(_ a: [SIMD3<Double>], _ b: [SIMD3<Double>]) -> Double {
        func centred(_ t: [SIMD3<Double>]) -> [Double] {
            let m = t.reduce(.zero, +) / Double(t.count)
            return t.flatMap { p in let d = p - m; return [d.x, d.y, d.z] }
        }
        let x = centred(a), y = centred(b)
        let sxy = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }, sxx = x.reduce(0) { $0 + $1 * $1 }, syy = y.reduce(0) { $0 + $1 * $1 }
        return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : (sxx == syy ? 1 : 0)
    }

    /// Largest angle (degrees) between consecutive frames' local rotations over all joints, and the joint.
    static func largestStep(_ clip: MotionClip) -> (degrees: Double, joint: String) {
        var worst = (0.0, "")
        for f in 1..<max(1, clip.frameCount) {
            for j in 0..<clip.jointCount {
                let a = clip.rotation(frame: f - 1, joint: j), b = clip.rotation(frame: f, joint: j)
                let d = min(1, abs(Double((a * b).sum())))
                let deg = 2 * acos(d) * 180 / .pi
                if deg > worst.0 { worst = (deg, clip.skeleton.joints[j].name) }
            }
        }
        return worst
    }

    struct Report: CustomStringConvertible {
        var correlations: [String: Double] = [:]
        var largestStep = (degrees: 0.0, joint: "")
        var sourceLargestStep = 0.0
        var contactFrames = 0
        var sourceContactSpeed = 0.0, targetContactSpeed = 0.0
        var description: String {
            let c = correlations.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.4f", $0.value))" }.joined(separator: ", ")
            return "correlation: \(c); largest local step \(String(format: "%.2f", largestStep.degrees))° (\(largestStep.joint)), source \(String(format: "%.2f", sourceLargestStep))°; "
                + "\(contactFrames) source contact frames: foot speed \(String(format: "%.4f", sourceContactSpeed)) → \(String(format: "%.4f", targetContactSpeed)) leg lengths/s"
        }
    }

    /// The issue's checks for one retargeting: names, hierarchy, offsets and rotation orders kept; wrists and head
    /// correlate; no flips; feet still where the source's feet are planted.
    static func check(_ r: Retargeter, source clip: MotionClip, output out: MotionClip) throws -> Report {
        let s = r.source, t = r.target
        #expect(out.skeleton.names == t.skeleton.names)
        #expect(out.skeleton.parents == t.skeleton.parents)
        #expect(out.skeleton.joints.map(\.offset) == t.skeleton.joints.map(\.offset))
        #expect(out.skeleton.joints.map(\.rotationOrder) == t.skeleton.joints.map(\.rotationOrder))
        #expect(out.frameCount == clip.frameCount && out.fps == clip.fps)
        var rep = Report()
        let ls = legLength(s), lt = legLength(t)
        let sh = s.humanoid.joints[.hips]!, th = t.humanoid.joints[.hips]!
        for b in [HumanoidBone.head, .leftHand, .rightHand] {
            let a = track(clip, joint: s.humanoid.joints[b]!, hips: sh, leg: ls, frame: r.global)
            let o = track(out, joint: t.humanoid.joints[b]!, hips: th, leg: lt)
            rep.correlations[b.rawValue] = correlation(a, o)
        }
        rep.largestStep = largestStep(out)
        rep.sourceLargestStep = largestStep(clip).degrees
        // Feet: frames where a source ankle is still (< 0.1 leg lengths/s) and low (within 0.05 leg lengths of its lowest).
        for (bs, foot) in [(s.humanoid.joints[.leftFoot]!, t.humanoid.joints[.leftFoot]!), (s.humanoid.joints[.rightFoot]!, t.humanoid.joints[.rightFoot]!)] {
            let a = (0..<clip.frameCount).map { SIMD3<Double>(clip.worldPositions(frame: $0)[bs]) / ls }
            let b = (0..<out.frameCount).map { r.global.transposed * SIMD3<Double>(out.worldPositions(frame: $0)[foot]) / lt }
            let up = r.global.transposed * SIMD3<Double>(0, 1, 0)
            let low = a.map { $0.dot(SIMD3(0, 1, 0)) }.min() ?? 0
            _ = up
            for f in 1..<a.count {
                let vs = (a[f] - a[f - 1]).length * clip.fps
                guard vs < 0.1, a[f].y - low < 0.05 else { continue }
                rep.contactFrames += 1
                rep.sourceContactSpeed += vs
                rep.targetContactSpeed += (b[f] - b[f - 1]).length * clip.fps
            }
        }
        if rep.contactFrames > 0 { rep.sourceContactSpeed /= Double(rep.contactFrames); rep.targetContactSpeed /= Double(rep.contactFrames) }
        return rep
    }

    /// `skeleton` as a glTF rig with a non-zero rest rotation on every joint (random, seeded), the same rest shape
    /// in world space, its armature turned to Z up (−90° about X) and scaled to metres; joint names from `rename`.
    static func rotatedRestGLB(_ skeleton: Skeleton, rename: (String) -> String, seed: UInt64, to url: URL) throws {
        var rng = PCG32(seed: seed)
        let restWorld = MotionClip(restPoseOf: skeleton, fps: 30, frames: 1).worldTransforms(frame: 0)
        let zUp = Matrix3.axisRotation(0, -Double.pi / 2)
        var joints = skeleton.joints, rest: [SIMD4<Float>] = []
        var world: [Matrix3] = []
        for (j, joint) in skeleton.joints.enumerated() {
            let w = Rotation.matrix(quaternion: SIMD4<Double>(MotionTestSupport.randomQuaternion(&rng)))
            world.append(w)
            if let p = joint.parent {
                joints[j].offset = SIMD3<Float>(world[p].transposed * zUp * (restWorld[j].position - restWorld[p].position) * 0.01)
                rest.append(SIMD4<Float>(Rotation.quaternion(world[p].transposed * w)))
            } else {
                joints[j].offset = SIMD3<Float>(zUp * restWorld[j].position * 0.01)
                rest.append(SIMD4<Float>(Rotation.quaternion(w)))
            }
            joints[j].name = rename(joint.name)
            if joints[j].endSite != nil { joints[j].endSite!.offset = SIMD3<Float>(w.transposed * zUp * SIMD3<Double>(joint.endSite!.offset) * 0.01) }
        }
        let s = try Skeleton(joints: joints)
        let clip = MotionClip(skeleton: s, fps: 30, rootPositions: [s.joints[0].offset], rotations: rest)
        try GLTFExport.write(clip, to: url, options: GLTFExport.Options(unit: .m, restRotations: rest))
    }
}
