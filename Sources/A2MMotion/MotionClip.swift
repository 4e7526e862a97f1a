import Foundation

/// Motion on a `Skeleton`: root positions plus every joint's local rotation, per frame.
///
/// Storage: rotations are unit quaternions (x, y, z, w) in Float, frame-major
/// (`rotations[frame * jointCount + joint]`), kept sign-continuous over time per joint. A joint without
/// rotation channels holds the identity. Quaternions were chosen over matrices because they are 4 floats
/// instead of 9, slerp directly, and map to JSON/three.js without conversion; every conversion to Euler,
/// matrices or 6D goes through `Rotation` in Double.
public struct MotionClip: Sendable, Equatable {
    public var skeleton: Skeleton
    /// Frames per second.
    public var fps: Double
    /// World position of the root at each frame (replaces the root's OFFSET).
    public var rootPositions: [SIMD3<Float>]
    /// Local joint rotations, `[frame * jointCount + joint]`, quaternion (x, y, z, w).
    public var rotations: [SIMD4<Float>]
    /// Per-frame local translations of non-root joints that have position channels in the source file
    /// (each replaces that joint's OFFSET). Keyed by joint index; usually empty.
    public var translations: [Int: [SIMD3<Float>]]

    public init(skeleton: Skeleton, fps: Double, rootPositions: [SIMD3<Float>], rotations: [SIMD4<Float>],
                translations: [Int: [SIMD3<Float>]] = [:]) {
        precondition(rotations.count == rootPositions.count * skeleton.jointCount, "rotations must be frames × joints")
        self.skeleton = skeleton
        self.fps = fps
        self.rootPositions = rootPositions
        self.rotations = rotations
        self.translations = translations
    }

    /// A clip of `frames` frames in the rest pose with the root at its OFFSET.
    public init(restPoseOf skeleton: Skeleton, fps: Double, frames: Int) {
        self.init(skeleton: skeleton, fps: fps,
                  rootPositions: Array(repeating: skeleton.joints[0].offset, count: frames),
                  rotations: Array(repeating: SIMD4(0, 0, 0, 1), count: frames * skeleton.jointCount))
    }

    public var frameCount: Int { rootPositions.count }
    public var jointCount: Int { skeleton.jointCount }
    /// Length in seconds: (frames − 1) / fps, the time of the last frame.
    public var duration: Double { frameCount > 1 ? Double(frameCount - 1) / fps : 0 }

    @inlinable func rotation(frame: Int, joint: Int) -> SIMD4<Float> {
        rotations[frame * skeleton.jointCount + joint]
    }

    /// Local rotation matrix of `joint` at `frame`.
    func rotationMatrix(frame: Int, joint: Int) -> Matrix3 {
        Rotation.matrix(quaternion: SIMD4<Double>(rotation(frame: frame, joint: joint)))
    }

    /// Local translation of `joint` at `frame`: root position, a per-frame translation, or the OFFSET.
    package func localTranslation(frame: Int, joint: Int) -> SIMD3<Float> {
        if joint == 0 { return rootPositions[frame] }
        if let t = translations[joint] { return t[frame] }
        return skeleton.joints[joint].offset
    }

    /// World rotation and position of every joint at `frame` (forward kinematics, in Double):
    /// world = parent · Translate(local translation) · R_local.
    package func worldTransforms(frame: Int) -> [(rotation: Matrix3, position: SIMD3<Double>)] {
        var out: [(rotation: Matrix3, position: SIMD3<Double>)] = []
        out.reserveCapacity(jointCount)
        for j in 0..<jointCount {
            let r = rotationMatrix(frame: frame, joint: j)
            let t = SIMD3<Double>(localTranslation(frame: frame, joint: j))
            if let p = skeleton.joints[j].parent {
                let (pr, pp) = out[p]
                out.append((pr * r, pp + pr * t))
            } else {
                out.append((r, t))
            }
        }
        return out
    }

    /// World position of every joint at `frame`, followed by the end sites (in `skeleton.endSiteJoints`
    /// order) when `includeEndSites` is set.
    package func worldPositions(frame: Int, includeEndSites: Bool = false) -> [SIMD3<Float>] {
        let w = worldTransforms(frame: frame)
        var out = w.map { SIMD3<Float>($0.position) }
        if includeEndSites {
            for j in skeleton.endSiteJoints {
                let e = SIMD3<Double>(skeleton.joints[j].endSite!.offset)
                out.append(SIMD3<Float>(w[j].position + w[j].rotation * e))
            }
        }
        return out
    }
}
