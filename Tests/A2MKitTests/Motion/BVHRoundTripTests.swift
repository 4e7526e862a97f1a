import Testing
import Foundation
@testable import A2MMotion

@Suite struct BVHRoundTripTests {
    /// read(write(x)) must reproduce every rotation within this angle (issue 3).
    static let rotationToleranceDegrees = 1e-4
    /// Root positions are printed with 6 decimals and stored as Float.
    static let positionTolerance: Float = 2e-5

    static func angleDegrees(_ a: Matrix3, _ b: Matrix3) -> Double {
        let r = a.transposed * b
        let c = max(-1, min(1, (r[0, 0] + r[1, 1] + r[2, 2] - 1) / 2))
        // acos is ill-conditioned near 1; use the antisymmetric part for small angles.
        let s = SIMD3(r[2, 1] - r[1, 2], r[0, 2] - r[2, 0], r[1, 0] - r[0, 1]).length / 2
        return atan2(s, c) * 180 / .pi
    }

    /// Every number after the Frame Time line.
    static func frameValues(_ bytes: [UInt8]) -> [Double] {
        let text = String(decoding: bytes, as: UTF8.self)
        let motion = text.components(separatedBy: "Frame Time:")[1].split(separator: "\n").dropFirst()
        return motion.flatMap { $0.split(separator: " ").map { Double($0)! } }
    }

    @Test func writeThenReadReproducesEveryChannel() throws {
        // Mixed rotation orders, as in CMU "3dsMax-friendly" files.
        var joints = Skeleton.a2mDefault.joints
        for j in joints.indices { joints[j].rotationOrder = RotationOrder.allCases[j % 6] }
        let skeleton = try Skeleton(joints: joints)
        let clip = MotionTestSupport.smoothClip(skeleton: skeleton, fps: 30, seconds: 4, seed: 1)
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("rt.bvh")
        try BVHWriter.write(clip, to: url)
        let (back, warnings) = try BVHReader.read(url)
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(back.fps == clip.fps)
        #expect(back.frameCount == clip.frameCount)
        #expect(back.skeleton.names == skeleton.names)
        #expect(back.skeleton.joints.map(\.rotationOrder) == skeleton.joints.map(\.rotationOrder))
        var worstAngle = 0.0
        for f in 0..<clip.frameCount {
            for j in 0..<clip.jointCount {
                worstAngle = max(worstAngle, Self.angleDegrees(clip.rotationMatrix(frame: f, joint: j), back.rotationMatrix(frame: f, joint: j)))
            }
        }
        #expect(worstAngle < Self.rotationToleranceDegrees, "max rotation error \(worstAngle)°")
        let worstRoot = Float(zip(clip.rootPositions, back.rootPositions).map { SIMD3<Double>($0 - $1).abs().max() }.max()!)
        #expect(worstRoot < Self.positionTolerance, "max root position error \(worstRoot)")
        // BVH → clip → BVH: every channel of the second file matches the first; position channels as
        // numbers, each joint's rotation triplet as a matrix (Euler angles near gimbal lock may trade off).
        let first = Self.frameValues(try BVHWriter.bytes(clip)), again = Self.frameValues(try BVHWriter.bytes(back))
        #expect(first.count == again.count)
        var k = 0, worstPosition = 0.0, worstRotation = 0.0
        while k < first.count {
            for joint in skeleton.joints {
                if joint.hasPosition {
                    for c in 0..<3 { worstPosition = max(worstPosition, abs(first[k + c] - again[k + c])) }
                    k += 3
                }
                guard let order = joint.rotationOrder else { continue }
                let a = Rotation.matrix(eulerDegrees: SIMD3(first[k], first[k + 1], first[k + 2]), order: order)
                let b = Rotation.matrix(eulerDegrees: SIMD3(again[k], again[k + 1], again[k + 2]), order: order)
                worstRotation = max(worstRotation, Self.angleDegrees(a, b))
                k += 3
            }
        }
        #expect(worstPosition < Double(Self.positionTolerance), "max position channel difference \(worstPosition)")
        #expect(worstRotation < Self.rotationToleranceDegrees, "max rotation channel difference \(worstRotation)°")
    }

    @Test func writerPutsPositionsOnTheRootOnlyWithZeroOffset() throws {
        let clip = MotionTestSupport.smoothClip(skeleton: .a2mDefault, fps: 30, seconds: 0.2, seed: 2)
        let text = String(decoding: try BVHWriter.bytes(clip), as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines.filter { $0.contains("position") }.count == 1)
        #expect(lines[3].trimmingCharacters(in: .whitespaces) == "OFFSET 0 0 0")
        #expect(lines[4].trimmingCharacters(in: .whitespaces) == "CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation")
        let frameTime = lines.first { $0.hasPrefix("Frame Time:") }!
        let digits = frameTime.split(separator: " ").last!.filter { $0.isNumber }.drop { $0 == "0" }
        #expect(digits.count >= 7, "\(frameTime)")
    }

    @Test func writerUnwrapsEulerAnglesOverTime() throws {
        // A root turning 10° per frame for 60 frames passes ±180°; the written Y angle must keep climbing.
        var clip = MotionClip(restPoseOf: .a2mDefault, fps: 30, frames: 60)
        for f in 0..<60 {
            clip.rotations[f * clip.jointCount] = SIMD4<Float>(Rotation.quaternion(Rotation.matrix(eulerDegrees: [0, 0, Double(f) * 10], order: .zxy)))
        }
        let text = String(decoding: try BVHWriter.bytes(clip), as: UTF8.self)
        let frames = text.split(separator: "\n").suffix(60).map { $0.split(separator: " ").map { Double($0)! } }
        for f in 0..<60 { #expect(abs(frames[f][5] - Double(f) * 10) < 1e-4, "frame \(f): \(frames[f][5])") }
    }

    @Test func writeIsAtomicAndRejectsNaN() throws {
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("out.bvh")
        let good = MotionClip(restPoseOf: .a2mDefault, fps: 30, frames: 3)
        try BVHWriter.write(good, to: url)
        let before = try Data(contentsOf: url)
        var bad = good
        bad.rotations[5] = SIMD4(.nan, 0, 0, 1)
        #expect(throws: BVHError.self) { try BVHWriter.write(bad, to: url) }
        #expect(try Data(contentsOf: url) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.bvh"])
    }
}
