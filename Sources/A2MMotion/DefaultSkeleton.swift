import Foundation

extension Skeleton {
    /// The a2m default skeleton (Motions/default_skeleton.bvh, documented in Motions/README.md): the 22 body
    /// joints of `a2mBody` plus 15 finger joints per hand (52 joints), Mixamo / Unity Humanoid names
    /// (`LeftHandThumb1`…`LeftHandPinky3`), Y up, centimetres, facing +Z, T-pose with flat hands and every
    /// local rotation zero, channels ZXY. `a2m corpus` writes it; a test checks it against the file.
    public static let a2mDefault: Skeleton = A2MSkeletons.make(fingers: true)

    /// The 22-joint body skeleton without fingers (Motions/body_skeleton.bvh): a2m's default before corpus v2.
    /// Models trained on it embed it and keep loading; `a2m corpus --gesture-model 1` and the sample clips in
    /// Motions/ use it.
    public static let a2mBody: Skeleton = A2MSkeletons.make(fingers: false)

    /// One rest frame of `skeleton` (every rotation zero) with the hips at `A2MSkeletons.hipHeight`: the content
    /// of Motions/default_skeleton.bvh and Motions/body_skeleton.bvh.
    public static func a2mRestFrame(_ skeleton: Skeleton) -> MotionClip {
        var clip = MotionClip(restPoseOf: skeleton, fps: 30, frames: 1)
        clip.rootPositions[0] = SIMD3(0, A2MSkeletons.hipHeight, 0)
        return clip
    }
}

/// The tables behind `Skeleton.a2mDefault` and `Skeleton.a2mBody`. Proportions of an adult about 172 cm tall
/// (hips 95 cm, shoulders 139 cm, head top 172 cm; upper arm 28 cm, forearm 25 cm, hand 19 cm from the wrist
/// to the middle finger's tip; hand breadth across the knuckles 5.3 cm between the index and pinky joints).
public enum A2MSkeletons {
    /// Standing height of the hips joint (cm): legs 5 + 42 + 42 cm plus the 6 cm foot put the toes on y = 0.
    public static let hipHeight: Float = 95

    struct Entry {
        var name: String
        var parent: String?
        var offset: SIMD3<Float>
        var endSite: SIMD3<Float>? = nil
    }

    /// The left hand's fingers, as (name, knuckle offset from the wrist, bone lengths to the next joint,
    /// the next, and the tip) along `direction`. In the T-pose the left hand points +X with the palm down
    /// (−Y) and the thumb forward (+Z); the right hand mirrors X.
    static let fingers: [(name: String, base: SIMD3<Float>, direction: SIMD3<Float>, lengths: (Float, Float, Float))] = [
        // The thumb starts at the carpometacarpal joint and points forward, out and a little below the palm.
        ("Thumb", [2.2, -1.0, 2.0], [0.72, -0.28, 0.64], (4.0, 3.2, 2.6)),
        ("Index", [9.2, 0, 2.6], [1, 0, 0], (4.0, 2.4, 2.2)),
        ("Middle", [9.4, 0, 0.8], [1, 0, 0], (4.5, 2.8, 2.3)),
        ("Ring", [9.0, 0, -1.0], [1, 0, 0], (4.2, 2.7, 2.3)),
        ("Pinky", [8.3, -0.2, -2.7], [1, 0, 0], (3.4, 2.0, 2.0)),
    ]

    /// Rounds to 0.1 cm so the file shows short numbers.
    static func tenth(_ v: SIMD3<Float>) -> SIMD3<Float> { (v * 10).rounded(.toNearestOrAwayFromZero) / 10 }

    static func entries(fingers withFingers: Bool) -> [Entry] {
        var e: [Entry] = [
            Entry(name: "Hips", parent: nil, offset: [0, 0, 0]),
            Entry(name: "Spine", parent: "Hips", offset: [0, 10, 0]),
            Entry(name: "Spine1", parent: "Spine", offset: [0, 12, 0]),
            Entry(name: "Spine2", parent: "Spine1", offset: [0, 12, 0]),
            Entry(name: "Neck", parent: "Spine2", offset: [0, 15, 0]),
            Entry(name: "Head", parent: "Neck", offset: [0, 10, 0], endSite: [0, 18, 0]),
        ]
        for (side, x) in [("Left", Float(1)), ("Right", -1)] {
            e += [
                Entry(name: side + "Shoulder", parent: "Spine2", offset: [4 * x, 10, 0]),
                Entry(name: side + "Arm", parent: side + "Shoulder", offset: [14 * x, 0, 0]),
                Entry(name: side + "ForeArm", parent: side + "Arm", offset: [28 * x, 0, 0]),
                Entry(name: side + "Hand", parent: side + "ForeArm", offset: [25 * x, 0, 0],
                      endSite: withFingers ? nil : [18 * x, 0, 0]),
            ]
            guard withFingers else { continue }
            let mirror = SIMD3<Float>(x, 1, 1)
            for f in fingers {
                let d = f.direction / (f.direction * f.direction).sum().squareRoot()
                let name = side + "Hand" + f.name
                e += [
                    Entry(name: name + "1", parent: side + "Hand", offset: tenth(f.base * mirror)),
                    Entry(name: name + "2", parent: name + "1", offset: tenth(d * f.lengths.0 * mirror)),
                    Entry(name: name + "3", parent: name + "2", offset: tenth(d * f.lengths.1 * mirror),
                          endSite: tenth(d * f.lengths.2 * mirror)),
                ]
            }
        }
        for (side, x) in [("Left", Float(1)), ("Right", -1)] {
            e += [
                Entry(name: side + "UpLeg", parent: "Hips", offset: [9 * x, -5, 0]),
                Entry(name: side + "Leg", parent: side + "UpLeg", offset: [0, -42, 0]),
                Entry(name: side + "Foot", parent: side + "Leg", offset: [0, -42, 0]),
                Entry(name: side + "ToeBase", parent: side + "Foot", offset: [0, -6, 13], endSite: [0, 0, 8]),
            ]
        }
        return e
    }

    static func make(fingers: Bool) -> Skeleton {
        let table = entries(fingers: fingers)
        var index = [String: Int]()
        var joints = [Skeleton.Joint]()
        for (i, e) in table.enumerated() {
            index[e.name] = i
            joints.append(Skeleton.Joint(name: e.name, parent: e.parent.map { index[$0]! }, offset: e.offset,
                                         hasPosition: e.parent == nil, rotationOrder: .zxy,
                                         endSite: e.endSite.map { Skeleton.EndSite(offset: $0) }))
        }
        // The table is a constant checked by tests, so a failure here is a build defect, not user input.
        return try! Skeleton(joints: joints)
    }
}
