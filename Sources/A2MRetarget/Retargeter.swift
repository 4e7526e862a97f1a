import Foundation
import A2MMotion

/// Maps motion from one skeleton onto another (`a2m retarget`, docs/retargeting.md).
///
/// Joints are paired through the humanoid bones both rigs' names (or VRM extensions) map to, then any
/// `JointMapFile` entries override pairs. Per pair, the rest poses are aligned in world space:
/// - a global rotation G takes the source's body frame (left, up, forward, from the rest pose's hips, head,
///   shoulders and thighs) to the target's, so Z-up or −Z-facing rigs are handled;
/// - per bone, A is the shortest rotation taking the source's rest bone direction (joint → its paired child,
///   through G) to the target's, so a source T-pose drives an A-pose rig, and vice versa;
/// - the target joint's world rotation at frame f is W_t = G · W_s(f) · W_s,rest⁻¹ · Gᵀ · A⁻¹ · W_t,rest:
///   the source's change from its rest, applied to the target's own rest (which need not be zero-rotation).
///   At the rest pose W_t = A⁻¹ W_t,rest, i.e. the target bone points where the source bone points.
/// Target joints without a pair keep their rest local rotation. The hips' world position is the source's
/// through G, scaled by the ratio of leg lengths (thigh + shin, rest pose); both floors are at height 0.
/// The output keeps the target's joint names, hierarchy, rest offsets and rotation orders; when the hips are
/// not the target's root, their motion is a per-frame translation below their parent.
public struct Retargeter: Sendable {
    public struct Pair: Sendable, Equatable {
        public var source: Int
        public var target: Int
        public var bone: HumanoidBone?
    }

    public let source: Rig
    public let target: Rig
    public let pairs: [Pair]
    /// Target joints that follow no source joint (they keep their rest rotation), by name.
    public let unmappedTarget: [String]
    /// Source joints whose motion goes nowhere, by name.
    public let unmappedSource: [String]
    /// Root-motion scale: target leg length / source leg length (includes any unit change).
    public let rootScale: Double
    /// Source body frame → target body frame.
    package let global: Matrix3
    /// Per target joint: A⁻¹ · W_t,rest for paired joints.
    let alignedRest: [Matrix3?]
    let pairOfTarget: [Int?]
    let sourceRestInverse: [Matrix3]
    let targetRestLocal: [Matrix3]
    let hipsTarget: Int, hipsSource: Int

    public init(source: Rig, target: Rig, map: JointMapFile? = nil) throws {
        self.source = source
        self.target = target
        let s = source.skeleton, t = target.skeleton
        var pairs: [Pair] = []
        for bone in HumanoidBone.allCases {
            if let a = source.humanoid.joints[bone], let b = target.humanoid.joints[bone] { pairs.append(Pair(source: a, target: b, bone: bone)) }
        }
        if let map {
            for e in map.entries {
                guard let a = s.index(of: e.source) else {
                    throw RigError.badMap(file: map.file, entry: "\"\(e.source)\": \"\(e.target)\"", reason: "no joint '\(e.source)' in the source \(source.file)")
                }
                guard let b = t.index(of: e.target) else {
                    throw RigError.badMap(file: map.file, entry: "\"\(e.source)\": \"\(e.target)\"", reason: "no joint '\(e.target)' in the rig \(target.file)")
                }
                pairs.removeAll { $0.source == a || $0.target == b }
                pairs.append(Pair(source: a, target: b, bone: source.humanoid.bone(of: a) ?? target.humanoid.bone(of: b)))
            }
            pairs.sort { $0.target < $1.target }
        }
        // Required humanoid bones; the error names the rig that lacks them (the source first), all at once.
        let missing = HumanoidBone.required.filter { b in !pairs.contains { $0.bone == b } }
        if !missing.isEmpty {
            let fromSource = missing.filter { source.humanoid.joints[$0] == nil }
            let rig = fromSource.isEmpty ? target : source
            throw RigError.missingBones(file: rig.file, bones: fromSource.isEmpty ? missing : fromSource,
                                        convention: rig.humanoid.source, joints: rig.skeleton.names)
        }
        let hips = pairs.first { $0.bone == .hips }!
        self.pairs = pairs
        hipsTarget = hips.target
        hipsSource = hips.source
        var pot = [Int?](repeating: nil, count: t.jointCount)
        for (k, p) in pairs.enumerated() { pot[p.target] = k }
        pairOfTarget = pot
        let pairedSources = Set(pairs.map(\.source))
        unmappedTarget = t.joints.indices.filter { pot[$0] == nil }.map { t.joints[$0].name }
        unmappedSource = s.joints.indices.filter { !pairedSources.contains($0) }.map { s.joints[$0].name }

        let sw = Self.restWorld(source), tw = Self.restWorld(target)
        sourceRestInverse = sw.map { $0.rotation.transposed }
        targetRestLocal = target.restRotations.map { Rotation.matrix(quaternion: SIMD4<Double>($0)) }
        func frame(_ w: [(rotation: Matrix3, position: SIMD3<Double>)], _ pick: (Pair) -> Int) -> Matrix3 {
            func p(_ b: HumanoidBone) -> SIMD3<Double> { w[pick(pairs.first { $0.bone == b }!)].position }
            let up0 = p(.head) - p(.hips)
            let up = up0 / max(up0.length, 1e-12)
            var left = (p(.leftUpperArm) - p(.rightUpperArm)) + (p(.leftUpperLeg) - p(.rightUpperLeg))
            left -= up * up.dot(left)
            left = left.length > 1e-12 ? left / left.length : up.anyOrthogonal
            return Matrix3(columns: left, up, left.cross(up))
        }
        let bs = frame(sw, \.source), bt = frame(tw, \.target)
        global = bt * bs.transposed

        func legLength(_ w: [(rotation: Matrix3, position: SIMD3<Double>)], _ pick: (Pair) -> Int) -> Double {
            func p(_ b: HumanoidBone) -> SIMD3<Double> { w[pick(pairs.first { $0.bone == b }!)].position }
            let l = (p(.leftLowerLeg) - p(.leftUpperLeg)).length + (p(.leftFoot) - p(.leftLowerLeg)).length
            let r = (p(.rightLowerLeg) - p(.rightUpperLeg)).length + (p(.rightFoot) - p(.rightLowerLeg)).length
            return (l + r) / 2
        }
        let ls = legLength(sw, \.source)
        rootScale = ls > 1e-12 ? legLength(tw, \.target) / ls : 1

        // Per-pair alignment, in target order so an inherited alignment is ready.
        func isDescendant(_ sk: Skeleton, _ c: Int, of a: Int) -> Bool {
            var p = sk.joints[c].parent
            while let q = p { if q == a { return true }; p = sk.joints[q].parent }
            return false
        }
        var align = [Matrix3?](repeating: nil, count: t.jointCount)
        var rest = [Matrix3?](repeating: nil, count: t.jointCount)
        for j in 0..<t.jointCount {
            guard let k = pot[j] else { continue }
            let p = pairs[k]
            var a: Matrix3?
            if p.bone != .hips {
                var child: Pair?
                if let b = p.bone, !b.directionChildren.isEmpty {
                    for c in b.directionChildren {
                        if let q = pairs.first(where: { $0.bone == c }), isDescendant(s, q.source, of: p.source), isDescendant(t, q.target, of: p.target) { child = q; break }
                    }
                } else if p.bone == nil {
                    child = pairs.first { isDescendant(s, $0.source, of: p.source) && isDescendant(t, $0.target, of: p.target) }
                }
                if let c = child {
                    let ds = global * (sw[c.source].position - sw[p.source].position)
                    let dt = tw[c.target].position - tw[p.target].position
                    if ds.length > 1e-9, dt.length > 1e-9 { a = Self.shortestArc(from: ds / ds.length, to: dt / dt.length) }
                }
            }
            if a == nil {
                // Inherit the nearest paired ancestor's alignment (hand without fingers, head, toes, ...).
                var q = t.joints[j].parent
                while let i = q, align[i] == nil { q = t.joints[i].parent }
                a = (p.bone == .hips ? nil : q.flatMap { align[$0] }) ?? .identity
            }
            align[j] = a
            rest[j] = a!.transposed * tw[j].rotation
        }
        alignedRest = rest
    }

    /// Rest-pose world transforms of a rig (root at its offset).
    package static func restWorld(_ rig: Rig) -> [(rotation: Matrix3, position: SIMD3<Double>)] {
        MotionClip(skeleton: rig.skeleton, fps: 1, rootPositions: [rig.skeleton.joints[0].offset], rotations: rig.restRotations)
            .worldTransforms(frame: 0)
    }

    /// The rotation taking unit vector a to unit vector b about their common normal.
    package static func shortestArc(from a: SIMD3<Double>, to b: SIMD3<Double>) -> Matrix3 {
        let c = a.dot(b)
        var axis = a.cross(b)
        let s = axis.length
        if s < 1e-12 {
            if c > 0 { return .identity }
            axis = a.anyOrthogonal
        } else {
            axis /= s
        }
        let angle = atan2(s, c)
        let h = angle / 2
        return Rotation.matrix(quaternion: SIMD4(axis.x * sin(h), axis.y * sin(h), axis.z * sin(h), cos(h)))
    }

    /// The clip on the target skeleton. `clip` must be on the source rig's skeleton.
    public func retarget(_ clip: MotionClip) -> MotionClip {
        var previous = [SIMD4<Float>](repeating: SIMD4(0, 0, 0, 1), count: target.skeleton.jointCount)
        return retarget(clip, continuing: &previous)
    }

    /// `clip` as the next chunk of a longer clip (`RetargetStep`): each joint's quaternions continue the
    /// hemisphere of `previous` (the last frame's, updated here), so chunks give the frames the whole clip gives.
    public func retarget(_ clip: MotionClip, continuing previous: inout [SIMD4<Float>]) -> MotionClip {
        precondition(clip.skeleton.jointCount == source.skeleton.jointCount, "clip is not on the source skeleton")
        let t = target.skeleton, n = clip.frameCount, tj = t.jointCount
        precondition(previous.count == tj, "one previous quaternion per target joint")
        var roots: [SIMD3<Float>] = [], rots: [SIMD4<Float>] = []
        roots.reserveCapacity(n)
        rots.reserveCapacity(n * tj)
        var hipsTrack: [SIMD3<Float>] = []
        let gt = global.transposed
        var world = [Matrix3](repeating: .identity, count: tj)
        var pos = [SIMD3<Double>](repeating: .zero, count: tj)
        for f in 0..<n {
            let sw = clip.worldTransforms(frame: f)
            let hips = global * sw[hipsSource].position * rootScale
            for j in 0..<tj {
                let parent = t.joints[j].parent
                let pw = parent.map { world[$0] } ?? .identity
                if let k = pairOfTarget[j] {
                    let s = pairs[k].source
                    world[j] = global * sw[s].rotation * sourceRestInverse[s] * gt * alignedRest[j]!
                } else {
                    world[j] = pw * targetRestLocal[j]
                }
                let local = parent == nil ? world[j] : pw.transposed * world[j]
                if let p = parent {
                    pos[j] = j == hipsTarget ? hips : pos[p] + pw * SIMD3<Double>(t.joints[j].offset)
                } else {
                    pos[j] = j == hipsTarget ? hips : SIMD3<Double>(t.joints[j].offset)
                }
                let q = Rotation.continuous(SIMD4<Float>(Rotation.quaternion(local)), after: previous[j])
                previous[j] = q
                rots.append(q)
            }
            roots.append(SIMD3<Float>(pos[0]))
            if hipsTarget != 0, let p = t.joints[hipsTarget].parent {
                hipsTrack.append(SIMD3<Float>(world[p].transposed * (pos[hipsTarget] - pos[p])))
            }
        }
        return MotionClip(skeleton: t, fps: clip.fps, rootPositions: roots, rotations: rots,
                          translations: hipsTarget == 0 ? [:] : [hipsTarget: hipsTrack])
    }
}

/// A user's joint map (`--map FILE.json`): `{"SourceJoint": "TargetJoint", ...}`. Each entry makes the target
/// joint follow the source joint, replacing any built-in pairing of either.
public struct JointMapFile: Sendable {
    public struct Entry: Sendable, Equatable { public var source: String; public var target: String }
    public var entries: [Entry]
    public var file: String

    public init(entries: [Entry], file: String) {
        self.entries = entries
        self.file = file
    }

    public static func load(_ url: URL) throws -> JointMapFile {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw RigError.unreadable(file: url.path, reason: error.localizedDescription) }
        guard let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw RigError.invalid(file: url.path, field: "(top level)", reason: "expected a JSON object {\"SourceJoint\": \"TargetJoint\", ...}")
        }
        var entries: [Entry] = [], targets: [String: String] = [:]
        for key in obj.keys.sorted() {
            guard let v = obj[key] as? String, !v.isEmpty else {
                throw RigError.badMap(file: url.path, entry: "\"\(key)\"", reason: "the value must be a target joint name")
            }
            if let other = targets[v] {
                throw RigError.badMap(file: url.path, entry: "\"\(key)\": \"\(v)\"", reason: "'\(other)' already maps to '\(v)'")
            }
            targets[v] = key
            entries.append(Entry(source: key, target: v))
        }
        return JointMapFile(entries: entries, file: url.path)
    }
}
