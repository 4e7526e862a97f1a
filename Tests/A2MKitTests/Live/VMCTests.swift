import Foundation
import Testing
@testable import A2MLive
@testable import A2MMotion
@testable import A2MRetarget
@testable import A2MExport

/// Unity's `HumanBodyBones` names (UnityEngine.HumanBodyBones, 2019+), which VMC receivers look bones up by.
let unityHumanBodyBones: Set<String> = {
    var s: Set<String> = ["Hips", "Spine", "Chest", "UpperChest", "Neck", "Head", "Jaw", "LeftEye", "RightEye"]
    for side in ["Left", "Right"] {
        for b in ["Shoulder", "UpperArm", "LowerArm", "Hand", "UpperLeg", "LowerLeg", "Foot", "Toes"] { s.insert(side + b) }
        for f in ["Thumb", "Index", "Middle", "Ring", "Little"] {
            for k in ["Proximal", "Intermediate", "Distal"] { s.insert(side + f + k) }
        }
    }
    return s
}()

@Suite struct VMCTests {
    /// Largest |‖q‖ − 1| a received quaternion may have (Float32 on the wire).
    static let normTol = 1e-4

    static func motion() throws -> MotionClip {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../Motions/wave.bvh").standardized
        return try BVHReader.read(url).clip
    }

    /// Our own decoder reads the bundles the sink builds: one bundle per frame, every bone a HumanBodyBones name,
    /// unit quaternions, the root message first.
    @Test func bundlesDecodeInSwift() throws {
        let clip = try Self.motion()
        let sink = VMCSink(try UDPSender("127.0.0.1:9"))
        try sink.start(skeleton: clip.skeleton, fps: clip.fps)
        let rig = try VRMAnimationExport.tPoseRig(for: Rig(skeleton: clip.skeleton, unit: .cm, file: "wave.bvh", format: .bvh))
        let r = try Retargeter(source: Rig(skeleton: clip.skeleton, unit: .cm, file: "wave.bvh", format: .bvh), target: rig.rig).retarget(clip)
        let d = try OSC.decode(sink.bundle(r, frame: 3, time: 0.1).bytes)
        #expect(d.timeTag == 1)
        #expect(d.messages.first?.address == "/VMC/Ext/Root/Pos")
        let bones = d.messages.filter { $0.address == "/VMC/Ext/Bone/Pos" }
        #expect(bones.count == rig.bones.count)
        for m in bones {
            guard case .string(let name) = m.arguments[0] else { Issue.record("bone name not a string"); continue }
            #expect(unityHumanBodyBones.contains(name), "\(name) is not a HumanBodyBones name")
            let q = m.arguments[4...7].map { a -> Double in if case .float(let v) = a { return Double(v) } else { return .nan } }
            let norm = q.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < Self.normTol, "\(name): |q| = \(norm)")
        }
    }

    /// A real OSC peer (python-osc) receives a paced stream on 127.0.0.1: bone names, unit quaternions, one bundle
    /// per frame, frame times and arrival spacing at the frame rate.
    @Test func pythonOSCReceivesTheStream() throws {
        guard OSCPeer.available else {
            print("skipped: python-osc is not installed (pip install python-osc); the Swift decoding test still runs")
            return
        }
        let frames = 30
        let peer = try OSCPeer(count: frames, timeout: 5)
        let port = peer.port
        let clip = try Self.motion()
        let sink = VMCSink(try UDPSender("127.0.0.1:\(port)"))
        try sink.start(skeleton: clip.skeleton, fps: 30)
        let t0 = DispatchTime.now().uptimeNanoseconds
        for f in 0..<frames {
            let due = t0 + UInt64(Double(f) / 30 * 1e9)
            let now = DispatchTime.now().uptimeNanoseconds
            if due > now { usleep(UInt32((due - now) / 1000)) }
            let one = MotionClip(skeleton: clip.skeleton, fps: clip.fps, rootPositions: [clip.rootPositions[f % clip.frameCount]],
                                 rotations: Array(clip.rotations[(f % clip.frameCount) * clip.jointCount..<(f % clip.frameCount + 1) * clip.jointCount]))
            try sink.send(one, first: f)
        }
        let received = try peer.received()
        #expect(received.count == frames, "python-osc received \(received.count) of \(frames) bundles")
        var arrivals: [Double] = []
        for (f, b) in received.enumerated() {
            #expect(b["bundle"] as? Bool == true)
            arrivals.append(b["arrival"] as! Double)
            let messages = b["messages"] as! [[Any]]
            let bones = messages.filter { $0[0] as? String == "/VMC/Ext/Bone/Pos" }
            #expect(bones.count >= 15)
            var worst = 0.0
            for m in bones {
                let name = m[1] as! String
                #expect(unityHumanBodyBones.contains(name), "\(name)")
                let q = (5...8).map { (m[$0] as! NSNumber).doubleValue }  // [address, name, p.x, p.y, p.z, q.x, q.y, q.z, q.w]
                worst = max(worst, abs(q.reduce(0) { $0 + $1 * $1 }.squareRoot() - 1))
            }
            #expect(worst < Self.normTol, "frame \(f): largest |‖q‖ − 1| \(worst)")
            #expect(Set(bones.map { $0[1] as! String }).isSuperset(of: ["Hips", "Spine", "Head", "LeftUpperArm", "RightHand", "LeftFoot"]))
            let t = messages.first { $0[0] as? String == "/VMC/Ext/T" }.map { ($0[1] as! NSNumber).doubleValue }
            #expect(abs((t ?? -1) - Double(f) / 30) < 1e-5, "frame \(f): /VMC/Ext/T \(String(describing: t))")
        }
        // Frame timing: the bundles arrive 1/30 s apart (median spacing within 5 ms).
        let gaps = zip(arrivals.dropFirst(), arrivals).map { $0 - $1 }.sorted()
        let median = gaps[gaps.count / 2]
        #expect(abs(median - 1.0 / 30) < 0.005, "median spacing \(median) s")
    }
}
