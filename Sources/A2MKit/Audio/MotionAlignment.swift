/// The rule that ties audio feature frames to motion frames.
///
/// A clip of duration d seconds has `round(d · fps)` motion frames (round half away from zero), and motion
/// frame j is at time j / fps. With sampleRate / hopLength == fps, STFT frame j (center=True) is centered
/// on sample j·hop, i.e. time j / fps too, and the STFT has 1 + len/hop ≥ round(d · fps) frames, so the
/// first round(d · fps) frames are taken as they are. Any other feature rate is linearly interpolated to
/// the motion times. Nothing accumulates per frame, so a 10-minute file drifts by zero frames.
public enum MotionAlignment {
    /// Motion frames for `duration` seconds at `fps`: round(duration × fps).
    public static func frameCount(duration: Double, fps: Double) -> Int {
        Int((duration * fps).rounded(.toNearestOrAwayFromZero))
    }

    /// True when feature frames already fall on motion frames (sampleRate == fps × hopLength).
    public static func isExact(featureRate: Double, fps: Double) -> Bool {
        abs(featureRate - fps) <= 1e-9 * fps
    }

    /// `frames` rows of `features` (at `featureRate` frames/s) sampled at times j / fps.
    public static func align(_ features: FeatureMatrix, featureRate: Double, fps: Double, frames: Int) -> FeatureMatrix {
        let bins = features.bins
        var out = FeatureMatrix(frames: frames, bins: bins)
        let exact = isExact(featureRate: featureRate, fps: fps)
        for j in 0..<frames {
            if exact {
                let src = min(j, features.frames - 1)
                for b in 0..<bins { out[j, b] = features[src, b] }
                continue
            }
            let p = Double(j) * featureRate / fps
            let i0 = min(Int(p), features.frames - 1), i1 = min(i0 + 1, features.frames - 1)
            let a = Float(p - Double(i0))
            for b in 0..<bins { out[j, b] = features[i0, b] + a * (features[i1, b] - features[i0, b]) }
        }
        return out
    }
}
