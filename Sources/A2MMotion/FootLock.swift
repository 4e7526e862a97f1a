import Foundation

// F frames, J joints. Positions in the skeleton's units (a2m's skeletons: cm), Y up; speeds in units per second.

/// Foot-contact cleanup for generated motion ("foot lock"): a foot the network leaves nearly still is held
/// still on the ground plane by turning its leg about the hip; its height and the knee's bend stay the network's.
///
/// Why: the network's feet slide and tremble by millimetres where the training motion plants them exactly, and
/// guidance amplifies it (docs/notes/2026-11-results-notebook.md, "Why FID_k rises with guidance here"). Reference: footskate cleanup
/// as in Kovar, Schreiner and Gleicher 2002 ("Footskate cleanup for motion capture editing"): contacts from foot
/// speed, a fixed foot position per contact, leg IK, blended transitions. Differences and limitations:
/// - Causal, one frame at a time, so it runs on the stream of stitched chunks (`GenerationPipeline`) with no
///   look-ahead and nothing that grows with the audio's length. A contact starts once the ankle's speed has
///   stayed below `onSpeed` for `settleFrames` frames, and locks the foot where it is then (Kovar et al. use
///   the contact's average position, which needs the whole contact). It ends when the speed exceeds
///   `offSpeed` or the network's foot has drifted `maxDrift` from the lock horizontally; the foot then moves
///   with the network's at once, and the offset between them fades out over `releaseSeconds`.
/// - The lock holds the ankle's horizontal position and its world rotation; the ankle's height is the
///   network's. Holding the height too was the first version: a leg near full extension turns a millimetre of
///   hip height into centimetres of knee travel, so the network's hip tremble made the knees pop.
/// - The leg is swung about the hip (`swing`), not bent by two-bone IK, which was the second version. The
///   network's knees are as straight as the corpus's, so a swaying hip took the lock in and out of the straight
///   leg's reach by hundredths of a millimetre, and two-bone IK bent the knee by the square root of that
///   shortfall: each crossing kicked the knee (docs/notes/2026-11-results-notebook.md, "Foot lock: swing instead of two-bone IK").
///   The swing leaves the ankle off the lock by the difference of the hip's distances to the two, about
///   δ² / 2ℓ for a hold of δ (at most 0.16 cm at `maxDrift` on the default skeleton), nearly all of it vertical.
/// - Contacts come from speed only (no height test): a foot held still in the air is held there too.
/// - Only the leg's hip and ankle rotations change. The knee, the root and everything above the hips are
///   untouched, so upper-body motion, and every metric computed from the hands and head, is unchanged.
///   Lowering the root instead, as game engines' foot IK lowers the pelvis, moves the whole body with the
///   hips' jitter: on the held-out clips that multiplied FID_k by 40 (docs/notes/2026-11-results-notebook.md, "Foot lock").
/// - Legs are found by `Skeleton.legs` (Y up); on a skeleton without them, motion passes through unchanged.
package final class FootLock {
    /// Thresholds, as fractions of the skeleton's rest height H (172 cm for a2m's default skeleton) so they
    /// mean the same in any unit.
    package struct Parameters: Equatable, Sendable {
        /// A contact starts below this ankle speed, in H per second (0.02 H/s = 3.4 cm/s on the default
        /// skeleton; the shipped model's sliding feet move ~1 cm/s, its gestures' hands ~20 cm/s).
        var onSpeed = 0.02
        /// A contact ends above this ankle speed, in H per second (hysteresis against flicker).
        var offSpeed = 0.06
        /// Frames below `onSpeed` before a contact starts.
        var settleFrames = 3
        /// A contact ends when the network's ankle is this far from the lock horizontally, in H (0.03 H = 5.2 cm).
        var maxDrift = 0.03
        /// After a contact the offset from the network's foot fades out over this long (smoothstep).
        var releaseSeconds = 0.25

        package init() {}
    }

    private struct LegState {
        var locked = false
        var slowFrames = 0
        var lastFree: SIMD3<Double>?
        /// The locked ankle position (its x and z are held; y is the network's) and world rotation (quaternion).
        var target = SIMD3<Double>.zero
        var targetRotation = SIMD4<Double>(0, 0, 0, 1)
        /// Frames since the last contact ended (nil: no release in progress).
        var sinceRelease: Int?
        /// Lock minus network at the release (position, and world rotation as lock ⊗ network⁻¹): the glide
        /// fades this offset out, so the foot moves with the network's from the first frame.
        var releaseOffset = SIMD3<Double>.zero
        var releaseTurn = SIMD4<Double>(0, 0, 0, 1)
    }

    let skeleton: Skeleton
    let legs: [Skeleton.Leg]
    let parameters: Parameters
    private let height: Double
    private let releaseFrames: Int
    private let fps: Double
    private var states: [LegState]
    /// Frames in which each leg's ankle was moved away from the network's (locked or gliding back).
    private(set) var framesAdjusted: [Int]

    /// Nil when the skeleton has no leg `Skeleton.legs` recognizes.
    package init?(skeleton: Skeleton, fps: Double, parameters: Parameters = Parameters()) {
        // Two ankles on one knee would fight over it; keep the first chain that uses a joint.
        var used = Set<Int>(), legs: [Skeleton.Leg] = []
        for leg in skeleton.legs where used.isDisjoint(with: [leg.hip, leg.knee, leg.ankle]) {
            legs.append(leg)
            used.formUnion([leg.hip, leg.knee, leg.ankle])
        }
        let height = skeleton.restHeight
        guard !legs.isEmpty, height > 0, fps > 0 else { return nil }
        self.skeleton = skeleton
        self.legs = legs
        self.parameters = parameters
        self.height = height
        self.fps = fps
        releaseFrames = max(1, Int((parameters.releaseSeconds * fps).rounded()))
        states = Array(repeating: LegState(), count: legs.count)
        framesAdjusted = Array(repeating: 0, count: legs.count)
    }

    /// Cleans `clip`'s frames in place; successive calls continue the same stream (frames in order).
    package func process(_ clip: inout MotionClip) {
        precondition(clip.skeleton == skeleton, "FootLock: another skeleton")
        let J = skeleton.jointCount
        for f in 0..<clip.frameCount {
            let world = clip.worldTransforms(frame: f)
            // Each leg's chain is its own (init), so both legs solve from the same unmodified transforms.
            for (l, leg) in legs.enumerated() {
                guard let (position, rotation) = output(leg: l, free: world[leg.ankle].position,
                                                        freeRotation: Rotation.quaternion(world[leg.ankle].rotation)) else { continue }
                framesAdjusted[l] += 1
                let hipParent = world[skeleton.joints[leg.hip].parent!].rotation
                let swing = FootLock.swing(hip: world[leg.hip].position, ankle: world[leg.ankle].position, target: position)
                let hip = swing * world[leg.hip].rotation, knee = swing * world[leg.knee].rotation
                // The knee's local rotation is the network's: the swing turns the thigh and the shin together.
                let ankleRotation = Rotation.matrix(quaternion: rotation)
                for (j, m) in [(leg.hip, hipParent.transposed * hip), (leg.ankle, knee.transposed * ankleRotation)] {
                    let k = f * J + j
                    clip.rotations[k] = Rotation.continuous(SIMD4<Float>(Rotation.quaternion(m)), after: clip.rotations[k])
                }
            }
        }
    }

    /// Where leg `l`'s ankle goes this frame (position, world rotation), or nil to leave the network's.
    private func output(leg l: Int, free: SIMD3<Double>, freeRotation: SIMD4<Double>) -> (SIMD3<Double>, SIMD4<Double>)? {
        let p = parameters
        var s = states[l]
        defer { states[l] = s }
        let speed = s.lastFree.map { (free - $0).length * fps / height } ?? 0
        s.lastFree = free
        let held = SIMD3(s.target.x, free.y, s.target.z)
        if s.locked && (speed > p.offSpeed || (free - held).length > p.maxDrift * height) {
            s.locked = false
            s.sinceRelease = 0
            s.slowFrames = 0
            s.releaseOffset = held - free
            let inverse = SIMD4<Double>(-freeRotation.x, -freeRotation.y, -freeRotation.z, freeRotation.w)
            s.releaseTurn = Rotation.multiply(s.targetRotation, inverse)
        }
        // Where the foot is without a lock: the network's, or on its way back there after a contact.
        var position = free, rotation = freeRotation
        if let k = s.sinceRelease {
            if k < releaseFrames {
                let x = Double(k + 1) / Double(releaseFrames + 1), w = x * x * (3 - 2 * x)
                position = free + s.releaseOffset * (1 - w)
                rotation = Rotation.multiply(Rotation.slerp([0, 0, 0, 1], s.releaseTurn, 1 - w), freeRotation)
                s.sinceRelease = k + 1
            } else {
                s.sinceRelease = nil
            }
        }
        if !s.locked {
            s.slowFrames = speed < p.onSpeed ? s.slowFrames + 1 : 0
            if s.slowFrames >= p.settleFrames {
                // Lock where the foot is shown now, so the contact starts without a jump.
                s.locked = true
                s.target = position
                s.targetRotation = rotation
                s.sinceRelease = nil
            }
        }
        if s.locked { return (SIMD3(s.target.x, free.y, s.target.z), s.targetRotation) }
        return s.sinceRelease == nil ? nil : (position, rotation)
    }

    /// The rotation about the hip joint that turns the whole leg, knee bend unchanged, so that the hip–ankle line
    /// points at `target`. The ankle then lies on that line at the network's own hip–ankle distance: off the
    /// target by |distance to target − distance to ankle|, which for a horizontal hold of δ is about δ² / 2ℓ along
    /// the leg (ℓ the hip–ankle distance; `maxDrift` 5.2 cm on the default skeleton's 85 cm leg: at most 0.16 cm,
    /// almost all of it vertical, and the height is the network's anyway).
    static func swing(hip h: SIMD3<Double>, ankle a: SIMD3<Double>, target t: SIMD3<Double>) -> Matrix3 {
        let from = a - h, to = t - h
        guard from.length > 0, to.length > 0 else { return .identity }
        return rotation(from: from, to: to)
    }

    /// The smallest rotation taking the direction of `from` to the direction of `to` (Rodrigues).
    static func rotation(from: SIMD3<Double>, to: SIMD3<Double>) -> Matrix3 {
        let u = from / from.length, v = to / to.length
        let c = u.dot(v), axis = u.cross(v), s = axis.length
        if s < 1e-12 {
            if c > 0 { return .identity }
            // Opposite: half a turn about any axis orthogonal to u.
            return rodrigues(u.anyOrthogonal, cos: -1, sin: 0)
        }
        return rodrigues(axis / s, cos: c, sin: s)
    }

    private static func rodrigues(_ k: SIMD3<Double>, cos c: Double, sin s: Double) -> Matrix3 {
        func column(_ e: SIMD3<Double>) -> SIMD3<Double> { e * c + k.cross(e) * s + k * (k.dot(e) * (1 - c)) }
        return Matrix3(columns: column([1, 0, 0]), column([0, 1, 0]), column([0, 0, 1]))
    }
}
