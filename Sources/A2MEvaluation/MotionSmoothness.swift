import A2MNN
import Foundation

/// Mean jerk and mean acceleration (GENEA numerical evaluations, `calc_jerk_acc.py`, Kucherenko & Kaneko):
/// the n-th finite difference of positions along time (`np.diff(x, n)`, n = 3 for jerk, 2 for acceleration),
/// its Euclidean norm per joint and frame, averaged over frames, times fps^n to give cm/s³ (cm/s²).
/// The reference hard-codes 20 fps; here fps comes with the positions. For a trajectory p(t) = c·t³ the
/// third difference is exactly 6c·Δt³, so the mean jerk is 6|c|.
enum MotionSmoothness {
    /// Per-joint mean norm of the `order`-th time derivative; empty if the clip has ≤ `order` frames.
    static func perJointDerivativeNorm(_ p: JointPositions, order: Int) -> [Double] {
        let t = p.frameCount - order
        guard t >= 1, order >= 1 else { return [] }
        let binomial: [Double] = (0...order).map { k in
            var c = 1.0
            for i in 0..<k { c = c * Double(order - i) / Double(i + 1) }
            return ((order - k) % 2 == 0 ? 1 : -1) * c
        }
        let scale = pow(p.fps, Double(order))
        return (0..<p.jointCount).map { j in
            var total = 0.0
            for f in 0..<t {
                var d = SIMD3<Double>.zero
                for k in 0...order { d += binomial[k] * p.position(frame: f + k, joint: j) }
                total += (d * d).sum().squareRoot()
            }
            return total / Double(t) * scale
        }
    }

    /// Mean jerk (cm/s³) over joints and frames.
    static func meanJerk(_ p: JointPositions) -> Double { mean(perJointDerivativeNorm(p, order: 3)) }
    /// Mean acceleration (cm/s²) over joints and frames.
    static func meanAcceleration(_ p: JointPositions) -> Double { mean(perJointDerivativeNorm(p, order: 2)) }

    /// generated / ground truth, the ratio GENEA reports (1 = as smooth as the data); nil if the reference is 0.
    static func ratio(_ generated: Double, to groundTruth: Double) -> Double? {
        groundTruth != 0 ? generated / groundTruth : nil
    }

    private static func mean(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.reduce(0, +) / Double(xs.count) }
}
