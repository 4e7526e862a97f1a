import Foundation

/// A file written once per input from all of its samples, as whole clips: the `--view` player page
/// (`PlayerPage`). `a2m generate` names it `NAME.fileExtension` in the input's output directory (`OutputPlan`)
/// and commits it with the samples' files.
public protocol SampleSetFormat: Sendable {
    var fileExtension: String { get }
    /// Checks the input before any generation starts (e.g. that its audio can be embedded).
    func check(input: URL) throws
    /// Writes the file for `input` from its samples, atomically to `url`. `names[k]` is the file stem of
    /// sample k, `metadata[k]` describes how it was made (model, sampler, guidance, …, "sample": "k+1 of K").
    func write(input: URL, samples: [MotionClip], names: [String], metadata: [[String: String]], to url: URL) throws
}
