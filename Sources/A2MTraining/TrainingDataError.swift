import Foundation

/// Everything that can be wrong with a training data directory. Each case names the file(s) involved and
/// what was expected; errors from the audio and BVH readers pass through unchanged (they name file:line).
public enum TrainingDataError: Error, CustomStringConvertible, Equatable {
    public static func == (a: TrainingDataError, b: TrainingDataError) -> Bool { a.description == b.description }

    case notADirectory(path: String)
    case noPairs(directory: String, audioFiles: Int, bvhFiles: Int)
    case duplicateStem(stem: String, files: [String])
    case skeletonMismatch(reference: String, file: String, reason: String)
    /// Files whose skeleton differs from the corpus's majority rig, every one of them with the first difference.
    case rigsMismatch(reference: String, referenceFiles: Int, jointCount: Int, mismatches: [(file: String, reason: String)])
    case unpaired(directory: String, audioWithoutBVH: [String], bvhWithoutAudio: [String])
    case layoutMismatch(directory: String, layout: String, expected: String)
    case badSplitFile(file: String, line: Int, reason: String)
    case splitNamesMissingStems(file: String, missing: [String], pairs: Int)
    case noTrainingFiles(directory: String, reason: String)
    case unsupportedFPS(file: String, fps: Double, target: Double)
    case tooShort(file: String, frames: Int, required: Int)
    case noValidationFiles(directory: String, files: Int, fraction: Double)
    case incompatibleFeatures(file: String, reason: String)
    /// A pair's file is not a regular file (a pipe, a device, a directory).
    case notAFile(path: String, reason: String)

    public var description: String {
        switch self {
        case let .notADirectory(path):
            return "\(path): not a directory; --data expects a directory of paired audio + BVH files (NAME.wav + NAME.bvh)"
        case let .noPairs(dir, audio, bvh):
            return "\(dir): no training pairs found (\(audio) audio file(s), \(bvh) BVH file(s)); expected NAME.wav (or .flac, .ogg, .mp3, .aiff, ...) next to NAME.bvh"
        case let .duplicateStem(stem, files):
            return "several audio files share the name '\(stem)': \(files.joined(separator: ", ")); keep one audio file per BVH"
        case let .skeletonMismatch(reference, file, reason):
            return "\(file): skeleton differs from \(reference): \(reason); every BVH of a training set must use the same skeleton"
        case let .rigsMismatch(reference, count, joints, mismatches):
            let lines = mismatches.map { "  \($0.file): \($0.reason)" }.joined(separator: "\n")
            return "\(mismatches.count) BVH file(s) use another skeleton than the \(count) file(s) like \(reference) (\(joints) joints); "
                + "every BVH of a training set must use the same skeleton (move these out, or train on them separately):\n" + lines
        case let .unpaired(dir, audio, bvh):
            func list(_ xs: [String]) -> String {
                xs.prefix(TrainingPairs.listedFiles).joined(separator: ", ") + (xs.count > TrainingPairs.listedFiles ? " and \(xs.count - TrainingPairs.listedFiles) more" : "")
            }
            var parts: [String] = []
            let named = audio.map { $0 + " (no " + (($0 as NSString).lastPathComponent as NSString).deletingPathExtension + ".bvh)" }
            if !audio.isEmpty { parts.append("\(audio.count) audio file(s) have no motion: \(list(named))") }
            if !bvh.isEmpty { parts.append("\(bvh.count) BVH file(s) have no audio: \(list(bvh))") }
            return "\(dir): " + parts.joined(separator: "; ") + "; every audio file needs NAME.bvh and every BVH NAME.wav (or .flac, .ogg, ...) somewhere under the folder"
        case let .layoutMismatch(dir, layout, expected):
            return "\(dir): not the \(layout) layout: expected \(expected); see docs/training.md, \"Data layout\", or pass another --layout"
        case let .badSplitFile(file, line, reason):
            return line > 0 ? "\(file):\(line): \(reason)" : "\(file): \(reason)"
        case let .splitNamesMissingStems(file, missing, pairs):
            let listed = missing.prefix(SplitFile.listedStems).joined(separator: ", ") + (missing.count > SplitFile.listedStems ? " and \(missing.count - SplitFile.listedStems) more" : "")
            return "\(file): \(missing.count) stem(s) name no pair of the data (\(pairs) pairs found): \(listed); expected each stem to have NAME.bvh and an audio file"
        case let .noTrainingFiles(dir, reason):
            return "\(dir): no training files: \(reason)"
        case let .unsupportedFPS(file, fps, target):
            return "\(file): cannot resample motion at \(fps) fps to \(target) fps; expected a positive, finite frame rate of at least 1 fps"
        case let .tooShort(file, frames, required):
            return "\(file): only \(frames) frame(s) after resampling; need at least \(required)"
        case let .noValidationFiles(dir, files, fraction):
            return "\(dir): validationFraction \(fraction) needs at least 2 files to hold one out, found \(files); add files or set training.validationFraction to 0"
        case let .incompatibleFeatures(file, reason):
            return "\(file): \(reason)"
        case let .notAFile(path, reason):
            return "\(path): cannot train on it: \(reason)"
        }
    }
}
