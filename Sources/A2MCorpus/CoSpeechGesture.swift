import A2MAudio
import A2MCore
import A2MMotion
import Foundation

/// Corpus v2's procedural co-speech gesture model. Synthetic motion for a clean-licence default model and tests,
/// not motion capture; docs/corpus.md describes it and the literature it follows.
///
/// 1. `ProsodicEvents` finds syllable nuclei and their prominence in the audio's own features, and speech runs.
/// 2. `GesturePlanner` turns them into gesture units with preparation, stroke, hold and retraction phases, whose
///    stroke apexes land on prominent syllables: beats, palm-up open hands, pointing, holding, precision rings,
///    sweeps and cyclic gestures with their hand shapes, one- or two-handed per the speaker's style, and rest
///    poses in the pauses.
/// 3. This type realizes the plan: minimum-jerk wrist paths in the chest's frame, analytic arm IK with an elbow
///    swivel, forearm rotation and wrist angles for the palm, finger joints from the hand shape; torso lean and
///    twist, weight shifts with the feet planted (leg IK), breathing, head nods on prominent syllables, head turns.
public enum CoSpeechGesture {
    /// Joints the model needs by name (fingers are animated when the skeleton has them).
    public static var requiredJoints: [String] { BodyRig.requiredJoints }

    /// Knot spacing (s) of the wrist's slow wandering (`HandPosture.drift` gives its size): hands held in the air are
    /// never perfectly still. Fingers curl and uncurl a little on their own too (`fingerDriftDegrees`).
    static let driftKnotSeconds = 0.8, fingerDriftDegrees = 12.0, fingerKnotSeconds = 0.8
    /// Faster wandering of the wrists while speaking (cm at full loudness, `ProsodicEvents.levels` 1; knot spacing
    /// in s), eased in and out over `speechDriftRampSeconds` around speech runs (`SpeakingEnvelope`). Real talkers'
    /// hands are seldom still between strokes: without it, corpus v2's wrist-speed histogram had twice the real
    /// reference's share below 0.15 S/s (Hellinger distance 0.196 against 0.09 with it; docs/corpus.md).
    static let speechDriftCentimetres = 5.0, speechDriftKnotSeconds = 0.45, speechDriftRampSeconds = 0.4
    /// Largest turn of the hand toward the front at the wrist (degrees).
    static let aimDegrees = 35.0
    /// The legs stay this close to straight (fraction of their full length): knees a few degrees soft.
    static let legExtension = 0.9985

    /// Motion on `skeleton` at `features.fps`, one frame per feature frame.
    public static func generate(features: SpeechFeatures, style: SpeakerStyle, skeleton: Skeleton,
                                rng: inout PCG32) throws -> MotionClip {
        try generateWithPlan(features: features, style: style, skeleton: skeleton, rng: &rng).motion
    }

    static func generateWithPlan(features: SpeechFeatures, style: SpeakerStyle, skeleton: Skeleton,
                                 rng: inout PCG32) throws -> (motion: MotionClip, plan: GesturePlan) {
        let rig = try BodyRig(skeleton)
        let n = features.frameCount, fps = features.fps
        guard n >= 2 else { throw CorpusError.invalidParameter("a clip needs at least 2 frames, got \(n)") }
        let prosody = ProsodicEvents(features: features)
        let plan = GesturePlanner.plan(prosody: prosody, style: style, rng: &rng)
        let body = BodyMotion(plan: plan, prosody: prosody, style: style, frames: n, rng: &rng)
        let drift = (0..<6).map { _ in SmoothNoise(frames: n, fps: fps, knotSeconds: driftKnotSeconds, rng: &rng) }
        let fingerDrift = (0..<2).map { _ in SmoothNoise(frames: n, fps: fps, knotSeconds: fingerKnotSeconds, rng: &rng) }
        let fast = (0..<6).map { _ in SmoothNoise(frames: n, fps: fps, knotSeconds: speechDriftKnotSeconds, rng: &rng) }
        let engaged = SpeakingEnvelope(prosody: prosody, rampSeconds: speechDriftRampSeconds)

        let J = rig.jointCount
        var rotations = [SIMD4<Float>](repeating: SIMD4(0, 0, 0, 1), count: n * J)
        var roots = [SIMD3<Float>](repeating: .zero, count: n)
        var cursors = [0, 0]
        let s = rig.scale
        for f in 0..<n {
            let t = Double(f) / fps
            var local = [SIMD4<Double>](repeating: SIMD4(0, 0, 0, 1), count: J)
            let pose = body.pose(frame: f)

            // Torso.
            let hipsRotation = Rotation.matrix(eulerDegrees: pose.hips, order: .zxy)
            local[rig.hips] = Rotation.quaternion(hipsRotation)
            for (k, joint) in rig.spine.enumerated() {
                local[joint] = Rotation.quaternion(Rotation.matrix(eulerDegrees: pose.spine[k], order: .zxy))
            }
            local[rig.neck] = Rotation.quaternion(Rotation.matrix(eulerDegrees: pose.neck, order: .zxy))
            local[rig.head] = Rotation.quaternion(Rotation.matrix(eulerDegrees: pose.head, order: .zxy))

            // Legs: ankles stay where they stand at rest, feet flat; the hips drop just enough for both legs to reach.
            var root = SIMD3<Double>(pose.shift * s, 0, 0)
            var height = Double.infinity
            for leg in rig.legs {
                let hip = hipsRotation * leg.hipOffset
                let horizontal = SIMD2(root.x + hip.x - leg.restAnkle.x, root.z + hip.z - leg.restAnkle.z)
                let reach = (leg.ik.upper + leg.ik.lower) * legExtension
                let vertical = max(0, reach * reach - (horizontal * horizontal).sum()).squareRoot()
                height = min(height, leg.restAnkle.y + vertical - hip.y)
            }
            root.y = height
            roots[f] = SIMD3<Float>(root + SIMD3(0, rig.standingHeight, 0))
            for (k, leg) in rig.legs.enumerated() {
                let hip = root + hipsRotation * leg.hipOffset
                let knee = SIMD3<Double>(k == 0 ? 0.12 : -0.12, 0, 1)  // knees forward, a little out
                let sol = leg.ik.solve(root: hip, target: leg.restAnkle, reference: knee, swivel: 0)
                local[leg.upLeg] = Rotation.quaternion(hipsRotation.transposed * sol.upperRotation)
                local[leg.leg] = Rotation.quaternion(sol.upperRotation.transposed * sol.lowerRotation)
                local[leg.foot] = Rotation.quaternion(sol.lowerRotation.transposed)
            }

            // Arms and hands, each solved as a left arm in its own mirrored coordinates.
            for side in HandSide.allCases {
                let arm = rig.arms[side.rawValue]
                let (p, posture) = plan.hands[side.rawValue].sample(t, cursor: &cursors[side.rawValue])
                let d0 = side.rawValue * 3
                let wobble = BodyPoint(drift[d0](Double(f)), drift[d0 + 1](Double(f)), drift[d0 + 2](Double(f))) * posture.drift
                // While speaking, the hands keep moving between strokes, the more the louder the voice; fading out
                // (continuously) as the hand nears the torso, so the drift never pushes it in.
                let clearance = min(1, max(0, (GesturePlanner.distanceOutsideTorso(p + wobble) - 1) / 5))
                let quick = BodyPoint(fast[d0](Double(f)), fast[d0 + 1](Double(f)), fast[d0 + 2](Double(f)))
                    * (speechDriftCentimetres * engaged[f] * prosody.levels[f] * clearance)
                var body = p + wobble + quick
                body.x *= side.sign
                // The planner keeps its keys out of the torso; the paths between them and the drift can still cut a
                // corner of it, so the wrist target is pushed out, continuously.
                body = GesturePlanner.pushedOutOfTorso(body)
                let q = armRotations(arm, rig: rig, target: body, posture: posture, shrug: 0.8 * pose.breath + pose.shrug[side.rawValue], style: style)
                let mirror = side == .right
                func m(_ q: SIMD4<Double>) -> SIMD4<Double> { mirror ? Rotation.mirrored(q) : q }
                local[arm.shoulder] = m(q.clavicle)
                local[arm.arm] = m(q.upper)
                local[arm.foreArm] = m(q.lower)
                local[arm.hand] = m(q.hand)
                if let fingers = arm.fingers {
                    let shape = posture.shape.curled(by: fingerDriftDegrees * fingerDrift[side.rawValue](Double(f)))
                    for (joint, r) in zip(fingers.joints.joined(), fingers.rotations(shape)) { local[joint] = m(r) }
                }
            }
            for j in 0..<J {
                var q = SIMD4<Float>(local[j])
                if f > 0 { q = Rotation.continuous(q, after: rotations[(f - 1) * J + j]) }
                rotations[f * J + j] = q
            }
        }
        return (MotionClip(skeleton: skeleton, fps: fps, rootPositions: roots, rotations: rotations), plan)
    }

    /// Local rotations of clavicle, upper arm, forearm and hand (left side) that put the wrist at `target` (body
    /// coordinates of the left side) with `posture`.
    static func armRotations(_ arm: BodyRig.Arm, rig: BodyRig, target: BodyPoint, posture: HandPosture, shrug: Double,
                             style: SpeakerStyle) -> (clavicle: SIMD4<Double>, upper: SIMD4<Double>, lower: SIMD4<Double>, hand: SIMD4<Double>) {
        let r = Double.pi / 180
        // The clavicle lifts for high hands and comes forward for far reaches (scapulohumeral rhythm), and with
        // breathing and the shoulders' own small movements (`shrug`).
        let elevation = min(8, max(0, (target.y - 30) * 0.35)) + shrug
        let protraction = min(6, max(0, (target.z - 25) * 0.25))
        let clavicle = Matrix3.rotation(axis: [0, 0, 1], radians: elevation * r) * Matrix3.rotation(axis: [0, -1, 0], radians: protraction * r)
        let shoulder = arm.clavicleOffset + clavicle * arm.shoulderOffset
        let chest = BodyPoint(target.x, target.y - rig.chestHeight / rig.scale, target.z) * rig.scale
        // Elbow swivel: the speaker's habit and the posture's; the elbow swings out as the hand goes wide or high.
        let swivel = style.elbowOut + posture.swivel + 0.8 * max(0, target.x - 20) + 0.6 * max(0, target.y - 25)
        let sol = arm.ik.solve(root: shoulder, target: chest, reference: [0.25, -1, -0.3], swivel: min(75, swivel) * r)
        // Forearm rotation: zero is thumb up with the elbow bent; supination turns the palm up.
        let roll = Matrix3.rotation(axis: arm.ik.restDirection, radians: -posture.supination * r)
        let lower = sol.lowerRotation * roll
        // The wrist turns the fingers partly toward the front (up to `aimDegrees`), so a forearm pointing across the
        // body does not point the hand at the chest; then the posture's own flexion and deviation.
        let forearm = (sol.end - sol.middle) / (sol.end - sol.middle).length
        let forward = SIMD3<Double>(0, 0, 1)
        var aim = Matrix3.identity
        let axis = forearm.cross(forward)
        if axis.length > 1e-6 {
            let angle = min(aimDegrees * r, 0.6 * acos(max(-1, min(1, forearm.dot(forward)))))
            aim = lower.transposed * Matrix3.rotation(axis: axis / axis.length, radians: angle) * lower
        }
        let hand = aim * Matrix3.rotation(axis: [0, 0, -1], radians: posture.flexion * r) * Matrix3.rotation(axis: [0, -1, 0], radians: posture.deviation * r)
        return (Rotation.quaternion(clavicle), Rotation.quaternion(clavicle.transposed * sol.upperRotation),
                Rotation.quaternion(sol.upperRotation.transposed * lower), Rotation.quaternion(hand))
    }
}
