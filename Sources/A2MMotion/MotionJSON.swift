import A2MCore
import Foundation

/// Which JSON layout `MotionJSON.write` produces (docs/formats.md, docs/a2m-motion.schema.json).
public enum MotionJSONFormat: String, CaseIterable, Sendable, Codable {
    /// Self-describing a2m layout: skeleton + root positions + per-joint quaternions per frame.
    case a2m
    /// three.js `AnimationClip.toJSON`-compatible: `THREE.AnimationClip.parse(json)` loads it as is;
    /// `skeleton` lists the bones to build.
    case threejs
}

public enum MotionJSONError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    case invalid(file: String, field: String, reason: String)
    /// A three.js AnimationClip JSON (`--json-format threejs`), which a2m writes but does not read.
    case threeJS(file: String)

    public var description: String {
        switch self {
        case let .unreadable(f, r): return "\(f): cannot read motion JSON: \(r)"
        case let .invalid(f, field, r): return "\(f): field '\(field)': \(r)"
        case let .threeJS(f):
            return "\(f): this is a three.js AnimationClip JSON (--json-format threejs), which a2m writes for renderers but does not read; "
                + "use the a2m format instead (--json-format a2m, the default) or the BVH"
        }
    }
}

extension MotionJSONError {
    /// A strict decoder's error as a motion reader's, naming the same field; within `line` of a JSON-lines file the
    /// field is prefixed with the line ("line 3: rotations"), and unreadable JSON names the line.
    init(_ e: ConfigError, file: String, line: Int? = nil) {
        let at = { (field: String) in line.map { "line \($0)" + (field.isEmpty ? "" : ": " + field) } ?? field }
        switch e {
        case let .invalid(_, field, reason): self = .invalid(file: file, field: at(field), reason: reason)
        case let .outOfRange(_, field, value, expected): self = .invalid(file: file, field: at(field), reason: "\(value), expected \(expected)")
        case let .unknownKey(_, path, key, allowed):
            self = .invalid(file: file, field: at(path.isEmpty ? key : path + "." + key),
                            reason: "unknown key; expected one of: \(allowed.sorted().joined(separator: ", "))")
        case let .unreadable(_, reason): self = line == nil ? .unreadable(file: file, reason: reason) : .invalid(file: file, field: at(""), reason: reason)
        }
    }
}

/// JSON export of clips (both formats) and import of the a2m format.
///
/// Numbers are written in Swift's shortest round-trip form of each Float, so reading back gives the
/// same Float bits; output is deterministic (keys in fixed order, translations by joint index).
public enum MotionJSON {
    static let formatName = "a2m-motion"
    static let threeJSFormatName = "a2m-threejs"
    public static let version = 1
    /// Units a2m can label a file with; a2m never rescales, the label says what the skeleton uses.
    static let knownUnits = ["centimeters", "meters", "millimeters", "inches", "unknown"]

    public static func write(_ clip: MotionClip, format: MotionJSONFormat, to url: URL, units: String = "centimeters") throws {
        try validate(clip, file: url.path)
        // Streamed in 1 MB pieces, so a long clip is never held as text.
        try AtomicFile.write(to: url) { handle in
            var w = JSONTextWriter(sink: { try handle.write(contentsOf: $0) })
            try emit(clip, format: format, units: units, &w)
            try w.finish()
        }
    }

    static func emit(_ clip: MotionClip, format: MotionJSONFormat, units: String, _ w: inout JSONTextWriter) throws {
        switch format {
        case .a2m: try writeA2M(clip, units: units, &w)
        case .threejs: try writeThreeJS(clip, units: units, &w)
        }
        w.raw("\n")
    }

    /// The JSON text as bytes (checks nothing; `write` validates first).
    public static func bytes(_ clip: MotionClip, format: MotionJSONFormat, units: String = "centimeters") -> [UInt8] {
        var w = JSONTextWriter()
        // Without a sink nothing throws.
        try? emit(clip, format: format, units: units, &w)
        return w.out
    }

    static func validate(_ clip: MotionClip, file: String) throws {
        guard clip.fps > 0, clip.fps.isFinite else { throw MotionJSONError.invalid(file: file, field: "fps", reason: "must be positive, got \(clip.fps)") }
        if let i = clip.rootPositions.firstIndex(where: { !($0.x.isFinite && $0.y.isFinite && $0.z.isFinite) }) {
            throw MotionJSONError.invalid(file: file, field: "rootPositions[\(i)]", reason: "not finite")
        }
        if let i = clip.rotations.firstIndex(where: { !($0.x.isFinite && $0.y.isFinite && $0.z.isFinite && $0.w.isFinite) }) {
            throw MotionJSONError.invalid(file: file, field: "rotations[\(i / clip.jointCount)][\(i % clip.jointCount)]", reason: "not finite")
        }
        for (j, t) in clip.translations where t.contains(where: { !($0.x.isFinite && $0.y.isFinite && $0.z.isFinite) }) {
            throw MotionJSONError.invalid(file: file, field: "translations.\(clip.skeleton.joints[j].name)", reason: "not finite")
        }
    }

    /// Channel names of joint `j` as the a2m JSON lists them (the BVH writer's layout).
    static func channels(_ clip: MotionClip, _ j: Int) -> [String] {
        channels(clip.skeleton, j, positioned: j == 0 || clip.translations[j] != nil)
    }

    static func channels(_ s: Skeleton, _ j: Int, positioned: Bool) -> [String] {
        let joint = s.joints[j]
        var c = joint.channels
        if positioned && !joint.hasPosition { c = ["Xposition", "Yposition", "Zposition"] + c }
        if !positioned && joint.hasPosition { c.removeFirst(3) }
        return c
    }

    // MARK: a2m

    static func writeA2M(_ clip: MotionClip, units: String, _ w: inout JSONTextWriter) throws {
        a2mHeader(clip.skeleton, translated: Set(clip.translations.keys), fps: clip.fps, frameCount: clip.frameCount, units: units, &w)
        for f in 0..<clip.frameCount {
            if f > 0 { w.raw(",") }
            w.vector(clip.rootPositions[f])
            try w.checkpoint()
        }
        w.raw("],\n\"rotations\":[")
        for f in 0..<clip.frameCount {
            a2mRotations(clip, frame: f, first: f == 0, &w)
            try w.checkpoint()
        }
        w.raw("]")
        if !clip.translations.isEmpty {
            w.raw(",\n\"translations\":{")
            for (k, j) in clip.translations.keys.sorted().enumerated() {
                if k > 0 { w.raw(",") }
                w.string(clip.skeleton.joints[j].name); w.raw(":[")
                for (f, t) in clip.translations[j]!.enumerated() { if f > 0 { w.raw(",") }; w.vector(t) }
                w.raw("]")
            }
            w.raw("}")
        }
        w.raw("}")
    }

    /// The a2m layout up to the first root position: format fields, skeleton, `"rootPositions":[`.
    /// `translated`: joints with per-frame translations (positioned, OFFSET 0).
    static func a2mHeader(_ s: Skeleton, translated: Set<Int>, fps: Double, frameCount: Int, units: String, _ w: inout JSONTextWriter) {
        w.raw("{\"format\":"); w.string(formatName)
        w.raw(",\"version\":\(version),\"fps\":"); w.number(fps)
        w.raw(",\"frameCount\":\(frameCount),\"units\":"); w.string(units)
        w.raw(",\"upAxis\":\"Y\",\n\"skeleton\":[")
        for (j, joint) in s.joints.enumerated() {
            w.raw(j == 0 ? "\n" : ",\n")
            w.raw("{\"name\":"); w.string(joint.name)
            w.raw(",\"parent\":"); w.raw(joint.parent.map(String.init) ?? "null")
            w.raw(",\"offset\":"); w.vector(j == 0 || translated.contains(j) ? .zero : joint.offset)
            w.raw(",\"channels\":[")
            for (k, c) in channels(s, j, positioned: j == 0 || translated.contains(j)).enumerated() { if k > 0 { w.raw(",") }; w.string(c) }
            w.raw("]")
            if let e = joint.endSite {
                w.raw(",\"endSite\":{\"name\":")
                if let n = e.name { w.string(n) } else { w.raw("null") }
                w.raw(",\"offset\":"); w.vector(e.offset); w.raw("}")
            }
            w.raw("}")
        }
        w.raw("],\n\"rootPositions\":[")
    }

    /// One frame of the a2m `rotations` array: `[[x,y,z,w],...]`, preceded by "\n" or ",\n".
    static func a2mRotations(_ clip: MotionClip, frame f: Int, first: Bool, _ w: inout JSONTextWriter) {
        w.raw(first ? "\n[" : ",\n[")
        for j in 0..<clip.jointCount {
            if j > 0 { w.raw(",") }
            let q = clip.rotation(frame: f, joint: j)
            w.raw("["); w.float(q.x); w.raw(","); w.float(q.y); w.raw(","); w.float(q.z); w.raw(","); w.float(q.w); w.raw("]")
        }
        w.raw("]")
    }

    // MARK: three.js

    /// three.js `PropertyBinding.sanitizeNodeName`: whitespace → '_', reserved `[ ] . : /` removed.
    /// Duplicates after sanitizing get "_<joint index>" appended so every track binds to one bone.
    static func threeJSNames(_ s: Skeleton) -> [String] {
        var seen = Set<String>()
        return s.joints.enumerated().map { (j, joint) in
            var n = String(joint.name.map { $0.isWhitespace ? "_" : $0 }.filter { !"[].:/".contains($0) })
            if n.isEmpty || !seen.insert(n).inserted {
                n += "_\(j)"
                seen.insert(n)
            }
            return n
        }
    }

    static func writeThreeJS(_ clip: MotionClip, units: String, _ w: inout JSONTextWriter) throws {
        let s = clip.skeleton
        let names = threeJSNames(s)
        threeJSHeader(s, fps: clip.fps, frameCount: clip.frameCount, units: units,
                      positions: (0..<s.jointCount).map { j in
                          j == 0 ? clip.rootPositions.first ?? s.joints[j].offset : (clip.translations[j]?.first ?? s.joints[j].offset)
                      }, &w)
        let times = threeJSTimes(frameCount: clip.frameCount, fps: clip.fps)
        var firstTrack = true
        func track(_ name: String, _ type: String, _ values: (inout JSONTextWriter) throws -> Void) throws {
            threeJSTrackStart(name, type, times: times, first: firstTrack, &w)
            firstTrack = false
            try w.checkpoint()
            try values(&w)
            w.raw("]}")
        }
        func vectorTrack(_ v: [SIMD3<Float>]) -> (inout JSONTextWriter) throws -> Void {
            { w in
                for (f, p) in v.enumerated() {
                    threeJSValue(p, first: f == 0, &w)
                    try w.checkpoint()
                }
            }
        }
        try track(names[0] + ".position", "vector", vectorTrack(clip.rootPositions))
        for j in clip.translations.keys.sorted() { try track(names[j] + ".position", "vector", vectorTrack(clip.translations[j]!)) }
        for j in 0..<clip.jointCount {
            try track(names[j] + ".quaternion", "quaternion") { w in
                for f in 0..<clip.frameCount {
                    threeJSValue(clip.rotation(frame: f, joint: j), first: f == 0, &w)
                    try w.checkpoint()
                }
            }
        }
        w.raw("]}")
    }

    /// The three.js layout up to the first track: clip fields, the a2m extras, the skeleton (bone `j` at
    /// `positions[j]`), `"tracks":[`.
    static func threeJSHeader(_ s: Skeleton, fps: Double, frameCount: Int, units: String, positions: [SIMD3<Float>],
                              _ w: inout JSONTextWriter) {
        let names = threeJSNames(s)
        // Top-level keys are those of AnimationClip.toJSON. There must be no top-level "fps": parse()
        // would then treat `times` as frame numbers and divide them by it. a2m's extras go under "a2m".
        w.raw("{\"name\":\"a2m\",\"duration\":"); w.number(frameCount > 1 ? Double(frameCount - 1) / fps : 0)
        w.raw(",\"blendMode\":2500,\n\"a2m\":{\"format\":"); w.string(threeJSFormatName)
        w.raw(",\"version\":\(version),\"fps\":"); w.number(fps)
        w.raw(",\"frameCount\":\(frameCount),\"units\":"); w.string(units); w.raw(",\"upAxis\":\"Y\"},\n\"skeleton\":[")
        for (j, joint) in s.joints.enumerated() {
            w.raw(j == 0 ? "\n" : ",\n")
            w.raw("{\"name\":"); w.string(names[j])
            w.raw(",\"parent\":"); w.raw(joint.parent.map(String.init) ?? "null")
            w.raw(",\"position\":"); w.vector(positions[j])
            if let e = joint.endSite {
                w.raw(",\"endSite\":"); w.vector(e.offset)
            }
            w.raw("}")
        }
        w.raw("],\n\"tracks\":[")
    }

    /// The `times` array's text: frame f at f / fps seconds.
    static func threeJSTimes(frameCount: Int, fps: Double) -> [UInt8] {
        var times = JSONTextWriter()
        for f in 0..<frameCount {
            if f > 0 { times.raw(",") }
            times.number(Double(f) / fps)
        }
        return times.out
    }

    /// A track up to its first value: `{"name":…,"type":…,"times":[…],"values":[`.
    static func threeJSTrackStart(_ name: String, _ type: String, times: [UInt8], first: Bool, _ w: inout JSONTextWriter) {
        w.raw(first ? "\n" : ",\n")
        w.raw("{\"name\":"); w.string(name)
        w.raw(",\"type\":\"\(type)\",\"times\":["); w.out += times
        w.raw("],\"values\":[")
    }

    static func threeJSValue(_ p: SIMD3<Float>, first: Bool, _ w: inout JSONTextWriter) {
        if !first { w.raw(",") }
        w.float(p.x); w.raw(","); w.float(p.y); w.raw(","); w.float(p.z)
    }

    static func threeJSValue(_ q: SIMD4<Float>, first: Bool, _ w: inout JSONTextWriter) {
        if !first { w.raw(",") }
        w.float(q.x); w.raw(","); w.float(q.y); w.raw(","); w.float(q.z); w.raw(","); w.float(q.w)
    }
}

/// A motion JSON file (either layout) written chunk by chunk as generation finishes frames
/// (`MotionFileStream`), byte-identical to `MotionJSON.write` of the whole clip (tested).
///
/// Neither layout is frame by frame: a2m lists all root positions before all rotations, and three.js
/// writes one track per joint. So the writer keeps the root positions (12 bytes a frame) and spools the
/// rest as text into anonymous temporary files (`tmpfile`: deleted when closed, or when the process ends
/// however it ends), one for a2m's rotations, one per track for three.js; `commit` assembles the file from
/// them. Memory: the root positions and a small buffer per spool file.
public final class MotionJSONStreamWriter: MotionFileStream {
    public let url: URL
    public let format: MotionJSONFormat
    public let skeleton: Skeleton
    public let fps: Double
    public let frameCount: Int
    let units: String
    private var roots: [SIMD3<Float>] = []
    /// a2m: [rotations]; three.js: the quaternion track of every joint (the root position track is written
    /// from `roots` at commit).
    private var spools: [SpoolFile] = []
    private var written = 0

    public init(url: URL, format: MotionJSONFormat, skeleton: Skeleton, fps: Double, frameCount: Int,
                units: String = "centimeters") throws {
        guard fps > 0, fps.isFinite else { throw MotionJSONError.invalid(file: url.path, field: "fps", reason: "must be positive, got \(fps)") }
        self.url = url
        self.format = format
        self.skeleton = skeleton
        self.fps = fps
        self.frameCount = frameCount
        self.units = units
        roots.reserveCapacity(frameCount)
        let count = format == .a2m ? 1 : skeleton.jointCount
        spools = try (0..<count).map { _ in try SpoolFile(for: url.path) }
    }

    public func append(_ chunk: MotionClip) throws {
        guard chunk.translations.isEmpty && chunk.skeleton == skeleton else {
            throw OutputError.cannotWrite(path: url.path, reason: "a chunk with per-joint translations or another skeleton than the stream's")
        }
        guard written + chunk.frameCount <= frameCount else {
            throw OutputError.cannotWrite(path: url.path, reason: "more than the \(frameCount) declared frames")
        }
        do {
            try MotionJSON.validate(chunk, file: url.path)
        } catch let MotionJSONError.invalid(file, field, reason) {
            // Name the frame in the whole file, not in the chunk.
            throw MotionJSONError.invalid(file: file, field: Self.shifted(field, by: written), reason: reason)
        }
        roots += chunk.rootPositions
        switch format {
        case .a2m:
            var w = JSONTextWriter()
            for f in 0..<chunk.frameCount { MotionJSON.a2mRotations(chunk, frame: f, first: written + f == 0, &w) }
            try spools[0].write(w.out)
        case .threejs:
            for j in 0..<skeleton.jointCount {
                var w = JSONTextWriter()
                for f in 0..<chunk.frameCount { MotionJSON.threeJSValue(chunk.rotation(frame: f, joint: j), first: written + f == 0, &w) }
                try spools[j].write(w.out)
            }
        }
        written += chunk.frameCount
    }

    /// "rotations[12][3]" → "rotations[112][3]" for a chunk starting at frame 100.
    static func shifted(_ field: String, by offset: Int) -> String {
        guard let open = field.firstIndex(of: "["), let close = field[open...].firstIndex(of: "]"),
              let index = Int(field[field.index(after: open)..<close]) else { return field }
        return String(field[..<open]) + "[\(index + offset)]" + String(field[field.index(after: close)...])
    }

    public func commit() throws {
        // A thrown error, not a precondition: a caller that stops early gets an error it can report, and a short file is never committed.
        guard written == frameCount else {
            throw OutputError.cannotWrite(path: url.path, reason: "\(written) of the \(frameCount) declared frames were written")
        }
        let file = try AtomicFileWriter(url)
        var w = JSONTextWriter(sink: { try file.write($0) })
        switch format {
        case .a2m:
            MotionJSON.a2mHeader(skeleton, translated: [], fps: fps, frameCount: frameCount, units: units, &w)
            for (f, p) in roots.enumerated() {
                if f > 0 { w.raw(",") }
                w.vector(p)
                try w.checkpoint()
            }
            w.raw("],\n\"rotations\":[")
            try w.finish()
            try spools[0].copy(to: file)
            w.raw("]}")
        case .threejs:
            let names = MotionJSON.threeJSNames(skeleton)
            MotionJSON.threeJSHeader(skeleton, fps: fps, frameCount: frameCount, units: units,
                                     positions: (0..<skeleton.jointCount).map { $0 == 0 ? roots.first ?? skeleton.joints[0].offset : skeleton.joints[$0].offset }, &w)
            let times = MotionJSON.threeJSTimes(frameCount: frameCount, fps: fps)
            MotionJSON.threeJSTrackStart(names[0] + ".position", "vector", times: times, first: true, &w)
            for (f, p) in roots.enumerated() {
                MotionJSON.threeJSValue(p, first: f == 0, &w)
                try w.checkpoint()
            }
            w.raw("]}")
            for j in 0..<skeleton.jointCount {
                MotionJSON.threeJSTrackStart(names[j] + ".quaternion", "quaternion", times: times, first: false, &w)
                try w.finish()
                try spools[j].copy(to: file)
                w.raw("]}")
            }
            w.raw("]}")
        }
        w.raw("\n")
        try w.finish()
        spools = []
        try file.commit()
    }

    public func discard() { spools = [] }
}

/// An anonymous temporary file (C `tmpfile`, removed when closed or at process exit) that text is
/// appended to and later copied out of.
final class SpoolFile {
    private let file: UnsafeMutablePointer<FILE>
    private let owner: String

    /// `owner`: the output the spool belongs to, for errors.
    init(for owner: String) throws {
        guard let f = tmpfile() else {
            throw OutputError.cannotWrite(path: owner, reason: "cannot create a temporary file (\(String(cString: strerror(errno))))")
        }
        file = f
        self.owner = owner
    }

    deinit { fclose(file) }

    func write(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        let n = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard n == bytes.count else {
            throw OutputError.cannotWrite(path: owner, reason: "temporary file: \(String(cString: strerror(errno)))")
        }
    }

    /// Everything written so far, appended to `out` in 1 MB pieces.
    func copy(to out: AtomicFileWriter) throws {
        guard fflush(file) == 0 else { throw OutputError.cannotWrite(path: owner, reason: "temporary file: \(String(cString: strerror(errno)))") }
        rewind(file)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n > 0 { try out.write(Array(buffer[0..<n])) }
            if n < buffer.count {
                guard ferror(file) == 0 else { throw OutputError.cannotWrite(path: owner, reason: "temporary file: read error") }
                break
            }
        }
    }
}

/// Appends JSON text to a byte array; numbers in shortest round-trip form. With a `sink`, `checkpoint()`
/// hands over every full megabyte and `finish()` the rest.
struct JSONTextWriter {
    var out: [UInt8] = []
    var sink: (([UInt8]) throws -> Void)?

    mutating func checkpoint() throws {
        guard let sink, out.count >= 1 << 20 else { return }
        try sink(out)
        out.removeAll(keepingCapacity: true)
    }

    mutating func finish() throws {
        if let sink, !out.isEmpty { try sink(out) }
        out.removeAll()
    }

    mutating func raw(_ s: String) { out.append(contentsOf: s.utf8) }

    mutating func string(_ s: String) {
        out.append(34)
        for u in s.unicodeScalars {
            switch u {
            case "\"": raw("\\\"")
            case "\\": raw("\\\\")
            case "\n": raw("\\n")
            case "\r": raw("\\r")
            case "\t": raw("\\t")
            default:
                if u.value < 0x20 { raw(String(format: "\\u%04x", u.value)) } else { out.append(contentsOf: String(u).utf8) }
            }
        }
        out.append(34)
    }

    /// Floats print without a trailing ".0" when integral, to keep files small.
    mutating func float(_ v: Float) {
        if v == v.rounded(), abs(v) < 1e7 { raw(String(Int(v))) } else { raw(v.description) }
    }

    mutating func number(_ v: Double) {
        if v == v.rounded(), abs(v) < 1e15 { raw(String(Int64(v))) } else { raw(v.description) }
    }

    mutating func vector(_ v: SIMD3<Float>) {
        raw("["); float(v.x); raw(","); float(v.y); raw(","); float(v.z); raw("]")
    }
}
