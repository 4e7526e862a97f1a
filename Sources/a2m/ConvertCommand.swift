import A2MKit
import ArgumentParser
import Foundation

/// `a2m convert IN --to OUT`: BVH or a2m JSON in; BVH, JSON (a2m or three.js), glTF (GLB or .gltf + .bin) or VRM
/// Animation out, optionally resampled and in another length unit.
struct Convert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert motion between BVH, JSON, glTF/GLB and VRM Animation, optionally resampling the frame rate.",
        discussion: """
            Input: .bvh (any rotation orders, 6-channel joints, CRLF, ...; see docs/formats.md) or an a2m .json. \
            Output: .bvh (positions on the root only, root OFFSET 0 0 0, each joint keeps its rotation order), \
            .json (--json-format a2m, the default, or threejs for THREE.AnimationClip.parse), .glb or .gltf (+ .bin \
            beside it: skeleton, skin, capsule body and the animation, in metres) or .vrma (VRM Animation 1.0, \
            30 fps unless --fps). --fps resamples with quaternion slerp (root positions linearly). BVH input is \
            read as --input-units (default cm, a2m's unit); a2m JSON says its own unit. BVH and JSON output are \
            written in --units (default cm); glTF and VRMA are always metres. Reader warnings go to stderr.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Input motion: .bvh or .json (a2m format).") var input: String

    @Option(help: "Output file: .bvh, .json, .glb, .gltf or .vrma.") var to: String

    @Option(help: "Resample to this frame rate (1...1000); default: keep the input's (30 for .vrma).") var fps: Double?

    @Option(help: "JSON layout when --to ends in .json: a2m or threejs.") var jsonFormat: MotionJSONFormat?

    @Option(help: "Length unit of BVH and JSON output: cm or m.") var units: LengthUnit?

    @Option(help: "Length unit of a BVH input: cm or m.") var inputUnits: LengthUnit?

    static let outputExtensions = ["bvh", "json", "glb", "gltf", "vrma"]

    func validate() throws {
        let inExt = URL(fileURLWithPath: input).pathExtension.lowercased()
        guard inExt == "bvh" || inExt == "json" else { throw ValidationError("input must end in .bvh or .json, got '\(input)'") }
        let outExt = URL(fileURLWithPath: to).pathExtension.lowercased()
        guard Self.outputExtensions.contains(outExt) else {
            throw ValidationError("--to must end in \(Self.outputExtensions.map { "." + $0 }.joined(separator: ", ")), got '\(to)'")
        }
        if jsonFormat != nil && outExt != "json" { throw ValidationError("--json-format applies only to .json output, but --to is '\(to)'") }
        if units != nil && !(outExt == "bvh" || outExt == "json") {
            throw ValidationError("--units applies to .bvh and .json output; glTF and VRMA are always metres")
        }
        if inputUnits != nil && inExt != "bvh" { throw ValidationError("--input-units applies to .bvh input; a2m JSON names its own unit") }
        if let fps, !(fps.isFinite && fps >= 1 && fps <= 1000) { throw ValidationError("--fps must be in 1...1000, got \(fps)") }
    }

    func run() async throws {
        global.apply()
        let inURL = URL(fileURLWithPath: input), outURL = URL(fileURLWithPath: to)
        // Library errors (BVHError, MotionJSONError, OutputError, GLTFExportError) name the file and line or
        // field; ArgumentParser prints their description and exits non-zero, as for every subcommand.
        let loaded = try MotionInput.load(inURL, bvhUnit: inputUnits ?? .cm)
        var clip = loaded.clip
        let sourceFPS = clip.fps
        let outExt = outURL.pathExtension.lowercased()
        let rate = fps ?? (outExt == "vrma" ? VRMAnimationExport.defaultFPS : nil)
        if let rate {
            // Checked before allocating: a clip at 0.001 fps resampled to 1000 fps is a million times longer.
            try clip.checkResampling(to: rate, file: input)
            clip = clip.resampled(to: rate)
        }
        try MotionOutput.write(clip, unit: loaded.unit, to: outURL, units: units ?? .cm, jsonFormat: jsonFormat ?? .a2m, source: input)
        if !global.quiet {
            let note = rate.map { _ in " (resampled from \(Self.format(sourceFPS)) fps)" } ?? ""
            FileHandle.standardError.write(Data("\(to): \(clip.frameCount) frames at \(Self.format(clip.fps)) fps\(note), \(clip.jointCount) joints\n".utf8))
        }
    }

    static func format(_ fps: Double) -> String {
        fps == fps.rounded() && abs(fps) < 1e15 ? String(Int(fps)) : String(format: "%.4f", fps)
    }
}

/// Reading a motion file for `convert` and `retarget`: BVH (in a unit the caller names) or a2m JSON (whose
/// `units` field names it). Reader warnings go to stderr.
enum MotionInput {
    static func load(_ url: URL, bvhUnit: LengthUnit) throws -> (clip: MotionClip, unit: LengthUnit) {
        if url.pathExtension.lowercased() == "bvh" {
            let r = try BVHReader.read(url)
            for w in r.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
            return (r.clip, bvhUnit)
        }
        let (clip, label) = try MotionJSON.readWithUnits(url)
        guard let unit = LengthUnit(jsonLabel: label) else {
            throw MotionJSONError.invalid(file: url.path, field: "units",
                                          reason: "\"\(label)\" cannot be converted; a2m converts \(LengthUnit.allCases.map { "\"\($0.jsonLabel)\"" }.joined(separator: " and "))")
        }
        return (clip, unit)
    }
}

/// Writing one motion file by its extension, converting units: BVH/JSON in `units`, glTF/VRMA in metres.
enum MotionOutput {
    static func write(_ clip: MotionClip, unit: LengthUnit, to url: URL, units: LengthUnit, jsonFormat: MotionJSONFormat,
                      restRotations: [SIMD4<Float>]? = nil, source: String) throws {
        switch url.pathExtension.lowercased() {
        case "bvh": try BVHWriter.write(clip.scaled(by: unit.factor(to: units)), to: url)
        case "json": try MotionJSON.write(clip.scaled(by: unit.factor(to: units)), format: jsonFormat, to: url, units: units.jsonLabel)
        case "glb", "gltf":
            try GLTFExport.write(clip, to: url, options: GLTFExport.Options(unit: unit, restRotations: restRotations,
                                                                            name: url.deletingPathExtension().lastPathComponent))
        case "vrma": try VRMAnimationExport.write(clip, unit: unit, to: url, fps: clip.fps, source: source)
        default: throw OutputError.cannotWrite(path: url.path, reason: "unknown output extension; expected .bvh, .json, .glb, .gltf or .vrma")
        }
    }
}

extension MotionJSONFormat: ExpressibleByArgument {}
extension LengthUnit: ExpressibleByArgument {}
