import Foundation
import A2MMotion

/// A character's skeleton as retargeting needs it: joints (names, hierarchy, rest offsets, rotation orders),
/// each joint's local rest rotation, the length unit, and which joint plays which humanoid bone.
///
/// BVH rigs rest at zero rotation; glTF and VRM rigs rest at their nodes' rotations, which need not be
/// identity (`restRotations`). glTF lengths are metres; a glTF armature's scale is baked into the offsets.
public struct Rig: Sendable {
    public enum Format: String, Sendable { case bvh, gltf, vrm }

    public var skeleton: Skeleton
    /// Local rest rotation of every joint (x, y, z, w).
    public var restRotations: [SIMD4<Float>]
    public var unit: LengthUnit
    public var humanoid: HumanoidMap
    public var file: String
    public var format: Format

    public init(skeleton: Skeleton, restRotations: [SIMD4<Float>]? = nil, unit: LengthUnit, humanoid: HumanoidMap? = nil,
                file: String, format: Format) {
        self.skeleton = skeleton
        self.restRotations = restRotations ?? Array(repeating: SIMD4(0, 0, 0, 1), count: skeleton.jointCount)
        self.unit = unit
        self.humanoid = humanoid ?? HumanoidMap.recognize(skeleton)
        self.file = file
        self.format = format
    }

    /// Whether every rest rotation is the identity (within 1e-6).
    public var restsAtZeroRotation: Bool {
        restRotations.allSatisfy { abs(abs($0.w) - 1) < 1e-6 }
    }

    /// Reads a rig from a BVH (in `bvhUnit`), glTF, GLB or VRM file, by extension.
    public static func load(_ url: URL, bvhUnit: LengthUnit = .cm) throws -> Rig {
        switch url.pathExtension.lowercased() {
        case "bvh":
            let clip = try BVHReader.read(url).clip
            return Rig(skeleton: clip.skeleton, unit: bvhUnit, file: url.path, format: .bvh)
        case "gltf", "glb", "vrm", "vrma":
            return try GLTFRigReader.read(url)
        default:
            throw RigError.unsupported(file: url.path, reason: "expected a .bvh, .gltf, .glb, .vrm or .vrma file")
        }
    }
}

public enum RigError: Error, CustomStringConvertible, Equatable {
    case unsupported(file: String, reason: String)
    case unreadable(file: String, reason: String)
    case invalid(file: String, field: String, reason: String)
    case noSkeleton(file: String)
    case duplicateJoint(file: String, name: String)
    case missingBones(file: String, bones: [HumanoidBone], convention: String, joints: [String])
    case badMap(file: String, entry: String, reason: String)

    public var description: String {
        switch self {
        case let .unsupported(f, r): return "\(f): not a rig: \(r)"
        case let .unreadable(f, r): return "\(f): cannot read: \(r)"
        case let .invalid(f, field, r): return "\(f): \(field): \(r)"
        case let .noSkeleton(f): return "\(f): no skeleton: the glTF has no skin and no nodes"
        case let .duplicateJoint(f, n): return "\(f): two joints are named '\(n)'; joint names must be unique to map them"
        case let .missingBones(f, bones, conv, joints):
            let list = joints.count > 12 ? joints.prefix(12).joined(separator: ", ") + ", ..." : joints.joined(separator: ", ")
            return "\(f): no joint recognizable as \(bones.map(\.rawValue).joined(separator: ", ")) "
                + "(best built-in name map: \(conv); joints: \(list)); name them with --map FILE.json"
        case let .badMap(f, e, r): return "\(f): map entry \(e): \(r)"
        }
    }
}
