import A2MCore
import Foundation

/// Rigs whose root stays still while a joint below it carries the body's travel (Bandai Namco's `joint_Root` →
/// `Hips`, CMU conversions with a reference node): the motion features (docs/design.md §6) describe the root's
/// trajectory only, so such a clip would train with the travel dropped. `MotionRoot` finds the joint that
/// carries the motion and re-roots the clip there: the still joints above it are removed and their constant
/// transform is folded into the new root's position and rotation, so every joint keeps its world motion
/// exactly (up to Float rounding).
public enum MotionRoot {
    /// A still root above the joint that carries the motion.
    public struct Carrier: Sendable, Equatable {
        /// The joint whose per-frame translation carries the motion, in the original skeleton.
        public var joint: String
        /// The still joints above it (root first) that re-rooting removes.
        public var removed: [String]

        public init(joint: String, removed: [String]) { self.joint = joint; self.removed = removed }
    }

    /// A joint counts as still when its translation and rotation vary by less than this fraction of the
    /// skeleton's rest height (rotation: radians) over the clip. Motion-capture exports write the same
    /// digits every frame for a reference node; anything that really moves exceeds it by orders of magnitude.
    public static let stillTolerance = 1e-5

    /// The joint that carries the motion of `clip` when its root is still, else nil. Only a chain of still
    /// joints with one child each can sit above it: a still joint with two children (a prop beside the body)
    /// has no single joint to move the root to.
    public static func carrier(of clip: MotionClip) -> Carrier? {
        let s = clip.skeleton
        guard clip.frameCount > 1, !clip.translations.isEmpty else { return nil }
        let scale = max(restHeight(s), 1e-3)
        var chain = [0]
        while true {
            let j = chain.last!
            guard isStill(clip, joint: j, scale: scale) else { return nil }
            let children = s.joints.indices.filter { s.joints[$0].parent == j }
            guard children.count == 1 else { return nil }
            let c = children[0]
            if let track = clip.translations[c], varies(track, scale: scale) {
                return Carrier(joint: s.joints[c].name, removed: chain.map { s.joints[$0].name })
            }
            chain.append(c)
        }
    }

    /// `clip` with `carrier` as its root: the joints above it are dropped, the new root's per-frame position
    /// and rotation are its world ones (the still joints' transform at frame 0 times its local ones), and
    /// every other joint keeps its parent, offset, channel order and end site.
    public static func rerooted(_ clip: MotionClip, at carrier: Carrier) throws -> MotionClip {
        let s = clip.skeleton
        guard let c = s.index(of: carrier.joint) else {
            throw SkeletonError.badParent(joint: carrier.joint, reason: "no such joint to re-root at")
        }
        // Joints of the carrier's subtree, in order (a BVH lists a subtree contiguously after its root).
        var keep: [Int] = [c]
        var inSubtree = Set([c])
        for j in (c + 1)..<s.jointCount where s.joints[j].parent.map(inSubtree.contains) ?? false {
            keep.append(j)
            inSubtree.insert(j)
        }
        var newIndex = [Int: Int]()
        for (i, j) in keep.enumerated() { newIndex[j] = i }
        let joints = keep.enumerated().map { i, j -> Skeleton.Joint in
            var joint = s.joints[j]
            joint.parent = i == 0 ? nil : newIndex[joint.parent!]
            if i == 0 { joint.hasPosition = true }
            return joint
        }
        // The still ancestors' world transform (constant; frame 0's).
        let world = clip.worldTransforms(frame: 0)
        let p = s.joints[c].parent!
        let (aRot, aPos) = world[p]
        let aQuat = Rotation.quaternion(aRot)
        var rootPositions = [SIMD3<Float>](), rotations = [SIMD4<Float>]()
        rootPositions.reserveCapacity(clip.frameCount)
        rotations.reserveCapacity(clip.frameCount * keep.count)
        var previous = SIMD4<Float>(0, 0, 0, 1)
        for f in 0..<clip.frameCount {
            rootPositions.append(SIMD3<Float>(aPos + aRot * SIMD3<Double>(clip.localTranslation(frame: f, joint: c))))
            let q = Rotation.continuous(SIMD4<Float>(Rotation.multiply(aQuat, SIMD4<Double>(clip.rotation(frame: f, joint: c)))), after: previous)
            previous = q
            rotations.append(q)
            for j in keep.dropFirst() { rotations.append(clip.rotation(frame: f, joint: j)) }
        }
        var translations: [Int: [SIMD3<Float>]] = [:]
        for (j, track) in clip.translations where j != c { if let i = newIndex[j] { translations[i] = track } }
        var root = joints[0]
        root.offset = SIMD3<Float>(aPos + aRot * SIMD3<Double>(s.joints[c].offset))
        return MotionClip(skeleton: try Skeleton(joints: [root] + joints.dropFirst()), fps: clip.fps,
                          rootPositions: rootPositions, rotations: rotations, translations: translations)
    }

    /// Height of the rest pose (largest minus smallest joint y), the unit the still tolerance is relative to.
    static func restHeight(_ s: Skeleton) -> Double {
        let rest = MotionClip(restPoseOf: s, fps: 1, frames: 1)
        let ys = rest.worldPositions(frame: 0).map { Double($0.y) }
        return (ys.max() ?? 0) - (ys.min() ?? 0)
    }

    static func varies(_ track: [SIMD3<Float>], scale: Double) -> Bool {
        guard let first = track.first else { return false }
        let tol = stillTolerance * scale
        return track.contains { p in (SIMD3<Double>(p) - SIMD3<Double>(first)).abs().max() > tol }
    }

    static func isStill(_ clip: MotionClip, joint j: Int, scale: Double) -> Bool {
        if j == 0 {
            if varies(clip.rootPositions, scale: scale) { return false }
        } else if let track = clip.translations[j], varies(track, scale: scale) {
            return false
        }
        // Quaternion components (either sign), not the angle: 2·acos of a dot product near 1 turns Float rounding
        // of an unchanged rotation into 5e-4 rad.
        let q0 = SIMD4<Double>(clip.rotation(frame: 0, joint: j))
        for f in 1..<clip.frameCount {
            let q = SIMD4<Double>(clip.rotation(frame: f, joint: j))
            func largest(_ v: SIMD4<Double>) -> Double { max(max(Swift.abs(v.x), Swift.abs(v.y)), max(Swift.abs(v.z), Swift.abs(v.w))) }
            if min(largest(q - q0), largest(q + q0)) > stillTolerance { return false }
        }
        return true
    }
}
