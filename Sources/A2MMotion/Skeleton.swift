import Foundation

/// A BVH-style joint hierarchy: names, parents, rest offsets and each joint's channel layout.
///
/// Joints are stored in BVH depth-first file order, so every parent precedes its children and
/// joint 0 is the root. Units are whatever the file uses (a2m's own skeletons: centimetres, Y-up).
public struct Skeleton: Sendable, Equatable {
    /// The optional `End Site` of a joint: a fixed point (head top, finger tip, toe tip) with no channels.
    public struct EndSite: Sendable, Equatable {
        /// Name given after `End Site` in the file, if any.
        public var name: String?
        public var offset: SIMD3<Float>
        public init(name: String? = nil, offset: SIMD3<Float>) {
            self.name = name
            self.offset = offset
        }
    }

    public struct Joint: Sendable, Equatable {
        public var name: String
        /// Index of the parent joint; nil for the root.
        public var parent: Int?
        /// Rest translation from the parent (BVH `OFFSET`).
        public var offset: SIMD3<Float>
        /// Whether the joint has `Xposition Yposition Zposition` channels. For non-root joints the
        /// position *replaces* `offset` (Blender/bvhio rule, see docs/formats.md).
        public var hasPosition: Bool
        /// Order of the rotation channels; nil when the joint has no rotation channels.
        public var rotationOrder: RotationOrder?
        public var endSite: EndSite?

        public init(name: String, parent: Int?, offset: SIMD3<Float>, hasPosition: Bool = false,
                    rotationOrder: RotationOrder? = .zxy, endSite: EndSite? = nil) {
            self.name = name
            self.parent = parent
            self.offset = offset
            self.hasPosition = hasPosition
            self.rotationOrder = rotationOrder
            self.endSite = endSite
        }

        /// Channel names as a2m writes them: positions first, then rotations in `rotationOrder`.
        var channels: [String] {
            var c: [String] = hasPosition ? ["Xposition", "Yposition", "Zposition"] : []
            if let o = rotationOrder {
                let names = ["Xrotation", "Yrotation", "Zrotation"]
                let (a, b, d) = o.axes
                c += [names[a], names[b], names[d]]
            }
            return c
        }
    }

    public var joints: [Joint]

    public init(joints: [Joint]) throws {
        guard !joints.isEmpty else { throw SkeletonError.empty }
        for (i, j) in joints.enumerated() {
            if i == 0 {
                guard j.parent == nil else { throw SkeletonError.badParent(joint: j.name, reason: "joint 0 must be the root") }
            } else {
                guard let p = j.parent, p >= 0, p < i else {
                    throw SkeletonError.badParent(joint: j.name, reason: "parent must be an earlier joint (got \(j.parent.map(String.init) ?? "none"))")
                }
            }
            guard j.offset.x.isFinite, j.offset.y.isFinite, j.offset.z.isFinite else {
                throw SkeletonError.nonFinite(joint: j.name)
            }
        }
        var seen = Set<String>()
        for j in joints where !seen.insert(j.name).inserted { throw SkeletonError.duplicateName(j.name) }
        self.joints = joints
    }

    public var jointCount: Int { joints.count }
    public var names: [String] { joints.map(\.name) }
    package var parents: [Int?] { joints.map(\.parent) }

    package func index(of name: String) -> Int? { joints.firstIndex { $0.name == name } }

    /// Indices of joints that carry an end site, in joint order. End-site points follow the joints in
    /// `MotionClip.worldPositions(frame:includeEndSites:)`.
    package var endSiteJoints: [Int] { joints.indices.filter { joints[$0].endSite != nil } }

    /// Parent of every point (joints, then end sites when `includeEndSites`), for drawing bones; nil = root.
    package func pointParents(includeEndSites: Bool) -> [Int?] {
        parents + (includeEndSites ? endSiteJoints.map { Optional($0) } : [])
    }

    /// Names of every point; an unnamed end site is called "<joint>_End".
    package func pointNames(includeEndSites: Bool) -> [String] {
        names + (includeEndSites ? endSiteJoints.map { joints[$0].endSite?.name ?? joints[$0].name + "_End" } : [])
    }

    /// Number of channels per frame in a BVH written from this skeleton.
    public var channelCount: Int { joints.reduce(0) { $0 + $1.channels.count } }

    /// Motion feature size per frame (see `MotionFeatures`).
    public var featureDim: Int { MotionFeatures.featureDim(jointCount: jointCount) }
}

public enum SkeletonError: Error, CustomStringConvertible, Equatable {
    case empty
    case badParent(joint: String, reason: String)
    case duplicateName(String)
    case nonFinite(joint: String)

    public var description: String {
        switch self {
        case .empty: return "skeleton has no joints"
        case let .badParent(j, r): return "skeleton joint '\(j)': \(r)"
        case let .duplicateName(n): return "skeleton has two joints named '\(n)'"
        case let .nonFinite(j): return "skeleton joint '\(j)' has a non-finite offset"
        }
    }
}
