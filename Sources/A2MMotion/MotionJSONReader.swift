import A2MCore
import Foundation

extension MotionJSON {
    /// Reads an a2m-format JSON file (the viewer and `convert` accept .json). Every key is either used or
    /// rejected; shapes, parents, channel layouts and values are checked, and quaternions normalized.
    public static func read(_ url: URL) throws -> MotionClip {
        try readWithUnits(url).clip
    }

    /// The clip and the file's `units` label ("centimeters", "meters", ...; `knownUnits`).
    public static func readWithUnits(_ url: URL) throws -> (clip: MotionClip, units: String) {
        let data: Data
        do { data = try InputFile.read(url) } catch {
            throw MotionJSONError.unreadable(file: url.path, reason: error.reason)
        }
        let doc = try document(data: data, name: url.path)
        return (try doc.clip(file: url.path), doc.units)
    }

    public static func read(data: Data, name file: String) throws -> MotionClip {
        try document(data: data, name: file).clip(file: file)
    }

    static func document(data: Data, name file: String) throws -> MotionDocument {
        let doc: MotionDocument
        do {
            doc = try StrictJSON.decode(MotionDocument.self, from: data, file: file)
        } catch let e as MotionJSONError {
            throw e
        } catch let e as ConfigError {
            throw MotionJSONError(e, file: file)
        }
        return doc
    }
}

/// The a2m JSON document (docs/a2m-motion.schema.json).
struct MotionDocument: Decodable {
    var format: String, version: Int, fps: Double, frameCount: Int, units: String, upAxis: String
    var skeleton: [JointDocument]
    var rootPositions: [[Float]]
    var rotations: [[[Float]]]
    var translations: [String: [[Float]]]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case format, version, fps, frameCount, units, upAxis, skeleton, rootPositions, rotations, translations
    }

    init(from decoder: Decoder) throws {
        // three.js's AnimationClip layout (`--json-format threejs`) is export-only: say so, rather than "unknown key".
        if try decoder.container(keyedBy: AnyCodingKey.self).contains(AnyCodingKey(stringValue: "tracks")) {
            throw MotionJSONError.threeJS(file: StrictJSON.currentFile(decoder))
        }
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(String.self, forKey: .format)
        version = try c.decode(Int.self, forKey: .version)
        fps = try c.decode(Double.self, forKey: .fps)
        frameCount = try c.decode(Int.self, forKey: .frameCount)
        units = try c.decode(String.self, forKey: .units)
        upAxis = try c.decode(String.self, forKey: .upAxis)
        skeleton = try c.decode([JointDocument].self, forKey: .skeleton)
        rootPositions = try c.decode([[Float]].self, forKey: .rootPositions)
        rotations = try c.decode([[[Float]]].self, forKey: .rotations)
        translations = try c.decodeIfPresent([String: [[Float]]].self, forKey: .translations)
    }

    struct JointDocument: Decodable {
        var name: String, parent: Int?, offset: [Float], channels: [String]
        var endSite: EndSiteDocument?

        enum CodingKeys: String, CodingKey, CaseIterable { case name, parent, offset, channels, endSite }

        init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            parent = try c.decodeIfPresent(Int.self, forKey: .parent)
            offset = try c.decode([Float].self, forKey: .offset)
            channels = try c.decode([String].self, forKey: .channels)
            endSite = try c.decodeIfPresent(EndSiteDocument.self, forKey: .endSite)
        }
    }

    struct EndSiteDocument: Decodable {
        var name: String?, offset: [Float]

        enum CodingKeys: String, CodingKey, CaseIterable { case name, offset }

        init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decodeIfPresent(String.self, forKey: .name)
            offset = try c.decode([Float].self, forKey: .offset)
        }
    }

    static func vector(_ v: [Float], file: String, field: String) throws -> SIMD3<Float> {
        guard v.count == 3, v.allSatisfy(\.isFinite) else {
            throw MotionJSONError.invalid(file: file, field: field, reason: "expected 3 finite numbers, got \(v)")
        }
        return SIMD3(v[0], v[1], v[2])
    }

    /// Parses a channel list in the a2m layout: [] , 3 rotations, or X/Y/Z positions then 3 rotations.
    static func layout(_ channels: [String], file: String, field: String) throws -> (hasPosition: Bool, order: RotationOrder?) {
        var rest = channels[...]
        var hasPosition = false
        if rest.first?.hasSuffix("position") == true {
            guard Array(rest.prefix(3)) == ["Xposition", "Yposition", "Zposition"] else {
                throw MotionJSONError.invalid(file: file, field: field, reason: "position channels must be Xposition Yposition Zposition, got \(channels)")
            }
            hasPosition = true
            rest = rest.dropFirst(3)
        }
        if rest.isEmpty { return (hasPosition, nil) }
        let axes = rest.map { ["Xrotation": 0, "Yrotation": 1, "Zrotation": 2][$0] }
        guard axes.count == 3, let a = axes[0], let b = axes[1], let c = axes[2], let order = RotationOrder(axes: a, b, c) else {
            throw MotionJSONError.invalid(file: file, field: field, reason: "expected three distinct rotation channels after any positions, got \(channels)")
        }
        return (hasPosition, order)
    }

    func clip(file: String) throws -> MotionClip {
        func bad(_ field: String, _ reason: String) -> MotionJSONError { .invalid(file: file, field: field, reason: reason) }
        guard format == MotionJSON.formatName else {
            if format == MotionJSON.threeJSFormatName { throw bad("format", "the three.js variant is export-only; read the a2m format instead") }
            throw bad("format", "expected \"\(MotionJSON.formatName)\", got \"\(format)\"")
        }
        guard version == MotionJSON.version else { throw bad("version", "expected \(MotionJSON.version), got \(version)") }
        guard MotionClip.fpsRange.contains(fps) else {
            throw bad("fps", "\(fps) is out of range; expected \(MotionClip.fpsRange.lowerBound) to \(Int(MotionClip.fpsRange.upperBound)) frames per second")
        }
        guard upAxis == "Y" else { throw bad("upAxis", "a2m files are Y-up, got \"\(upAxis)\"") }
        guard MotionJSON.knownUnits.contains(units) else {
            throw bad("units", "expected one of \(MotionJSON.knownUnits.joined(separator: ", ")), got \"\(units)\"")
        }
        guard frameCount >= 0, rootPositions.count == frameCount, rotations.count == frameCount else {
            throw bad("frameCount", "\(frameCount) but rootPositions has \(rootPositions.count) and rotations \(rotations.count) frames")
        }
        guard !skeleton.isEmpty else { throw bad("skeleton", "no joints") }
        var joints: [Skeleton.Joint] = []
        for (j, d) in skeleton.enumerated() {
            let field = "skeleton[\(j)]"
            let (hasPosition, order) = try Self.layout(d.channels, file: file, field: field + ".channels")
            var end: Skeleton.EndSite?
            if let e = d.endSite { end = Skeleton.EndSite(name: e.name, offset: try Self.vector(e.offset, file: file, field: field + ".endSite.offset")) }
            joints.append(Skeleton.Joint(name: d.name, parent: d.parent, offset: try Self.vector(d.offset, file: file, field: field + ".offset"),
                                         hasPosition: hasPosition, rotationOrder: order, endSite: end))
        }
        guard joints[0].hasPosition else { throw bad("skeleton[0].channels", "the root must have position channels") }
        let s: Skeleton
        do { s = try Skeleton(joints: joints) } catch let e as SkeletonError { throw bad("skeleton", e.description) }

        let roots = try rootPositions.enumerated().map { try Self.vector($1, file: file, field: "rootPositions[\($0)]") }
        var rots: [SIMD4<Float>] = []
        rots.reserveCapacity(frameCount * s.jointCount)
        var previous = [SIMD4<Float>](repeating: SIMD4(0, 0, 0, 1), count: s.jointCount)
        for (f, frame) in rotations.enumerated() {
            guard frame.count == s.jointCount else { throw bad("rotations[\(f)]", "\(frame.count) quaternions, expected one per joint (\(s.jointCount))") }
            for (j, q) in frame.enumerated() {
                guard let unit = Rotation.unitQuaternion(q, after: previous[j]) else {
                    throw bad("rotations[\(f)][\(j)]", "expected a quaternion [x, y, z, w] of finite, non-zero length, got \(q)")
                }
                previous[j] = unit
                rots.append(unit)
            }
        }
        var tracks: [Int: [SIMD3<Float>]] = [:]
        for (name, values) in translations ?? [:] {
            guard let j = s.index(of: name), j > 0, s.joints[j].hasPosition else {
                throw bad("translations.\(name)", "must name a non-root joint with position channels")
            }
            guard values.count == frameCount else { throw bad("translations.\(name)", "\(values.count) frames, expected \(frameCount)") }
            tracks[j] = try values.enumerated().map { try Self.vector($1, file: file, field: "translations.\(name)[\($0)]") }
        }
        if let missing = (1..<s.jointCount).first(where: { s.joints[$0].hasPosition && tracks[$0] == nil }) {
            throw bad("translations", "joint '\(s.joints[missing].name)' has position channels but no translations")
        }
        return MotionClip(skeleton: s, fps: fps, rootPositions: roots, rotations: rots, translations: tracks)
    }
}
