import Foundation
import A2MCore
import A2MMotion
import A2MRetarget

/// VRM Animation export (`.vrma`, the `VRMC_vrm_animation` 1.0 glTF extension; docs/formats.md "VRMA").
///
/// The clip is retargeted (`Retargeter`) onto a skeleton built from its own humanoid bones in the VRM T-pose:
/// Y up, facing +Z, every rest rotation the identity, spine and neck straight up, arms and fingers straight
/// out along ±X, legs straight down, each bone as long as the source's; offsets that are not along a bone
/// (hips → thighs, chest → shoulders, hand → fingers) keep the source's geometry. Only the joints VRM names
/// are written (a2m's Spine1 becomes `chest`, etc.; joints no VRM bone matches are folded into their parent).
/// Then: rotation channels for every bone, translation on the hips only, no scale, 30 fps by default,
/// metres. The extension lists `humanoid.humanBones`, and `lookAt`: a node whose rotation is the eyes'
/// direction in the head's look-at space, held straight ahead (a2m generates no eye motion), with
/// `offsetFromHeadBone` halfway up the head when the skeleton gives the head's length (its end site).
public enum VRMAnimationExport {
    /// The frame rate the VRMA specification proposes.
    public static let defaultFPS = 30.0
    public static let extensionName = "VRMC_vrm_animation"

    /// VRM T-pose direction of each bone (joint → its direction child), in the VRM model space (+X = the
    /// model's left); nil = the bone follows its parent's turn (hips, head, feet, toes, thumbs, finger tips).
    static func tPoseDirection(_ b: HumanoidBone) -> SIMD3<Double>? {
        switch b {
        case .spine, .chest, .upperChest, .neck: return [0, 1, 0]
        case .leftUpperLeg, .leftLowerLeg, .rightUpperLeg, .rightLowerLeg: return [0, -1, 0]
        default:
            let n = b.rawValue
            guard !n.contains("Thumb"), !n.hasSuffix("Distal") else { return nil }
            if n.hasPrefix("left"), n.contains("Shoulder") || n.contains("Arm") || n.contains("Hand") || b.isFinger { return [1, 0, 0] }
            if n.hasPrefix("right"), n.contains("Shoulder") || n.contains("Arm") || n.contains("Hand") || b.isFinger { return [-1, 0, 0] }
            return nil
        }
    }

    /// The VRM T-pose rig for a source rig (in metres), and the humanoid bone of each of its joints.
    public static func tPoseRig(for source: Rig) throws -> (rig: Rig, bones: [HumanoidBone]) {
        let missing = source.humanoid.missingRequired
        guard missing.isEmpty else {
            throw RigError.missingBones(file: source.file, bones: missing, convention: source.humanoid.source, joints: source.skeleton.names)
        }
        let map = source.humanoid.joints
        let w = Retargeter.restWorld(source)
        func p(_ b: HumanoidBone) -> SIMD3<Double> { w[map[b]!].position }
        // Source body frame → VRM model space (+X left, +Y up, +Z forward), in metres, hips at the origin.
        var up = p(.head) - p(.hips); up /= max(up.length, 1e-12)
        var left = (p(.leftUpperArm) - p(.rightUpperArm)) + (p(.leftUpperLeg) - p(.rightUpperLeg))
        left -= up * up.dot(left)
        left = left.length > 1e-12 ? left / left.length : up.anyOrthogonal
        let toModel = Matrix3(columns: left, up, left.cross(up)).transposed
        func model(_ b: HumanoidBone) -> SIMD3<Double> { toModel * (p(b) - p(.hips)) * source.unit.metres }

        let bones = HumanoidBone.allCases.filter { map[$0] != nil }
        func presentParent(_ b: HumanoidBone) -> HumanoidBone? {
            var q = b.parent
            while let c = q, map[c] == nil { q = c.parent }
            return q
        }
        var turn: [HumanoidBone: Matrix3] = [:], pos: [HumanoidBone: SIMD3<Double>] = [:]
        for b in bones {
            let parent = presentParent(b)
            var r = parent.flatMap { turn[$0] } ?? .identity
            if b != .hips, let want = tPoseDirection(b), let c = b.directionChildren.first(where: { map[$0] != nil }) {
                let d = model(c) - model(b)
                if d.length > 1e-9 { r = Retargeter.shortestArc(from: d / d.length, to: want) }
            }
            turn[b] = r
            pos[b] = parent.map { pos[$0]! + turn[$0]! * (model(b) - model($0)) } ?? .zero
        }
        // Stand on the floor: the lowest joint at height 0.
        let lift = -(bones.map { pos[$0]!.y }.min() ?? 0)
        var joints: [Skeleton.Joint] = []
        for b in bones {
            let parent = presentParent(b).map { bones.firstIndex(of: $0)! }
            let offset = parent.map { pos[b]! - pos[bones[$0]]! } ?? (pos[b]! + SIMD3(0, lift, 0))
            var joint = Skeleton.Joint(name: source.skeleton.joints[map[b]!].name, parent: parent, offset: SIMD3<Float>(offset),
                                       hasPosition: parent == nil, rotationOrder: .zxy)
            if b == .head, let e = source.skeleton.joints[map[b]!].endSite {
                // Keep the head's length for the look-at offset (straight up in the T-pose).
                joint.endSite = Skeleton.EndSite(offset: [0, Float(SIMD3<Double>(e.offset).length * source.unit.metres), 0])
            }
            joints.append(joint)
        }
        let skeleton = try Skeleton(joints: joints)
        var humanoid: [HumanoidBone: Int] = [:]
        for (j, b) in bones.enumerated() { humanoid[b] = j }
        let rig = Rig(skeleton: skeleton, unit: .m, humanoid: HumanoidMap(joints: humanoid, source: "VRM T-pose"), file: source.file, format: .vrm)
        return (rig, bones)
    }

    /// The VRMA document of `clip` (lengths in `unit`), resampled to `fps`. `source` names the clip's file in
    /// errors about its skeleton, `file` the output.
    public static func document(_ clip: MotionClip, unit: LengthUnit, fps: Double = defaultFPS, source sourceName: String = "<motion>",
                                file: String = "<memory>") throws -> GLTFDocument {
        let source = Rig(skeleton: clip.skeleton, unit: unit, file: sourceName, format: .bvh)
        let (rig, bones) = try tPoseRig(for: source)
        let retargeter = try Retargeter(source: source, target: rig)
        let motion = retargeter.retarget(clip.fps == fps ? clip : try clip.resampled(to: fps))
        var a = try GLTFAssembly(clip: motion, unit: .m, restRotations: nil, file: file)
        var ext: [(String, JSONValue)] = [("specVersion", .string("1.0")),
                                          ("humanoid", .object([("humanBones", .object(bones.enumerated().map { ($1.rawValue, .object([("node", .int($0))])) }))]))]
        // Look-at: a scene-root node held at the identity (eyes straight ahead of the head).
        let lookAt = a.nodes.count
        a.nodes.append(.object([("name", .string("lookAt"))]))
        a.sceneRoots.append(lookAt)
        let ahead = a.bin.floats(Array(repeating: [Float(0), 0, 0, 1], count: motion.frameCount).flatMap { $0 }, type: "VEC4", count: motion.frameCount)
        a.extraChannels.append((node: lookAt, path: "rotation", values: ahead))
        var look: [(String, JSONValue)] = [("node", .int(lookAt))]
        if let head = bones.firstIndex(of: .head), let e = rig.skeleton.joints[head].endSite {
            look.append(("offsetFromHeadBone", .floats([0, e.offset.y / 2, 0])))
        }
        ext.append(("lookAt", .object(look)))
        a.addAnimation(name: "a2m")
        a.extensionsUsed = [extensionName]
        a.extensions = [(extensionName, .object(ext))]
        return a.document(sceneName: "a2m")
    }

    public static func write(_ clip: MotionClip, unit: LengthUnit, to url: URL, fps: Double = defaultFPS, source: String = "<motion>") throws {
        try document(clip, unit: unit, fps: fps, source: source, file: url.path).write(to: url)
    }
}
