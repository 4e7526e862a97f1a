import Foundation

/// Everything that can be wrong with a training data directory. Each case names the file(s) involved and
/// what was expected; errors from the audio and BVH readers pass through unchanged (they name file:line).
public enum TrainingDataError: Error, CustomStringConvertible, Equatable {
    case notADirectory(path: String)
    case noPairs(directory: String, audioFiles: Int, bvhFiles: Int)
    case audioWithoutBVH(audio: String, expected: String)
    case bvhWithoutAudio(bvh: String)
    case duplicateStem(stem: String, files: [String])
    case skeletonMismatch(reference: String, file: String, reason: String)
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
        case let .audioWithoutBVH(audio, expected):
            return "\(audio): audio file has no motion; expected \(expected) next to it (same name, .bvh)"
        case let .bvhWithoutAudio(bvh):
            return "\(bvh): BVH file has no audio; expected an audio file with the same name (.wav, .flac, .ogg, .mp3, .aiff, ...)"
        case let .duplicateStem(stem, files):
            return "several audio files share the name '\(stem)': \(files.joined(separator: ", ")); keep one audio file per BVH"
        case let .skeletonMismatch(reference, file, reason):
            return "\(file): skeleton differs from \(reference): \(reason); every BVH of a training set must use the same skeleton"
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
