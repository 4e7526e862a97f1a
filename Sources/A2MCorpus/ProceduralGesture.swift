import A2MAudio
import A2MCore
import A2MMotion
import Foundation

/// Procedural co-speech motion driven by features measured from the audio itself (`SpeechFeatures`).
/// Synthetic motion for demos and tests — not motion capture. Components (docs/corpus.md has the details):
///
/// 1. Gesture space: while the speaker talks (speech activity with pauses ≤ `holdSeconds` filled, smoothed
///    forward and backward so the arms prepare before a phrase and retract after it), upper arms lift and
///    elbows flex by amounts set by the style's `height` and `size`.
/// 2. Hand rolling: the hands circle with a phase that advances at `rollHz` × loudness (`leadSeconds`
///    ahead), so hand speed follows the loudness envelope — the audio–motion relation the model must learn.
/// 3. Beat strokes at acoustic onsets (spectral-flux peaks, at least `strokeSpacing` apart, strongest first):
///    preparation (rise), stroke (fast fall ending on the loudness peak of the vowel after the onset, where
///    the hand stops) and retraction; amplitude ∝ that loudness × onset strength × style energy; on the
///    dominant hand, or both.
/// 4. Head nods at stressed syllables: peaks of z(loudness dB) + z(pitch in semitones) over voiced frames.
/// 5. Rest pose (arms down at the sides) and breathing (chest and shoulders) that is stronger in silence.
/// 6. Weight shifts: hips sway sideways with a compensating spine, legs re-angled to keep the feet planted.
/// 7. Idle drift: smooth noise on arms and head so no two rests look alike.
///
/// Angles are composed as Zrotation Xrotation Yrotation channel values in degrees (R = Rz·Rx·Ry, the default
/// skeleton's channel order) and stored as quaternions in the returned `MotionClip`. With Y up and the body
/// facing +Z: the left arm points +X in the T-pose, so Rz(−90°) hangs it down; a negative Y rotation of the left upper arm/forearm swings the hand
/// forward; the right side mirrors Z and Y; a positive X rotation of neck/head nods forward.
public enum ProceduralGesture {
    /// The joints the model drives; any skeleton that has them by these names can be animated.
    static let requiredJoints = ["Hips", "Spine", "Spine1", "Spine2", "Neck", "Head",
                                        "LeftShoulder", "LeftArm", "LeftForeArm", "LeftHand",
                                        "RightShoulder", "RightArm", "RightForeArm", "RightHand",
                                        "LeftUpLeg", "LeftFoot", "RightUpLeg", "RightFoot"]

    /// Stroke phase durations (s) at `strokeTempo` 1 and the stroke's overshoot below rest (fraction).
    static let preparationSeconds = 0.18, strokeSeconds = 0.12, retractionSeconds = 0.3, strokeOvershoot = 0.4

    /// Hand-rolling cycles per second at full loudness.
    static let rollHz = 1.3, rollDegrees = 8.0
    /// How far gesture motion runs ahead of the speech it goes with.
    static let leadSeconds = 0.1

    /// Pauses shorter than this keep the hands in gesture space.
    static let holdSeconds = 1.0

    /// Motion on `skeleton` (which must have `requiredJoints`) at `features.fps`, one frame per feature frame.
    /// The standing height and leg length come from the skeleton's offsets (hip → knee → ankle → toe).
    public static func generate(features: SpeechFeatures, style: GestureStyle, skeleton: Skeleton,
                                rng: inout PCG32) throws -> MotionClip {
        var index = [String: Int]()
        for (i, n) in skeleton.names.enumerated() { index[n] = i }
        for name in requiredJoints + ["LeftLeg", "LeftToeBase"] where index[name] == nil {
            throw CorpusError.skeletonMissingJoint(name, required: requiredJoints + ["LeftLeg", "LeftToeBase"])
        }
        let offset = { (name: String) in SIMD3<Double>(skeleton.joints[index[name]!].offset) }
        let legLength = (offset("LeftLeg") * offset("LeftLeg")).sum().squareRoot() + (offset("LeftFoot") * offset("LeftFoot")).sum().squareRoot()
        let standing = -(offset("LeftUpLeg").y + offset("LeftLeg").y + offset("LeftFoot").y + offset("LeftToeBase").y)
        let restRootPosition = SIMD3<Double>(offset("Hips").x, standing, offset("Hips").z)
        let jointNames = skeleton.names
        let n = features.frameCount, fps = features.fps
        guard n >= 2 else { throw CorpusError.invalidParameter("a clip needs at least 2 frames, got \(n)") }
        let time = (0..<n).map { Double($0) / fps }

        // Audio-derived drivers.
        // Linear level relative to the clip's loud speech (95th percentile of RMS over active frames), ≤ 1.5.
        let activeRMS = zip(features.rms, features.active).filter(\.1).map { Double($0.0) }.sorted()
        let reference = activeRMS.isEmpty ? 1 : max(1e-6, activeRMS[Int(0.95 * Double(activeRMS.count - 1))])
        let level = features.rms.map { min(1.5, Double($0) / reference) }
        // Arms hold the gesture space through pauses shorter than `holdSeconds` and retract at longer ones.
        let held = fillGaps(features.active, maxGap: Int((holdSeconds * fps).rounded()))
        let speaking = smoothTwoWay(held.map { $0 ? 1 : 0 }, fps: fps, seconds: 0.8)
        let silence = smoothTwoWay(features.active.map { $0 ? 0 : 1 }, fps: fps, seconds: 0.4)

        // Loudness-paced hand rolling: the phase advances at rollRate·E(t), so hand speed ∝ loudness.
        let emphasis = smoothTwoWay(zip(features.active, level).map { $0 ? $1 : 0 }, fps: fps, seconds: 0.08)
        var rollPhase = [Double](repeating: 0, count: n)
        // Gestures anticipate speech: the rolling follows the loudness `leadSeconds` ahead.
        let lead = Int((leadSeconds * fps).rounded())
        for f in 1..<n { rollPhase[f] = rollPhase[f - 1] + 2 * .pi * rollHz / fps * emphasis[min(n - 1, f + lead)] }

        var beats = [Double](repeating: 0, count: n)   // summed stroke shapes, both arms
        var leftBeat = beats, rightBeat = beats, lateralL = beats, lateralR = beats
        for stroke in selectStrokes(features, spacing: style.strokeSpacing) {
            // The vowel after an onset carries its loudness: the stroke ends on the loudness peak in the next 0.15 s.
            let window = stroke.frame...min(n - 1, stroke.frame + Int(0.15 * fps))
            let apex = window.max { level[$0] < level[$1] }!
            let ahead = level[apex]
            let amp = style.energy * min(1.2, 0.15 + 0.85 * ahead) * (0.7 + 0.3 * stroke.strength)
            let draw = Double(rng.uniformFloat())
            let useLeft: Bool, useRight: Bool
            switch style.hands {
            case .left: useLeft = true; useRight = draw < 0.15
            case .right: useRight = true; useLeft = draw < 0.15
            case .both: useLeft = draw < 0.85; useRight = draw >= 0.15
            }
            let lateral = Double(rng.uniformFloat()) - 0.5
            let t0 = Double(apex) / fps
            let tp = preparationSeconds * style.strokeTempo, ts = strokeSeconds * style.strokeTempo, tr = retractionSeconds * style.strokeTempo
            let lo = max(0, Int(((t0 - tp - ts) * fps).rounded(.down))), hi = min(n - 1, Int(((t0 + tr) * fps).rounded(.up)))
            guard lo <= hi else { continue }
            for f in lo...hi {
                let s = amp * strokeShape(time[f] - t0, preparation: tp, stroke: ts, retraction: tr)
                beats[f] += s
                if useLeft { leftBeat[f] += s; lateralL[f] += lateral * abs(s) }
                if useRight { rightBeat[f] += s; lateralR[f] += lateral * abs(s) }
            }
        }

        var nods = [Double](repeating: 0, count: n)
        for (frame, salience) in stressPeaks(features) {
            let a = style.nodGain * (2.5 + 2.5 * min(2, salience))
            let t0 = Double(frame) / fps
            let lo = max(0, frame - Int(0.1 * fps) - 1), hi = min(n - 1, frame + Int(0.35 * fps) + 1)
            for f in lo...hi { nods[f] += a * nodShape(time[f] - t0 + 0.1) }
        }

        // Idle noise and slow oscillators.
        let noiseArmL = smoothNoise(n, fps: fps, knotSeconds: 1.6, rng: &rng)
        let noiseArmR = smoothNoise(n, fps: fps, knotSeconds: 1.6, rng: &rng)
        let noiseHeadY = smoothNoise(n, fps: fps, knotSeconds: 2.2, rng: &rng)
        let noiseHeadX = smoothNoise(n, fps: fps, knotSeconds: 2.7, rng: &rng)
        let breathPhase = 2 * Double.pi * Double(rng.uniformFloat())
        let swayPhase1 = 2 * Double.pi * Double(rng.uniformFloat()), swayPhase2 = 2 * Double.pi * Double(rng.uniformFloat())

        var angles = [[SIMD3<Double>]](repeating: [SIMD3<Double>](repeating: .zero, count: jointNames.count), count: n)
        var root = [SIMD3<Double>](repeating: restRootPosition, count: n)
        @inline(__always) func set(_ f: Int, _ joint: String, z: Double = 0, x: Double = 0, y: Double = 0) {
            angles[f][index[joint]!] += SIMD3(z, x, y)
        }
        for f in 0..<n {
            let t = time[f]
            let g = speaking[f]
            // Breathing: chest extension and shoulder elevation, stronger in silence.
            let breath = sin(2 * .pi * t / style.breathPeriod + breathPhase) * (0.5 + 0.5 * silence[f])
            // Weight shift: two incommensurate sines.
            let sway = style.swayAmplitude * (0.7 * sin(2 * .pi * t / style.swayPeriod + swayPhase1)
                                              + 0.3 * sin(2 * .pi * t / (style.swayPeriod * 1.618) + swayPhase2))
            let legTilt = asin(max(-0.5, min(0.5, sway / legLength))) * 180 / .pi
            let hipRoll = 0.8 * sway
            root[f].x += sway
            root[f].y -= legLength * (1 - cos(legTilt * .pi / 180))
            set(f, "Hips", z: hipRoll)
            set(f, "Spine", z: -0.6 * hipRoll, x: 1.5 * g)
            set(f, "Spine1", z: -0.4 * hipRoll, x: -0.8 * breath)
            set(f, "Spine2", x: -0.6 * breath + 1.5 * g)
            for (leg, foot) in [("LeftUpLeg", "LeftFoot"), ("RightUpLeg", "RightFoot")] {
                set(f, leg, z: -legTilt - hipRoll)
                set(f, foot, z: legTilt)
            }
            set(f, "LeftShoulder", z: 1.2 * breath)
            set(f, "RightShoulder", z: -1.2 * breath)

            // Arms: rest + gesture space + strokes + idle noise; the right arm mirrors Z and Y.
            let rollL = style.hands == .right ? 0.4 : 1.0, rollR = style.hands == .left ? 0.4 : 1.0
            for (side, beat, lateral, noise, roll) in [(1.0, leftBeat[f], lateralL[f], noiseArmL[f], rollL), (-1.0, rightBeat[f], lateralR[f], noiseArmR[f], rollR)] {
                let prefix = side > 0 ? "Left" : "Right"
                let phase = rollPhase[f] + (side > 0 ? 0 : .pi / 2)
                let r = roll * style.size * rollDegrees * min(1, 4 * g)
                let lift = g * style.size * (6 + 14 * style.height) + 4 * style.size * beat + 2 * noise + r * sin(phase)
                let abduct = style.restAbduction + g * 8 * style.size + 10 * lateral + r * cos(phase)
                let elbow = style.restElbow + g * (25 + 35 * style.height) + 8 * style.size * beat + 3 * noise
                set(f, prefix + "Arm", z: side * -(90 - abduct), x: side * 10 * g, y: side * -lift)
                set(f, prefix + "ForeArm", y: side * -elbow)
                set(f, prefix + "Hand", z: side * -(6 * beat + 4 * g))
            }

            // Head: nods, slight turn toward the gesturing hand, idle drift.
            set(f, "Neck", x: 0.4 * nods[f] + 1.5 * noiseHeadX[f], y: 2 * noiseHeadY[f])
            set(f, "Head", x: 0.6 * nods[f] + 1.5 * noiseHeadX[f], y: 4 * noiseHeadY[f] + 3 * (leftBeat[f] - rightBeat[f]))
        }
        var rotations = [SIMD4<Float>]()
        rotations.reserveCapacity(n * jointNames.count)
        for f in 0..<n {
            for j in jointNames.indices {
                var q = SIMD4<Float>(Rotation.quaternion(Rotation.matrix(eulerDegrees: angles[f][j], order: .zxy)))
                if f > 0 { q = Rotation.continuous(q, after: rotations[(f - 1) * jointNames.count + j]) }
                rotations.append(q)
            }
        }
        return MotionClip(skeleton: skeleton, fps: fps, rootPositions: root.map { SIMD3<Float>($0) }, rotations: rotations)
    }

    /// Onsets used as stroke times: strongest first, at least `spacing` seconds apart, during speech.
    static func selectStrokes(_ features: SpeechFeatures, spacing: Double) -> [(frame: Int, strength: Double)] {
        let minGap = Int((spacing * features.fps).rounded())
        let ranked = features.onsets.sorted {
            let a = features.onsetStrength[$0], b = features.onsetStrength[$1]
            return a != b ? a > b : $0 < $1
        }
        var chosen = [Int]()
        for o in ranked where chosen.allSatisfy({ abs($0 - o) >= minGap }) { chosen.append(o) }
        return chosen.sorted().map { ($0, Double(features.onsetStrength[$0])) }
    }

    /// Stressed syllables: local maxima (±0.2 s) of z(loudness dB) + z(12·log2 f0) over voiced frames,
    /// above 0.8 and at least 0.45 s apart. Returns (frame, salience).
    static func stressPeaks(_ features: SpeechFeatures) -> [(Int, Double)] {
        let voiced = features.pitchHz.indices.filter { features.pitchHz[$0] > 0 }
        guard voiced.count >= 3 else { return [] }
        func z(_ xs: [Double]) -> [Double] {
            let m = xs.reduce(0, +) / Double(xs.count)
            let s = (xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count)).squareRoot()
            return xs.map { s > 0 ? ($0 - m) / s : 0 }
        }
        let zl = z(voiced.map { Double(features.loudnessDB[$0]) })
        let zp = z(voiced.map { 12 * log2(Double(features.pitchHz[$0])) })
        var salience = [Double](repeating: -.infinity, count: features.frameCount)
        for (k, f) in voiced.enumerated() { salience[f] = zl[k] + zp[k] }
        let w = Int((0.2 * features.fps).rounded()), gap = Int((0.45 * features.fps).rounded())
        var peaks = [(Int, Double)]()
        for f in voiced where salience[f] > 0.8 {
            let lo = max(0, f - w), hi = min(features.frameCount - 1, f + w)
            guard salience[f] >= salience[lo...hi].max()! else { continue }
            if let last = peaks.last, f - last.0 < gap { continue }
            peaks.append((f, salience[f]))
        }
        return peaks
    }

    /// Stroke profile around an onset at τ = 0: rise 0→1 over the preparation, fall 1→−overshoot over the
    /// stroke (ending on the onset, where the hand stops: a speed minimum), back to 0 over the retraction.
    /// Each segment is a smoothstep, so velocity is continuous and zero at the segment ends.
    static func strokeShape(_ tau: Double, preparation tp: Double, stroke ts: Double, retraction tr: Double) -> Double {
        if tau < -ts - tp || tau > tr { return 0 }
        if tau < -ts { return smoothstep((tau + ts + tp) / tp) }
        if tau < 0 { return 1 - (1 + strokeOvershoot) * smoothstep((tau + ts) / ts) }
        return -strokeOvershoot * (1 - smoothstep(tau / tr))
    }

    /// Nod profile: down over 0.1 s, back up over 0.3 s (τ from the start of the nod).
    static func nodShape(_ tau: Double) -> Double {
        if tau < 0 || tau > 0.4 { return 0 }
        return tau < 0.1 ? smoothstep(tau / 0.1) : 1 - smoothstep((tau - 0.1) / 0.3)
    }

    @inline(__always) static func smoothstep(_ x: Double) -> Double {
        let c = max(0, min(1, x))
        return c * c * (3 - 2 * c)
    }

    /// `mask` with interior false runs shorter than or equal to `maxGap` set to true.
    static func fillGaps(_ mask: [Bool], maxGap: Int) -> [Bool] {
        var out = mask
        var k = 0
        while k < out.count {
            guard !out[k] else { k += 1; continue }
            var e = k
            while e < out.count && !out[e] { e += 1 }
            if k > 0 && e < out.count && e - k <= maxGap { for j in k..<e { out[j] = true } }
            k = e
        }
        return out
    }

    /// First-order low-pass run forward then backward (zero phase), time constant `seconds`.
    static func smoothTwoWay(_ x: [Double], fps: Double, seconds: Double) -> [Double] {
        let a = exp(-1 / (seconds * fps))
        var y = x
        for i in 1..<max(1, y.count) { y[i] = a * y[i - 1] + (1 - a) * y[i] }
        for i in stride(from: y.count - 2, through: 0, by: -1) { y[i] = a * y[i + 1] + (1 - a) * y[i] }
        return y
    }

    /// Gaussian values at knots every `knotSeconds`, joined by smoothstep interpolation: smooth, unit-scale drift.
    static func smoothNoise(_ n: Int, fps: Double, knotSeconds: Double, rng: inout PCG32) -> [Double] {
        let step = knotSeconds * fps
        let knots = (0...(Int(Double(n) / step) + 1)).map { _ in Double(rng.gaussian()) }
        return (0..<n).map { f in
            let p = Double(f) / step
            let k = Int(p)
            return knots[k] + (knots[k + 1] - knots[k]) * smoothstep(p - Double(k))
        }
    }
}
