import Foundation

// Rest-pose geometry of a skeleton's lower body, shared by the training loss's foot term
// (`FootVelocityLoss`) and generation's foot lock (`FootLock`). Y is up (a2m's convention, docs/formats.md).

extension Skeleton {
    /// Heights of the rest pose's joints, then its end sites (`MotionClip.worldPositions`).
    var restHeights: [Double] {
        MotionClip(restPoseOf: self, fps: 1, frames: 1).worldPositions(frame: 0, includeEndSites: true).map { Double($0.y) }
    }

    /// Rest-pose height (highest minus lowest point, end sites included), in the skeleton's units.
    package var restHeight: Double {
        let y = restHeights
        return (y.max() ?? 0) - (y.min() ?? 0)
    }

    /// Joints whose rest-pose height lies in the lowest 10 % of the skeleton's height (joints and end sites):
    /// ankles and toes on a humanoid in any unit; on a2m's default skeleton LeftFoot, LeftToeBase, RightFoot,
    /// RightToeBase. The root is never a foot.
    package var footJoints: [Int] {
        let y = restHeights
        let lo = y[..<jointCount].min() ?? 0, hi = y.max() ?? 0
        let limit = lo + 0.1 * (hi - lo)
        return (1..<jointCount).filter { y[$0] <= limit }
    }

    /// The legs as two-bone chains hip → knee → ankle: every foot joint (`footJoints`) whose parent is not a
    /// foot joint is an ankle, its parent the knee and the knee's parent the hip. A chain counts only when the
    /// hip is not the root (the root carries the whole body) and both bones have length.
    var legs: [Leg] {
        let feet = Set(footJoints)
        return footJoints.compactMap { ankle -> Leg? in
            guard let knee = joints[ankle].parent, !feet.contains(knee), let hip = joints[knee].parent, hip != 0,
                  joints[hip].parent != nil,
                  joints[knee].offset != .zero, joints[ankle].offset != .zero else { return nil }
            return Leg(hip: hip, knee: knee, ankle: ankle)
        }
    }

    /// A leg as `legs` finds it (joint indices).
    struct Leg: Equatable, Sendable {
        var hip: Int, knee: Int, ankle: Int
    }
}
