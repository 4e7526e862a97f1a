import Foundation
import Testing
@testable import A2MCore
@testable import A2MMotion
@testable import A2MRetarget
@testable import A2MExport

/// glTF export checked by reading the file back independently (`GLBFile`): container, accessors, skin,
/// animation forward kinematics against a2m's, determinism, the .gltf + .bin pair.
@Suite struct GLTFExportTests {
    /// Float32 storage of metres and quaternions through two forward-kinematics chains: far below 0.5 cm.
    static let positionTolerance = 1e-5
    static let bindTolerance = 1e-5

    @Test func glbHoldsSkinMeshAndAnimationThatReproduceForwardKinematics() throws {
        let clip = ExportFixtures.moving()
        let doc = try GLTFExport.document(clip)
        let glb = try GLBFile(doc.glb())
        let nodes = glb.nodes
        #expect(nodes.count == clip.jointCount + 1)
        #expect(nodes.prefix(clip.jointCount).map { $0["name"] as? String } == clip.skeleton.names)
        // Every accessor in range; POSITION bounds right.
        for i in glb.accessors.indices { _ = try glb.accessor(i) }
        let mesh = try #require((glb.json["meshes"] as? [[String: Any]])?.first)
        let prim = try #require((mesh["primitives"] as? [[String: Any]])?.first)
        let attrs = try #require(prim["attributes"] as? [String: Int])
        #expect(Set(attrs.keys) == ["POSITION", "NORMAL", "JOINTS_0", "WEIGHTS_0"])
        let pos = try glb.accessor(attrs["POSITION"]!)
        let acc = glb.accessors[attrs["POSITION"]!]
        let mins = try #require(acc["min"] as? [Double]), maxs = try #require(acc["max"] as? [Double])
        for c in 0..<3 {
            let col = stride(from: c, to: pos.count, by: 3).map { pos[$0] }
            // The JSON holds each Float's shortest text; compare as Float.
            #expect(Float(col.min()!) == Float(mins[c]) && Float(col.max()!) == Float(maxs[c]))
        }
        let joints = try glb.accessor(attrs["JOINTS_0"]!)
        #expect(joints.allSatisfy { $0 >= 0 && $0 < Double(clip.jointCount) })
        let weights = try glb.accessor(attrs["WEIGHTS_0"]!)
        for v in stride(from: 0, to: weights.count, by: 4) { #expect(abs(weights[v..<(v + 4)].reduce(0, +) - 1) < 1e-6) }
        let indices = try glb.accessor(prim["indices"] as! Int)
        #expect(indices.count % 3 == 0 && indices.allSatisfy { $0 < Double(pos.count / 3) })

        // Skin: joints 0..J-1; inverse bind matrix × the node tree's rest world transform = identity.
        let skin = try #require((glb.json["skins"] as? [[String: Any]])?.first)
        #expect(skin["joints"] as? [Int] == Array(0..<clip.jointCount))
        let ibm = try glb.accessor(skin["inverseBindMatrices"] as! Int)
        let rest = MotionClip(skeleton: clip.skeleton, fps: 30, rootPositions: [clip.rootPositions[0]],
                              rotations: Array(repeating: SIMD4(0, 0, 0, 1), count: clip.jointCount)).scaled(by: 0.01).worldTransforms(frame: 0)
        var worstBind = 0.0
        for j in 0..<clip.jointCount {
            let m = Array(ibm[(16 * j)..<(16 * j + 16)])
            let r = Matrix3(columns: [m[0], m[1], m[2]], [m[4], m[5], m[6]], [m[8], m[9], m[10]])
            let t = SIMD3(m[12], m[13], m[14])
            worstBind = max(worstBind, (r * rest[j].rotation).maxDifference(.identity), ((r * rest[j].position) + t).abs().max())
        }
        #expect(worstBind < Self.bindTolerance, "inverse bind × bind differs from identity by \(worstBind)")

        // Animation: LINEAR, times k / fps, and the node tree at every key matches a2m's FK (in metres).
        let anim = try #require((glb.json["animations"] as? [[String: Any]])?.first)
        let samplers = try #require(anim["samplers"] as? [[String: Any]])
        #expect(samplers.allSatisfy { $0["interpolation"] as? String == "LINEAR" })
        let channels = anim["channels"] as! [[String: Any]]
        let paths = channels.map { (($0["target"] as! [String: Any])["node"] as! Int, ($0["target"] as! [String: Any])["path"] as! String) }
        #expect(paths.filter { $0.1 == "rotation" }.map(\.0).sorted() == Array(0..<clip.jointCount))
        #expect(paths.filter { $0.1 == "translation" }.map(\.0) == [0])
        let times = try glb.accessor(samplers[0]["input"] as! Int)
        #expect(times.count == clip.frameCount)
        #expect(times.enumerated().allSatisfy { abs($1 - Double($0) / clip.fps) < 1e-6 })
        var worst = 0.0
        for f in [0, clip.frameCount / 3, clip.frameCount - 1] {
            let got = try glb.worldPositions(key: f)
            let want = clip.worldPositions(frame: f)
            for j in 0..<clip.jointCount { worst = max(worst, (got[j] - SIMD3<Double>(want[j]) * 0.01).abs().max()) }
        }
        #expect(worst < Self.positionTolerance, "glTF FK differs from a2m's by \(worst) m")
    }

    @Test func sameClipGivesSameBytesAndTheGLTFPairHoldsTheSameDocument() throws {
        let clip = try ExportFixtures.wave
        let a = try GLTFExport.document(clip).glb(), b = try GLTFExport.document(clip).glb()
        #expect(a == b)
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let gltf = dir.appendingPathComponent("w.gltf")
        try GLTFExport.write(clip, to: gltf)
        let bin = try Data(contentsOf: dir.appendingPathComponent("w.bin"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: gltf)) as! [String: Any]
        let buffers = try #require(json["buffers"] as? [[String: Any]])
        #expect(buffers.count == 1 && buffers[0]["uri"] as? String == "w.bin" && buffers[0]["byteLength"] as? Int == bin.count)
        let glb = try GLBFile(a)
        #expect(Array(bin) == glb.bin)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["w.bin", "w.gltf"])
    }

    @Test func nonFiniteMotionIsRefusedBeforeAnythingIsWritten() throws {
        var clip = try ExportFixtures.wave
        clip.rotations[5 * clip.jointCount + 3] = SIMD4(.nan, 0, 0, 1)
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("x.glb")
        #expect(throws: GLTFExportError.invalid(file: url.path, reason: "rotation of joint 'Spine2' at frame 5 is not finite")) {
            try GLTFExport.write(clip, to: url)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func unitsScaleEveryLengthAndLabelJSON() throws {
        let clip = ExportFixtures.moving(seconds: 0.5)
        let m = clip.scaled(by: LengthUnit.cm.factor(to: .m))
        #expect(m.skeleton.joints[1].offset == clip.skeleton.joints[1].offset * 0.01)
        #expect(m.rootPositions[3] == clip.rootPositions[3] * 0.01)
        #expect(m.rotations == clip.rotations)
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = dir.appendingPathComponent("c.bvh"), bvh = dir.appendingPathComponent("m.bvh"), json = dir.appendingPathComponent("m.json")
        try BVHWriter.write(clip, to: src)
        for args in [[src.path, "--to", bvh.path, "--units", "m"], [src.path, "--to", json.path, "--units", "m"]] {
            let r = try MotionTestSupport.runA2M(["convert"] + args)
            try #require(r.status == 0, "a2m convert \(args): \(r.stderr)")
        }
        let back = try BVHReader.read(bvh).clip
        #expect(MotionTestSupport.maxPositionError(back.scaled(by: 100), clip) < 1e-3)
        let (j, label) = try MotionJSON.readWithUnits(json)
        #expect(label == "meters")
        #expect(MotionTestSupport.maxPositionError(j.scaled(by: 100), clip) < 1e-3)
        // A metre JSON converted to glTF is not scaled again.
        let glb = dir.appendingPathComponent("m.glb")
        let r = try MotionTestSupport.runA2M(["convert", json.path, "--to", glb.path])
        try #require(r.status == 0, "\(r.stderr)")
        let file = try GLBFile(Array(try Data(contentsOf: glb)))
        let head = try #require(file.nodeIndex("Head"))
        let got = try file.worldPositions(key: 2)[head], want = SIMD3<Double>(clip.worldPositions(frame: 2)[head]) * 0.01
        #expect((got - want).abs().max() < 1e-5)
        // --units makes no sense for glTF.
        let bad = try MotionTestSupport.runA2M(["convert", src.path, "--to", dir.appendingPathComponent("u.glb").path, "--units", "m"])
        #expect(bad.status != 0 && bad.stderr.contains("glTF and VRMA are always metres"))
    }
}
