import A2MAudio
import A2MCore
import A2MMotion
import Foundation

/// What corpus v2's gesture model needs to know about a skeleton: joint indices and the rest geometry of the
/// torso, arms and legs, measured from the OFFSETs. The rest pose must be a T-pose (arms along ±X, legs down,
/// every local rotation zero), as a2m's default skeletons are.
struct BodyRig {
    /// The joints the model drives; fingers (`LeftHandThumb1`… `RightHandPinky3`) are driven when present.
    static let requiredJoints = ["Hips", "Spine", "Spine1", "Spine2", "Neck", "Head",
                                 "LeftShoulder", "LeftArm", "LeftForeArm", "LeftHand",
                                 "RightShoulder", "RightArm", "RightForeArm", "RightHand",
                                 "LeftUpLeg", "LeftLeg", "LeftFoot", "RightUpLeg", "RightLeg", "RightFoot"]
    /// Largest angle between an arm's upper and lower bone at rest (degrees): the IK assumes a straight T-pose arm.
    static let maxRestBend = 5.0

    struct Arm {
        let shoulder: Int, arm: Int, foreArm: Int, hand: Int
        /// In the left side's coordinates (the right side mirrored in X), relative to Spine2: the clavicle joint,
        /// the shoulder joint relative to it.
        let clavicleOffset: SIMD3<Double>, shoulderOffset: SIMD3<Double>
        let ik: LimbIK
        let fingers: FingerRig?
    }

    struct Leg {
        let upLeg: Int, leg: Int, foot: Int
        /// Hip joint relative to the hips joint; ankle's rest position relative to the hips joint.
        let hipOffset: SIMD3<Double>, restAnkle: SIMD3<Double>
        let ik: LimbIK
    }

    let jointCount: Int
    let hips: Int, spine: [Int], neck: Int, head: Int
    let arms: [Arm]   // [left, right]
    let legs: [Leg]   // [left, right]
    /// Body size relative to the default skeleton: the shoulders' height above the hips over 44 cm.
    let scale: Double
    /// Spine2's rest height above the hips joint (the chest frame's origin).
    let chestHeight: Double
    /// Height of the hips joint when the lowest point of the rest pose (a toe tip) touches the floor.
    let standingHeight: Double

    init(_ skeleton: Skeleton) throws {
        var index = [String: Int]()
        for (i, n) in skeleton.names.enumerated() { index[n] = i }
        for name in Self.requiredJoints where index[name] == nil {
            throw CorpusError.skeletonMissingJoint(name, required: Self.requiredJoints)
        }
        func j(_ n: String) -> Int { index[n]! }
        func offset(_ n: String) -> SIMD3<Double> { SIMD3<Double>(skeleton.joints[j(n)].offset) }
        // Rest positions relative to the hips joint.
        let rest = MotionClip(restPoseOf: skeleton, fps: 30, frames: 1).worldPositions(frame: 0).map { SIMD3<Double>($0) }
        func at(_ n: String) -> SIMD3<Double> { rest[j(n)] - rest[j("Hips")] }

        jointCount = skeleton.jointCount
        hips = j("Hips"); spine = [j("Spine"), j("Spine1"), j("Spine2")]; neck = j("Neck"); head = j("Head")
        chestHeight = at("Spine2").y
        let withEndSites = MotionClip(restPoseOf: skeleton, fps: 30, frames: 1).worldPositions(frame: 0, includeEndSites: true)
        standingHeight = -(withEndSites.map { Double($0.y) }.min()! - rest[j("Hips")].y)
        let shoulderHeight = (at("LeftArm").y + at("RightArm").y) / 2
        guard shoulderHeight > 1e-3 else {
            throw CorpusError.invalidParameter("the skeleton's shoulders are not above its hips (rest pose must be a T-pose, Y up)")
        }
        scale = shoulderHeight / 44

        var arms = [Arm]()
        for side in HandSide.allCases {
            let p = side.name
            let mirror = SIMD3<Double>(side.sign, 1, 1)
            let upper = offset(p + "ForeArm") * mirror, lower = offset(p + "Hand") * mirror
            let bend = acos(max(-1, min(1, upper.dot(lower) / max(1e-9, upper.length * lower.length)))) * 180 / .pi
            guard upper.length > 1e-6, lower.length > 1e-6, bend <= Self.maxRestBend, upper.x > 0 else {
                throw CorpusError.invalidParameter("the \(p.lowercased()) arm is not straight along ±X at rest (bend \(Int(bend))°): the gesture model needs a T-pose")
            }
            arms.append(Arm(shoulder: j(p + "Shoulder"), arm: j(p + "Arm"), foreArm: j(p + "ForeArm"), hand: j(p + "Hand"),
                            clavicleOffset: (at(p + "Shoulder") - at("Spine2")) * mirror, shoulderOffset: offset(p + "Arm") * mirror,
                            ik: LimbIK(upper: upper.length, lower: lower.length, restDirection: upper / upper.length, restHinge: [0, -1, 0]),
                            fingers: FingerRig(skeleton: skeleton, side: p)))
        }
        self.arms = arms
        var legs = [Leg]()
        for side in HandSide.allCases {
            let p = side.name
            let thigh = offset(p + "Leg"), shin = offset(p + "Foot")
            legs.append(Leg(upLeg: j(p + "UpLeg"), leg: j(p + "Leg"), foot: j(p + "Foot"), hipOffset: at(p + "UpLeg"),
                            restAnkle: at(p + "Foot"),
                            ik: LimbIK(upper: thigh.length, lower: shin.length, restDirection: [0, -1, 0], restHinge: [1, 0, 0], maxReach: 0.9995)))
        }
        self.legs = legs
    }
}
