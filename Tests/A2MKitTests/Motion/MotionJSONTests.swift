import Testing
import Foundation
@testable import A2MMotion

@Suite struct MotionJSONTests {
    static let positionTolerance: Float = 1e-5

    static func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func a2mRoundTripThroughAFile() throws {
        let clip = MotionTestSupport.smoothClip(skeleton: .a2mBody, fps: 30, seconds: 2, seed: 21)
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.json")
        try MotionJSON.write(clip, format: .a2m, to: url)
        let back = try MotionJSON.read(url)
        #expect(back.frameCount == clip.frameCount && back.fps == 30)
        #expect(back.skeleton.names == clip.skeleton.names)
        #expect(back.skeleton.endSiteJoints == clip.skeleton.endSiteJoints)
        let err = MotionTestSupport.maxPositionError(clip, back)
        #expect(err < Self.positionTolerance, "max world position error \(err)")
        // Deterministic bytes.
        #expect(MotionJSON.bytes(clip, format: .a2m) == MotionJSON.bytes(clip, format: .a2m))
    }

    @Test(arguments: MotionJSONFormat.allCases)
    func streamedFileEqualsInMemoryText(format: MotionJSONFormat) throws {
        // 60 s: over a megabyte, so the 1 MB streaming pieces are exercised.
        let clip = MotionTestSupport.smoothClip(skeleton: .a2mDefault, fps: 30, seconds: 60, seed: 22)
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.json")
        try MotionJSON.write(clip, format: format, to: url)
        let file = try Data(contentsOf: url)
        #expect(file.count > 1 << 20)
        #expect(Array(file) == MotionJSON.bytes(clip, format: format))
        #expect((try? JSONSerialization.jsonObject(with: file)) != nil)
    }

    @Test func a2mLayoutMatchesTheSchemaKeys() throws {
        let clip = try BVHReader.read(MotionTestSupport.fixture("end_sites.bvh")).clip
        let o = try Self.object(MotionJSON.bytes(clip, format: .a2m))
        #expect(Set(o.keys) == ["format", "version", "fps", "frameCount", "units", "upAxis", "skeleton", "rootPositions", "rotations"])
        #expect(o["format"] as? String == "a2m-motion" && o["upAxis"] as? String == "Y" && o["units"] as? String == "centimeters")
        let skeleton = try #require(o["skeleton"] as? [[String: Any]])
        #expect(skeleton.map { $0["name"] as? String } == ["Hips", "Head", "Hand"])
        #expect(skeleton[0]["parent"] is NSNull && skeleton[1]["parent"] as? Int == 0)
        #expect(skeleton[0]["channels"] as? [String] == ["Xposition", "Yposition", "Zposition", "Zrotation", "Xrotation", "Yrotation"])
        #expect((skeleton[1]["endSite"] as? [String: Any])?["name"] as? String == "HeadTop")
        #expect(o["rootPositions"] as? [[Double]] == [[1, 1, 1]])
        // Hand: Yrotation 90 → q = (0, sin 45°, 0, cos 45°).
        let q = try #require((o["rotations"] as? [[[Double]]])?[0][2])
        #expect(abs(q[1] - 0.5.squareRoot()) < 1e-6 && abs(q[3] - 0.5.squareRoot()) < 1e-6 && q[0] == 0 && q[2] == 0)
    }

    @Test func nonRootTranslationsRoundTrip() throws {
        let clip = try BVHReader.read(MotionTestSupport.fixture("nonroot_6channel.bvh")).clip
        let back = try MotionJSON.read(data: Data(MotionJSON.bytes(clip, format: .a2m)), name: "m.json")
        #expect(Array(back.translations.keys) == [1])
        #expect(MotionTestSupport.maxPositionError(clip, back) < Self.positionTolerance)
    }

    @Test func threeJSVariantIsAnAnimationClip() throws {
        let clip = try BVHReader.read(MotionTestSupport.fixture("colon_names.bvh")).clip
        let o = try Self.object(MotionJSON.bytes(clip, format: .threejs))
        // No top-level fps: AnimationClip.parse would divide `times` by it.
        #expect(o["fps"] == nil)
        #expect(o["name"] as? String == "a2m" && o["blendMode"] as? Int == 2500)
        #expect(abs((o["duration"] as? Double ?? 0) - 1.0 / 30) < 1e-9)
        let tracks = try #require(o["tracks"] as? [[String: Any]])
        // Names sanitized like PropertyBinding.sanitizeNodeName: ':' removed.
        #expect(tracks.map { $0["name"] as? String } == ["mixamorigHips.position", "mixamorigHips.quaternion", "mixamorigSpine.quaternion"])
        #expect(tracks.map { $0["type"] as? String } == ["vector", "quaternion", "quaternion"])
        for t in tracks {
            let times = try #require(t["times"] as? [Double])
            #expect(times.count == 2 && times[0] == 0 && abs(times[1] - 1.0 / 30) < 1e-9)
        }
        #expect(tracks[0]["values"] as? [Double] == [1, 2, 3, 1, 2, 3])
        let spine = try #require(tracks[2]["values"] as? [Double])
        // Frame 1: Xrotation 90 → (sin 45°, 0, 0, cos 45°), xyzw flattened.
        #expect(spine.count == 8 && abs(spine[4] - 0.5.squareRoot()) < 1e-6 && abs(spine[7] - 0.5.squareRoot()) < 1e-6)
        let bones = try #require(o["skeleton"] as? [[String: Any]])
        #expect(bones.map { $0["name"] as? String } == ["mixamorigHips", "mixamorigSpine"])
        #expect(bones[1]["position"] as? [Double] == [0, 10, 0])
    }

    @Test func readerRejectsBadDocumentsWithTheField() throws {
        let clip = try BVHReader.read(MotionTestSupport.fixture("end_sites.bvh")).clip
        let good = String(decoding: MotionJSON.bytes(clip, format: .a2m), as: UTF8.self)
        func error(_ text: String) -> MotionJSONError? {
            do { _ = try MotionJSON.read(data: Data(text.utf8), name: "m.json"); return nil } catch let e as MotionJSONError { return e } catch {
                Issue.record("not a MotionJSONError: \(error)"); return nil
            }
        }
        #expect(error(good) == nil)
        #expect(error(good.replacingOccurrences(of: "\"upAxis\"", with: "\"upaxis\""))?.description.contains("unknown key") == true)
        #expect(error(good.replacingOccurrences(of: "\"frameCount\":1", with: "\"frameCount\":2")) ==
                .invalid(file: "m.json", field: "frameCount", reason: "2 but rootPositions has 1 and rotations 1 frames"))
        #expect(error(good.replacingOccurrences(of: "a2m-motion", with: "bvh")) != nil)
        #expect(error(good.replacingOccurrences(of: "\"Zrotation\",\"Xrotation\",\"Yrotation\"]}", with: "\"Zrotation\",\"Xrotation\",\"Xrotation\"]}")) != nil)
        #expect(error(good.replacingOccurrences(of: "\"parent\":0", with: "\"parent\":5")) != nil)
        #expect(error("{") != nil)
        #expect(error(String(decoding: MotionJSON.bytes(clip, format: .threejs), as: UTF8.self)) != nil)
        var nanClip = clip
        nanClip.rootPositions[0].x = .nan
        #expect(throws: MotionJSONError.self) { try MotionJSON.write(nanClip, format: .a2m, to: FileManager.default.temporaryDirectory.appendingPathComponent("never.json")) }
    }
}
