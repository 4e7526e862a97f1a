import Foundation

/// Joins one clip's consecutive windows and passes on the finished frames.
package protocol WindowStitcher: AnyObject {
    /// Window k's sample `x0` ([frames.count, D], model feature space) covering `frames`; its first `overlap`
    /// frames are shared with window k−1. Frames below `finishedUpTo` are touched by no later window and may
    /// be emitted; the rest must be kept to blend with window k+1. Called once per window, in order.
    func add(window x0: [Float], frames: Range<Int>, overlap: Int, finishedUpTo: Int) throws
}

/// Raised-cosine weight of the new window at overlap frame j of `overlap`: α = ½ − ½·cos(π·(j+1)/(overlap+1)).
/// Its slope is zero at both ends, so the blend adds no velocity step where it starts or stops (a linear ramp
/// measurably did; see docs/sampling.md).
func crossfadeWeight(_ j: Int, of overlap: Int) -> Float {
    Float(0.5 - 0.5 * cos(Double.pi * Double(j + 1) / Double(overlap + 1)))
}

/// Crossfades overlaps in feature space (every channel linearly, raised-cosine weights) and emits finished
/// feature frames [count, D] to `emit(first, frames)`, in order, each frame once.
final class FeatureCrossfadeStitcher: WindowStitcher {
    let featureDim: Int
    private let emit: (_ first: Int, _ frames: [Float]) throws -> Void
    /// Tests switch this off to show what the blend removes.
    var blend = true
    private var tail: [Float] = []

    init(featureDim: Int, emit: @escaping (_ first: Int, _ frames: [Float]) throws -> Void) {
        self.featureDim = featureDim
        self.emit = emit
    }

    func add(window x0: [Float], frames: Range<Int>, overlap: Int, finishedUpTo: Int) throws {
        let D = featureDim
        precondition(x0.count == frames.count * D && tail.count == overlap * D, "FeatureCrossfadeStitcher: shapes out of sync")
        var w = x0
        if blend {
            for j in 0..<overlap {
                let alpha = crossfadeWeight(j, of: overlap)
                for i in j * D..<(j + 1) * D { w[i] = tail[i] + alpha * (w[i] - tail[i]) }
            }
        }
        let emitCount = finishedUpTo - frames.lowerBound
        try emit(frames.lowerBound, Array(w[0..<emitCount * D]))
        tail = Array(w[(emitCount * D)...])
    }
}
