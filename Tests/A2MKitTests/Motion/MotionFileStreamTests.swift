import Testing
import Foundation
@testable import A2MCore
@testable import A2MMotion

/// The stream writers (`BVHStreamWriter`, `MotionJSONStreamWriter`) write, chunk by chunk, the same bytes the
/// whole-clip writers write, and leave nothing behind unless committed.
@Suite struct MotionFileStreamTests {
    /// `clip`'s frames `range` as a chunk.
    static func chunk(_ clip: MotionClip, _ range: Range<Int>) -> MotionClip {
        let J = clip.jointCount
        return MotionClip(skeleton: clip.skeleton, fps: clip.fps, rootPositions: Array(clip.rootPositions[range]),
                          rotations: Array(clip.rotations[range.lowerBound * J..<range.upperBound * J]))
    }

    /// Uneven chunk sizes (1 frame, then growing), as the stitcher's first and later windows give.
    static func pieces(_ n: Int) -> [Range<Int>] {
        var out: [Range<Int>] = [], s = 0, size = 1
        while s < n { out.append(s..<min(n, s + size)); s += size; size = size * 3 + 7 }
        return out
    }

    static func makeWriter(_ kind: String, _ url: URL, _ clip: MotionClip) throws -> any MotionFileStream {
        switch kind {
        case "bvh": return try BVHStreamWriter(url: url, skeleton: clip.skeleton, fps: clip.fps, frameCount: clip.frameCount)
        default: return try MotionJSONStreamWriter(url: url, format: MotionJSONFormat(rawValue: kind)!, skeleton: clip.skeleton,
                                                   fps: clip.fps, frameCount: clip.frameCount)
        }
    }

    static func wholeBytes(_ kind: String, _ clip: MotionClip) throws -> [UInt8] {
        kind == "bvh" ? try BVHWriter.bytes(clip) : MotionJSON.bytes(clip, format: MotionJSONFormat(rawValue: kind)!)
    }

    /// 70 s at 30 fps: several megabytes, so every 1 MB piece boundary and the spool copies are exercised.
    @Test(arguments: ["bvh", "a2m", "threejs"])
    func chunkedFileEqualsWholeClipFile(kind: String) throws {
        let clip = MotionTestSupport.smoothClip(skeleton: .a2mDefault, fps: 30, seconds: 70, seed: 5)
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.\(kind)")
        let w = try Self.makeWriter(kind, url, clip)
        for r in Self.pieces(clip.frameCount) {
            try w.append(Self.chunk(clip, r))
            #expect(!FileManager.default.fileExists(atPath: url.path), "the file appeared before commit")
        }
        try w.commit()
        let file = try Data(contentsOf: url)
        #expect(file.count > 1 << 20)
        #expect(Array(file) == (try Self.wholeBytes(kind, clip)), "\(kind): streamed file differs from the whole-clip file")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["m.\(kind)"], "temporary files left")
    }

    /// A NaN in the second chunk is reported at its place in the whole file, and a discarded (or dropped)
    /// writer leaves no file and no temporary file, while an existing file at the destination survives.
    @Test(arguments: ["bvh", "a2m", "threejs"])
    func badChunkIsNamedAndNothingIsLeft(kind: String) throws {
        var clip = MotionTestSupport.smoothClip(skeleton: .a2mDefault, fps: 30, seconds: 2, seed: 6)
        clip.rotations[40 * clip.jointCount + 3].x = .nan
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.\(kind)")
        try Data("previous".utf8).write(to: url)
        let w = try Self.makeWriter(kind, url, clip)
        try w.append(Self.chunk(clip, 0..<30))
        do {
            try w.append(Self.chunk(clip, 30..<60))
            Issue.record("NaN accepted")
        } catch {
            let text = "\(error)"
            let place = kind == "bvh" ? "\(url.path):\(BVHWriter.headerLineCount(clip.skeleton) + 41):" : "rotations[40][3]"
            #expect(text.contains(url.path) && text.contains(place), "\(text)")
        }
        w.discard()
        var dropped: (any MotionFileStream)? = try Self.makeWriter(kind, url, clip)
        try dropped!.append(Self.chunk(clip, 0..<10))
        dropped = nil
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["m.\(kind)"])
        #expect(try String(contentsOf: url, encoding: .utf8) == "previous")
    }

    /// A file short of its declared frames, or given more, is an error, and nothing is committed.
    @Test(arguments: ["bvh", "a2m", "threejs"])
    func frameCountMustMatchTheDeclaredCount(kind: String) throws {
        let clip = MotionTestSupport.smoothClip(skeleton: .a2mDefault, fps: 30, seconds: 1, seed: 7)
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.\(kind)")
        let short = try Self.makeWriter(kind, url, clip)
        try short.append(Self.chunk(clip, 0..<(clip.frameCount - 1)))
        #expect(throws: OutputError.self) { try short.commit() }
        let long = try Self.makeWriter(kind, url, clip)
        try long.append(clip)
        #expect(throws: OutputError.self) { try long.append(Self.chunk(clip, 0..<1)) }
        long.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    /// A chunk on another skeleton, or with per-joint translations, is an error (not a trap), and nothing is committed.
    @Test(arguments: ["bvh", "a2m", "threejs"])
    func chunkOfAnotherLayoutIsAnError(kind: String) throws {
        let clip = MotionTestSupport.smoothClip(skeleton: .a2mDefault, fps: 30, seconds: 1, seed: 7)
        let dir = try MotionTestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try Self.makeWriter(kind, dir.appendingPathComponent("m.\(kind)"), clip)
        var translated = Self.chunk(clip, 0..<2)
        translated.translations = [1: [SIMD3<Float>(0, 1, 0), SIMD3<Float>(0, 2, 0)]]
        #expect(throws: OutputError.self) { try writer.append(translated) }
        let other = MotionTestSupport.smoothClip(skeleton: try Skeleton(joints: [clip.skeleton.joints[0]]), fps: 30, seconds: 1, seed: 7)
        #expect(throws: OutputError.self) { try writer.append(other) }
        writer.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
