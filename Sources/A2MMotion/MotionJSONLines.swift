import A2MCore
import Foundation

/// The JSON lines `a2m stream` writes (docs/formats.md, "Stream JSON lines"), read back into a clip so that a
/// recorded stream can be viewed, converted and retargeted like any motion file:
///
///     {"type":"skeleton","fps":30,"units":"cm","joints":["Hips",...],"parents":[-1,0,...],"bvh":"HIERARCHY\n..."}
///     {"type":"frame","frame":0,"time":0,"root":[x,y,z],"rotations":[[x,y,z,w],...]}
///
/// The skeleton line carries the skeleton as BVH text (hierarchy and one rest-pose frame, as a model file's
/// `a2m.skeleton` does), so offsets, rotation orders and end sites survive; `joints` and `parents` must agree with
/// it. Frames must be numbered 0, 1, 2, ... in order. A last line without its newline that is not valid JSON is a
/// stream that stopped mid-line: it is dropped with a warning and the frames before it are kept. Any other bad line
/// is an error naming the line and field.
public enum MotionJSONLines {
    /// The file extension a recorded stream is read from.
    public static let fileExtension = "jsonl"

    public struct Header: Codable, Equatable, Sendable {
        public var type: String
        public var fps: Double
        public var units: String
        public var joints: [String]
        public var parents: [Int]
        /// The skeleton as BVH text; absent in streams written before readers existed, which cannot be read back.
        public var bvh: String?
    }

    struct Frame: Codable {
        var type: String
        var frame: Int
        var time: Double
        var root: [Float]
        var rotations: [[Float]]
    }

    /// The skeleton line for `skeleton` at `fps` (without its newline), as `a2m stream` writes it: keys in the
    /// documented order, strings escaped by JSONEncoder.
    public static func headerLine(skeleton: Skeleton, fps: Double) throws -> String {
        let rest = try BVHWriter.bytes(MotionClip(restPoseOf: skeleton, fps: fps, frames: 1))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        func string(_ s: String) throws -> String { String(decoding: try encoder.encode(s), as: UTF8.self) }
        let names = try skeleton.joints.map { try string($0.name) }.joined(separator: ",")
        let parents = skeleton.joints.map { "\($0.parent ?? -1)" }.joined(separator: ",")
        return "{\"type\":\"skeleton\",\"fps\":\(fps),\"units\":\"cm\",\"joints\":[\(names)],\"parents\":[\(parents)],"
            + "\"bvh\":\(try string(String(decoding: rest, as: UTF8.self)))}"
    }

    /// Reads a recorded stream; `warnings` names a dropped incomplete last line.
    public static func read(_ url: URL) throws -> (clip: MotionClip, unit: LengthUnit, warnings: [String]) {
        let data: Data
        do { data = try InputFile.read(url) } catch {
            throw MotionJSONError.unreadable(file: url.path, reason: error.reason)
        }
        return try read(data: data, name: url.path)
    }

    public static func read(data: Data, name file: String) throws -> (clip: MotionClip, unit: LengthUnit, warnings: [String]) {
        // Line ranges over the (mapped) file, not a copy of it: a long recording is read once.
        var lines: [Range<Data.Index>] = []
        var start = data.startIndex
        data.withUnsafeBytes { raw in
            for (i, b) in raw.enumerated() where b == UInt8(ascii: "\n") {
                lines.append(start..<(data.startIndex + i))
                start = data.startIndex + i + 1
            }
        }
        let unterminated = start < data.endIndex
        if unterminated { lines.append(start..<data.endIndex) }
        func bad(_ line: Int, _ field: String, _ reason: String) -> MotionJSONError {
            .invalid(file: file, field: "line \(line)" + (field.isEmpty ? "" : ": " + field), reason: reason)
        }
        func decode<T: Decodable>(_ type: T.Type, _ line: Int) throws -> T {
            do {
                return try StrictJSON.decode(T.self, from: data.subdata(in: lines[line - 1]), file: file)
            } catch let e as ConfigError {
                throw MotionJSONError(e, file: file, line: line)
            }
        }
        guard let first = lines.first, !first.isEmpty else {
            throw MotionJSONError.unreadable(file: file, reason: "empty; expected a2m stream's JSON lines, a skeleton line first")
        }
        let header = try decode(Header.self, 1)
        guard header.type == "skeleton" else { throw bad(1, "type", "\"\(header.type)\"; the first line must be the skeleton line") }
        guard MotionClip.fpsRange.contains(header.fps) else {
            throw bad(1, "fps", "\(header.fps) is out of range; expected \(MotionClip.fpsRange.lowerBound) to \(Int(MotionClip.fpsRange.upperBound)) frames per second")
        }
        guard let unit = LengthUnit(rawValue: header.units) else {
            throw bad(1, "units", "\"\(header.units)\", expected one of \(LengthUnit.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        }
        guard let bvh = header.bvh else {
            throw bad(1, "bvh", "missing: this stream was written by an a2m that did not record the skeleton's offsets, so it cannot be read back")
        }
        let skeleton: Skeleton
        do { skeleton = try BVHReader.read(string: bvh, name: "\(file) line 1 bvh").clip.skeleton } catch {
            throw bad(1, "bvh", "\(error)")
        }
        guard header.joints == skeleton.joints.map(\.name) else {
            throw bad(1, "joints", "\(header.joints.count) names that differ from the bvh skeleton's \(skeleton.jointCount) joints")
        }
        guard header.parents == skeleton.joints.map({ $0.parent ?? -1 }) else { throw bad(1, "parents", "differ from the bvh skeleton's hierarchy") }

        let J = skeleton.jointCount
        var roots: [SIMD3<Float>] = [], rotations: [SIMD4<Float>] = []
        var previous = [SIMD4<Float>](repeating: SIMD4(0, 0, 0, 1), count: J)
        var warnings: [String] = []
        for n in stride(from: 2, through: lines.count, by: 1) {
            if data[lines[n - 1]].allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }) {
                if n == lines.count { break }
                throw bad(n, "", "empty line; expected one frame per line")
            }
            let frame: Frame
            do { frame = try decode(Frame.self, n) } catch is MotionJSONError where n == lines.count && unterminated {
                warnings.append("\(file): line \(n) is incomplete (the stream stopped mid-line); read the \(roots.count) frames before it")
                break
            }
            guard frame.type == "frame" else { throw bad(n, "type", "\"\(frame.type)\", expected \"frame\"") }
            guard frame.frame == roots.count else { throw bad(n, "frame", "\(frame.frame), expected \(roots.count): frames must be numbered 0, 1, 2, ... in order") }
            guard frame.root.count == 3, frame.root.allSatisfy(\.isFinite) else { throw bad(n, "root", "expected [x, y, z] of finite numbers") }
            guard frame.rotations.count == J else { throw bad(n, "rotations", "\(frame.rotations.count) quaternions, expected one per joint (\(J))") }
            roots.append(SIMD3(frame.root[0], frame.root[1], frame.root[2]))
            for (j, q) in frame.rotations.enumerated() {
                guard let unit = Rotation.unitQuaternion(q, after: previous[j]) else {
                    throw bad(n, "rotations[\(j)]", "expected a quaternion [x, y, z, w] of finite, non-zero length, got \(q)")
                }
                previous[j] = unit
                rotations.append(unit)
            }
        }
        guard !roots.isEmpty else { throw MotionJSONError.invalid(file: file, field: "line 2", reason: "no frame; the stream ended after its skeleton line") }
        // The stream carries no translation tracks: a non-root joint with position channels keeps its rest offset.
        var tracks: [Int: [SIMD3<Float>]] = [:]
        for j in 1..<J where skeleton.joints[j].hasPosition {
            tracks[j] = [SIMD3<Float>](repeating: skeleton.joints[j].offset, count: roots.count)
        }
        return (MotionClip(skeleton: skeleton, fps: header.fps, rootPositions: roots, rotations: rotations, translations: tracks), unit, warnings)
    }
}
