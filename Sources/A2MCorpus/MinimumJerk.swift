import A2MAudio
import A2MCore
import A2MMotion
import Foundation

/// Minimum-jerk interpolation (Flash & Hogan 1985): between two states with given positions and velocities and
/// zero acceleration, the path that minimizes the integral of squared jerk is the quintic Hermite polynomial
/// below. Point-to-point reaching (zero velocity at both ends) gives the classic bell-shaped speed profile
/// 10τ³ − 15τ⁴ + 6τ⁵; a via point with a velocity lets a movement flow into the next one. Acceleration is zero
/// at every key, so a chain of segments is continuous in position, velocity and acceleration: nothing jumps or
/// trembles.
enum MinimumJerk {
    /// The quintic Hermite basis at τ ∈ [0, 1] for (p0, v0·T, v1·T, p1), accelerations zero.
    @inline(__always) static func basis(_ tau: Double) -> (p0: Double, v0: Double, v1: Double, p1: Double) {
        let t = max(0, min(1, tau))
        let t3 = t * t * t, t4 = t3 * t, t5 = t4 * t
        let s = 10 * t3 - 15 * t4 + 6 * t5
        return (1 - s, t - 6 * t3 + 8 * t4 - 3 * t5, -4 * t3 + 7 * t4 - 3 * t5, s)
    }

    /// The point-to-point profile 0 → 1 (zero velocity and acceleration at both ends).
    @inline(__always) static func profile(_ tau: Double) -> Double { basis(tau).p1 }

    /// Position at τ of the segment from (p0, v0) to (p1, v1) lasting `duration` seconds.
    @inline(__always) static func point(_ p0: SIMD3<Double>, _ v0: SIMD3<Double>, _ p1: SIMD3<Double>, _ v1: SIMD3<Double>,
                                        duration: Double, tau: Double) -> SIMD3<Double> {
        let b = basis(tau)
        return p0 * b.p0 + v0 * (b.v0 * duration) + v1 * (b.v1 * duration) + p1 * b.p1
    }
}

/// A value the gesture tracks interpolate: positions, angles and hand-shape weights, blended linearly.
protocol Blendable {
    static func blend(_ a: Self, _ b: Self, _ w: Double) -> Self
}

extension Double: Blendable {
    static func blend(_ a: Double, _ b: Double, _ w: Double) -> Double { a + (b - a) * w }
}

/// A track of keys joined by minimum-jerk segments. Each key has a position (with a velocity: zero where the
/// movement stops, as at a stroke's end) and a posture (hand orientation, shape, elbow swivel) that changes
/// with the point-to-point profile, so it too starts and ends at rest.
struct KeyTrack<Posture: Blendable> {
    struct Key {
        var time: Double
        var position: SIMD3<Double>
        var velocity: SIMD3<Double> = .zero
        var posture: Posture
    }

    private(set) var keys: [Key]

    /// A track that holds `position` and `posture` from time 0.
    init(start position: SIMD3<Double>, posture: Posture) {
        keys = [Key(time: 0, position: position, posture: posture)]
    }

    var last: Key { keys[keys.count - 1] }

    /// Appends a key; a key not later than the last one by `minimumGap` is dropped (the planner leaves room,
    /// so this only guards against rounding). Returns whether it was added.
    @discardableResult
    mutating func append(_ key: Key, minimumGap: Double = 1e-3) -> Bool {
        guard key.time >= last.time + minimumGap else { return false }
        keys.append(key)
        return true
    }

    /// Holds the last key's position and posture until `time` (a hold phase): adds a copy of it at `time`.
    mutating func hold(until time: Double) {
        var k = last
        k.velocity = .zero
        k.time = time
        append(k)
    }

    /// Position and posture at `time`; before the first key and after the last, the end keys hold.
    /// `cursor` speeds up evaluation at increasing times.
    func sample(_ time: Double, cursor: inout Int) -> (position: SIMD3<Double>, posture: Posture) {
        if cursor >= keys.count - 1 || keys[cursor].time > time { cursor = 0 }
        while cursor + 1 < keys.count && keys[cursor + 1].time <= time { cursor += 1 }
        guard cursor + 1 < keys.count else { return (keys[cursor].position, keys[cursor].posture) }
        let a = keys[cursor], b = keys[cursor + 1]
        guard time > a.time else { return (a.position, a.posture) }
        let duration = b.time - a.time, tau = (time - a.time) / duration
        let p = MinimumJerk.point(a.position, a.velocity, b.position, b.velocity, duration: duration, tau: tau)
        return (p, Posture.blend(a.posture, b.posture, MinimumJerk.profile(tau)))
    }
}

/// Smooth random drift: Gaussian values at knots every `knotSeconds`, joined by a uniform cubic B-spline
/// (continuous in position, velocity and acceleration; no overshoot beyond the knot values). Unit scale.
struct SmoothNoise {
    private let knots: [Double]
    private let step: Double

    init(frames: Int, fps: Double, knotSeconds: Double, rng: inout PCG32) {
        step = knotSeconds * fps
        knots = (0..<(Int(Double(frames) / step) + 4)).map { _ in Double(rng.gaussian()) }
    }

    /// Value at frame `f` (fractional frames allowed).
    func callAsFunction(_ f: Double) -> Double {
        let p = max(0, f) / step
        let k = Int(p), t = p - Double(k)
        let t2 = t * t, t3 = t2 * t
        let b0 = (1 - 3 * t + 3 * t2 - t3) / 6, b1 = (4 - 6 * t2 + 3 * t3) / 6
        let b2 = (1 + 3 * t + 3 * t2 - 3 * t3) / 6, b3 = t3 / 6
        let i = min(k, knots.count - 4)
        // The B-spline's variance is about 0.48 of the knots'; scaled back to unit.
        return (b0 * knots[i] + b1 * knots[i + 1] + b2 * knots[i + 2] + b3 * knots[i + 3]) * 1.44
    }
}
