import A2MKit
import ArgumentParser
import Foundation

/// `a2m convert IN --to OUT`: BVH or a2m JSON in, any registered format out (`MotionFormats`), optionally
/// resampled.
struct Convert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert motion between BVH and JSON, optionally resampling the frame rate.",
        discussion: """
            Input: .bvh (any rotation orders, 6-channel joints, CRLF, ...; see docs/formats.md) or an a2m .json. \
            Output: the format of --to's extension (\(MotionFormats.extensions)): .bvh (positions on the root only, \
            root OFFSET 0 0 0, each joint keeps its rotation order) or .json (--json-format a2m, the default, or \
            threejs for THREE.AnimationClip.parse). --fps resamples with quaternion slerp (root positions linearly). \
            The output never replaces the input, nor, without --overwrite, a file that exists. Reader warnings go \
            to stderr.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Input motion: .bvh or .json (a2m format).") var input: String

    @Option(help: "Output file; its extension picks the format (\(MotionFormats.extensions)).") var to: String

    @Option(help: "Resample to this frame rate (1...1000); default: keep the input's.") var fps: Double?

    @Option(help: "JSON layout when --to ends in .json: a2m or threejs.") var jsonFormat: MotionJSONFormat?

    @Flag(help: "Replace --to if it exists (never the input).") var overwrite = false

    /// The format --to's extension and --json-format pick.
    var outputFormat: (any MotionFormat)? {
        let ext = URL(fileURLWithPath: to).pathExtension
        if jsonFormat == .threejs && ext.lowercased() == ThreeJSFormat().fileExtension { return ThreeJSFormat() }
        return MotionFormats.forExtension(ext)
    }

    func validate() throws {
        let inExt = URL(fileURLWithPath: input).pathExtension.lowercased()
        guard inExt == "bvh" || inExt == "json" else { throw ValidationError("input must end in .bvh or .json, got '\(input)'") }
        guard outputFormat != nil else { throw ValidationError("--to must end in one of \(MotionFormats.extensions), got '\(to)'") }
        if jsonFormat != nil && URL(fileURLWithPath: to).pathExtension.lowercased() != "json" {
            throw ValidationError("--json-format applies only to .json output, but --to is '\(to)'")
        }
        if let fps, !(fps.isFinite && fps >= 1 && fps <= 1000) { throw ValidationError("--fps must be in 1...1000, got \(fps)") }
    }

    func run() async throws {
        global.apply()
        let inURL = URL(fileURLWithPath: input), outURL = URL(fileURLWithPath: to)
        // Checked before the input is read: the output must not be the input or, without --overwrite, any
        // file that exists.
        try OutputPlan.checkDestination(outURL, inputs: [inURL], overwrite: overwrite)
        OutputSet.removeStale(in: outURL.deletingLastPathComponent(), names: [outURL.lastPathComponent])
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
        if let fps { clip = clip.resampled(to: fps) }
        let format = outputFormat!
        try Interrupt.guarding("convert", quiet: global.quiet) { shouldContinue in
            let set = OutputSet(overwrite: overwrite)
            do {
                try format.write(clip, to: set.stage(outURL))
                guard shouldContinue() else { throw OutputError.cancelled }
                try set.commit()
            } catch {
                set.discard()
                throw set.naming(error)
            }
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
