import Foundation
import Testing
@testable import A2MMotion

/// `a2m convert`, run as the built binary (next to the test bundle), against the library.
@Suite struct ConvertCommandTests {
    @Test func bvhToJSONToBVHMatchesTheLibrary() throws {
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = MotionTestSupport.repoRoot.appendingPathComponent("Motions/wave.bvh")
        let json = dir.appendingPathComponent("w.json"), three = dir.appendingPathComponent("w3.json")
        let bvh = dir.appendingPathComponent("w.bvh"), bvh60 = dir.appendingPathComponent("w60.bvh")
        for args in [[src.path, "--to", json.path], [src.path, "--to", three.path, "--json-format", "threejs"],
                     [json.path, "--to", bvh.path, "--quiet"], [src.path, "--to", bvh60.path, "--fps", "60"]] {
            let r = try MotionTestSupport.runA2M(["convert"] + args)
            try #require(r.status == 0, "a2m convert \(args) failed: \(r.stderr)")
        }
        let clip = try BVHReader.read(src).clip
        #expect(Array(try Data(contentsOf: json)) == MotionJSON.bytes(clip, format: .a2m))
        #expect(Array(try Data(contentsOf: three)) == MotionJSON.bytes(clip, format: .threejs))
        #expect(Array(try Data(contentsOf: bvh)) == (try BVHWriter.bytes(MotionJSON.read(json))))
        let resampled = try BVHReader.read(bvh60).clip
        #expect(resampled.fps == 60 && resampled.frameCount == 2 * clip.frameCount)   // the clip keeps its length
        #expect(MotionTestSupport.maxPositionError(try BVHReader.read(bvh).clip, clip) < 1e-3)
    }

    @Test func badInputExitsNonZeroNamingTheLineAndWritesNothing() throws {
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.bvh"), out = dir.appendingPathComponent("out.json")
        try Data("HIERARCHY\nROOT Hips\n{\n  OFFSET 0 0\n}\n".utf8).write(to: bad)
        let r = try MotionTestSupport.runA2M(["convert", bad.path, "--to", out.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("bad.bvh:5: expected a number, found '}'"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let flags = try MotionTestSupport.runA2M(["convert", bad.path, "--to", dir.appendingPathComponent("x.bvh").path, "--json-format", "threejs"])
        #expect(flags.status != 0 && flags.stderr.contains("--json-format applies only to .json output"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["bad.bvh"])
    }
}
