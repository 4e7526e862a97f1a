/// The rule that ties audio feature frames to motion frames.
///
/// A clip of duration d seconds has `round(d · fps)` motion frames (round half away from zero), and motion
/// frame j is at time j / fps. With sampleRate / hopLength == fps, STFT frame j (center=True) is centered
/// on sample j·hop, i.e. time j / fps too, and the STFT has 1 + len/hop ≥ round(d · fps) frames, so the
/// first round(d · fps) frames are taken as they are. Any other feature rate is linearly interpolated to
/// the motion times. Nothing accumulates per frame, so a 10-minute file drifts by zero frames.
enum MotionAlignment {
    /// Motion frames for `duration` seconds at `fps`: round(duration × fps).
    static func frameCount(duration: Double, fps: Double) -> Int {
        Int((duration * fps).rounded(.toNearestOrAwayFromZero))
    }

    /// True when feature frames already fall on motion frames (sampleRate == fps × hopLength).
    static func isExact(featureRate: Double, fps: Double) -> Bool {
        abs(featureRate - fps) <= 1e-9 * fps
    }

    /// Where motion frame `j` reads its features: frames `i0` and `i1` of `featureFrames`, mixed as
    /// f[i0] + weight · (f[i1] − f[i0]); with `exact`, frame `i0` as it is.
    static func source(of j: Int, featureRate: Double, fps: Double, featureFrames: Int) -> (i0: Int, i1: Int, weight: Float, exact: Bool) {
        if isExact(featureRate: featureRate, fps: fps) {
            let src = min(j, featureFrames - 1)
            return (src, src, 0, true)
        }
        let p = Double(j) * featureRate / fps
        let i0 = min(Int(p), featureFrames - 1), i1 = min(i0 + 1, featureFrames - 1)
        return (i0, i1, Float(p - Double(i0)), false)
    }

    /// Row `j` of the aligned features: `rowAt(i)` gives feature frame i (`bins` values); written to `out`.
    @inline(__always)
    static func alignedRow(_ j: Int, featureRate: Double, fps: Double, featureFrames: Int, bins: Int,
                           rowAt: (Int) -> UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let s = source(of: j, featureRate: featureRate, fps: fps, featureFrames: featureFrames)
        let r0 = rowAt(s.i0)
        if s.exact { out.update(from: r0, count: bins); return }
        let r1 = rowAt(s.i1), a = s.weight
        for b in 0..<bins { out[b] = r0[b] + a * (r1[b] - r0[b]) }
    }

    /// `frames` rows of `features` (at `featureRate` frames/s) sampled at times j / fps.
    static func align(_ features: FeatureMatrix, featureRate: Double, fps: Double, frames: Int) -> FeatureMatrix {
        let bins = features.bins
        var out = FeatureMatrix(frames: frames, bins: bins)
        features.values.withUnsafeBufferPointer { f in
            out.values.withUnsafeMutableBufferPointer { o in
                for j in 0..<frames {
                    alignedRow(j, featureRate: featureRate, fps: fps, featureFrames: features.frames, bins: bins,
                               rowAt: { f.baseAddress! + $0 * bins }, into: o.baseAddress! + j * bins)
                }
            }
        }
        return out
    }
}
