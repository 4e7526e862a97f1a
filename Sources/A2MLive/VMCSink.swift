import A2MExport
import A2MMotion
import A2MRetarget
import Foundation

/// The VMC protocol (Virtual Motion Capture, protocol.vmc.info) over OSC/UDP, as VTuber apps (VSeeFace, VNyan,
/// Warudo) receive it from a "performer": one OSC bundle per frame holding
///   /VMC/Ext/Root/Pos  "root" p.x p.y p.z q.x q.y q.z q.w
///   /VMC/Ext/Bone/Pos  <HumanBodyBones name> p.x p.y p.z q.x q.y q.z q.w   (one per humanoid bone)
///   /VMC/Ext/T         <time in seconds>
///   /VMC/Ext/OK        1
/// Bones are Unity `HumanBodyBones` names (Hips, LeftUpperArm, LeftThumbProximal, ...). The frames are
/// retargeted (`Retargeter`) onto the VRM T-pose rig of the model's skeleton (`VRMAnimationExport.tPoseRig`:
/// every rest rotation the identity, metres), so each rotation is the bone's local rotation relative to the
/// T-pose, which is what a receiver applies to a normalized humanoid; positions are the bones' local offsets,
/// the hips' moving with the root. glTF/VRM coordinates (right-handed, +Z forward) become Unity's (left-handed)
/// by negating x: p = (−x, y, z), q = (x, −y, −z, w), as UniVRM imports VRM 1.0. The root transform stays at the
/// origin (the avatar's own placement); the hips carry the motion.
public final class VMCSink: LiveFrameSink {
    public let sender: UDPSender
    private var retargeter: Retargeter?
    private var bones: [(joint: Int, name: String)] = []
    private var fps = 30.0
    /// Bundles sent.
    public private(set) var sent = 0

    public init(_ sender: UDPSender) {
        self.sender = sender
    }

    /// Unity `HumanBodyBones` name of a VRM 1.0 humanoid bone: the same with a capital first letter, except the
    /// thumbs (VRM 1.0 metacarpal/proximal/distal are Unity's proximal/intermediate/distal).
    public static func unityName(_ b: HumanoidBone) -> String {
        var n = b.rawValue
        if n.contains("Thumb") {
            n = n.replacingOccurrences(of: "Proximal", with: "Intermediate").replacingOccurrences(of: "Metacarpal", with: "Proximal")
        }
        return n.prefix(1).uppercased() + n.dropFirst()
    }

    public func start(skeleton: Skeleton, fps: Double) throws {
        self.fps = fps
        let source = Rig(skeleton: skeleton, unit: .cm, file: "<model skeleton>", format: .bvh)
        let (rig, humanoid) = try VRMAnimationExport.tPoseRig(for: source)
        retargeter = try Retargeter(source: source, target: rig)
        bones = humanoid.enumerated().map { ($0.offset, Self.unityName($0.element)) }
    }

    /// The bundle of frame `f` of a clip on the T-pose rig.
    func bundle(_ clip: MotionClip, frame f: Int, time: Double) -> OSCBundle {
        let J = clip.jointCount
        var messages = [OSCMessage("/VMC/Ext/Root/Pos", [.string("root"), .float(0), .float(0), .float(0), .float(0), .float(0), .float(0), .float(1)])]
        for (j, name) in bones {
            let p = clip.localTranslation(frame: f, joint: j)
            let q = clip.rotations[f * J + j]
            messages.append(OSCMessage("/VMC/Ext/Bone/Pos", [.string(name), .float(-p.x), .float(p.y), .float(p.z),
                                                              .float(q.x), .float(-q.y), .float(-q.z), .float(q.w)]))
        }
        messages.append(OSCMessage("/VMC/Ext/T", [.float(Float(time))]))
        messages.append(OSCMessage("/VMC/Ext/OK", [.int(1)]))
        return OSCBundle(messages: messages)
    }

    public func send(_ chunk: MotionClip, first: Int) throws {
        guard let retargeter else { preconditionFailure("VMCSink.send before start") }
        let clip = retargeter.retarget(chunk)
        for f in 0..<clip.frameCount {
            try sender.send(bundle(clip, frame: f, time: Double(first + f) / fps).bytes)
            sent += 1
        }
    }

    public func finish() throws {}
}
