import Foundation

/// Hand-scripted clips on the 22-joint body skeleton (`Skeleton.a2mBody`), built from procedural Euler curves (ZXY, degrees).
/// They are the provenance of the sample files in Motions/ (regenerated and compared byte for byte by
/// `ProceduralMotionTests`) and the input of `a2m bench bvh`. No captured data is involved.
public enum ProceduralMotion {
    /// Standing hip height (cm): legs 5 + 42 + 42 cm plus the 6 cm foot puts the toes on y = 0.
    static let hipHeight: Float = 95
    /// Upper-arm angle (about Z, degrees) of the relaxed rest pose; 0 is the T-pose.
    static let restArmAngle = 75.0

    /// Builds a clip of `frames` frames at `fps` from `pose(t)`, which returns Euler ZXY degrees per joint
    /// name (joints not listed stay at zero) and the root position.
    static func build(fps: Double, frames: Int,
                      pose: (Double) -> (root: SIMD3<Float>, angles: [String: SIMD3<Double>])) -> MotionClip {
        let s = Skeleton.a2mBody
        var clip = MotionClip(restPoseOf: s, fps: fps, frames: frames)
        var previous = [SIMD4<Float>](repeating: SIMD4(0, 0, 0, 1), count: s.jointCount)
        for f in 0..<frames {
            let p = pose(Double(f) / fps)
            clip.rootPositions[f] = p.root
            for (j, joint) in s.joints.enumerated() {
                let e = p.angles[joint.name] ?? .zero
                let q = SIMD4<Float>(Rotation.quaternion(Rotation.matrix(eulerDegrees: e, order: joint.rotationOrder ?? .zxy)))
                let c = Rotation.continuous(q, after: previous[j])
                previous[j] = c
                clip.rotations[f * s.jointCount + j] = c
            }
        }
        return clip
    }

    static func smoothstep(_ x: Double) -> Double {
        let t = min(1, max(0, x))
        return t * t * (3 - 2 * t)
    }

    /// Arms at rest, shoulders relaxed: the base of the idle and wave clips.
    static func restArms(_ a: inout [String: SIMD3<Double>]) {
        a["LeftArm"] = [-restArmAngle, 0, 0]
        a["RightArm"] = [restArmAngle, 0, 0]
        a["LeftForeArm"] = [-8, 0, 0]
        a["RightForeArm"] = [8, 0, 0]
    }

    /// Standing idle with breathing (0.25 Hz): chest rises, shoulders lift, head settles.
    static func idleBreathing(seconds: Double = 4, fps: Double = 30) -> MotionClip {
        build(fps: fps, frames: Int(seconds * fps) + 1) { t in
            let breath = sin(2 * .pi * 0.25 * t)
            var a: [String: SIMD3<Double>] = [:]
            restArms(&a)
            a["Spine"] = [0, -1.5 * breath, 0]
            a["Spine1"] = [0, -1.0 * breath, 0]
            a["Spine2"] = [0, -1.0 * breath, 0]
            a["Neck"] = [0, 1.5 * breath, 0]
            a["Head"] = [0, 1.0 * breath, 2 * sin(2 * .pi * 0.1 * t)]
            a["LeftShoulder"] = [1.5 * breath, 0, 0]
            a["RightShoulder"] = [-1.5 * breath, 0, 0]
            return ([0.5 * Float(sin(2 * .pi * 0.12 * t)), hipHeight + 0.3 * Float(breath), 0], a)
        }
    }

    /// Right hand raised and waving (forearm swings ±25° at 1.5 Hz), the rest of the body idle.
    static func wave(seconds: Double = 4, fps: Double = 30) -> MotionClip {
        build(fps: fps, frames: Int(seconds * fps) + 1) { t in
            var a: [String: SIMD3<Double>] = [:]
            restArms(&a)
            let raise = smoothstep(t / 0.6) * (1 - smoothstep((t - (seconds - 0.6)) / 0.6))
            // Right arm: from hanging (75°) to 5° below horizontal; the forearm bends −95° ± 25° from it,
            // i.e. points straight up ± 25° (Rz(θ) turns the right arm's −X toward −Y for θ > 0).
            a["RightArm"] = [restArmAngle + raise * (5 - restArmAngle), 0, 0]
            a["RightForeArm"] = [8 + raise * (-95 - 8 + 25 * sin(2 * .pi * 1.5 * t)), 0, 0]
            a["RightHand"] = [0, 0, raise * 10 * sin(2 * .pi * 1.5 * t - 0.6)]
            a["Spine2"] = [raise * 3, 0, 0]
            a["Head"] = [0, 0, raise * -6]
            return ([0, hipHeight, 0], a)
        }
    }

    /// From the T-pose (arms horizontal) to the rest pose, holding 0.5 s at both ends.
    static func tPoseToRest(seconds: Double = 3, fps: Double = 30) -> MotionClip {
        build(fps: fps, frames: Int(seconds * fps) + 1) { t in
            let k = smoothstep((t - 0.5) / (seconds - 1))
            return ([0, hipHeight, 0], [
                "LeftArm": [-restArmAngle * k, 0, 0], "RightArm": [restArmAngle * k, 0, 0],
                "LeftForeArm": [-8 * k, 0, 0], "RightForeArm": [8 * k, 0, 0],
            ])
        }
    }

    /// A long clip for benchmarks: every joint swings on its own sinusoids (up to ±60°), the root walks
    /// a circle. Deterministic; values have the magnitude and digit count of real capture data.
    public static func benchmarkClip(frames: Int, fps: Double = 30) -> MotionClip {
        let names = Skeleton.a2mBody.names
        return build(fps: fps, frames: frames) { t in
            var a: [String: SIMD3<Double>] = [:]
            for (j, n) in names.enumerated() {
                let w = 0.3 + 0.07 * Double(j)
                a[n] = [60 * sin(w * t), 40 * sin(1.3 * w * t + 1), 50 * sin(0.7 * w * t + 2)]
            }
            return ([Float(300 * sin(0.05 * t)), hipHeight + Float(2 * sin(2 * t)), Float(300 * cos(0.05 * t))], a)
        }
    }
}
