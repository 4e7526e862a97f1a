import A2MCore
import Foundation

/// Reads BVH files (docs/design.md §6), streaming the MOTION section straight from a 1 MB byte buffer.
///
/// Rules, shared with docs/formats.md:
/// - channel order `c1 c2 c3` means R = R_c1 · R_c2 · R_c3; each joint keeps its own order;
/// - position channels *replace* the joint's OFFSET (Blender/bvhio; three.js adds instead). Non-root
///   joints whose position channels hold the same value in every frame have that value folded into
///   OFFSET; varying ones are kept in `MotionClip.translations`;
/// - a joint with 1 or 2 rotation channels is read exactly and gets the remaining axes appended
///   (written back with 3 channels); a warning says so;
/// - `Frames:` disagreeing with the data → warning, the data wins;
/// - Frame Time is snapped to an integer (or NTSC 1000/1001) fps when that fps lies within half a unit
///   of the last printed digit (0.016667 → 60 fps; 0.0333 → 30 fps).
public enum BVHReader {
    public static func read(_ url: URL) throws -> (clip: MotionClip, warnings: [String]) {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw BVHError.unreadable(file: url.path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        var size: Int?
        if fstat(fd, &st) == 0 {
            switch st.st_mode & S_IFMT {
            case S_IFREG: size = Int(st.st_size)
            case S_IFIFO: break   // a pipe is read once, as it streams
            // /dev/zero would be an endless run of whitespace.
            default: throw BVHError.unreadable(file: url.path, reason: "it is \(FileProblem.specialFileKind(url.path) ?? "not a regular file"), not a regular file or pipe")
            }
        }
        var parser = Parser(scanner: ByteScanner(fileDescriptor: fd, size: size), file: url.path)
        return try parser.parse()
    }

    /// Parses BVH text already in memory; `name` is used in messages.
    public static func read(bytes: [UInt8], name: String) throws -> (clip: MotionClip, warnings: [String]) {
        var parser = Parser(scanner: ByteScanner(bytes: bytes), file: name)
        return try parser.parse()
    }

    public static func read(string: String, name: String) throws -> (clip: MotionClip, warnings: [String]) {
        try read(bytes: Array(string.utf8), name: name)
    }

    /// Snaps 1/dt to a plausible frame rate: an integer fps, or an NTSC rate (24, 30, 60 · 1000/1001),
    /// when its exact frame time lies within half a unit of the last printed digit of `dt`
    /// (plus a relative 1e-9 for binary rounding). Otherwise returns 1/dt.
    static func plausibleFPS(frameTime dt: Double, lastDigitExponent: Int) -> Double {
        let halfUnit = 0.5 * pow(10, Double(lastDigitExponent)) + dt * 1e-9
        let raw = 1 / dt
        let integer = raw.rounded()
        if integer >= 1, abs(1 / integer - dt) <= halfUnit { return integer }
        for base in [24.0, 30, 48, 60, 120] {
            let ntsc = base * 1000 / 1001
            if abs(1 / ntsc - dt) <= halfUnit { return ntsc }
        }
        return raw
    }
}

private enum ChannelKind: Equatable {
    case position(Int)
    case rotation(Int)
}

private struct ParsedJoint {
    var name: String
    var parent: Int?
    var offset: SIMD3<Double> = .zero
    var hasOffset = false
    var channels: [ChannelKind] = []
    var endSite: Skeleton.EndSite?
}

private struct Parser {
    var scanner: ByteScanner
    let file: String
    var warnings: [String] = []

    init(scanner: ByteScanner, file: String) {
        self.scanner = scanner
        self.file = file
    }

    func syntax(_ expected: String, _ t: (text: String, line: Int)) -> BVHError {
        .syntax(file: file, line: t.line, expected: expected, found: t.text)
    }

    mutating func expectKeyword(_ word: String) throws {
        let t = scanner.token()
        guard t.text.caseInsensitiveCompare(word) == .orderedSame else { throw syntax("'\(word)'", t) }
    }

    /// A joint name: the rest of the keyword's line (names may contain ':' or spaces). A trailing '{'
    /// on the same line counts as the opening brace; returns whether it was there.
    mutating func nameOnLine(what: String, keywordLine: Int) throws -> (name: String, braceSeen: Bool) {
        var name = scanner.restOfLine()
        var brace = false
        if name.hasSuffix("{") {
            brace = true
            name = String(name.dropLast()).trimmingCharacters(in: .whitespaces)
        }
        return (name, brace)
    }

    mutating func expectOpenBrace(alreadySeen: Bool) throws {
        if alreadySeen { return }
        let t = scanner.token()
        guard t.text == "{" else { throw syntax("'{'", t) }
    }

    mutating func headerNumber() throws -> Double {
        scanner.skipWhitespace()
        let line = scanner.line
        guard let n = scanner.number() else {
            let t = scanner.token()
            throw BVHError.syntax(file: file, line: line, expected: "a number", found: t.text)
        }
        guard abs(n.value) <= Double(Float.greatestFiniteMagnitude) else {
            throw BVHError.nonFinite(file: file, line: line, text: String(n.value))
        }
        return n.value
    }

    mutating func offset() throws -> SIMD3<Double> {
        SIMD3(try headerNumber(), try headerNumber(), try headerNumber())
    }

    mutating func channels(joint: String, line: Int) throws -> [ChannelKind] {
        scanner.skipWhitespace()
        let countLine = scanner.line
        guard let n = scanner.number(), n.value == n.value.rounded(), n.value >= 0 else {
            let t = scanner.token()
            throw BVHError.syntax(file: file, line: countLine, expected: "a channel count (0 to 6)", found: t.text)
        }
        guard n.value <= 6 else {
            throw BVHError.badChannelCount(file: file, line: countLine, joint: joint, reason: "CHANNELS \(n.value < 1e15 ? String(Int(n.value)) : String(n.value)) is more than 6")
        }
        let count = Int(n.value)
        var out: [ChannelKind] = []
        for k in 0..<count {
            let t = scanner.token()
            let kind: ChannelKind
            switch t.text.lowercased() {
            case "xposition": kind = .position(0)
            case "yposition": kind = .position(1)
            case "zposition": kind = .position(2)
            case "xrotation": kind = .rotation(0)
            case "yrotation": kind = .rotation(1)
            case "zrotation": kind = .rotation(2)
            case "", "joint", "end", "offset", "channels", "{", "}", "motion":
                throw BVHError.badChannelCount(file: file, line: t.line, joint: joint,
                                               reason: "CHANNELS \(count) lists only \(k) channel names before '\(t.text.isEmpty ? "end of file" : t.text)'")
            default:
                throw BVHError.unknownChannel(file: file, line: t.line, name: t.text)
            }
            guard !out.contains(kind) else {
                throw BVHError.badChannelCount(file: file, line: t.line, joint: joint, reason: "channel '\(t.text)' is listed twice")
            }
            out.append(kind)
        }
        return out
    }

    mutating func parseHierarchy() throws -> [ParsedJoint] {
        scanner.skipByteOrderMark()
        let first = scanner.token()
        if first.text.isEmpty { throw BVHError.empty(file: file) }
        guard first.text.caseInsensitiveCompare("HIERARCHY") == .orderedSame else { throw syntax("'HIERARCHY'", first) }
        let root = scanner.token()
        guard root.text.caseInsensitiveCompare("ROOT") == .orderedSame else { throw syntax("'ROOT'", root) }
        var joints: [ParsedJoint] = []
        var stack: [Int] = []
        // Open blocks: joint index, or -1 for an End Site block of stack.last.
        let (rootName, rootBrace) = try nameOnLine(what: "root name", keywordLine: root.line)
        guard !rootName.isEmpty else { throw BVHError.syntax(file: file, line: root.line, expected: "a root joint name", found: "") }
        joints.append(ParsedJoint(name: rootName, parent: nil))
        stack.append(0)
        try expectOpenBrace(alreadySeen: rootBrace)
        while let current = stack.last {
            let t = scanner.token()
            switch t.text.lowercased() {
            case "offset":
                joints[current].offset = try offset()
                joints[current].hasOffset = true
            case "channels":
                joints[current].channels = try channels(joint: joints[current].name, line: t.line)
            case "joint":
                let (name, brace) = try nameOnLine(what: "joint name", keywordLine: t.line)
                guard !name.isEmpty else { throw BVHError.syntax(file: file, line: t.line, expected: "a joint name after JOINT", found: "") }
                joints.append(ParsedJoint(name: name, parent: current))
                stack.append(joints.count - 1)
                try expectOpenBrace(alreadySeen: brace)
            case "end":
                // `End Site`, `End Site Name`, or a name glued on: all are end sites.
                var rest = scanner.restOfLine()
                var brace = false
                if rest.hasSuffix("{") { brace = true; rest = String(rest.dropLast()).trimmingCharacters(in: .whitespaces) }
                if rest.lowercased().hasPrefix("site") { rest = String(rest.dropFirst(4)).trimmingCharacters(in: .whitespaces) }
                try expectOpenBrace(alreadySeen: brace)
                let o = scanner.token()
                guard o.text.caseInsensitiveCompare("OFFSET") == .orderedSame else { throw syntax("'OFFSET' in End Site", o) }
                let v = try offset()
                let close = scanner.token()
                guard close.text == "}" else { throw syntax("'}' closing End Site", close) }
                if joints[current].endSite != nil {
                    warnings.append("\(file):\(t.line): joint '\(joints[current].name)' has a second End Site; only the first is kept")
                } else {
                    joints[current].endSite = Skeleton.EndSite(name: rest.isEmpty ? nil : rest, offset: SIMD3<Float>(v))
                }
            case "}":
                guard joints[current].hasOffset else {
                    throw BVHError.syntax(file: file, line: t.line, expected: "OFFSET in joint '\(joints[current].name)' before '}'", found: "}")
                }
                stack.removeLast()
            default:
                throw syntax("OFFSET, CHANNELS, JOINT, End Site or '}'", t)
            }
        }
        return joints
    }

    mutating func parse() throws -> (clip: MotionClip, warnings: [String]) {
        let parsed = try parseHierarchy()
        let motion = scanner.token()
        guard !motion.text.isEmpty else { throw BVHError.missingMotion(file: file) }
        guard motion.text.caseInsensitiveCompare("MOTION") == .orderedSame else { throw syntax("'MOTION' after the hierarchy", motion) }

        // "Frames: N" (also "Frames:N" / "Frames :" spellings).
        let framesTok = scanner.token()
        guard framesTok.text.lowercased().hasPrefix("frames") else { throw syntax("'Frames:'", framesTok) }
        var declaredFrames: Int
        let afterFrames = framesTok.text.dropFirst(6).drop { $0 == ":" }
        if !afterFrames.isEmpty {
            guard let n = Int(afterFrames), n >= 0 else { throw syntax("a frame count after 'Frames:'", framesTok) }
            declaredFrames = n
        } else {
            var t = scanner.token()
            if t.text == ":" { t = scanner.token() }
            guard let n = Int(t.text), n >= 0 else { throw syntax("a frame count after 'Frames:'", t) }
            declaredFrames = n
        }
        // "Frame Time: dt".
        let frameTok = scanner.token()
        guard frameTok.text.caseInsensitiveCompare("Frame") == .orderedSame else { throw syntax("'Frame Time:'", frameTok) }
        let timeTok = scanner.token()
        let timeLower = timeTok.text.lowercased()
        guard timeLower.hasPrefix("time") else { throw syntax("'Time:' after 'Frame'", timeTok) }
        if timeLower == "time" {
            scanner.skipSpaces()
            if scanner.peek() == 58 { _ = scanner.token() } // a lone ':'
        } else if timeLower != "time:" {
            throw syntax("'Time:' after 'Frame'", timeTok)
        }
        scanner.skipWhitespace()
        let dtLine = scanner.line
        guard let dt = scanner.number() else {
            throw BVHError.invalidFrameTime(file: file, line: dtLine, value: "'\(scanner.token().text)'")
        }
        guard dt.value.isFinite, dt.value > 0 else {
            throw BVHError.invalidFrameTime(file: file, line: dtLine, value: String(dt.value))
        }
        let fps = BVHReader.plausibleFPS(frameTime: dt.value, lastDigitExponent: dt.lastDigitExponent)
        guard MotionClip.fpsRange.contains(fps) else {
            throw BVHError.frameRateOutOfRange(file: file, line: dtLine, frameTime: dt.value, fps: fps)
        }
        if fps.rounded() == fps, abs(1 / fps - dt.value) > dt.value * 1e-5 {
            warnings.append("\(file):\(dtLine): Frame Time \(dt.value) read as \(Int(fps)) fps (1/\(Int(fps)) = \(1 / fps))")
        }
        // The rest of the Frame Time line must be empty.
        scanner.skipSpaces()
        if let b = scanner.peek(), !ByteScanner.isNewline(b) {
            throw syntax("end of line after Frame Time", scanner.token())
        }

        var skeletonJoints = try buildSkeleton(parsed)
        let skeleton: Skeleton
        do { skeleton = try Skeleton(joints: skeletonJoints) } catch let e as SkeletonError {
            throw BVHError.invalidSkeleton(file: file, reason: e.description)
        }
        let data = try readFrames(parsed, jointCount: parsed.count, reserve: declaredFrames)
        if data.frames != declaredFrames {
            warnings.append("\(file): header says Frames: \(declaredFrames) but the file has \(data.frames) frames of data; using \(data.frames)")
        }
        // Fold constant non-root translations into OFFSET so the skeleton needs no position channels there.
        var translations = data.translations
        for (j, track) in translations where track.allSatisfy({ $0 == track[0] }) && !track.isEmpty {
            skeletonJoints[j].offset = track[0]
            skeletonJoints[j].hasPosition = false
            translations[j] = nil
        }
        var finalSkeleton = skeleton
        if translations.count != data.translations.count {
            do { finalSkeleton = try Skeleton(joints: skeletonJoints) } catch let e as SkeletonError {
                throw BVHError.invalidSkeleton(file: file, reason: e.description)
            }
        }
        for j in translations.keys.sorted() {
            warnings.append("\(file): joint '\(skeleton.joints[j].name)' has position channels that vary over time; they replace its OFFSET (Blender/bvhio rule)")
        }
        let clip = MotionClip(skeleton: finalSkeleton, fps: fps, rootPositions: data.roots, rotations: data.rotations, translations: translations)
        return (clip, ErrorList.capped(warnings, noun: "warnings"))
    }

    mutating func buildSkeleton(_ parsed: [ParsedJoint]) throws -> [Skeleton.Joint] {
        parsed.enumerated().map { (i, p) in
            let rotAxes = p.channels.compactMap { c -> Int? in if case let .rotation(a) = c { return a } else { return nil } }
            let posCount = p.channels.filter { if case .position = $0 { return true } else { return false } }.count
            var order: RotationOrder?
            if !rotAxes.isEmpty {
                let full = rotAxes + [0, 1, 2].filter { !rotAxes.contains($0) }
                order = RotationOrder(axes: full[0], full[1], full[2])
                if rotAxes.count < 3 {
                    warnings.append("\(file): joint '\(p.name)' has \(rotAxes.count) rotation channel(s); it will be written with 3 (\(order!.rawValue))")
                }
            }
            if posCount > 0 && posCount < 3 {
                warnings.append("\(file): joint '\(p.name)' has \(posCount) position channel(s); missing axes keep their OFFSET value")
            }
            return Skeleton.Joint(name: p.name, parent: p.parent, offset: SIMD3<Float>(p.offset),
                                  hasPosition: i == 0 || posCount > 0, rotationOrder: order, endSite: p.endSite)
        }
    }

    struct FrameData {
        var frames = 0
        var roots: [SIMD3<Float>] = []
        var rotations: [SIMD4<Float>] = []
        var translations: [Int: [SIMD3<Float>]] = [:]
    }

    /// Streams the motion lines: one frame per non-empty line, each with exactly one value per channel.
    mutating func readFrames(_ joints: [ParsedJoint], jointCount: Int, reserve: Int) throws -> FrameData {
        let channelCount = joints.reduce(0) { $0 + $1.channels.count }
        let planKind = joints.flatMap(\.channels)
        var out = FrameData()
        // Trust `Frames:` for the reservation only as far as the bytes left could hold (≥ 2 bytes a value).
        var cap = min(reserve, 1 << 20)
        if let left = scanner.remainingBytes { cap = min(cap, left / max(2, 2 * channelCount)) }
        out.roots.reserveCapacity(cap)
        out.rotations.reserveCapacity(cap * jointCount)
        let movingJoints = (1..<max(1, jointCount)).filter { j in
            joints[j].channels.contains { if case .position = $0 { return true } else { return false } }
        }
        for j in movingJoints { out.translations[j] = []; out.translations[j]!.reserveCapacity(cap) }

        var isMoving = [Bool](repeating: false, count: jointCount)
        for j in movingJoints { isMoving[j] = true }
        var values = [Double](repeating: 0, count: channelCount)
        var previous = [SIMD4<Float>](repeating: SIMD4(0, 0, 0, 1), count: jointCount)
        var count = 0
        var lineOfFrame = scanner.line
        while true {
            scanner.skipSpaces()
            guard let b = scanner.peek() else {
                if count > 0 { try commit() }
                break
            }
            if ByteScanner.isNewline(b) {
                if count > 0 { try commit() }
                scanner.advance()
                continue
            }
            if count == 0 { lineOfFrame = scanner.line }
            guard let n = scanner.number() else {
                let t = scanner.token()
                let lower = t.text.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "+-"))
                if lower.hasPrefix("nan") || lower.hasPrefix("inf") || lower.hasPrefix("1.#") {
                    throw BVHError.nonFinite(file: file, line: t.line, text: t.text)
                }
                throw BVHError.invalidNumber(file: file, line: t.line, text: t.text)
            }
            // Values are stored as Float, so anything beyond Float's range is as unusable as infinity.
            guard abs(n.value) <= Double(Float.greatestFiniteMagnitude) else {
                throw BVHError.nonFinite(file: file, line: scanner.line, text: "\(n.value)")
            }
            if count < channelCount { values[count] = n.value }
            count += 1
        }
        return out

        func commit() throws {
            guard count == channelCount else {
                throw BVHError.wrongValueCount(file: file, line: lineOfFrame, expected: channelCount, found: count)
            }
            count = 0
            var k = 0
            for j in 0..<jointCount {
                var t = joints[j].offset
                var q = SIMD4<Double>(0, 0, 0, 1)
                let end = k + joints[j].channels.count
                while k < end {
                    switch planKind[k] {
                    case let .position(a): t[a] = values[k]
                    case let .rotation(a):
                        q = Rotation.multiply(q, axis: a, degrees: values[k])
                    }
                    k += 1
                }
                let f = Rotation.continuous(SIMD4<Float>(q), after: previous[j])
                previous[j] = f
                out.rotations.append(f)
                if j == 0 { out.roots.append(SIMD3<Float>(t)) }
                else if isMoving[j] { out.translations[j]!.append(SIMD3<Float>(t)) }
            }
            out.frames += 1
        }
    }
}
