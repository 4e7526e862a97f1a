import Foundation
import Testing
@testable import A2MCore
@testable import A2MMotion
@testable import A2MRetarget
@testable import A2MExport

/// Retargeting onto third-party rigs (Tests/A2MKitTests/Fixtures/rigs, MIT) and onto rigs built to be hard:
/// rest rotations that are not zero, Z up, metres, other naming conventions, an A-pose.
@Suite struct RetargetTests {
    /// Same proportions, different rest rotations, axes and units: positions must agree to float precision.
    static let exactTolerance = 1e-4  // metres

    static let ueNames: [String: String] = {
        var m = ["Hips": "pelvis", "Spine": "spine_01", "Spine1": "spine_02", "Spine2": "spine_03", "Neck": "neck_01", "Head": "head"]
        for (side, s) in [("Left", "l"), ("Right", "r")] {
            for (a, b) in [("Shoulder", "clavicle"), ("Arm", "upperarm"), ("ForeArm", "lowerarm"), ("Hand", "hand"),
                           ("UpLeg", "thigh"), ("Leg", "calf"), ("Foot", "foot"), ("ToeBase", "ball")] { m[side + a] = "\(b)_\(s)" }
            for (a, b) in [("Thumb", "thumb"), ("Index", "index"), ("Middle", "middle"), ("Ring", "ring"), ("Pinky", "pinky")] {
                for k in 1...3 { m["\(side)Hand\(a)\(k)"] = "\(b)_0\(k)_\(s)" }
            }
        }
        return m
    }()

    static func ue(_ mixamo: String) -> String {
        let n = String(mixamo.split(separator: ":").last!)
        return ueNames[n] ?? n
    }

    @Test func mixamoMotionOntoAZUpUEGLTFRigWithRotatedRestsReproducesEveryJoint() throws {
        let source = try BVHReader.read(RetargetCheck.rig("test_freebvh.bvh")).clip
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let glb = dir.appendingPathComponent("ue.glb")
        try RetargetCheck.rotatedRestGLB(source.skeleton, rename: Self.ue, seed: 3, to: glb)
        let rig = try Rig.load(glb)
        #expect(rig.format == .gltf && !rig.restsAtZeroRotation)
        #expect(rig.humanoid.source == "UE Mannequin")
        #expect(rig.humanoid.joints.count == 52, "UE names recognized: \(rig.humanoid.joints.count)")  // 22 body + 30 fingers
        let r = try Retargeter(source: Rig(skeleton: source.skeleton, unit: .cm, file: "test_freebvh.bvh", format: .bvh), target: rig)
        #expect(r.pairs.count == 52)
        #expect(r.unmappedTarget.sorted() == ["HeadTop_End", "LeftEye", "RightEye"])
        let out = r.retarget(source)
        let report = try RetargetCheck.check(r, source: source, output: out)
        print("Mixamo → rotated-rest UE glTF: \(report)")
        let zUp = Matrix3.axisRotation(0, -Double.pi / 2)
        var worst = 0.0
        for f in 0..<source.frameCount {
            let a = source.worldPositions(frame: f), b = out.worldPositions(frame: f)
            for j in 0..<source.jointCount { worst = max(worst, (zUp * SIMD3<Double>(a[j]) * 0.01 - SIMD3<Double>(b[j])).abs().max()) }
        }
        #expect(worst < Self.exactTolerance, "largest joint position difference \(worst) m")
        for v in report.correlations.values { #expect(v > 0.9999) }
    }

    @Test func mocapWalkOntoTheMixamoRigKeepsTrajectoriesAndFootContacts() throws {
        let source = try BVHReader.read(RetargetCheck.rig("test_mocapbank.bvh")).clip
        let target = try Rig.load(RetargetCheck.rig("test_freebvh.bvh"))
        let srcRig = Rig(skeleton: source.skeleton, unit: .cm, file: "test_mocapbank.bvh", format: .bvh)
        #expect(srcRig.humanoid.source == "MotionBuilder")
        let r = try Retargeter(source: srcRig, target: target)
        let out = r.retarget(source)
        let report = try RetargetCheck.check(r, source: source, output: out)
        print("mocapbank → Mixamo BVH: \(report); root scale \(r.rootScale)")
        for (b, v) in report.correlations { #expect(v >= RetargetCheck.minimumCorrelation, "\(b): \(v)") }
        #expect(report.largestStep.degrees < RetargetCheck.flipDegreesPerFrame, "\(report.largestStep)")
        #expect(report.contactFrames > 20)
        #expect(report.targetContactSpeed < 2 * report.sourceContactSpeed + 0.02, "feet slide: \(report)")
    }

    @Test func a2mMotionOntoTheMixamoRigWithFingersAndOntoAnAPoseRig() throws {
        let source = try ExportFixtures.wave
        let srcRig = Rig(skeleton: source.skeleton, unit: .cm, file: "wave.bvh", format: .bvh)
        // The Mixamo rig: fingers stay at rest (the source has none), eyes and head top too.
        let mixamo = try Rig.load(RetargetCheck.rig("test_freebvh.bvh"))
        let r = try Retargeter(source: srcRig, target: mixamo)
        #expect(r.pairs.count == 22 && r.unmappedSource.isEmpty)
        #expect(r.unmappedTarget.contains("mixamorig:LeftHandIndex1"))
        let out = r.retarget(source)
        let report = try RetargetCheck.check(r, source: source, output: out)
        print("a2m wave → Mixamo BVH: \(report)")
        for (b, v) in report.correlations { #expect(v >= RetargetCheck.minimumCorrelation, "\(b): \(v)") }
        #expect(report.largestStep.degrees < RetargetCheck.flipDegreesPerFrame)

        // An A-pose rig (arms 45° down at zero rotation): each arm bone must point where the source's points.
        var joints = Skeleton.a2mBody.joints
        let down = Matrix3.axisRotation(2, -Double.pi / 4), upR = Matrix3.axisRotation(2, Double.pi / 4)
        for (j, joint) in joints.enumerated() where ["LeftForeArm", "LeftHand", "RightForeArm", "RightHand"].contains(joint.name) {
            joints[j].offset = SIMD3<Float>((joint.name.hasPrefix("Left") ? down : upR) * SIMD3<Double>(joint.offset))
        }
        let aPose = Rig(skeleton: try Skeleton(joints: joints), unit: .cm, file: "apose.bvh", format: .bvh)
        let ra = try Retargeter(source: srcRig, target: aPose)
        let outA = ra.retarget(source)
        var worstCos = 1.0
        for f in stride(from: 0, to: source.frameCount, by: 5) {
            let a = source.worldPositions(frame: f), b = outA.worldPositions(frame: f)
            for (from, to) in [("LeftArm", "LeftForeArm"), ("LeftForeArm", "LeftHand"), ("RightArm", "RightForeArm"), ("RightForeArm", "RightHand")] {
                let i = source.skeleton.index(of: from)!, k = source.skeleton.index(of: to)!
                let u = SIMD3<Double>(a[k] - a[i]), v = SIMD3<Double>(b[k] - b[i])
                worstCos = min(worstCos, u.dot(v) / (u.length * v.length))
            }
        }
        #expect(worstCos > 0.99999, "an arm bone of the A-pose rig points off the source's: cos \(worstCos)")
    }

    @Test func identitySkeletonRoundTripsExactly() throws {
        let clip = ExportFixtures.moving()
        let rig = Rig(skeleton: clip.skeleton, unit: .cm, file: "a2m", format: .bvh)
        let out = try Retargeter(source: rig, target: rig).retarget(clip)
        #expect(MotionTestSupport.maxPositionError(out, clip) < 1e-3)
    }
}
