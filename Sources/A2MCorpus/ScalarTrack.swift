import A2MAudio
import A2MCore
import A2MMotion
import Foundation

/// A scalar that moves between values point to point with the minimum-jerk profile and holds in between:
/// torso lean and twist, head yaw, the hips' side shift.
struct ScalarTrack {
    private(set) var times: [Double]
    private(set) var values: [Double]

    init(_ value: Double) {
        times = [0]
        values = [value]
    }

    var lastTime: Double { times[times.count - 1] }
    var lastValue: Double { values[values.count - 1] }

    /// Moves to `value` from `start` (or from the end of the previous move, if later) over `duration` seconds.
    mutating func move(to value: Double, start: Double, duration: Double) {
        let t0 = max(start, lastTime)
        if t0 > lastTime { times.append(t0); values.append(lastValue) }
        times.append(t0 + max(duration, 1e-3))
        values.append(value)
    }

    func callAsFunction(_ t: Double) -> Double {
        guard t > times[0] else { return values[0] }
        // Binary search for the segment holding t.
        var lo = 0, hi = times.count - 1
        guard t < times[hi] else { return values[hi] }
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if times[mid] <= t { lo = mid } else { hi = mid }
        }
        let w = MinimumJerk.profile((t - times[lo]) / (times[hi] - times[lo]))
        return values[lo] + (values[hi] - values[lo]) * w
    }
}
