import A2MNN
import Foundation

/// Kinetic feature vector of a clip (AIST++ / Bailando `utils/features/kinetic.py`, built on fairmotion's
/// `KineticFeatures` and `feature_utils`): for every joint, in joint order,
/// [average horizontal kinetic energy, average vertical kinetic energy, average energy expenditure].
///
/// - velocity at frame i = mean of the frame differences (p[i+k] − p[i+k−1]) / Δt over k in −w...w that stay
///   inside the clip (sliding window w = 2); horizontal = the two non-up components, vertical = the up one;
/// - kinetic energy terms = Σ_{i=1}^{T−1} |v_i|² / (T − 1);
/// - energy expenditure = Σ_{i=1}^{T−2} |a_i| / (T − 1), with a_i the windowed mean of second differences / Δt².
///
/// Up axis is Y (a2m and the reference's `up_vec="y"`). Units follow the input (cm here; the reference uses
/// metres on SMPL joints), which cancels once features are normalized by ground-truth statistics for FID_k.
/// fairmotion's `calc_average_acceleration` misplaces a parenthesis in v1 (divides only one position by
/// Δt); a2m uses the intended central second difference.
enum KineticFeatures {
    static let slidingWindow = 2

    static func vector(_ p: JointPositions) -> [Double] {
        let t = p.frameCount, dt = 1 / p.fps, w = slidingWindow
        var out = [Double]()
        out.reserveCapacity(p.jointCount * 3)
        guard t >= 3 else { return [Double](repeating: 0, count: p.jointCount * 3) }
        for j in 0..<p.jointCount {
            var horizontal = 0.0, vertical = 0.0, expenditure = 0.0
            for i in 1..<t {
                var v = SIMD3<Double>.zero
                var count = 0
                for k in -w...w where i + k - 1 >= 0 && i + k < t {
                    v += p.position(frame: i + k, joint: j) - p.position(frame: i + k - 1, joint: j)
                    count += 1
                }
                v /= Double(count) * dt
                horizontal += v.x * v.x + v.z * v.z
                vertical += v.y * v.y
            }
            for i in 1..<(t - 1) {
                var a = SIMD3<Double>.zero
                var count = 0
                for k in -w...w where i + k - 1 >= 0 && i + k + 1 < t {
                    a += p.position(frame: i + k + 1, joint: j) - 2 * p.position(frame: i + k, joint: j) + p.position(frame: i + k - 1, joint: j)
                    count += 1
                }
                a /= Double(count) * dt * dt
                expenditure += (a * a).sum().squareRoot()
            }
            let norm = Double(t - 1)
            out += [horizontal / norm, vertical / norm, expenditure / norm]
        }
        return out
    }
}
