import A2MKit
import ArgumentParser
import Foundation

/// `a2m convert IN --to OUT`: BVH or a2m JSON in; any registered format out (`MotionFormats`: BVH, JSON (a2m or
/// three.js), glTF (GLB or .gltf + .bin), VRM Animation), optionally resampled and in another length unit.
struct Convert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert motion between BVH, JSON, glTF/GLB and VRM Animation, optionally resampling the frame rate.",
        discussion: """
            Input: .bvh (any rotation orders, 6-channel joints, CRLF, ...; see docs/formats.md) or an a2m .json. \
            Output: the format of --to's extension (\(MotionFormats.extensions)): .bvh (positions on the root only, \
            root OFFSET 0 0 0, each joint keeps its rotation order), .json (--json-format a2m, the default, or \
            threejs for THREE.AnimationClip.parse), .glb or .gltf (+ .bin beside it: skeleton, skin, capsule body and \
            the animation, in metres) or .vrma (VRM Animation 1.0, 30 fps unless --fps). --fps resamples with \
            quaternion slerp (root positions linearly). BVH input is read as --input-units (default cm, a2m's unit); \
            a2m JSON says its own unit. BVH and JSON output are written in --units (default cm); glTF and VRMA are \
            always metres. The output never replaces the input, nor, without --overwrite, a file that exists. Reader \
            warnings go to stderr.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Input motion: .bvh, .json (a2m format) or .jsonl (a recorded a2m stream).") var input: String

    @Option(help: "Output file; its extension picks the format (\(MotionFormats.extensions)).") var to: String

    @Option(help: "Resample to this frame rate (1...1000); default: keep the input's (30 for .vrma).") var fps: Double?

    @Option(help: "JSON layout when --to ends in .json: a2m or threejs.") var jsonFormat: MotionJSONFormat?

    @Option(help: "Length unit of BVH and JSON output: cm or m.") var units: LengthUnit?

    @Option(help: "Length unit of a BVH input: cm or m.") var inputUnits: LengthUnit?

    @Flag(help: "Replace --to if it exists (never the input).") var overwrite = false

    func validate() throws {
        let inExt = URL(fileURLWithPath: input).pathExtension.lowercased()
        guard MotionInput.extensions.contains(inExt) else { throw ValidationError("input must end in .bvh, .json or .jsonl, got '\(input)'") }
        let outExt = URL(fileURLWithPath: to).pathExtension.lowercased()
        guard MotionFormats.forExtension(outExt) != nil else { throw ValidationError("--to must end in one of \(MotionFormats.extensions), got '\(to)'") }
        if jsonFormat != nil && outExt != "json" { throw ValidationError("--json-format applies only to .json output, but --to is '\(to)'") }
        if units != nil && !MotionOutput.unitExtensions.contains(outExt) {
            throw ValidationError("--units applies to .bvh and .json output; glTF and VRMA are always metres")
        }
        if inputUnits != nil && inExt != "bvh" { throw ValidationError("--input-units applies to .bvh input; a2m JSON names its own unit") }
        if let fps, !(fps.isFinite && fps >= 1 && fps <= 1000) { throw ValidationError("--fps must be in 1...1000, got \(fps)") }
    }

    func run() async throws {
        global.apply()
        let inURL = URL(fileURLWithPath: input), outURL = URL(fileURLWithPath: to)
        let format = MotionOutput.format(for: outURL, units: units ?? .cm, jsonFormat: jsonFormat ?? .a2m, fps: fps)
        // Checked before the input is read: the output must not be the input or, without --overwrite, any file
        // that exists (MotionFileOutput checks again as it writes).
        try MotionFileOutput.checkDestination(outURL, format: format, inputs: [inURL], overwrite: overwrite)
        // Library errors (BVHError, MotionJSONError, OutputError, GLTFExportError) name the file and line or
        // field; ArgumentParser prints their description and exits non-zero, as for every subcommand.
        let loaded = try MotionInput.load(inURL, bvhUnit: inputUnits ?? .cm)
        var clip = loaded.clip
        let sourceFPS = clip.fps
        if let fps {
            // Checked before allocating: a clip at 0.001 fps resampled to 1000 fps is a million times longer.
            try clip.checkResampling(to: fps, file: input)
            clip = try clip.resampled(to: fps)
        }
        let layout = MotionLayout(of: clip, unit: loaded.unit)
        try Interrupt.guarding("convert", quiet: global.quiet) { shouldContinue in
            try MotionFileOutput.write(clip, layout: layout, format: format, to: outURL, inputs: [inURL], overwrite: overwrite,
                                       shouldContinue: shouldContinue)
        }
        if !global.quiet {
            let out = format is VRMAFormat ? (format as! VRMAFormat).fps : clip.fps
            let note = out != sourceFPS ? " (resampled from \(Self.format(sourceFPS)) fps)" : ""
            FileHandle.standardError.write(Data("\(to): \(clip.frameCount) frames at \(Self.format(out)) fps\(note), \(clip.jointCount) joints\n".utf8))
        }
    }

    static func format(_ fps: Double) -> String {
        fps == fps.rounded() && abs(fps) < 1e15 ? String(Int(fps)) : String(format: "%.4f", fps)
    }
}

/// Reading a motion file for `convert` and `retarget`: BVH (in a unit the caller names), a2m JSON (whose
/// `units` field names it) or a recorded `a2m stream` (JSON lines, whose skeleton line names it). Reader warnings
/// go to stderr.
enum MotionInput {
    static let extensions = ["bvh", "json", MotionJSONLines.fileExtension]

    static func load(_ url: URL, bvhUnit: LengthUnit) throws -> (clip: MotionClip, unit: LengthUnit) {
        if url.pathExtension.lowercased() == MotionJSONLines.fileExtension {
            let r = try MotionJSONLines.read(url)
            for w in r.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
            return (r.clip, r.unit)
        }
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

/// The registered format an output file's extension picks, with the options of `convert` and `retarget`.
enum MotionOutput {
    /// Extensions whose lengths --units sets (glTF and VRMA are always metres).
    static let unitExtensions: Set<String> = ["bvh", "json"]

    static func format(for url: URL, units: LengthUnit, jsonFormat: MotionJSONFormat, fps: Double?) -> any MotionFormat {
        switch url.pathExtension.lowercased() {
        case "bvh": return BVHFormat(units: units)
        case "json": return jsonFormat == .threejs ? ThreeJSFormat(units: units) : A2MJSONFormat(units: units)
        case "vrma": return VRMAFormat(fps: fps ?? VRMAnimationExport.defaultFPS)
        case let ext: return MotionFormats.forExtension(ext)!
        }
    }
}

extension MotionJSONFormat: ExpressibleByArgument {}
extension LengthUnit: ExpressibleByArgument {}
