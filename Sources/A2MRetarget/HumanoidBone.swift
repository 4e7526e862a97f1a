import Foundation
import A2MMotion

/// The VRM 1.0 humanoid bones: the common vocabulary every rig's joints are mapped to (VRM's names, which
/// are also Unity Humanoid's with a lower-case first letter; thumbs as VRM 1.0 names them:
/// metacarpal, proximal, distal).
public enum HumanoidBone: String, CaseIterable, Sendable, Codable {
    case hips, spine, chest, upperChest, neck, head, jaw
    case leftShoulder, leftUpperArm, leftLowerArm, leftHand
    case rightShoulder, rightUpperArm, rightLowerArm, rightHand
    case leftUpperLeg, leftLowerLeg, leftFoot, leftToes
    case rightUpperLeg, rightLowerLeg, rightFoot, rightToes
    case leftThumbMetacarpal, leftThumbProximal, leftThumbDistal
    case leftIndexProximal, leftIndexIntermediate, leftIndexDistal
    case leftMiddleProximal, leftMiddleIntermediate, leftMiddleDistal
    case leftRingProximal, leftRingIntermediate, leftRingDistal
    case leftLittleProximal, leftLittleIntermediate, leftLittleDistal
    case rightThumbMetacarpal, rightThumbProximal, rightThumbDistal
    case rightIndexProximal, rightIndexIntermediate, rightIndexDistal
    case rightMiddleProximal, rightMiddleIntermediate, rightMiddleDistal
    case rightRingProximal, rightRingIntermediate, rightRingDistal
    case rightLittleProximal, rightLittleIntermediate, rightLittleDistal

    /// Bones VRM 1.0 requires (a VRMA must map them; a rig must have them to be retargeted onto).
    public static let required: [HumanoidBone] = [
        .hips, .spine, .head, .leftUpperArm, .leftLowerArm, .leftHand, .rightUpperArm, .rightLowerArm, .rightHand,
        .leftUpperLeg, .leftLowerLeg, .leftFoot, .rightUpperLeg, .rightLowerLeg, .rightFoot,
    ]

    /// The nearest bone towards the hips in the VRM hierarchy (nil for the hips).
    public var parent: HumanoidBone? {
        switch self {
        case .hips: return nil
        case .spine: return .hips
        case .chest: return .spine
        case .upperChest: return .chest
        case .neck: return .upperChest
        case .head: return .neck
        case .jaw: return .head
        case .leftShoulder, .rightShoulder: return .upperChest
        case .leftUpperArm: return .leftShoulder
        case .rightUpperArm: return .rightShoulder
        case .leftLowerArm: return .leftUpperArm
        case .rightLowerArm: return .rightUpperArm
        case .leftHand: return .leftLowerArm
        case .rightHand: return .rightLowerArm
        case .leftUpperLeg, .rightUpperLeg: return .hips
        case .leftLowerLeg: return .leftUpperLeg
        case .rightLowerLeg: return .rightUpperLeg
        case .leftFoot: return .leftLowerLeg
        case .rightFoot: return .rightLowerLeg
        case .leftToes: return .leftFoot
        case .rightToes: return .rightFoot
        default:
            // Fingers: the first bone of each finger hangs off the hand, the others off the previous bone.
            let all = HumanoidBone.allCases
            let i = all.firstIndex(of: self)!
            let firstLeft = all.firstIndex(of: .leftThumbMetacarpal)!, firstRight = all.firstIndex(of: .rightThumbMetacarpal)!
            let start = i >= firstRight ? firstRight : firstLeft
            return (i - start) % 3 == 0 ? (i >= firstRight ? .rightHand : .leftHand) : all[i - 1]
        }
    }

    /// Whether this is a finger bone.
    public var isFinger: Bool {
        let all = HumanoidBone.allCases
        return all.firstIndex(of: self)! >= all.firstIndex(of: .leftThumbMetacarpal)!
    }

    /// Bones whose joint, in order of preference, gives this bone's direction (bone = joint → that joint).
    /// Empty for bones whose direction is taken from their parent (head, toes, finger tips, jaw) and for the
    /// hips, whose orientation is the body's.
    public var directionChildren: [HumanoidBone] {
        switch self {
        case .hips, .head, .jaw, .leftToes, .rightToes: return []
        case .spine: return [.chest, .upperChest, .neck]
        case .chest: return [.upperChest, .neck]
        case .upperChest: return [.neck]
        case .neck: return [.head]
        case .leftShoulder: return [.leftUpperArm]
        case .rightShoulder: return [.rightUpperArm]
        case .leftUpperArm: return [.leftLowerArm]
        case .rightUpperArm: return [.rightLowerArm]
        case .leftLowerArm: return [.leftHand]
        case .rightLowerArm: return [.rightHand]
        case .leftHand: return [.leftMiddleProximal, .leftIndexProximal, .leftRingProximal]
        case .rightHand: return [.rightMiddleProximal, .rightIndexProximal, .rightRingProximal]
        case .leftUpperLeg: return [.leftLowerLeg]
        case .rightUpperLeg: return [.rightLowerLeg]
        case .leftLowerLeg: return [.leftFoot]
        case .rightLowerLeg: return [.rightFoot]
        case .leftFoot: return [.leftToes]
        case .rightFoot: return [.rightToes]
        default:
            // A finger bone points at the next bone of its finger; the last one has none.
            let all = HumanoidBone.allCases
            let i = all.firstIndex(of: self)!
            guard i + 1 < all.count, all[i + 1].parent == self else { return [] }
            return [all[i + 1]]
        }
    }
}
