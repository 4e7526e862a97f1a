import Foundation

/// BVH (`BVHWriter`, `BVHStreamWriter`; docs/formats.md, "BVH writing"), lengths in `units` (a2m's default: cm).
public struct BVHFormat: MotionFormat {
    /// Unit of the file's offsets and positions (`--units`).
    public var units: LengthUnit

    public init(units: LengthUnit = .cm) { self.units = units }
    public var name: String { "bvh" }
    public var fileExtension: String { "bvh" }
    public var summary: String { "BVH motion capture (Blender, MotionBuilder, three.js BVHLoader)" }

    public func write(_ clip: MotionClip, layout: MotionLayout, to file: OutputFile) throws {
        try BVHWriter.write(clip.scaled(by: layout.unit.factor(to: units)), to: file.url)
    }

    public func makeStream(to file: OutputFile, layout: MotionLayout, fps: Double, frameCount: Int) throws -> any MotionFileStream {
        // The streaming writer positions the root only; a retargeted rig whose hips sit below its root is written whole.
        guard layout.translatedJoints.isEmpty else {
            return BufferedMotionStream(layout: layout, fps: fps, frameCount: frameCount, path: file.url.path) {
                try write($0, layout: layout, to: file)
            }
        }
        let factor = layout.unit.factor(to: units)
        return ScaledMotionStream(try BVHStreamWriter(url: file.url, skeleton: layout.skeleton.scaled(by: factor), fps: fps, frameCount: frameCount),
                                  factor: factor)
    }
}

/// A stream that converts each chunk's lengths by `factor` (a unit change) before `inner` writes it.
public final class ScaledMotionStream: MotionFileStream {
    let inner: any MotionFileStream
    let factor: Double

    /// `inner` itself when `factor` is 1 would be simpler for callers, but a wrapper keeps the type uniform; the
    /// scaling is skipped (`MotionClip.scaled` returns the clip) so the bytes are the unscaled writer's.
    public init(_ inner: any MotionFileStream, factor: Double) {
        self.inner = inner
        self.factor = factor
    }

    public func append(_ chunk: MotionClip) throws { try inner.append(chunk.scaled(by: factor)) }
    public func commit() throws { try inner.commit() }
    public func discard() { inner.discard() }
}
