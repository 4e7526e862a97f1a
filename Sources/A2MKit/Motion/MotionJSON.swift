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

    public var description: String {
        switch self {
        case let .unreadable(f, r): return "\(f): cannot read motion JSON: \(r)"
        case let .invalid(f, field, r): return "\(f): field '\(field)': \(r)"
        }
    }
}

/// JSON export of clips (both formats) and import of the a2m format.
///
/// Numbers are written in Swift's shortest round-trip form of each Float, so reading back gives the
/// same Float bits; output is deterministic (keys in fixed order, translations by joint index).
public enum MotionJSON {
    public static let formatName = "a2m-motion"
    public static let threeJSFormatName = "a2m-threejs"
    public static let version = 1
    /// Units a2m can label a file with; a2m never rescales, the label says what the skeleton uses.
    public static let knownUnits = ["centimeters", "meters", "millimeters", "inches", "unknown"]

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
        let joint = clip.skeleton.joints[j]
        var c = joint.channels
        let positioned = j == 0 || clip.translations[j] != nil
        if positioned && !joint.hasPosition { c = ["Xposition", "Yposition", "Zposition"] + c }
        if !positioned && joint.hasPosition { c.removeFirst(3) }
        return c
    }

    // MARK: a2m

    static func writeA2M(_ clip: MotionClip, units: String, _ w: inout JSONTextWriter) throws {
        let s = clip.skeleton
        w.raw("{\"format\":"); w.string(formatName)
        w.raw(",\"version\":\(version),\"fps\":"); w.number(clip.fps)
        w.raw(",\"frameCount\":\(clip.frameCount),\"units\":"); w.string(units)
        w.raw(",\"upAxis\":\"Y\",\n\"skeleton\":[")
        for (j, joint) in s.joints.enumerated() {
            w.raw(j == 0 ? "\n" : ",\n")
            w.raw("{\"name\":"); w.string(joint.name)
            w.raw(",\"parent\":"); w.raw(joint.parent.map(String.init) ?? "null")
            w.raw(",\"offset\":"); w.vector(j == 0 || clip.translations[j] != nil ? .zero : joint.offset)
            w.raw(",\"channels\":[")
            for (k, c) in channels(clip, j).enumerated() { if k > 0 { w.raw(",") }; w.string(c) }
            w.raw("]")
            if let e = joint.endSite {
                w.raw(",\"endSite\":{\"name\":")
                if let n = e.name { w.string(n) } else { w.raw("null") }
                w.raw(",\"offset\":"); w.vector(e.offset); w.raw("}")
            }
            w.raw("}")
        }
        w.raw("],\n\"rootPositions\":[")
        for f in 0..<clip.frameCount {
            if f > 0 { w.raw(",") }
            w.vector(clip.rootPositions[f])
            try w.checkpoint()
        }
        w.raw("],\n\"rotations\":[")
        for f in 0..<clip.frameCount {
            w.raw(f == 0 ? "\n[" : ",\n[")
            for j in 0..<clip.jointCount {
                if j > 0 { w.raw(",") }
                let q = clip.rotation(frame: f, joint: j)
                w.raw("["); w.float(q.x); w.raw(","); w.float(q.y); w.raw(","); w.float(q.z); w.raw(","); w.float(q.w); w.raw("]")
            }
            w.raw("]")
            try w.checkpoint()
        }
        w.raw("]")
        if !clip.translations.isEmpty {
            w.raw(",\n\"translations\":{")
            for (k, j) in clip.translations.keys.sorted().enumerated() {
                if k > 0 { w.raw(",") }
                w.string(s.joints[j].name); w.raw(":[")
                for (f, t) in clip.translations[j]!.enumerated() { if f > 0 { w.raw(",") }; w.vector(t) }
                w.raw("]")
            }
            w.raw("}")
        }
        w.raw("}")
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
        // Top-level keys are those of AnimationClip.toJSON. There must be no top-level "fps": parse()
        // would then treat `times` as frame numbers and divide them by it. a2m's extras go under "a2m".
        w.raw("{\"name\":\"a2m\",\"duration\":"); w.number(clip.duration)
        w.raw(",\"blendMode\":2500,\n\"a2m\":{\"format\":"); w.string(threeJSFormatName)
        w.raw(",\"version\":\(version),\"fps\":"); w.number(clip.fps)
        w.raw(",\"frameCount\":\(clip.frameCount),\"units\":"); w.string(units); w.raw(",\"upAxis\":\"Y\"},\n\"skeleton\":[")
        for (j, joint) in s.joints.enumerated() {
            w.raw(j == 0 ? "\n" : ",\n")
            w.raw("{\"name\":"); w.string(names[j])
            w.raw(",\"parent\":"); w.raw(joint.parent.map(String.init) ?? "null")
            w.raw(",\"position\":"); w.vector(j == 0 ? clip.rootPositions.first ?? joint.offset : (clip.translations[j]?.first ?? joint.offset))
            if let e = joint.endSite {
                w.raw(",\"endSite\":"); w.vector(e.offset)
            }
            w.raw("}")
        }
        w.raw("],\n\"tracks\":[")
        var times = JSONTextWriter()
        for f in 0..<clip.frameCount {
            if f > 0 { times.raw(",") }
            times.number(Double(f) / clip.fps)
        }
        var firstTrack = true
        func track(_ name: String, _ type: String, _ values: (inout JSONTextWriter) throws -> Void) throws {
            w.raw(firstTrack ? "\n" : ",\n")
            firstTrack = false
            w.raw("{\"name\":"); w.string(name)
            w.raw(",\"type\":\"\(type)\",\"times\":["); w.out += times.out
            try w.checkpoint()
            w.raw("],\"values\":[")
            try values(&w)
            w.raw("]}")
        }
        func vectorTrack(_ v: [SIMD3<Float>]) -> (inout JSONTextWriter) throws -> Void {
            { w in
                for (f, p) in v.enumerated() {
                    if f > 0 { w.raw(",") }
                    w.float(p.x); w.raw(","); w.float(p.y); w.raw(","); w.float(p.z)
                    try w.checkpoint()
                }
            }
        }
        try track(names[0] + ".position", "vector", vectorTrack(clip.rootPositions))
        for j in clip.translations.keys.sorted() { try track(names[j] + ".position", "vector", vectorTrack(clip.translations[j]!)) }
        for j in 0..<clip.jointCount {
            try track(names[j] + ".quaternion", "quaternion") { w in
                for f in 0..<clip.frameCount {
                    if f > 0 { w.raw(",") }
                    let q = clip.rotation(frame: f, joint: j)
                    w.float(q.x); w.raw(","); w.float(q.y); w.raw(","); w.float(q.z); w.raw(","); w.float(q.w)
                    try w.checkpoint()
                }
            }
        }
        w.raw("]}")
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
