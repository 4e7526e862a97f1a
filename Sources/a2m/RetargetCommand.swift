import A2MKit
import ArgumentParser
import Foundation

/// `a2m retarget MOTION --rig RIG --out OUT`: motion onto the user's own skeleton.
struct Retarget: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put motion on your own character's skeleton (Mixamo, UE Mannequin, VRM, Unity Humanoid, SMPL/SMPL-X, ...).",
        discussion: """
            MOTION: .bvh, a2m .json or a recorded a2m stream (.jsonl). RIG: a .bvh, .gltf, .glb or .vrm file with a skeleton (glTF: its skin's joints; \
            VRM: its humanoid bones). Joints are paired by name through built-in maps (a2m/Mixamo, UE Mannequin, VRM \
            humanoid, Unity Humanoid, VRoid, SMPL/SMPL-X, CMU) or the VRM humanoid extension; --map FILE.json \
            ({"SourceJoint": "TargetJoint", ...}) overrides pairs. Rest poses are aligned per bone in world space; \
            root motion is scaled by the ratio of leg lengths. The output keeps the rig's joint names, hierarchy, \
            rest offsets and rotation orders: .bvh or .json in --units (default: the rig's: cm for BVH rigs unless \
            --rig-units, m for glTF), or .glb/.gltf (the rig's skeleton in its rest pose, a capsule body, the animation). \
            Joints left unpaired are listed on stderr. See docs/retargeting.md.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Motion to retarget: .bvh, .json (a2m format) or .jsonl (a recorded a2m stream).") var motion: String

    @Option(help: "The target skeleton: .bvh, .gltf, .glb or .vrm.") var rig: String

    @Option(help: "Output: .bvh, .json, .glb or .gltf.") var out: String

    @Option(help: "JSON joint map {\"SourceJoint\": \"TargetJoint\", ...} overriding the built-in pairs.") var map: String?

    @Option(help: "Length unit of BVH and JSON output: cm or m (default: the rig's).") var units: LengthUnit?

    @Option(help: "Length unit of a BVH motion: cm or m.") var inputUnits: LengthUnit?

    @Option(help: "Length unit of a BVH rig: cm or m.") var rigUnits: LengthUnit?

    @Option(help: "JSON layout when --out ends in .json: a2m or threejs.") var jsonFormat: MotionJSONFormat?

    @Option(help: "Resample to this frame rate (1...1000); default: keep the motion's.") var fps: Double?

    @Flag(help: "Replace --out if it exists (never an input).") var overwrite = false

    static let outputExtensions = ["bvh", "json", "glb", "gltf"]

    func validate() throws {
        let inExt = URL(fileURLWithPath: motion).pathExtension.lowercased()
        guard MotionInput.extensions.contains(inExt) else { throw ValidationError("MOTION must end in .bvh, .json or .jsonl, got '\(motion)'") }
        let rigExt = URL(fileURLWithPath: rig).pathExtension.lowercased()
        guard ["bvh", "gltf", "glb", "vrm"].contains(rigExt) else { throw ValidationError("--rig must be a .bvh, .gltf, .glb or .vrm file, got '\(rig)'") }
        let outExt = URL(fileURLWithPath: out).pathExtension.lowercased()
        if outExt == "vrma" {
            throw ValidationError("--out .vrma: VRM Animation is retargeted by the VRM app itself; write it with `a2m convert \(motion) --to OUT.vrma`")
        }
        guard Self.outputExtensions.contains(outExt) else { throw ValidationError("--out must end in .bvh, .json, .glb or .gltf, got '\(out)'") }
        if jsonFormat != nil && outExt != "json" { throw ValidationError("--json-format applies only to .json output") }
        if units != nil && !(outExt == "bvh" || outExt == "json") { throw ValidationError("--units applies to .bvh and .json output; glTF is always metres") }
        if inputUnits != nil && inExt != "bvh" { throw ValidationError("--input-units applies to a .bvh motion; a2m JSON names its own unit") }
        if rigUnits != nil && rigExt != "bvh" { throw ValidationError("--rig-units applies to a .bvh rig; glTF and VRM are metres") }
        if let fps, !(fps.isFinite && fps >= 1 && fps <= 1000) { throw ValidationError("--fps must be in 1...1000, got \(fps)") }
        let outPath = URL(fileURLWithPath: out).standardizedFileURL.path
        for input in [motion, rig] + (map.map { [$0] } ?? []) where URL(fileURLWithPath: input).standardizedFileURL.path == outPath {
            throw ValidationError("--out \(out) would overwrite the input \(input)")
        }
    }

    func run() async throws {
        global.apply()
        let loaded = try MotionInput.load(URL(fileURLWithPath: motion), bvhUnit: inputUnits ?? .cm)
        let target = try Rig.load(URL(fileURLWithPath: rig), bvhUnit: rigUnits ?? .cm)
        let jointMap = try map.map { try JointMapFile.load(URL(fileURLWithPath: $0)) }
        let source = Rig(skeleton: loaded.clip.skeleton, unit: loaded.unit, file: motion, format: .bvh)
        let retargeter = try Retargeter(source: source, target: target, map: jointMap)
        var clip = loaded.clip
        if let fps { clip = try clip.resampled(to: fps) }
        let result = retargeter.retarget(clip)
        let outURL = URL(fileURLWithPath: out)
        let format = MotionOutput.format(for: outURL, units: units ?? target.unit, jsonFormat: jsonFormat ?? .a2m, fps: nil)
        let inputs = [motion, rig] + (map.map { [$0] } ?? [])
        try Interrupt.guarding("retarget", quiet: global.quiet) { shouldContinue in
            try MotionFileOutput.write(result, layout: MotionLayout(of: result, unit: target.unit, restRotations: target.restRotations), format: format,
                                       to: outURL, inputs: inputs.map { URL(fileURLWithPath: $0) }, overwrite: overwrite, shouldContinue: shouldContinue)
        }
        if !global.quiet { FileHandle.standardError.write(Data(Self.summary(retargeter, out: out, frames: result.frameCount, fps: result.fps).utf8)) }
    }

    static func summary(_ r: Retargeter, out: String, frames: Int, fps: Double) -> String {
        var s = "\(r.target.file): \(r.target.skeleton.jointCount) joints (names: \(r.target.humanoid.source)), \(r.pairs.count) driven by \(r.source.file) (names: \(r.source.humanoid.source))\n"
        if !r.unmappedTarget.isEmpty { s += "  rig joints that keep their rest pose (no source joint): \(r.unmappedTarget.joined(separator: ", "))\n" }
        if !r.unmappedSource.isEmpty { s += "  source joints with no rig joint: \(r.unmappedSource.joined(separator: ", "))\n" }
        s += "  root motion scaled by \(String(format: "%.4g", r.rootScale)) (leg lengths)\n"
        s += "\(out): \(frames) frames at \(Convert.format(fps)) fps\n"
        return s
    }
}
