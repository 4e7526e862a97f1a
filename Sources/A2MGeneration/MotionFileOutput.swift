import A2MCore
import A2MMotion
import Foundation

/// One motion file (with its companions, such as a .gltf's .bin) written with a generation run's safety:
/// `a2m convert` and `a2m retarget` use it, `GenerationPipeline.generate` the same pieces (`OutputPlan`,
/// `OutputSet`) for whole runs. Never an input (by path or file identity), never a file that exists unless
/// `overwrite`, leftovers of killed runs removed, and every file of the output appearing together or not at all.
public enum MotionFileOutput {
    /// The checks `write` makes before it writes: `url` and its companions against `inputs` and `overwrite`.
    public static func checkDestination(_ url: URL, format: any MotionFormat, inputs: [URL], overwrite: Bool) throws {
        for dest in files(url, format: format) { try OutputPlan.checkDestination(dest, inputs: inputs, overwrite: overwrite) }
    }

    /// Writes `clip` (of `layout`) in `format` to `url`. `shouldContinue` is asked once more before the files are
    /// committed (an interrupt then leaves nothing).
    public static func write(_ clip: MotionClip, layout: MotionLayout, format: any MotionFormat, to url: URL, inputs: [URL], overwrite: Bool,
                             shouldContinue: () -> Bool = { true }) throws {
        try format.check(layout)
        try checkDestination(url, format: format, inputs: inputs, overwrite: overwrite)
        OutputSet.removeStale(in: url.deletingLastPathComponent(), names: Set(files(url, format: format).map(\.lastPathComponent)))
        let set = OutputSet(overwrite: overwrite)
        do {
            try format.write(clip, layout: layout, to: set.stage(url, companionExtensions: format.companionExtensions))
            guard shouldContinue() else { throw OutputError.cancelled }
            try set.commit()
        } catch {
            set.discard()
            throw set.naming(error)
        }
    }

    static func files(_ url: URL, format: any MotionFormat) -> [URL] {
        [url] + format.companionExtensions.map { OutputFile.companion(of: url, extension: $0) }
    }
}
