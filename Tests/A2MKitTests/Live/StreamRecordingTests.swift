import Foundation
import Testing
@testable import A2MCore
@testable import A2MMotion
@testable import A2MLive

/// A recorded `a2m stream` (its JSON lines in a .jsonl file) reads back as the clip that was streamed
/// (`MotionJSONLines`), so `a2m view`, `preview`, `convert` and `retarget` take it; a stream cut mid-line keeps the
/// frames before the cut; every bad line is named.
@Suite struct StreamRecordingTests {
    /// Largest difference of a quaternion component after the round trip: the sink prints each Float in its
    /// shortest round-trip form and the reader normalizes again, which may move the last bit.
    static let rotationTolerance: Float = 1e-6
    /// Offsets pass through the skeleton line's BVH text, which prints them with fixed decimals.
    static let offsetTolerance: Float = 1e-4

    /// A clip of the default skeleton with every joint turning and the root moving, and its JSON lines.
    static func recording(frames: Int = 12) throws -> (clip: MotionClip, text: Data) {
        let s = Skeleton.a2mDefault
        var clip = MotionClip(restPoseOf: s, fps: 30, frames: frames)
        var rng = PCG32(seed: 9, stream: 1)
        for f in 0..<frames {
            clip.rootPositions[f] = SIMD3(Float(f) * 0.5, 95 + Float(f % 3), -Float(f) * 0.25)
            for j in 0..<s.jointCount {
                let v = SIMD4<Float>(rng.uniformFloat() - 0.5, rng.uniformFloat() - 0.5, rng.uniformFloat() - 0.5, 1)
                clip.rotations[f * s.jointCount + j] = v / (v * v).sum().squareRoot()
            }
        }
        var text = Data()
        let sink = JSONLinesSink(write: { text.append($0) })
        try sink.start(skeleton: s, fps: 30)
        // In two chunks, as the live session sends them.
        let k = frames / 2
        try sink.send(MotionClip(skeleton: s, fps: 30, rootPositions: Array(clip.rootPositions[..<k]),
                                 rotations: Array(clip.rotations[..<(k * s.jointCount)])), first: 0)
        try sink.send(MotionClip(skeleton: s, fps: 30, rootPositions: Array(clip.rootPositions[k...]),
                                 rotations: Array(clip.rotations[(k * s.jointCount)...])), first: k)
        try sink.finish()
        return (clip, text)
    }

    /// Largest component difference between two clips' rotations, sign-aligned per quaternion.
    static func largestRotationDifference(_ a: MotionClip, _ b: MotionClip) -> Float {
        zip(a.rotations, b.rotations).map { p, q in
            let d = (p * q).sum() < 0 ? p + q : p - q
            return Swift.max(Swift.max(Swift.abs(d.x), Swift.abs(d.y)), Swift.max(Swift.abs(d.z), Swift.abs(d.w)))
        }.max() ?? 0
    }

    @Test func recordedStreamReadsBackAsTheStreamedClip() throws {
        let (clip, text) = try Self.recording()
        let (back, unit, warnings) = try MotionJSONLines.read(data: text, name: "rec.jsonl")
        #expect(warnings.isEmpty && unit == .cm && back.fps == 30)
        try #require(back.frameCount == clip.frameCount && back.jointCount == clip.jointCount)
        #expect(back.skeleton.joints.map(\.name) == clip.skeleton.joints.map(\.name))
        #expect(back.skeleton.joints.map(\.parent) == clip.skeleton.joints.map(\.parent))
        #expect(back.skeleton.joints.map(\.rotationOrder) == clip.skeleton.joints.map(\.rotationOrder))
        #expect(back.skeleton.joints.map { $0.endSite != nil } == clip.skeleton.joints.map { $0.endSite != nil })
        let offsets = zip(back.skeleton.joints, clip.skeleton.joints).map { a, b -> Float in
            let d = a.offset - b.offset
            return Swift.max(Swift.abs(d.x), Swift.max(Swift.abs(d.y), Swift.abs(d.z)))
        }.max() ?? 0
        #expect(offsets <= Self.offsetTolerance, "largest offset difference \(offsets) cm")
        #expect(back.rootPositions == clip.rootPositions)
        let worst = Self.largestRotationDifference(back, clip)
        #expect(worst <= Self.rotationTolerance, "largest rotation component difference \(worst)")
    }

    @Test func aStreamCutMidLineKeepsTheFramesBeforeTheCut() throws {
        let (clip, text) = try Self.recording()
        let cut = text.prefix(text.count - 40)
        let (back, _, warnings) = try MotionJSONLines.read(data: Data(cut), name: "cut.jsonl")
        #expect(back.frameCount == clip.frameCount - 1)
        #expect(warnings.count == 1 && warnings[0].contains("line 13 is incomplete"), "\(warnings)")
        // Cut right after a newline: every line whole, nothing to warn about.
        let newlines = text.indices.filter { text[$0] == UInt8(ascii: "\n") }
        let whole = Data(text.prefix(through: newlines[newlines.count - 2]))
        let r = try MotionJSONLines.read(data: whole, name: "whole.jsonl")
        #expect(r.clip.frameCount == clip.frameCount - 1 && r.warnings.isEmpty)
    }

    /// Each bad recording gives one error naming the line and field.
    @Test func badLinesAreNamed() throws {
        let (_, text) = try Self.recording(frames: 3)
        let lines = String(decoding: text, as: UTF8.self).split(separator: "\n").map(String.init)
        let header = lines[0], frame0 = lines[1], frame1 = lines[2]
        let oldHeader = try #require(header.range(of: ",\"bvh\":")).lowerBound
        var frame = try #require(try JSONSerialization.jsonObject(with: Data(frame0.utf8)) as? [String: Any])
        frame["rotations"] = (frame["rotations"] as? [[Double]])?.dropLast().map { $0 }
        let shortFrame = String(decoding: try JSONSerialization.data(withJSONObject: frame), as: UTF8.self)
        let cases: [(name: String, text: String, expected: String)] = [
            ("empty", "", "empty"),
            ("frame first", frame0 + "\n", "line 1"),
            ("header of a stream without offsets", String(header[..<oldHeader]) + "}\n" + frame0 + "\n", "line 1: bvh"),
            ("no frame", header + "\n", "no frame"),
            ("frames out of order", header + "\n" + frame1 + "\n", "line 2: frame"),
            ("a frame twice", [header, frame0, frame0].joined(separator: "\n") + "\n", "line 3: frame"),
            ("a broken line before the end", [header, String(frame0.prefix(30)), frame1].joined(separator: "\n") + "\n", "line 2"),
            ("a non-finite number", header + "\n" + frame0.replacingOccurrences(of: "\"root\":[", with: "\"root\":[null,") + "\n", "line 2"),
            ("one joint short", header + "\n" + shortFrame + "\n", "line 2: rotations"),
            ("an empty line", [header, "", frame0].joined(separator: "\n") + "\n", "line 2"),
            ("units not a2m's", header.replacingOccurrences(of: "\"units\":\"cm\"", with: "\"units\":\"furlong\"") + "\n" + frame0 + "\n", "line 1: units"),
        ]
        for c in cases {
            #expect(throws: MotionJSONError.self, "\(c.name)") { try MotionJSONLines.read(data: Data(c.text.utf8), name: "bad.jsonl") }
            do {
                _ = try MotionJSONLines.read(data: Data(c.text.utf8), name: "bad.jsonl")
            } catch {
                #expect("\(error)".hasPrefix("bad.jsonl") && "\(error)".contains(c.expected), "\(c.name): \(error)")
            }
        }
    }

    /// The command line: a recorded stream converts to BVH with every frame, and opens in the viewer.
    @Test func aRecordedStreamConvertsAndViews() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TinyModel.write(to: dir)
        let wav = try TinyModel.wav(in: dir, name: "talk.wav", seconds: 2)
        let r = try StreamCommandTests.stream([wav.path, "--model", model.path, "--quiet"])
        try #require(r.status == 0, "a2m stream failed: \(r.stderr)")
        let recording = dir.appendingPathComponent("talk.jsonl")
        try Data(r.stdout.utf8).write(to: recording)
        let bvh = dir.appendingPathComponent("talk.bvh")
        let convert = try MotionTestSupport.runA2M(["convert", recording.path, "--to", bvh.path, "--quiet"])
        try #require(convert.status == 0, "a2m convert failed: \(convert.stderr)")
        let clip = try BVHReader.read(bvh).clip
        #expect(clip.frameCount == r.stdout.split(separator: "\n").count - 1 && clip.jointCount == Skeleton.a2mBody.jointCount)
        let html = dir.appendingPathComponent("talk.html")
        let view = try MotionTestSupport.runA2M(["view", recording.path, "--audio", wav.path, "--out", html.path])
        #expect(view.status == 0 && FileManager.default.fileExists(atPath: html.path), "a2m view failed: \(view.stderr)")
    }
}
