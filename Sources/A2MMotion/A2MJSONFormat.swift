import Foundation

/// a2m's self-describing JSON (`MotionJSON`, layout `.a2m`; docs/formats.md, "a2m JSON"): the one
/// `a2m convert` reads back.
public struct A2MJSONFormat: MotionFormat {
    public init() {}
    public var name: String { "json" }
    public var fileExtension: String { "json" }
    public var summary: String { "a2m JSON: skeleton, root positions, quaternions (readable by a2m convert)" }

    public func write(_ clip: MotionClip, to url: URL) throws {
        try MotionJSON.write(clip, format: .a2m, to: url)
    }

    public func makeStream(to url: URL, skeleton: Skeleton, fps: Double, frameCount: Int) throws -> any MotionFileStream {
        try MotionJSONStreamWriter(url: url, format: .a2m, skeleton: skeleton, fps: fps, frameCount: frameCount)
    }
}
