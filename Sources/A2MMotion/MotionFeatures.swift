import Foundation

/// The model's per-frame motion representation (docs/design.md §6), D = 4 + 6·J floats per frame:
///
///     [0] vx  root ground-plane velocity, x in the heading frame of the previous frame (units/s)
///     [1] vz  same, z (forward)                                                          (units/s)
///     [2] y   root height                                                                (units)
///     [3] ω   heading angular velocity about +Y                                          (rad/s)
///     [4 + 6j ..< 10 + 6j]  joint j's local rotation as 6D = first two columns [r00 r10 r20 r01 r11 r21];
///                          for the root, the rotation with the heading removed: Ry(−θ) · R_root
///
/// Heading θ = atan2(f.x, f.z) with f = R_root · (0, 0, 1) (the skeleton faces +Z, Y up).
/// Velocities at frame f are backward differences (f−1 → f), rotated by −θ_{f−1}; frame 0 repeats
/// frame 1's velocities (decoding ignores them: frame 0 sits at the given start).
/// Decoding integrates the root from `RootStart`; given the start of the encoded clip it is the exact
/// inverse up to Float rounding. Per-frame translations of non-root joints (rare 6-channel files) are
/// not represented.
public enum MotionFeatures {
    package static let rootFeatureCount = 4

    public static func featureDim(jointCount: Int) -> Int { rootFeatureCount + 6 * jointCount }

    public static func featureDim(for skeleton: Skeleton) -> Int { featureDim(jointCount: skeleton.jointCount) }

    /// Where decoding puts the root at frame 0: ground-plane position (x, z) and heading (radians).
    package struct RootStart: Sendable, Equatable {
        package var x: Double, z: Double, heading: Double
        package init(x: Double = 0, z: Double = 0, heading: Double = 0) {
            self.x = x; self.z = z; self.heading = heading
        }
    }

    static func heading(_ r: Matrix3) -> Double {
        atan2(r.c2.x, r.c2.z)
    }

    static func wrap(_ a: Double) -> Double {
        a - 2 * Double.pi * (a / (2 * Double.pi)).rounded()
    }

    /// The start that makes `decode(encode(clip))` reproduce `clip`.
    package static func rootStart(of clip: MotionClip) -> RootStart {
        guard clip.frameCount > 0 else { return RootStart() }
        let p = clip.rootPositions[0]
        return RootStart(x: Double(p.x), z: Double(p.z), heading: heading(clip.rotationMatrix(frame: 0, joint: 0)))
    }

    /// Features of every frame, row-major [frames × featureDim].
    public static func encode(_ clip: MotionClip) -> [Float] {
        let jc = clip.jointCount, d = featureDim(jointCount: jc), n = clip.frameCount
        var out = [Float](repeating: 0, count: n * d)
        var headings = [Double](repeating: 0, count: n)
        for f in 0..<n { headings[f] = heading(clip.rotationMatrix(frame: f, joint: 0)) }
        for f in 0..<n {
            let base = f * d
            // Backward difference; frame 0 borrows frame 1's.
            let g = n > 1 ? max(f, 1) : 0
            if g > 0 {
                let dp = SIMD3<Double>(clip.rootPositions[g]) - SIMD3<Double>(clip.rootPositions[g - 1])
                let local = Matrix3.axisRotation(1, -headings[g - 1]) * dp
                out[base] = Float(local.x * clip.fps)
                out[base + 1] = Float(local.z * clip.fps)
                out[base + 3] = Float(wrap(headings[g] - headings[g - 1]) * clip.fps)
            }
            out[base + 2] = clip.rootPositions[f].y
            for j in 0..<jc {
                var r = clip.rotationMatrix(frame: f, joint: j)
                if j == 0 { r = Matrix3.axisRotation(1, -headings[f]) * r }
                let o = base + rootFeatureCount + 6 * j
                out[o] = Float(r.c0.x); out[o + 1] = Float(r.c0.y); out[o + 2] = Float(r.c0.z)
                out[o + 3] = Float(r.c1.x); out[o + 4] = Float(r.c1.y); out[o + 5] = Float(r.c1.z)
            }
        }
        return out
    }

    /// The clip described by `features` ([frames × featureDim(skeleton)]); rotations via Gram–Schmidt,
    /// stored as sign-continuous quaternions. Root positions are integrated in Double from `start`.
    package static func decode(_ features: [Float], skeleton: Skeleton, fps: Double, start: RootStart = RootStart()) throws -> MotionClip {
        let jc = skeleton.jointCount, d = featureDim(jointCount: jc)
        guard features.count % d == 0 else {
            throw MotionFeatureError.badShape(count: features.count, featureDim: d)
        }
        guard fps > 0, fps.isFinite else { throw MotionFeatureError.badFPS(fps) }
        if let bad = features.firstIndex(where: { !$0.isFinite }) {
            throw MotionFeatureError.nonFinite(frame: bad / d, feature: bad % d)
        }
        let n = features.count / d
        var roots = [SIMD3<Float>](), rots = [SIMD4<Float>]()
        roots.reserveCapacity(n)
        rots.reserveCapacity(n * jc)
        var previous = [SIMD4<Float>](repeating: SIMD4(0, 0, 0, 1), count: jc)
        var x = start.x, z = start.z, theta = start.heading
        for f in 0..<n {
            let base = f * d
            if f > 0 {
                let v = Matrix3.axisRotation(1, theta) * SIMD3<Double>(Double(features[base]), 0, Double(features[base + 1]))
                x += v.x / fps
                z += v.z / fps
                theta += Double(features[base + 3]) / fps
            }
            roots.append(SIMD3<Float>(Float(x), features[base + 2], Float(z)))
            for j in 0..<jc {
                let o = base + rootFeatureCount + 6 * j
                var r = Rotation.matrix(sixD: SIMD3(Double(features[o]), Double(features[o + 1]), Double(features[o + 2])),
                                        SIMD3(Double(features[o + 3]), Double(features[o + 4]), Double(features[o + 5])))
                if j == 0 { r = Matrix3.axisRotation(1, theta) * r }
                let q = Rotation.continuous(SIMD4<Float>(Rotation.quaternion(r)), after: previous[j])
                previous[j] = q
                rots.append(q)
            }
        }
        return MotionClip(skeleton: skeleton, fps: fps, rootPositions: roots, rotations: rots)
    }
}

public enum MotionFeatureError: Error, CustomStringConvertible, Equatable {
    case badShape(count: Int, featureDim: Int)
    case badFPS(Double)
    case nonFinite(frame: Int, feature: Int)

    public var description: String {
        switch self {
        case let .badShape(c, d): return "motion features: \(c) values is not a whole number of frames of \(d) features"
        case let .badFPS(f): return "motion features: fps must be positive, got \(f)"
        case let .nonFinite(f, k): return "motion features: frame \(f), feature \(k) is NaN or infinite"
        }
    }
}
