import A2MMotion

/// The formats a2m ships: `a2m generate --format` and `a2m convert --to` take their names and extensions from
/// here (one line per format).
public enum MotionFormats {
    public static let all: [any MotionFormat] = [
        BVHFormat(),
        A2MJSONFormat(),
        ThreeJSFormat(),
        GLTFFormat(binary: true),
        GLTFFormat(binary: false),
        VRMAFormat(),
    ]

    /// What `a2m generate` writes by default: BVH and a2m JSON.
    public static let defaults: [any MotionFormat] = [BVHFormat(), A2MJSONFormat()]

    /// The registered format called `name` (case-insensitive).
    public static func named(_ name: String) -> (any MotionFormat)? {
        all.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// The first registered format that writes files ending in `.ext` (case-insensitive): the one a file name
    /// alone picks (`a2m convert --to OUT.ext`).
    public static func forExtension(_ ext: String) -> (any MotionFormat)? {
        all.first { $0.fileExtension.caseInsensitiveCompare(ext) == .orderedSame }
    }

    /// "bvh, json, threejs, ...": the names, for help texts and errors.
    public static var names: String { all.map(\.name).joined(separator: ", ") }

    /// ".bvh, .json, ...": the distinct extensions, for help texts and errors.
    public static var extensions: String {
        var seen = Set<String>()
        return all.map(\.fileExtension).filter { seen.insert($0).inserted }.map { "." + $0 }.joined(separator: ", ")
    }
}
