import A2MCore
import Foundation

/// Writes BVH files every importer reads the same way (docs/design.md §6):
/// - only the root (and non-root joints with per-frame translations, which are rare and come only from
///   such source files) get position channels, and those joints are written with OFFSET 0 0 0, so the
///   "position replaces OFFSET" (Blender, bvhio) and "position adds to OFFSET" (three.js) rules agree;
/// - every joint keeps its own rotation order; Euler angles are unwrapped frame to frame (±360°) so
///   curves stay continuous;
/// - Frame Time with 10 significant digits; values in fixed point with up to 5 decimals (trailing zeros
///   dropped): each Euler angle is off by ≤ 5e-6°, so a rotation by ≤ 1.5e-5° plus the Float storage
///   error (~1e-5°), inside the 1e-4° round-trip budget; 5 rather than 6 decimals keeps that Float noise
///   from showing up as "-75.000002";
/// - LF line ends, tabs for indentation, `End Site` without a name (end-site names live in JSON);
/// - written through `AtomicFile`, streamed in 1 MB pieces.
public enum BVHWriter {
    public static func write(_ clip: MotionClip, to url: URL) throws {
        try validate(clip, file: url.path)
        try AtomicFile.write(to: url) { handle in
            try emit(clip) { chunk in try handle.write(contentsOf: chunk) }
        }
    }

    /// The whole file as bytes (tests, small clips).
    public static func bytes(_ clip: MotionClip) throws -> [UInt8] {
        try validate(clip, file: "<memory>")
        var all: [UInt8] = []
        try emit(clip) { all += $0 }
        return all
    }

    /// Checks what the file would hold; `firstFrame` is the clip's first frame in the file (for the line
    /// numbers of a chunk written by `BVHStreamWriter`).
    static func validate(_ clip: MotionClip, file: String, firstFrame: Int = 0) throws {
        let lineOfFirstFrame = headerLineCount(clip.skeleton) + 1 + firstFrame
        for (f, p) in clip.rootPositions.enumerated() where !(p.x.isFinite && p.y.isFinite && p.z.isFinite) {
            throw BVHError.nonFinite(file: file, line: lineOfFirstFrame + f, text: "root position \(p)")
        }
        for (i, q) in clip.rotations.enumerated() where !(q.x.isFinite && q.y.isFinite && q.z.isFinite && q.w.isFinite) {
            throw BVHError.nonFinite(file: file, line: lineOfFirstFrame + i / clip.jointCount,
                                     text: "rotation of joint '\(clip.skeleton.joints[i % clip.jointCount].name)' \(q)")
        }
        for (j, track) in clip.translations {
            for (f, p) in track.enumerated() where !(p.x.isFinite && p.y.isFinite && p.z.isFinite) {
                throw BVHError.nonFinite(file: file, line: lineOfFirstFrame + f,
                                         text: "translation of joint '\(clip.skeleton.joints[j].name)' \(p)")
            }
        }
        guard clip.fps > 0, clip.fps.isFinite else {
            throw BVHError.invalidFrameTime(file: file, line: lineOfFirstFrame - 1, value: "1/\(clip.fps)")
        }
    }

    /// Which joints are written with position channels.
    static func positioned(_ clip: MotionClip) -> [Bool] {
        (0..<clip.jointCount).map { $0 == 0 || clip.translations[$0] != nil }
    }

    static func headerLineCount(_ s: Skeleton) -> Int {
        // HIERARCHY + per joint (name, {, OFFSET, CHANNELS, }) + per end site 4 lines + MOTION, Frames, Frame Time.
        1 + s.jointCount * 5 + s.endSiteJoints.count * 4 + 3
    }

    static func emit(_ clip: MotionClip, flush: ([UInt8]) throws -> Void) throws {
        var out = header(clip.skeleton, positioned: positioned(clip), frameCount: clip.frameCount, fps: clip.fps)
        out.reserveCapacity(1 << 20 + 4096)
        var frames = FrameEncoder(skeleton: clip.skeleton, positioned: positioned(clip))
        try frames.encode(clip, into: &out, flush: flush)
        if !out.isEmpty { try flush(out) }
    }

    /// HIERARCHY and the MOTION header lines, up to the first frame.
    static func header(_ s: Skeleton, positioned pos: [Bool], frameCount: Int, fps: Double) -> [UInt8] {
        var out: [UInt8] = []
        func text(_ t: String) { out.append(contentsOf: Array(t.utf8)) }
        // Indentation is capped: one tab per level made a 10,000-deep chain (819 KB) a 250 MB file. Readers
        // (Blender, bvhio, three.js, a2m) go by the braces, not the indentation.
        func tabs(_ n: Int) { out.append(contentsOf: repeatElement(9, count: min(n, BVHWriter.maxIndent))) }

        // Depth of each joint, and children lists, to write the nested blocks in file order.
        var depth = [Int](repeating: 0, count: s.jointCount)
        for j in 1..<max(1, s.jointCount) { depth[j] = depth[s.joints[j].parent!] + 1 }
        text("HIERARCHY\n")
        var open: [Int] = []
        for j in 0..<s.jointCount {
            while let top = open.last, top != s.joints[j].parent ?? -1 {
                tabs(depth[top]); text("}\n")
                open.removeLast()
            }
            let joint = s.joints[j]
            tabs(depth[j]); text((j == 0 ? "ROOT " : "JOINT ") + joint.name + "\n")
            tabs(depth[j]); text("{\n")
            tabs(depth[j] + 1); text("OFFSET ")
            let o: SIMD3<Float> = pos[j] ? .zero : joint.offset
            appendFixed(Double(o.x), &out); text(" "); appendFixed(Double(o.y), &out); text(" "); appendFixed(Double(o.z), &out); text("\n")
            var channels = joint.channels
            if pos[j] && !joint.hasPosition { channels = ["Xposition", "Yposition", "Zposition"] + channels }
            if !pos[j] && joint.hasPosition { channels.removeFirst(3) }
            tabs(depth[j] + 1); text("CHANNELS \(channels.count)" + channels.map { " " + $0 }.joined() + "\n")
            if let e = joint.endSite {
                tabs(depth[j] + 1); text("End Site\n")
                tabs(depth[j] + 1); text("{\n")
                tabs(depth[j] + 2); text("OFFSET ")
                appendFixed(Double(e.offset.x), &out); text(" "); appendFixed(Double(e.offset.y), &out); text(" "); appendFixed(Double(e.offset.z), &out); text("\n")
                tabs(depth[j] + 1); text("}\n")
            }
            open.append(j)
        }
        while let top = open.popLast() { tabs(depth[top]); text("}\n") }
        text("MOTION\nFrames: \(frameCount)\nFrame Time: \(String(format: "%.10g", 1 / fps))\n")
        return out
    }

    /// Formats frame lines, one clip or chunk after another; carries the Euler unwrapping from frame to
    /// frame across chunks.
    struct FrameEncoder {
        let skeleton: Skeleton
        let positioned: [Bool]
        private var previous: [SIMD3<Double>]
        private var started = false
        /// One frame line is formatted into this buffer through a pointer, then appended in one go.
        private var line: [UInt8]

        init(skeleton s: Skeleton, positioned pos: [Bool]) {
            skeleton = s
            positioned = pos
            previous = [SIMD3<Double>](repeating: .zero, count: s.jointCount)
            let perFrame = s.joints.indices.reduce(0) { $0 + (pos[$1] ? 3 : 0) + (s.joints[$1].rotationOrder == nil ? 0 : 3) }
            line = [UInt8](repeating: 0, count: perFrame * maxFixedLength + 1)
        }

        /// Appends every frame of `clip` to `out`, handing `out` to `flush` (and emptying it) at each full megabyte.
        mutating func encode(_ clip: MotionClip, into out: inout [UInt8], flush: ([UInt8]) throws -> Void) throws {
            let s = skeleton, pos = positioned
            for f in 0..<clip.frameCount {
                let unwrap = started
                started = true
                let n = line.withUnsafeMutableBufferPointer { buf -> Int in
                    let p = buf.baseAddress!
                    var n = 0
                    func value(_ v: Double) {
                        if n > 0 { p[n] = 32; n += 1 }
                        n += writeFixed(v, p + n)
                    }
                    for j in 0..<s.jointCount {
                        if pos[j] {
                            let t = clip.localTranslation(frame: f, joint: j)
                            value(Double(t.x)); value(Double(t.y)); value(Double(t.z))
                        }
                        guard let order = s.joints[j].rotationOrder else { continue }
                        var e = Rotation.eulerDegrees(clip.rotationMatrix(frame: f, joint: j), order: order)
                        if unwrap {
                            // Unwrap each angle to within 180° of the previous frame's.
                            e -= 360 * ((e - previous[j]) / 360).rounded(.toNearestOrAwayFromZero)
                        }
                        previous[j] = e
                        value(e.x); value(e.y); value(e.z)
                    }
                    p[n] = 10
                    return n + 1
                }
                out.append(contentsOf: line[0..<n])
                if out.count >= 1 << 20 {
                    try flush(out)
                    out.removeAll(keepingCapacity: true)
                }
            }
        }
    }

    /// Deepest indentation written, in tabs (deeper joints are written at this depth).
    public static let maxIndent = 16

    /// Longest text `writeFixed` produces ("-1.7976931348623157e+308").
    static let maxFixedLength = 25

    static func appendFixed(_ v: Double, _ out: inout [UInt8]) {
        var tmp = [UInt8](repeating: 0, count: maxFixedLength)
        let n = tmp.withUnsafeMutableBufferPointer { writeFixed(v, $0.baseAddress!) }
        out.append(contentsOf: tmp[0..<n])
    }

    /// Fixed point with up to 5 decimals, trailing zeros dropped, no "-0", written at `p`; returns the
    /// byte count (≤ `maxFixedLength`). Values too large for the fixed path (|v| ≥ 9e10) fall back to
    /// Swift's shortest round-trip form, which the reader also accepts.
    @inline(__always) static func writeFixed(_ v: Double, _ p: UnsafeMutablePointer<UInt8>) -> Int {
        let scaled = (v * 1e5).rounded()
        guard abs(scaled) < 9e15 else {
            let bytes = Array(String(v).utf8.prefix(maxFixedLength))
            for (i, b) in bytes.enumerated() { p[i] = b }
            return bytes.count
        }
        var a = Int64(scaled)
        if a == 0 { p[0] = 48; return 1 }
        var n = 0
        if a < 0 { p[0] = 45; n = 1; a = -a }
        var intPart = a / 100_000
        var frac = a % 100_000
        var intDigits = 1
        var t = intPart
        while t >= 10 { t /= 10; intDigits += 1 }
        var i = n + intDigits - 1
        repeat { p[i] = UInt8(truncatingIfNeeded: 48 + intPart % 10); intPart /= 10; i -= 1 } while intPart > 0
        n += intDigits
        guard frac != 0 else { return n }
        var width = 5
        while frac % 10 == 0 { frac /= 10; width -= 1 }
        p[n] = 46
        i = n + width
        for _ in 0..<width { p[i] = UInt8(truncatingIfNeeded: 48 + frac % 10); frac /= 10; i -= 1 }
        return n + 1 + width
    }
}

/// A BVH file written chunk by chunk as generation finishes frames (`MotionFileStream`), byte-identical to
/// `BVHWriter.write` of the whole clip (tested): the frame count is known before the first frame, so the
/// header goes out first and each chunk's lines follow. Holds at most one megabyte of text. The file appears
/// at `url` only on `commit`, after every declared frame was appended.
public final class BVHStreamWriter: MotionFileStream {
    public let url: URL
    public let frameCount: Int
    private let file: AtomicFileWriter
    private var encoder: BVHWriter.FrameEncoder
    private var out: [UInt8]
    private var written = 0

    /// Generated motion has no per-frame translations below the root, so only the root is positioned.
    public init(url: URL, skeleton: Skeleton, fps: Double, frameCount: Int) throws {
        guard fps > 0, fps.isFinite else {
            throw BVHError.invalidFrameTime(file: url.path, line: BVHWriter.headerLineCount(skeleton), value: "1/\(fps)")
        }
        self.url = url
        self.frameCount = frameCount
        let pos = (0..<skeleton.jointCount).map { $0 == 0 }
        encoder = BVHWriter.FrameEncoder(skeleton: skeleton, positioned: pos)
        out = BVHWriter.header(skeleton, positioned: pos, frameCount: frameCount, fps: fps)
        out.reserveCapacity(1 << 20 + 4096)
        file = try AtomicFileWriter(url)
    }

    public func append(_ chunk: MotionClip) throws {
        guard chunk.translations.isEmpty && chunk.skeleton == encoder.skeleton else {
            throw OutputError.cannotWrite(path: url.path, reason: "a chunk with per-joint translations or another skeleton than the stream's")
        }
        guard written + chunk.frameCount <= frameCount else {
            throw OutputError.cannotWrite(path: url.path, reason: "more than the \(frameCount) declared frames")
        }
        try BVHWriter.validate(chunk, file: url.path, firstFrame: written)
        let file = file
        try encoder.encode(chunk, into: &out) { try file.write($0) }
        written += chunk.frameCount
    }

    public func commit() throws {
        // A thrown error, not a precondition: a caller that stops early gets an error it can report, and a short file is never committed.
        guard written == frameCount else {
            file.discard()
            throw OutputError.cannotWrite(path: url.path, reason: "\(written) of the \(frameCount) declared frames were written")
        }
        if !out.isEmpty { try file.write(out); out = [] }
        try file.commit()
    }

    public func discard() { file.discard() }
}

/// A motion file that generation fills chunk by chunk (frames in order), and that appears at its
/// destination only when `commit`ted; `discard` leaves nothing behind.
public protocol MotionFileStream: AnyObject {
    func append(_ chunk: MotionClip) throws
    func commit() throws
    func discard()
}
