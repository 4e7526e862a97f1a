import A2MCore
import A2MMotion

/// Joins windows in motion space: each window is denormalized and decoded (`MotionFeatures.decode`) starting
/// from the root position and heading that the clip already has at the window's first frame, so consecutive
/// windows share their root trajectory at the start of the overlap. Across the overlap, root positions are
/// crossfaded and every joint's rotation is slerped (`Rotation.slerp`, shorter arc), both with the
/// raised-cosine weight of `crossfadeWeight`. Finished frames go to `emit` as a `MotionClip` chunk
/// (quaternions kept sign-continuous across chunks).
///
/// Keeps only the decoded frames the next window shares (< W frames).
package final class MotionStitcher: WindowStitcher {
    let skeleton: Skeleton
    let fps: Double
    let normalization: NormalizationStats
    private let emit: (_ first: Int, _ chunk: MotionClip) throws -> Void
    /// Tests switch this off to show what the blend removes.
    var blend = true
    private var tailRoots: [SIMD3<Float>] = []
    private var tailRotations: [SIMD4<Float>] = []
    private var lastEmitted: [SIMD4<Float>]?

    package init(skeleton: Skeleton, fps: Double, normalization: NormalizationStats,
                emit: @escaping (_ first: Int, _ chunk: MotionClip) throws -> Void) {
        self.skeleton = skeleton
        self.fps = fps
        self.normalization = normalization
        self.emit = emit
    }

    package func add(window x0: [Float], frames: Range<Int>, overlap: Int, finishedUpTo: Int) throws {
        let J = skeleton.jointCount
        precondition(tailRoots.count == overlap, "MotionStitcher: overlap out of sync")
        var start = MotionFeatures.RootStart()
        if overlap > 0 {
            let first = MotionClip(skeleton: skeleton, fps: fps, rootPositions: [tailRoots[0]],
                                   rotations: Array(tailRotations[0..<J]))
            start = MotionFeatures.rootStart(of: first)
        }
        var clip = try MotionFeatures.decode(normalization.denormalized(x0), skeleton: skeleton, fps: fps, start: start)
        // Finite features can still integrate to a root position beyond Float's range (a hostile std).
        if let f = clip.rootPositions.firstIndex(where: { !($0.x.isFinite && $0.y.isFinite && $0.z.isFinite) }) {
            throw MotionFeatureError.nonFinite(frame: f, feature: 0)
        }
        for j in 0..<(blend ? overlap : 0) {
            let a = crossfadeWeight(j, of: overlap)
            clip.rootPositions[j] = tailRoots[j] + a * (clip.rootPositions[j] - tailRoots[j])
            for k in j * J..<(j + 1) * J {
                clip.rotations[k] = SIMD4<Float>(Rotation.slerp(SIMD4<Double>(tailRotations[k]), SIMD4<Double>(clip.rotations[k]), Double(a)))
            }
        }
        var previous = lastEmitted ?? Array(clip.rotations[0..<J])
        for f in 0..<frames.count {
            for j in 0..<J {
                let k = f * J + j
                clip.rotations[k] = Rotation.continuous(clip.rotations[k], after: previous[j])
                previous[j] = clip.rotations[k]
            }
        }
        let n = finishedUpTo - frames.lowerBound
        lastEmitted = Array(clip.rotations[(n - 1) * J..<n * J])
        try emit(frames.lowerBound, MotionClip(skeleton: skeleton, fps: fps, rootPositions: Array(clip.rootPositions[0..<n]),
                                               rotations: Array(clip.rotations[0..<n * J])))
        tailRoots = Array(clip.rootPositions[n...])
        tailRotations = Array(clip.rotations[(n * J)...])
    }
}
