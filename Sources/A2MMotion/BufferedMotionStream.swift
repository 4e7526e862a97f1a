import A2MCore
import Foundation

/// A `MotionFileStream` for output that needs the whole clip before it can write a byte (glTF's accessors with
/// their bounds, VRMA's resampling, frames with per-frame translations below the root, which the streaming
/// BVH and JSON writers do not write): chunks are kept in memory, in order, and `write` runs at `commit`. So
/// memory grows with the clip's length for these outputs only (about 16 bytes per joint per frame: 40 MiB for
/// an hour of a 22-joint skeleton at 30 fps).
public final class BufferedMotionStream: MotionFileStream {
    public let layout: MotionLayout
    public let fps: Double
    public let frameCount: Int
    /// The output's name, for errors.
    public let path: String
    private let write: (MotionClip) throws -> Void
    private var roots: [SIMD3<Float>] = []
    private var rotations: [SIMD4<Float>] = []
    private var translations: [Int: [SIMD3<Float>]] = [:]

    public init(layout: MotionLayout, fps: Double, frameCount: Int, path: String, write: @escaping (MotionClip) throws -> Void) {
        self.layout = layout
        self.fps = fps
        self.frameCount = frameCount
        self.path = path
        self.write = write
        // Exact capacity: growing by doubling would briefly hold up to 3× a long clip's frames.
        roots.reserveCapacity(frameCount)
        rotations.reserveCapacity(frameCount * layout.skeleton.jointCount)
    }

    public func append(_ chunk: MotionClip) throws {
        guard chunk.skeleton == layout.skeleton, chunk.translations.keys.sorted() == layout.translatedJoints else {
            throw OutputError.cannotWrite(path: path, reason: "a chunk of another skeleton or translation layout")
        }
        guard roots.count + chunk.frameCount <= frameCount else {
            throw OutputError.cannotWrite(path: path, reason: "more than the \(frameCount) declared frames")
        }
        roots += chunk.rootPositions
        rotations += chunk.rotations
        for (j, t) in chunk.translations { translations[j, default: []] += t }
    }

    public func commit() throws {
        guard roots.count == frameCount else {
            throw OutputError.cannotWrite(path: path, reason: "\(roots.count) of the \(frameCount) declared frames were written")
        }
        try write(MotionClip(skeleton: layout.skeleton, fps: fps, rootPositions: roots, rotations: rotations, translations: translations))
        discard()
    }

    /// Nothing is on disk before `commit`; the frames are released.
    public func discard() {
        roots = []
        rotations = []
        translations = [:]
    }
}
