import Testing
import Foundation
@testable import A2MMotion

/// Imports a BVH written by a2m with Blender's own importer (Debian `blender`, run headless) and checks joint
/// count, frame count, fps and the world positions of the head and both wrists at three frames against a2m's
/// forward kinematics, through Tests/A2MKitTests/Fixtures/view/blender_check.py. Blender is not in .ci/run
/// (hundreds of MB); the test runs wherever `blender` is installed and says so when it is skipped.
@Suite struct BlenderCheckTests {
    static let blender: String? = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let p = "\(dir)/blender"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }()
    static let checkedJoints = ["Head", "LeftHand", "RightHand"]

    @Test(.enabled(if: blender != nil, "blender is not installed (apt-get install blender); see docs/viewer.md for a recorded run"))
    func blenderImportMatchesForwardKinematics() throws {
        let (clip, _) = try BVHReader.read(try ViewerFixtures.fixture("wave.bvh"))
        let dir = try ViewerFixtures.tempDir("blender")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bvh = dir.appendingPathComponent("wave_a2m.bvh"), expectedURL = dir.appendingPathComponent("expected.json")
        try BVHWriter.write(clip, to: bvh)

        let n = clip.frameCount, frames = [0, n / 2, n - 1]
        var positions = [String: [[Double]]]()
        for name in Self.checkedJoints {
            let j = try #require(clip.skeleton.index(of: name))
            positions[name] = frames.map { f in let p = clip.worldPositions(frame: f)[j]; return [Double(p.x), Double(p.y), Double(p.z)] }
        }
        let expected: [String: Any] = ["jointCount": clip.jointCount, "frameCount": n, "fps": clip.fps, "frames": frames, "positions": positions]
        try JSONSerialization.data(withJSONObject: expected, options: [.sortedKeys]).write(to: expectedURL)

        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.blender!)
        p.arguments = ["--background", "--factory-startup", "--python-exit-code", "1",
                       "--python", try ViewerFixtures.fixture("blender_check.py").path, "--", bvh.path, expectedURL.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("A2M_BLENDER_CHECK ") }, "no result line; blender said:\n\(text.suffix(3000))")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(line.dropFirst("A2M_BLENDER_CHECK ".count).utf8)) as? [String: Any])
        print("blender check: \(line)")
        #expect(p.terminationStatus == 0)
        #expect((result["failures"] as? [String]) == [], "\(result["failures"] ?? "")")
        #expect(result["jointCount"] as? Int == clip.jointCount)
        #expect(result["frameCount"] as? Int == n)
        let errs = try #require(result["maxError"] as? [String: Double])
        #expect(Set(errs.keys) == Set(Self.checkedJoints))
    }
}
