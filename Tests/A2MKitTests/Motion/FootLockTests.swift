import Testing
import Foundation
@testable import A2MCore
@testable import A2MMotion

/// IK in Double on exact inputs: the ankle lands on its target to rounding.
private let ikTolerance = 1e-9
/// Foot lock on a `MotionClip` (Float quaternions and root positions, cm): a held foot stays within this.
private let lockTolerance = 2e-3
/// A held ankle's height against the network's, cm: the horizontal correction can put the ankle out of the
/// straight leg's reach by a second-order amount (offset² / 2·leg: (0.5 cm)² / 180 cm ≈ 1.4e-3 cm).
private let heightTolerance = 1e-2
/// Largest knee acceleration under the lock against the network's: the swing turns the leg with the held foot,
/// which adds a little; two-bone IK multiplied it.
private let kneeAccelerationRatioLimit = 1.5

@Suite struct FootLockTests {
    let sk = Skeleton.a2mDefault

    /// World position of joint `j` at frame `f`.
    func position(_ c: MotionClip, _ f: Int, _ j: Int) -> SIMD3<Double> { c.worldTransforms(frame: f)[j].position }
    func horizontal(_ v: SIMD3<Double>) -> Double { (v.x * v.x + v.z * v.z).squareRoot() }

    /// Standing motion whose feet slide like the network's: the root sways a few millimetres and every leg
    /// joint trembles by ~0.05°, so both ankles move at 0.3–1.5 cm/s. The upper body moves freely.
    func slidingClip(frames: Int, seed: UInt64 = 3) -> MotionClip {
        var rng = PCG32(seed: seed)
        var clip = MotionClip(restPoseOf: sk, fps: 30, frames: frames)
        let legJoints = Set(sk.legs.flatMap { [$0.hip, $0.knee, $0.ankle] })
        for f in 0..<frames {
            let t = Double(f) / 30
            // The hips sink (as the corpus's do) rather than rise, so the straight legs can reach their locks.
            let sink = 0.1 * min(1, t / 0.5) + 0.1 * (1 - cos(2 * .pi * t / 3))
            clip.rootPositions[f] = SIMD3(Float(0.4 * sin(2 * .pi * t / 2)), Float(96 - sink), Float(0.3 * cos(2 * .pi * t / 2.5)))
            for j in 0..<sk.jointCount {
                let amplitude = legJoints.contains(j) || j == 0 ? 0.0005 : 0.2
                var q = SIMD4<Double>(amplitude * (sin(1.3 * t + Double(j)) + 0.1 * Double(rng.gaussian())), amplitude * cos(0.7 * t + Double(j)), 0, 1)
                q /= (q * q).sum().squareRoot()
                clip.rotations[f * sk.jointCount + j] = SIMD4<Float>(q)
            }
        }
        return clip
    }

    @Test func findsTheDefaultSkeletonsLegsAndNoLegsWhereThereAreNone() throws {
        let legs = sk.legs.map { [sk.joints[$0.hip].name, sk.joints[$0.knee].name, sk.joints[$0.ankle].name] }
        #expect(legs == [["LeftUpLeg", "LeftLeg", "LeftFoot"], ["RightUpLeg", "RightLeg", "RightFoot"]])
        // A torso with arms only: nothing to lock, so no lock is made.
        let torso = try Skeleton(joints: [
            .init(name: "Hips", parent: nil, offset: .zero, hasPosition: true),
            .init(name: "Spine", parent: 0, offset: [0, 20, 0]),
            .init(name: "Arm", parent: 1, offset: [15, 0, 0]),
            .init(name: "Hand", parent: 2, offset: [25, 0, 0], endSite: .init(offset: [10, 0, 0])),
        ])
        #expect(torso.legs.isEmpty)
        #expect(FootLock(skeleton: torso, fps: 30) == nil)
        #expect(FootLock(skeleton: sk, fps: 30) != nil)
    }

    /// The left leg bent by random rotations and a target up to ~8 cm from its ankle: the swing turns the leg
    /// about the hip so that the hip–ankle line points at the target, keeps both bone lengths and the knee's bend,
    /// and leaves the ankle off the target by exactly the difference of the two distances from the hip.
    @Test func swingPointsTheLegAtTheTargetAndKeepsTheKneesBend() throws {
        let leg = sk.legs[0]
        let upper = SIMD3<Double>(sk.joints[leg.knee].offset), lower = SIMD3<Double>(sk.joints[leg.ankle].offset)
        var rng = PCG32(seed: 9)
        func random() -> Matrix3 {
            var q = SIMD4<Double>(Double(rng.gaussian()), Double(rng.gaussian()), Double(rng.gaussian()), 3)
            q /= (q * q).sum().squareRoot()
            return Rotation.matrix(quaternion: q)
        }
        var worst = 0.0
        for _ in 0..<50 {
            let h = SIMD3<Double>(8, 90, 1), rh = random(), rk = rh * random()
            let k = h + rh * upper, a = k + rk * lower
            let target = a + SIMD3(Double(rng.gaussian()), Double(rng.gaussian()), Double(rng.gaussian())) * 4
            let r = FootLock.swing(hip: h, ankle: a, target: target)
            let k2 = h + r * rh * upper, a2 = k2 + r * rk * lower
            let onLine = h + (target - h) / (target - h).length * (a - h).length
            worst = max(worst, (a2 - onLine).length)
            #expect(abs((k2 - h).length - upper.length) < ikTolerance && abs((a2 - k2).length - lower.length) < ikTolerance)
            // The knee's local rotation (thigh⁻¹ · shin) is unchanged.
            let bend = (r * rh).transposed * (r * rk), before = rh.transposed * rk
            for (x, y) in [(bend.c0, before.c0), (bend.c1, before.c1), (bend.c2, before.c2)] { #expect((x - y).length < ikTolerance) }
        }
        #expect(worst < ikTolerance, "max |ankle − point on the hip–target line| = \(worst)")
        #expect(FootLock.swing(hip: [0, 90, 0], ankle: [0, 5, 0], target: [0, 5, 0]) == .identity)
    }

    @Test func aSlidingFootIsHeldStillAndOnlyTheLegsChange() throws {
        let input = slidingClip(frames: 150)
        var clip = input
        let lock = try #require(FootLock(skeleton: sk, fps: 30))
        lock.process(&clip)
        let settle = lock.parameters.settleFrames - 1
        for leg in sk.legs {
            let inputTravel = (settle..<149).map { (position(input, $0 + 1, leg.ankle) - position(input, $0, leg.ankle)).length }.reduce(0, +)
            #expect(inputTravel > 1, "the test motion should slide (\(inputTravel) cm)")
            let held = position(clip, settle, leg.ankle)
            let toe = leg.ankle + 1
            let heldToe = position(clip, settle, toe)
            var worst = 0.0, worstHeight = 0.0
            for f in settle..<150 {
                worst = max(worst, horizontal(position(clip, f, leg.ankle) - held), horizontal(position(clip, f, toe) - heldToe))
                // The height is the network's, up to the swing's second-order shortfall.
                worstHeight = max(worstHeight, abs(position(clip, f, leg.ankle).y - position(input, f, leg.ankle).y))
            }
            #expect(worst < lockTolerance, "\(sk.joints[leg.ankle].name): max horizontal drift while locked \(worst) cm")
            #expect(worstHeight < heightTolerance, "\(sk.joints[leg.ankle].name): height off the network's by \(worstHeight) cm")
            #expect(lock.framesAdjusted.allSatisfy { $0 == 150 - settle })
        }
        let legJoints = Set(sk.legs.flatMap { [$0.hip, $0.knee, $0.ankle] })
        for f in 0..<150 {
            for j in 0..<sk.jointCount where !legJoints.contains(j) {
                #expect(clip.rotation(frame: f, joint: j) == input.rotation(frame: f, joint: j))
            }
        }
        #expect(clip.rootPositions == input.rootPositions)
    }

    /// Straight legs under hips that tremble up and down by a millimetre, as the network's do: the lock holds the
    /// feet on the ground plane without turning the tremble into knee travel. Holding the ankles' height too bent
    /// the near-straight knees by centimetres per millimetre (`FootLock`'s doc comment).
    @Test func hipTrembleIsNotAmplifiedIntoTheKnees() throws {
        var input = slidingClip(frames: 120, seed: 8)
        for f in 0..<120 {
            input.rootPositions[f].y = Float(96 - 0.3 - 0.1 * sin(2 * .pi * Double(f) / 5))
        }
        var clip = input
        FootLock(skeleton: sk, fps: 30)!.process(&clip)
        for leg in sk.legs {
            func travel(_ c: MotionClip) -> Double {
                (0..<119).map { (position(c, $0 + 1, leg.knee) - position(c, $0, leg.knee)).length }.reduce(0, +)
            }
            let network = travel(input), locked = travel(clip)
            #expect(locked < 1.5 * network, "\(sk.joints[leg.knee].name): knee travel \(locked) cm locked, \(network) cm in the input")
        }
    }

    /// The network's legs are exactly straight (the corpus never bends a knee), its hips sway 2 cm sideways and its
    /// feet slide 4 mm in 4 s: the held foot then comes in and out of the straight leg's reach by hundredths of a
    /// millimetre. Two-bone IK toward the hold (the lock's second version, `FootLock`'s doc comment) bends the
    /// knee by the square root of that shortfall, so each crossing kicked the knee: run against that solver, this
    /// test measured a largest knee acceleration of 0.0833 cm/frame², 21.5× the input's 0.00387 (docs/notes/2026-11-results-notebook.md,
    /// "Foot lock: swing instead of two-bone IK"). The swing keeps the knee's bend.
    @Test func swayingHipsOverAHeldFootDoNotKickTheKnees() throws {
        var clip = MotionClip(restPoseOf: sk, fps: 30, frames: 120)
        for f in 0..<120 {
            let t = Double(f) / 30
            let root = SIMD3<Double>(2 * sin(2 * .pi * t / 4), 96 - 0.002 * sin(2 * .pi * t * 6), 0)
            clip.rootPositions[f] = SIMD3<Float>(root)
            for leg in sk.legs {
                let hip = root + SIMD3<Double>(sk.joints[leg.hip].offset)
                let restLeg = SIMD3<Double>(sk.joints[leg.knee].offset + sk.joints[leg.ankle].offset)
                let ankleX = SIMD3<Double>(sk.joints[leg.hip].offset).x + 1 + 0.4 * t / 4 - hip.x
                let down = (restLeg.length * restLeg.length - ankleX * ankleX).squareRoot()
                clip.rotations[f * sk.jointCount + leg.hip] = SIMD4<Float>(Rotation.quaternion(FootLock.rotation(from: restLeg, to: [ankleX, -down, 0])))
            }
        }
        let input = clip
        let lock = FootLock(skeleton: sk, fps: 30)!
        lock.process(&clip)
        #expect(lock.framesAdjusted.allSatisfy { $0 > 100 }, "the feet should be held: \(lock.framesAdjusted)")
        for leg in sk.legs {
            /// Largest knee acceleration (second frame difference), cm per frame².
            func peak(_ c: MotionClip) -> Double {
                (1..<119).map { (position(c, $0 + 1, leg.knee) - 2 * position(c, $0, leg.knee) + position(c, $0 - 1, leg.knee)).length }.max()!
            }
            #expect(peak(clip) < kneeAccelerationRatioLimit * peak(input),
                    "\(sk.joints[leg.knee].name): largest knee acceleration \(peak(clip)) locked, \(peak(input)) cm/frame² in the input")
        }
    }

    /// Chunks arriving as the stitcher emits them give the same frames as one call.
    @Test func chunkedStreamEqualsOneCall() throws {
        let input = slidingClip(frames: 90, seed: 4)
        var whole = input
        FootLock(skeleton: sk, fps: 30)!.process(&whole)
        let lock = FootLock(skeleton: sk, fps: 30)!
        var frames: [MotionClip] = []
        for range in [0..<7, 7..<40, 40..<41, 41..<90] {
            var chunk = MotionClip(skeleton: sk, fps: 30, rootPositions: Array(input.rootPositions[range]),
                                   rotations: Array(input.rotations[range.lowerBound * sk.jointCount..<range.upperBound * sk.jointCount]))
            lock.process(&chunk)
            frames.append(chunk)
        }
        #expect(frames.flatMap(\.rootPositions) == whole.rootPositions)
        #expect(frames.flatMap(\.rotations) == whole.rotations)
    }

    /// The feet stand, then the whole body moves 20 cm sideways in a third of a second (a step), then stands
    /// again. The lock lets go, the foot follows without a jump, and it is held again where it arrived.
    @Test func aStepReleasesTheLockSmoothlyAndTheFootIsHeldAgainWhereItLands() throws {
        var input = slidingClip(frames: 120, seed: 6)
        for f in 0..<120 {
            let x = min(1, max(0, Double(f - 40) / 10))
            input.rootPositions[f].x += Float(20 * x * x * (3 - 2 * x))
            // Hips that only sink, so every lock stays within the straight legs' reach.
            input.rootPositions[f].y = Float(96 - 0.3 * min(1, Double(f) / 60))
        }
        var clip = input
        let lock = FootLock(skeleton: sk, fps: 30)!
        lock.process(&clip)
        let ankle = sk.legs[0].ankle
        let inputStep = (0..<119).map { (position(input, $0 + 1, ankle) - position(input, $0, ankle)).length }.max()!
        let outputStep = (0..<119).map { (position(clip, $0 + 1, ankle) - position(clip, $0, ankle)).length }.max()!
        #expect(outputStep < 1.1 * inputStep, "largest frame-to-frame jump \(outputStep) cm, network's \(inputStep) cm")
        // Held again after the step: the last 40 frames stand still, near where the network put the foot.
        let held = position(clip, 80, ankle)
        let worst = (80..<120).map { horizontal(position(clip, $0, ankle) - held) }.max()!
        #expect(worst < lockTolerance, "drift after the step \(worst) cm")
        #expect((held - position(input, 80, ankle)).length < 1, "held \((held - position(input, 80, ankle)).length) cm from the network's foot")
        // And the lock was off during the step: the foot moved as far as the network's did.
        #expect((held - position(clip, 35, ankle)).length > 19)
    }
}
