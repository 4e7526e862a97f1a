/// Where the training windows of one file start, and how many of their frames are real.
///
/// Windows of `length` frames start every `stride` frames while they fit. A tail that no full window covers
/// gets one more window at the next stride position, and a file shorter than `length` gets one window at
/// 0; both are padded (see `TrainingSet.fillBatch`) and carry a frame mask so the loss ignores the padding.
public struct TrainingWindow: Sendable, Equatable, Codable {
    /// Index of the file in the dataset's file list.
    var file: Int
    var start: Int
    /// Real frames in the window (≤ the window length); the rest is padding.
    var frames: Int
}

enum TrainingWindows {
    /// Windows never hold fewer real frames than this: the velocity loss needs two.
    static let minimumFrames = 2

    static func windows(file: Int, frameCount: Int, length: Int, stride: Int) -> [TrainingWindow] {
        precondition(length >= minimumFrames && stride >= 1)
        guard frameCount >= minimumFrames else { return [] }
        var out: [TrainingWindow] = []
        var start = 0
        while start + length <= frameCount {
            out.append(TrainingWindow(file: file, start: start, frames: length))
            start += stride
        }
        let covered = out.last.map { $0.start + $0.frames } ?? 0
        if covered < frameCount, frameCount - start >= minimumFrames {
            out.append(TrainingWindow(file: file, start: start, frames: frameCount - start))
        } else if covered < frameCount, out.isEmpty == false {
            // The stride overshot the tail by less than `minimumFrames`: end the last full window at the end instead.
            out.append(TrainingWindow(file: file, start: frameCount - length, frames: length))
        }
        return out
    }
}
