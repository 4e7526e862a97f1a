/// Failures of a training run itself (data and config errors have their own types).
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// NaN or infinity in the loss or the gradients; nothing is written, the last checkpoint stays.
    case nonFinite(step: Int, what: String, lastCheckpoint: String?)
    /// A checkpoint cannot continue this run (other config, other data, not a training checkpoint).
    case cannotResume(checkpoint: String, reason: String)
    case modelMismatch(reason: String)
    /// Data-parallel ranks hold different weights after the same steps (a hardware or MPI fault).
    case ranksDiverged(step: Int, rank: Int)
    /// A stop request (Ctrl-C) arrived before training began; `done` of `total` items were finished and kept.
    case stopped(during: String, done: Int, total: Int)

    public var description: String {
        switch self {
        case let .nonFinite(step, what, last):
            let keep = last.map { "; the last good checkpoint is \($0)" } ?? "; no checkpoint had been written yet"
            return "training diverged at step \(step): \(what) is NaN or infinite (try a lower training.learningRate or training.gradClip)\(keep)"
        case let .cannotResume(ckpt, reason):
            return "\(ckpt): cannot resume: \(reason)"
        case let .modelMismatch(reason):
            return reason
        case let .ranksDiverged(step, rank):
            return "rank \(rank): the ranks' weights differ at step \(step) although every rank took the same steps; the run stops before writing a checkpoint (the last one stays valid)"
        case let .stopped(stage, done, total):
            return "stopped during \(stage) after \(done) of \(total) files (those are cached; the next run continues from there)"
        }
    }
}
