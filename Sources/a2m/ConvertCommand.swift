import A2MKit
import ArgumentParser
import Foundation

/// `a2m convert IN --to OUT`: BVH or a2m JSON in, BVH or JSON (a2m or three.js) out, optionally resampled.
struct Convert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert motion between BVH and JSON, optionally resampling the frame rate.",
        discussion: """
            Input: .bvh (any rotation orders, 6-channel joints, CRLF, ...; see docs/formats.md) or an a2m .json. \
            Output: .bvh (positions on the root only, root OFFSET 0 0 0, each joint keeps its rotation order) \
            or .json (--json-format a2m, the default, or threejs for THREE.AnimationClip.parse). \
            --fps resamples with quaternion slerp (root positions linearly). Reader warnings go to stderr.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Input motion: .bvh or .json (a2m format).") var input: String

    @Option(help: "Output file: .bvh or .json.") var to: String

    @Option(help: "Resample to this frame rate (1...1000); default: keep the input's.") var fps: Double?

    @Option(help: "JSON layout when --to ends in .json: a2m or threejs.") var jsonFormat: MotionJSONFormat?

    func validate() throws {
        let inExt = URL(fileURLWithPath: input).pathExtension.lowercased()
        guard inExt == "bvh" || inExt == "json" else { throw ValidationError("input must end in .bvh or .json, got '\(input)'") }
        let outExt = URL(fileURLWithPath: to).pathExtension.lowercased()
        guard outExt == "bvh" || outExt == "json" else { throw ValidationError("--to must end in .bvh or .json, got '\(to)'") }
        if jsonFormat != nil && outExt != "json" { throw ValidationError("--json-format applies only to .json output, but --to is '\(to)'") }
        if let fps, !(fps.isFinite && fps >= 1 && fps <= 1000) { throw ValidationError("--fps must be in 1...1000, got \(fps)") }
    }

    func run() async throws {
        global.apply()
        let inURL = URL(fileURLWithPath: input), outURL = URL(fileURLWithPath: to)
        var clip: MotionClip
        // Library errors (BVHError, MotionJSONError, OutputError) name the file and line; ArgumentParser
        // prints their description and exits non-zero, as for every subcommand.
        if inURL.pathExtension.lowercased() == "bvh" {
            let r = try BVHReader.read(inURL)
            clip = r.clip
            for w in r.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        } else {
            clip = try MotionJSON.read(inURL)
        }
        let sourceFPS = clip.fps
        if let fps { clip = try clip.resampled(to: fps) }
        if outURL.pathExtension.lowercased() == "bvh" {
            try BVHWriter.write(clip, to: outURL)
        } else {
            try MotionJSON.write(clip, format: jsonFormat ?? .a2m, to: outURL)
        }
        if !global.quiet {
            let rate = fps.map { _ in " (resampled from \(Self.format(sourceFPS)) fps)" } ?? ""
            FileHandle.standardError.write(Data("\(to): \(clip.frameCount) frames at \(Self.format(clip.fps)) fps\(rate), \(clip.jointCount) joints\n".utf8))
        }
    }

    static func format(_ fps: Double) -> String {
        fps == fps.rounded() ? String(Int(fps)) : String(format: "%.4f", fps)
    }
}

extension MotionJSONFormat: ExpressibleByArgument {}
