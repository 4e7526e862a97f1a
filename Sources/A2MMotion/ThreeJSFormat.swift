import Foundation

/// three.js `AnimationClip` JSON (`MotionJSON`, layout `.threejs`; docs/formats.md, "three.js JSON").
public struct ThreeJSFormat: MotionFormat {
    public init() {}
    public var name: String { "threejs" }
    public var fileExtension: String { "json" }
    public var summary: String { "three.js AnimationClip JSON (THREE.AnimationClip.parse)" }

    public func write(_ clip: MotionClip, to url: URL) throws {
        try MotionJSON.write(clip, format: .threejs, to: url)
    }

    public func makeStream(to url: URL, skeleton: Skeleton, fps: Double, frameCount: Int) throws -> any MotionFileStream {
        try MotionJSONStreamWriter(url: url, format: .threejs, skeleton: skeleton, fps: fps, frameCount: frameCount)
    }

    /// One spool file per joint's quaternion track (`MotionJSONStreamWriter`).
    public func openFiles(skeleton: Skeleton) -> Int { skeleton.jointCount }
}
