import Foundation

/// Beat consistency score (BEAT, Liu et al. ECCV 2022; the implementation is `alignment` in PantoMatrix
/// `utils/metric.py`: `GAHR` and `calculate_align`).
///
/// Audio beats are onset times; motion beats are local minima of a joint's speed. For each audio beat the
/// distance d to the nearest motion beat is scored exp(−d² / (2σ²)), σ = 0.3 s, and the scores are averaged
/// over audio beats. `clipScore` computes this per joint and averages over the joints given, as
/// `calculate_align` averages over its upper-body joints.
///
/// Differences from the reference, on purpose: joint speed uses central differences (`np.gradient`) where
/// PantoMatrix takes forward differences timed at the earlier frame (a half-frame shift); its optional
/// speed threshold on minima is not applied.
enum BeatConsistency {
    static let defaultSigma = 0.3
    /// `argrelextrema(..., np.less, order=7)` as PantoMatrix/EMAGE call it at 30 fps.
    static let defaultOrder = 7

    /// Mean over `audioBeats` of exp(−d²/(2σ²)); nil when there are no audio beats or no motion beats.
    static func score(audioBeats: [Double], motionBeats: [Double], sigma: Double = defaultSigma) -> Double? {
        guard !audioBeats.isEmpty, !motionBeats.isEmpty, sigma > 0 else { return nil }
        var total = 0.0
        for a in audioBeats {
            let d = motionBeats.map { abs($0 - a) }.min()!
            total += exp(-d * d / (2 * sigma * sigma))
        }
        return total / Double(audioBeats.count)
    }

    /// Times (s) of strict local minima of `speed`: smaller than every neighbour within ±order frames, with
    /// neighbour indices clipped to the array (scipy `argrelextrema` mode 'clip', so the ends never qualify).
    static func motionBeats(speed: [Float], fps: Double, order: Int = defaultOrder) -> [Double] {
        let n = speed.count
        guard n > 2, order >= 1 else { return [] }
        var beats = [Double]()
        for i in 0..<n {
            var isMin = true
            for k in 1...order where !(speed[i] < speed[min(n - 1, i + k)] && speed[i] < speed[max(0, i - k)]) {
                isMin = false
                break
            }
            if isMin { beats.append(Double(i) / fps) }
        }
        return beats
    }

    /// Mean over `joints` of the per-joint score; nil if no joint yields a score.
    static func clipScore(positions: JointPositions, joints: [Int], audioBeats: [Double],
                                 sigma: Double = defaultSigma, order: Int = defaultOrder) -> Double? {
        let scores = joints.compactMap { j in
            score(audioBeats: audioBeats, motionBeats: motionBeats(speed: positions.speed(joint: j), fps: positions.fps, order: order), sigma: sigma)
        }
        return scores.isEmpty ? nil : scores.reduce(0, +) / Double(scores.count)
    }
}
