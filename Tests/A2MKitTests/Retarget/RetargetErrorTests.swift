import Foundation
import Testing
@testable import A2MCore
@testable import A2MMotion
@testable import A2MRetarget
@testable import A2MExport

/// Bad rigs and maps: one clear error naming the file and the joint, and no output file.
@Suite struct RetargetErrorTests {
    static func write(_ text: String, _ name: String, in dir: URL) throws -> URL {
        let u = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: u)
        return u
    }

    /// Runs `a2m retarget` and checks it fails with `message` in stderr and leaves only the inputs behind.
    static func expectFailure(_ args: [String], in dir: URL, message: String) throws {
        let before = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        let r = try MotionTestSupport.runA2M(["retarget"] + args)
        #expect(r.status != 0)
        #expect(r.stderr.contains(message), "expected '\(message)' in: \(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == before, "output left behind")
    }

    @Test func rigWithoutHipsArmsOrLegsNamesTheFileAndTheBones() throws {
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let motion = MotionTestSupport.repoRoot.appendingPathComponent("Motions/wave.bvh").path
        let rig = try Self.write("""
            HIERARCHY
            ROOT Body
            {
            \tOFFSET 0 0 0
            \tCHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
            \tJOINT Tail
            \t{
            \t\tOFFSET 0 -10 -20
            \t\tCHANNELS 3 Zrotation Xrotation Yrotation
            \t\tEnd Site
            \t\t{
            \t\t\tOFFSET 0 0 -10
            \t\t}
            \t}
            }
            MOTION
            Frames: 1
            Frame Time: 0.0333333
            0 0 0 0 0 0 0 0 0

            """, "dog.bvh", in: dir)
        try Self.expectFailure([motion, "--rig", rig.path, "--out", dir.appendingPathComponent("o.bvh").path], in: dir,
                               message: "\(rig.path): no joint recognizable as hips, spine, head, leftUpperArm")
        // The library says the same, listing the rig's joints.
        let target = try Rig.load(rig)
        #expect(throws: RigError.self) { try Retargeter(source: Rig(skeleton: .a2mDefault, unit: .cm, file: "a2m", format: .bvh), target: target) }
        // A rig with a body but no legs names just the legs.
        var joints = Skeleton.a2mDefault.joints.filter { !$0.name.contains("Leg") && !$0.name.contains("Foot") && !$0.name.contains("Toe") }
        joints = joints.map { var j = $0; j.parent = j.parent.flatMap { p in joints.firstIndex { $0.name == Skeleton.a2mDefault.joints[p].name } }; return j }
        let legless = Rig(skeleton: try Skeleton(joints: joints), unit: .cm, file: "legless.bvh", format: .bvh)
        do {
            _ = try Retargeter(source: Rig(skeleton: .a2mDefault, unit: .cm, file: "a2m", format: .bvh), target: legless)
            Issue.record("a legless rig was accepted")
        } catch let e as RigError {
            #expect(e.description.hasPrefix("legless.bvh: no joint recognizable as leftUpperLeg, leftLowerLeg, leftFoot, rightUpperLeg, rightLowerLeg, rightFoot"), "\(e)")
        }
    }

    @Test func duplicateJointNamesInAGLTFRigAreNamed() throws {
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let gltf = try Self.write("""
            {"asset":{"version":"2.0"},"scene":0,"scenes":[{"nodes":[0]}],
             "nodes":[{"name":"Hips","children":[1,2]},{"name":"Spine"},{"name":"Spine","translation":[0,1,0]}],
             "skins":[{"joints":[0,1,2]}]}
            """, "twins.gltf", in: dir)
        #expect(throws: RigError.duplicateJoint(file: gltf.path, name: "Spine")) { try Rig.load(gltf) }
        let motion = MotionTestSupport.repoRoot.appendingPathComponent("Motions/wave.bvh").path
        try Self.expectFailure([motion, "--rig", gltf.path, "--out", dir.appendingPathComponent("o.glb").path], in: dir,
                               message: "\(gltf.path): two joints are named 'Spine'")
        // BVH rigs: the reader names the line.
        let bvh = try Self.write("HIERARCHY\nROOT Hips\n{\n OFFSET 0 0 0\n CHANNELS 3 Xposition Yposition Zposition\n JOINT A\n {\n  OFFSET 0 1 0\n  CHANNELS 3 Zrotation Xrotation Yrotation\n }\n JOINT A\n {\n  OFFSET 0 2 0\n  CHANNELS 3 Zrotation Xrotation Yrotation\n }\n}\nMOTION\nFrames: 1\nFrame Time: 0.1\n0 0 0 0 0 0 0 0 0\n", "twins.bvh", in: dir)
        let r = try MotionTestSupport.runA2M(["retarget", motion, "--rig", bvh.path, "--out", dir.appendingPathComponent("o.bvh").path])
        #expect(r.status != 0 && r.stderr.contains("twins.bvh") && r.stderr.contains("'A'"), "\(r.stderr)")
    }

    @Test func gltfWithNoSkinAndNoNodesIsRefused() throws {
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = try Self.write(#"{"asset":{"version":"2.0"},"meshes":[]}"#, "empty.gltf", in: dir)
        #expect(throws: RigError.noSkeleton(file: empty.path)) { try Rig.load(empty) }
        let motion = MotionTestSupport.repoRoot.appendingPathComponent("Motions/wave.bvh").path
        try Self.expectFailure([motion, "--rig", empty.path, "--out", dir.appendingPathComponent("o.bvh").path], in: dir,
                               message: "\(empty.path): no skeleton: the glTF has no skin and no nodes")
    }

    @Test func mapNamingMissingJointsIsRefused() throws {
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let motion = MotionTestSupport.repoRoot.appendingPathComponent("Motions/wave.bvh").path
        let rig = RetargetCheck.rig("test_freebvh.bvh").path
        let badSource = try Self.write(#"{"LeftPinkyToe": "mixamorig:LeftFoot"}"#, "map1.json", in: dir)
        try Self.expectFailure([motion, "--rig", rig, "--map", badSource.path, "--out", dir.appendingPathComponent("o.bvh").path], in: dir,
                               message: "\(badSource.path): map entry \"LeftPinkyToe\": \"mixamorig:LeftFoot\": no joint 'LeftPinkyToe' in the source")
        let badTarget = try Self.write(#"{"LeftFoot": "mixamorig:LeftPaw"}"#, "map2.json", in: dir)
        try Self.expectFailure([motion, "--rig", rig, "--map", badTarget.path, "--out", dir.appendingPathComponent("o.bvh").path], in: dir,
                               message: "no joint 'mixamorig:LeftPaw' in the rig \(rig)")
        let notAMap = try Self.write(#"["Hips"]"#, "map3.json", in: dir)
        try Self.expectFailure([motion, "--rig", rig, "--map", notAMap.path, "--out", dir.appendingPathComponent("o.bvh").path], in: dir,
                               message: "\(notAMap.path): (top level): expected a JSON object")
    }

    @Test func aMapMakesAnUnrecognizableRigUsable() throws {
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The a2m skeleton with every joint renamed to something no built-in map knows.
        let s = Skeleton.a2mBody
        var joints = s.joints
        for j in joints.indices { joints[j].name = "bone_\(j)" }
        let clip = MotionClip(restPoseOf: try Skeleton(joints: joints), fps: 30, frames: 2)
        let rig = dir.appendingPathComponent("bones.bvh")
        try BVHWriter.write(clip, to: rig)
        var map: [String: String] = [:]
        for (j, joint) in s.joints.enumerated() { map[joint.name] = "bone_\(j)" }
        let mapURL = dir.appendingPathComponent("map.json")
        try JSONSerialization.data(withJSONObject: map, options: [.sortedKeys]).write(to: mapURL)
        let motion = MotionTestSupport.repoRoot.appendingPathComponent("Motions/wave.bvh")
        let out = dir.appendingPathComponent("o.bvh")
        let noMap = try MotionTestSupport.runA2M(["retarget", motion.path, "--rig", rig.path, "--out", out.path])
        #expect(noMap.status != 0 && noMap.stderr.contains("no joint recognizable as hips"), "\(noMap.stderr)")
        let r = try MotionTestSupport.runA2M(["retarget", motion.path, "--rig", rig.path, "--map", mapURL.path, "--out", out.path])
        try #require(r.status == 0, "\(r.stderr)")
        let got = try BVHReader.read(out).clip, want = try BVHReader.read(motion).clip
        #expect(got.skeleton.names == joints.map(\.name))
        var w = want
        w.skeleton = got.skeleton
        #expect(MotionTestSupport.maxPositionError(got, w) < 1e-3)
    }
}
