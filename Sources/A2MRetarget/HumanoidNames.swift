import Foundation
import A2MMotion

/// Built-in joint-name conventions, each a table from normalized joint name to humanoid bone.
///
/// Names are compared after `normalize`: the part after the last `:` or `|` (namespaces such as
/// `mixamorig:`), lower-cased, with a leading `mixamorig`/`mixamorig1` (three.js strips the colon) and every
/// space, `_`, `-` and `.` removed. Conventions disagree about some names (SMPL's `left_shoulder` is the upper
/// arm, Mixamo's `LeftShoulder` the clavicle; SMPL's `spine1` is the spine, Mixamo's `Spine1` the chest), so a
/// skeleton is matched against each whole table and the one that recognizes most joints wins.
public struct HumanoidNameConvention: Sendable {
    public let name: String
    let table: [String: HumanoidBone]

    public static func normalize(_ name: String) -> String {
        var n = Substring(name)
        if let i = n.lastIndex(where: { $0 == ":" || $0 == "|" }) { n = n[n.index(after: i)...] }
        var s = n.lowercased().filter { !" _-.".contains($0) }
        if s.hasPrefix("mixamorig") {
            s.removeFirst("mixamorig".count)
            while let c = s.first, c.isNumber { s.removeFirst() }
        }
        return s
    }

    init(_ name: String, _ pairs: [(String, HumanoidBone)]) {
        self.name = name
        var t: [String: HumanoidBone] = [:]
        for (k, b) in pairs { t[HumanoidNameConvention.normalize(k)] = b }
        table = t
    }

    /// Bone of a joint name under this convention.
    public func bone(for jointName: String) -> HumanoidBone? { table[Self.normalize(jointName)] }

    static let fingerNames = ["Thumb", "Index", "Middle", "Ring", "Little"]
    static func fingers(_ side: String) -> [[HumanoidBone]] {
        let segs = [["Metacarpal", "Proximal", "Distal"], ["Proximal", "Intermediate", "Distal"]]
        return fingerNames.map { f in (f == "Thumb" ? segs[0] : segs[1]).map { HumanoidBone(rawValue: side + f + $0)! } }
    }

    /// `f(side, finger index 0...4, segment 1...3)` → name, for both sides.
    static func fingerPairs(_ name: (_ left: Bool, _ finger: Int, _ segment: Int) -> String?) -> [(String, HumanoidBone)] {
        var out: [(String, HumanoidBone)] = []
        for (left, side) in [(true, "left"), (false, "right")] {
            for (f, bones) in fingers(side).enumerated() {
                for (k, b) in bones.enumerated() { if let n = name(left, f, k + 1) { out.append((n, b)) } }
            }
        }
        return out
    }

    /// Body bones named by side: `f(bone without side, "Left"/"Right")`.
    static func sided(_ pairs: [(String, String)], left: String, right: String) -> [(String, HumanoidBone)] {
        pairs.flatMap { (pattern, bone) in
            [(pattern.replacingOccurrences(of: "$", with: left), HumanoidBone(rawValue: "left" + bone)!),
             (pattern.replacingOccurrences(of: "$", with: right), HumanoidBone(rawValue: "right" + bone)!)]
        }
    }

    /// a2m's own skeletons and Mixamo (`mixamorig:` prefix or none; also the 75-joint ZeroEGGS/BEAT rigs and
    /// CMU's "cgspeed" BVH, which use the same names).
    public static let a2m = HumanoidNameConvention("a2m/Mixamo", [
        ("Hips", .hips), ("Spine", .spine), ("Spine1", .chest), ("Spine2", .upperChest), ("Neck", .neck), ("Head", .head),
    ] + sided([("$Shoulder", "Shoulder"), ("$Arm", "UpperArm"), ("$ForeArm", "LowerArm"), ("$Hand", "Hand"),
               ("$UpLeg", "UpperLeg"), ("$Leg", "LowerLeg"), ("$Foot", "Foot"), ("$ToeBase", "Toes")], left: "Left", right: "Right")
      + fingerPairs { l, f, k in "\(l ? "Left" : "Right")Hand\(["Thumb", "Index", "Middle", "Ring", "Pinky"][f])\(k)" })

    /// Unreal Engine Mannequin (UE4, UE5 Manny/Quinn, MetaHuman body): `pelvis`, `spine_01`, `upperarm_l`, ...
    public static let unreal = HumanoidNameConvention("UE Mannequin", [
        ("pelvis", .hips), ("spine_01", .spine), ("spine_02", .chest), ("spine_03", .upperChest), ("neck_01", .neck), ("head", .head),
    ] + sided([("clavicle_$", "Shoulder"), ("upperarm_$", "UpperArm"), ("lowerarm_$", "LowerArm"), ("hand_$", "Hand"),
               ("thigh_$", "UpperLeg"), ("calf_$", "LowerLeg"), ("foot_$", "Foot"), ("ball_$", "Toes")], left: "l", right: "r")
      + fingerPairs { l, f, k in "\(["thumb", "index", "middle", "ring", "pinky"][f])_0\(k)_\(l ? "l" : "r")" })

    /// VRM 1.0 humanoid bone names as joint names (thumbs: metacarpal, proximal, distal).
    public static let vrm = HumanoidNameConvention("VRM humanoid", HumanoidBone.allCases.map { ($0.rawValue, $0) })

    /// Unity Humanoid (`HumanBodyBones`, also VRM 0.x): like VRM but thumbs are proximal, intermediate, distal,
    /// and `LeftToes`/`Left Thumb Proximal` spellings.
    public static let unity = HumanoidNameConvention("Unity Humanoid", HumanoidBone.allCases.filter { !$0.rawValue.contains("Thumb") }.map { ($0.rawValue, $0) }
        + fingerPairs { l, f, k in f == 0 ? "\(l ? "Left" : "Right")Thumb\(["Proximal", "Intermediate", "Distal"][k - 1])" : nil })

    /// VRoid Studio's VRM models: `J_Bip_C_Hips`, `J_Bip_L_UpperArm`, `J_Bip_L_Index1`, ...
    public static let vroid = HumanoidNameConvention("VRoid", [
        ("J_Bip_C_Hips", .hips), ("J_Bip_C_Spine", .spine), ("J_Bip_C_Chest", .chest), ("J_Bip_C_UpperChest", .upperChest),
        ("J_Bip_C_Neck", .neck), ("J_Bip_C_Head", .head),
    ] + sided([("J_Bip_$_Shoulder", "Shoulder"), ("J_Bip_$_UpperArm", "UpperArm"), ("J_Bip_$_LowerArm", "LowerArm"), ("J_Bip_$_Hand", "Hand"),
               ("J_Bip_$_UpperLeg", "UpperLeg"), ("J_Bip_$_LowerLeg", "LowerLeg"), ("J_Bip_$_Foot", "Foot"), ("J_Bip_$_ToeBase", "Toes")],
              left: "L", right: "R")
      + fingerPairs { l, f, k in "J_Bip_\(l ? "L" : "R")_\(["Thumb", "Index", "Middle", "Ring", "Little"][f])\(k)" })

    /// SMPL, SMPL-H and SMPL-X joint names (`pelvis`, `left_hip`, `left_collar`, `left_index1`, ...; also the
    /// `L_Hip` spelling). SMPL's `left_shoulder` is the upper arm and `left_foot` the toes.
    public static let smpl: HumanoidNameConvention = {
        var pairs: [(String, HumanoidBone)] = [("pelvis", .hips), ("spine1", .spine), ("spine2", .chest), ("spine3", .upperChest),
                                               ("neck", .neck), ("head", .head), ("jaw", .jaw)]
        for (long, short) in [("left_", "L_"), ("right_", "R_")] {
            let side = long == "left_" ? "left" : "right"
            for (n, b) in [("hip", "UpperLeg"), ("knee", "LowerLeg"), ("ankle", "Foot"), ("foot", "Toes"), ("collar", "Shoulder"),
                           ("shoulder", "UpperArm"), ("elbow", "LowerArm"), ("wrist", "Hand")] {
                pairs.append((long + n, HumanoidBone(rawValue: side + b)!))
                pairs.append((short + n, HumanoidBone(rawValue: side + b)!))
            }
        }
        pairs += fingerPairs { l, f, k in "\(l ? "left" : "right")_\(["thumb", "index", "middle", "ring", "pinky"][f])\(k)" }
        return HumanoidNameConvention("SMPL/SMPL-X", pairs)
    }()

    /// CMU motion-capture BVH (`hip`, `abdomen`, `lShldr`, `lThigh`, ...).
    public static let cmu = HumanoidNameConvention("CMU", [
        ("hip", .hips), ("abdomen", .spine), ("chest", .chest), ("neck", .neck), ("head", .head),
    ] + sided([("$Collar", "Shoulder"), ("$Shldr", "UpperArm"), ("$ForeArm", "LowerArm"), ("$Hand", "Hand"),
               ("$Thigh", "UpperLeg"), ("$Shin", "LowerLeg"), ("$Foot", "Foot")], left: "l", right: "r"))

    /// MotionBuilder-style BVH (Mocapbank and others): `Chest`, `Chest2`, `LeftCollar`, `LeftShoulder` (the upper
    /// arm), `LeftElbow`, `LeftWrist`, `LeftHip`, `LeftKnee`, `LeftAnkle`.
    public static let motionBuilder = HumanoidNameConvention("MotionBuilder", [
        ("Hips", .hips), ("Chest", .spine), ("Chest2", .chest), ("Chest3", .upperChest), ("Neck", .neck), ("Head", .head),
    ] + sided([("$Collar", "Shoulder"), ("$Shoulder", "UpperArm"), ("$Elbow", "LowerArm"), ("$Wrist", "Hand"),
               ("$Hip", "UpperLeg"), ("$Knee", "LowerLeg"), ("$Ankle", "Foot"), ("$Toe", "Toes")], left: "Left", right: "Right"))

    public static let builtIn: [HumanoidNameConvention] = [.a2m, .unreal, .vrm, .unity, .vroid, .smpl, .cmu, .motionBuilder]
}

/// Which joint of a skeleton plays which humanoid bone.
public struct HumanoidMap: Sendable, Equatable {
    /// Bone → joint index.
    public var joints: [HumanoidBone: Int]
    /// Where the map came from: a built-in convention's name, or the file's VRM humanoid extension.
    public var source: String

    public init(joints: [HumanoidBone: Int], source: String) {
        self.joints = joints
        self.source = source
    }

    /// The built-in convention that recognizes most joints of `skeleton` (ties: the earlier in `builtIn`).
    public static func recognize(_ skeleton: Skeleton) -> HumanoidMap {
        var best = HumanoidMap(joints: [:], source: "none")
        for c in HumanoidNameConvention.builtIn {
            var m: [HumanoidBone: Int] = [:]
            for (j, joint) in skeleton.joints.enumerated() {
                if let b = c.bone(for: joint.name), m[b] == nil { m[b] = j }
            }
            if m.count > best.joints.count { best = HumanoidMap(joints: m, source: c.name) }
        }
        return best
    }

    /// Required bones (`HumanoidBone.required`) this map lacks.
    public var missingRequired: [HumanoidBone] { HumanoidBone.required.filter { joints[$0] == nil } }

    /// Bone of a joint, if mapped.
    public func bone(of joint: Int) -> HumanoidBone? { joints.first { $0.value == joint }?.key }
}
