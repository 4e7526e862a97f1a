import Foundation
import A2MMotion

/// Retargeting as a post-processing step (`a2m generate --rig RIG [--map FILE]`; `Retargeter`,
/// docs/retargeting.md): frames of the incoming layout (the model's skeleton) come out on `rig`'s skeleton, in
/// its unit, with its rest rotations. Chunks are retargeted frame by frame, with the quaternions' hemisphere
/// carried across chunks, so a streamed clip and a whole one give the same frames.
public struct RetargetStep: MotionPostProcess {
    public let rig: Rig
    public let map: JointMapFile?
    /// The source skeleton's file (the model), for messages.
    public let source: String

    public init(rig: Rig, map: JointMapFile? = nil, source: String = "the model") {
        self.rig = rig
        self.map = map
        self.source = source
    }

    public var name: String { "retarget onto \(rig.file)" }

    /// The retargeter from frames of `layout` onto the rig; throws when the joints cannot be paired (naming the
    /// rig and the bones), before any generation.
    public func retargeter(for layout: MotionLayout) throws -> Retargeter {
        try Retargeter(source: Rig(skeleton: layout.skeleton, restRotations: layout.restRotations, unit: layout.unit, file: source, format: .bvh),
                       target: rig, map: map)
    }

    public func outputLayout(for layout: MotionLayout) throws -> MotionLayout {
        let r = try retargeter(for: layout)
        return MotionLayout(skeleton: rig.skeleton, unit: rig.unit, restRotations: rig.restRotations,
                            translatedJoints: r.hipsTarget == 0 ? [] : [r.hipsTarget])
    }

    public func makeProcessor(layout: MotionLayout, fps: Double) throws -> any MotionChunkProcessor {
        Processor(try retargeter(for: layout))
    }

    /// Joints that are not paired, by name (as `a2m retarget` lists them).
    public func note(for layout: MotionLayout, fps: Double) -> String? {
        guard let r = try? retargeter(for: layout) else { return nil }
        var parts: [String] = []
        if !r.unmappedTarget.isEmpty { parts.append("rig joints that keep their rest pose (no source joint): \(r.unmappedTarget.joined(separator: ", "))") }
        if !r.unmappedSource.isEmpty { parts.append("source joints with no rig joint: \(r.unmappedSource.joined(separator: ", "))") }
        return parts.isEmpty ? nil : "retarget onto \(rig.file): " + parts.joined(separator: "; ")
    }

    final class Processor: MotionChunkProcessor {
        let retargeter: Retargeter
        var previous: [SIMD4<Float>]
        init(_ retargeter: Retargeter) {
            self.retargeter = retargeter
            previous = Array(repeating: SIMD4(0, 0, 0, 1), count: retargeter.target.skeleton.jointCount)
        }
        func process(_ chunk: inout MotionClip) throws {
            chunk = retargeter.retarget(chunk, continuing: &previous)
        }
    }
}
