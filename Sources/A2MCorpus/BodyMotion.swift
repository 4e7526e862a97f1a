import A2MAudio
import A2MCore
import A2MMotion
import Foundation

/// Corpus v2's torso, head and weight: everything but the arms and legs, as Euler ZXY angles (degrees).
///
/// - Weight shifts: the hips step sideways onto one leg now and then (every `swayInterval` s on average),
///   with a minimum-jerk transfer; the pelvis drops on the unloaded side and the spine bends back so the chest
///   stays over the feet. Leg IK (in `CoSpeechGesture`) keeps the feet planted.
/// - Torso: forward lean while gesturing (`GesturePlan.lean`), a small forward pulse with each stroke, a twist
///   toward a single gesturing hand (`GesturePlan.twist`), breathing in the chest.
/// - Head: nods on prominent syllables (`GesturePlan.nods`), turns between places the speaker looks at (every
///   0.7–2.2 s while speaking, 2–5 s in silence; toward the target of a pointing gesture), slow drift.
struct BodyMotion {
    struct Pose {
        var hips: SIMD3<Double>
        var spine: [SIMD3<Double>]
        var neck: SIMD3<Double>, head: SIMD3<Double>
        /// Hips' side shift (cm at the default size; + toward the left) and the breathing phase's sine.
        var shift: Double
        var breath: Double
        /// Extra clavicle elevation of the left and right shoulder (degrees).
        var shrug: [Double]
    }

    let fps: Double
    private let plan: GesturePlan
    private let shift: ScalarTrack, gaze: ScalarTrack, gazePitch: ScalarTrack
    private let noise: [SmoothNoise]
    private let breathPeriod: Double, breathPhase: Double
    /// Stroke apexes with their torso pulse size.
    private let pulses: [(time: Double, size: Double)]

    /// Hips roll per cm of side shift (degrees), and the share of the counter-bend taken by Spine, Spine1, Spine2.
    static let rollPerCentimetre = 0.5, counterBend = [0.6, 0.3, 0.1]

    init(plan: GesturePlan, prosody: ProsodicEvents, style: SpeakerStyle, frames n: Int, rng: inout PCG32) {
        func u(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * Double(rng.uniformFloat()) }
        let fps = prosody.fps
        self.fps = fps
        self.plan = plan
        let duration = Double(n) / fps

        var shift = ScalarTrack(u(-1, 1) * style.swayCentimetres)
        var t = u(0.3, 1) * style.swayInterval
        while t < duration {
            let target = (shift.lastValue > 0 ? -1.0 : 1.0) * u(0.5, 1) * style.swayCentimetres
            shift.move(to: target, start: t, duration: u(0.9, 1.6))
            t = shift.lastTime + u(0.5, 1.5) * style.swayInterval
        }
        self.shift = shift

        // Gaze: the speaker looks around; pointing draws the head toward the pointed-at place.
        var gaze = ScalarTrack(0), gazePitch = ScalarTrack(0)
        var events = [(time: Double, yaw: Double, pitch: Double)]()
        t = u(0.3, 1.5)
        while t < duration {
            let speaking = prosody.speaking(Int(t * fps))
            events.append((t, u(-22, 22) * style.headMobility, u(-8, 5) * style.headMobility))
            t += speaking ? u(0.7, 2.2) : u(2, 5)
        }
        for s in plan.strokes where s.kind == .point && s.first {
            let side = s.hands[0].sign
            events.append((s.apex - 0.45, side * u(15, 30), u(-4, 2)))
        }
        events.sort { $0.time < $1.time }
        for e in events {
            let d = u(0.35, 0.7)
            gaze.move(to: e.yaw, start: e.time, duration: d)
            gazePitch.move(to: e.pitch, start: e.time, duration: d)
        }
        self.gaze = gaze
        self.gazePitch = gazePitch

        // Drift: hips yaw, spine twist, head yaw / pitch / roll, postural sway, torso lean and side bend, shoulders.
        noise = [3.0, 2.5, 1.6, 2.0, 2.5, 2.0, 1.8, 2.2, 1.5, 1.5].map { SmoothNoise(frames: n, fps: fps, knotSeconds: $0, rng: &rng) }
        breathPeriod = u(3.5, 5)
        breathPhase = u(0, 2 * .pi)
        pulses = plan.strokes.map { ($0.apex, $0.first ? 1.5 : 0.9) }
    }

    /// Nod profile around a peak at τ = 0: down over 0.15 s, back up over 0.35 s.
    static func nod(_ tau: Double) -> Double {
        if tau < -0.15 || tau > 0.35 { return 0 }
        return tau < 0 ? MinimumJerk.profile((tau + 0.15) / 0.15) : 1 - MinimumJerk.profile(tau / 0.35)
    }

    /// Torso pulse around a stroke apex: forward over 0.25 s, back over 0.5 s.
    static func pulse(_ tau: Double) -> Double {
        if tau < -0.25 || tau > 0.5 { return 0 }
        return tau < 0 ? MinimumJerk.profile((tau + 0.25) / 0.25) : 1 - MinimumJerk.profile(tau / 0.5)
    }

    func pose(frame f: Int) -> Pose {
        let t = Double(f) / fps
        let x = Double(f)
        let side = shift(t) + 0.3 * noise[5](x)
        let roll = Self.rollPerCentimetre * side
        let breath = sin(2 * .pi * t / breathPeriod + breathPhase)
        var pulse = 0.0
        for p in pulses where abs(p.time - t) < 0.6 { pulse += p.size * Self.pulse(t - p.time) }
        var nod = 0.0
        for n in plan.nods where abs(n.time - t) < 0.5 { nod += n.degrees * Self.nod(t - n.time) }
        let lean = plan.lean(t) + pulse + 1.5 * noise[6](x)
        let bend = 1.0 * noise[7](x)
        let twist = plan.twist(t) + 2.0 * noise[1](x)
        let hips = SIMD3<Double>(roll, 0, 1.0 * noise[0](x))
        let spine = (0..<3).map { k -> SIMD3<Double> in
            SIMD3(-Self.counterBend[k] * roll + bend / 3,
                  [0.3, 0.35, 0.35][k] * lean - (k == 0 ? 0 : 0.4 * breath),
                  [0.3, 0.3, 0.4][k] * twist - (k == 0 ? hips.z : 0))
        }
        // The head keeps roughly level while the torso leans; nods and turns split 40/60 between neck and head.
        let yaw = gaze(t) + 2.5 * noise[2](x) - 0.5 * twist
        let pitch = nod + gazePitch(t) - 0.6 * lean + 2.5 * noise[3](x)
        let tilt = 1.5 * noise[4](x)
        return Pose(hips: hips, spine: spine, neck: SIMD3(0.4 * tilt, 0.4 * pitch, 0.4 * yaw),
                    head: SIMD3(0.6 * tilt, 0.6 * pitch, 0.6 * yaw), shift: side, breath: breath,
                    shrug: [1.5 * noise[8](x), 1.5 * noise[9](x)])
    }
}
