import A2MCore
import Foundation

/// Audio–motion correlation: how well a motion speed curve follows the audio loudness envelope.
///
/// score = max over lags |ℓ| ≤ L of the Pearson correlation between loudness[t] and speed[t + ℓ] on their
/// overlap (positive ℓ: motion follows audio), L = 0.5 s by default. Each lag's value is the
/// `np.corrcoef` of the two overlapping slices, so it lies in [−1, 1] and does not depend on units.
/// This is an a2m diagnostic, not a published benchmark number: compare it only within a2m (matched vs
/// mismatched audio, across guidance scales w).
enum AudioMotionCorrelation {
    static let defaultMaxLagSeconds = 0.5

    /// Pearson correlation of x[t] and y[t + lag] over their overlap; nil if the overlap has < 3 samples
    /// or either side is constant.
    static func correlation(_ x: [Float], _ y: [Float], lag: Int) -> Double? {
        let start = max(0, -lag), end = min(x.count, y.count - lag)
        let n = end - start
        guard n >= 3 else { return nil }
        var mx = 0.0, my = 0.0
        for t in start..<end { mx += Double(x[t]); my += Double(y[t + lag]) }
        mx /= Double(n); my /= Double(n)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for t in start..<end {
            let a = Double(x[t]) - mx, b = Double(y[t + lag]) - my
            sxy += a * b; sxx += a * a; syy += b * b
        }
        guard sxx > 0, syy > 0 else { return nil }
        return sxy / (sxx * syy).squareRoot()
    }

    /// The best correlation over lags in −maxLag...maxLag frames, and its lag (frames). Ties go to the smaller |lag|.
    static func maxCrossCorrelation(_ x: [Float], _ y: [Float], maxLag: Int) -> (value: Double, lag: Int)? {
        var best: (value: Double, lag: Int)?
        for magnitude in 0...max(0, maxLag) {
            for lag in magnitude == 0 ? [0] : [-magnitude, magnitude] {
                if let c = correlation(x, y, lag: lag), best == nil || c > best!.value { best = (c, lag) }
            }
        }
        return best
    }

    /// Correlation of the summed speed of `joints` (e.g. wrists and head) with a per-frame loudness envelope
    /// (e.g. `SpeechFeatures.rms`) at the motion fps; lag in seconds. nil also when `maxLagSeconds` is negative
    /// or not finite.
    static func score(positions: JointPositions, joints: [Int], loudness: [Float],
                             maxLagSeconds: Double = defaultMaxLagSeconds) -> (value: Double, lagSeconds: Double)? {
        guard maxLagSeconds.isFinite, maxLagSeconds >= 0 else { return nil }
        let speed = positions.speed(joints: joints)
        let n = min(speed.count, loudness.count)
        // A lag beyond the clip has no overlap; capping it keeps Int from overflowing.
        let maxLag = Int(min(maxLagSeconds * positions.fps, Double(n)).rounded())
        guard let r = maxCrossCorrelation(Array(loudness[0..<n]), Array(speed[0..<n]), maxLag: maxLag) else { return nil }
        return (r.value, Double(r.lag) / positions.fps)
    }
}
