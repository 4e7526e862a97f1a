import Foundation

/// BVH (`BVHWriter`, `BVHStreamWriter`; docs/formats.md, "BVH writing").
public struct BVHFormat: MotionFormat {
    public init() {}
    public var name: String { "bvh" }
    public var fileExtension: String { "bvh" }
    public var summary: String { "BVH motion capture (Blender, MotionBuilder, three.js BVHLoader)" }

    public func write(_ clip: MotionClip, to url: URL) throws {
        try BVHWriter.write(clip, to: url)
    }

    public func makeStream(to url: URL, skeleton: Skeleton, fps: Double, frameCount: Int) throws -> any MotionFileStream {
        try BVHStreamWriter(url: url, skeleton: skeleton, fps: fps, frameCount: frameCount)
    }
}
