import Foundation

// All rotation conversions of a2m live here, in Double. Conventions (docs/design.md §6):
// column vectors, v' = R·v; Euler channel order c1 c2 c3 means R = R_c1(a1) · R_c2(a2) · R_c3(a3)
// (intrinsic, in listed order); angles in degrees at the BVH boundary, radians inside;
// quaternions are stored (x, y, z, w); the 6D representation is the first two columns of R.

/// The order of a joint's three rotation channels, as listed in BVH (`ZXY` = `Zrotation Xrotation Yrotation`).
public enum RotationOrder: String, CaseIterable, Sendable, Codable {
    case xyz = "XYZ", xzy = "XZY", yxz = "YXZ", yzx = "YZX", zxy = "ZXY", zyx = "ZYX"

    /// Axis indices (0 = X, 1 = Y, 2 = Z) in channel order.
    var axes: (Int, Int, Int) {
        switch self {
        case .xyz: return (0, 1, 2)
        case .xzy: return (0, 2, 1)
        case .yxz: return (1, 0, 2)
        case .yzx: return (1, 2, 0)
        case .zxy: return (2, 0, 1)
        case .zyx: return (2, 1, 0)
        }
    }

    /// Builds the order from three distinct axis indices; nil if they repeat.
    init?(axes a: Int, _ b: Int, _ c: Int) {
        guard let o = RotationOrder.allCases.first(where: { $0.axes == (a, b, c) }) else { return nil }
        self = o
    }
}

/// A 3×3 rotation matrix stored as columns (Double).
package struct Matrix3: Equatable, Sendable {
    package var c0: SIMD3<Double>, c1: SIMD3<Double>, c2: SIMD3<Double>

    package init(columns c0: SIMD3<Double>, _ c1: SIMD3<Double>, _ c2: SIMD3<Double>) {
        self.c0 = c0; self.c1 = c1; self.c2 = c2
    }

    package static let identity = Matrix3(columns: [1, 0, 0], [0, 1, 0], [0, 0, 1])

    /// Element at row r, column c.
    @inlinable package subscript(r: Int, c: Int) -> Double {
        switch c {
        case 0: return c0[r]
        case 1: return c1[r]
        default: return c2[r]
        }
    }

    @inlinable package static func * (a: Matrix3, v: SIMD3<Double>) -> SIMD3<Double> {
        a.c0 * v.x + a.c1 * v.y + a.c2 * v.z
    }

    @inlinable package static func * (a: Matrix3, b: Matrix3) -> Matrix3 {
        Matrix3(columns: a * b.c0, a * b.c1, a * b.c2)
    }

    package var transposed: Matrix3 {
        Matrix3(columns: [c0.x, c1.x, c2.x], [c0.y, c1.y, c2.y], [c0.z, c1.z, c2.z])
    }

    /// Largest absolute element difference, for tests and tolerances.
    func maxDifference(_ o: Matrix3) -> Double {
        max((c0 - o.c0).abs().max(), (c1 - o.c1).abs().max(), (c2 - o.c2).abs().max())
    }

    /// Rotation by `radians` about axis 0 (X), 1 (Y) or 2 (Z).
    package static func axisRotation(_ axis: Int, _ radians: Double) -> Matrix3 {
        let c = cos(radians), s = sin(radians)
        switch axis {
        case 0: return Matrix3(columns: [1, 0, 0], [0, c, s], [0, -s, c])
        case 1: return Matrix3(columns: [c, 0, -s], [0, 1, 0], [s, 0, c])
        default: return Matrix3(columns: [c, s, 0], [-s, c, 0], [0, 0, 1])
        }
    }
}

extension SIMD3 where Scalar == Double {
    @inlinable package func abs() -> SIMD3<Double> { SIMD3(Swift.abs(x), Swift.abs(y), Swift.abs(z)) }
    @inlinable package func dot(_ o: SIMD3<Double>) -> Double { (self * o).sum() }
    @inlinable package func cross(_ o: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3(y * o.z - z * o.y, z * o.x - x * o.z, x * o.y - y * o.x)
    }
    @inlinable package var length: Double { (self * self).sum().squareRoot() }
    /// A unit vector orthogonal to this unit vector (X unless it is nearly parallel to X, then Y,
    /// made orthogonal): for degenerate cases where any perpendicular will do.
    @inlinable package var anyOrthogonal: SIMD3<Double> {
        let helper: SIMD3<Double> = Swift.abs(x) < 0.9 ? [1, 0, 0] : [0, 1, 0]
        let v = helper - self * dot(helper)
        return v / v.length
    }
}

/// Conversions between Euler angles (any of the 6 orders), matrices, quaternions and the 6D representation.
package enum Rotation {
    // MARK: Euler

    /// R = R_a1(e.0) · R_a2(e.1) · R_a3(e.2) for `order`'s axes; `degrees` in channel order.
    package static func matrix(eulerDegrees e: SIMD3<Double>, order: RotationOrder) -> Matrix3 {
        let (i, j, k) = order.axes
        let r = Double.pi / 180
        return Matrix3.axisRotation(i, e.x * r) * Matrix3.axisRotation(j, e.y * r) * Matrix3.axisRotation(k, e.z * r)
    }

    /// Euler angles in degrees, in channel order, with the middle angle in [−90°, 90°] and the others in
    /// (−180°, 180°]. At gimbal lock (middle angle ±90°) the third angle is set to 0.
    package static func eulerDegrees(_ m: Matrix3, order: RotationOrder) -> SIMD3<Double> {
        let (i, j, k) = order.axes
        // s = +1 for cyclic orders (XYZ, YZX, ZXY), −1 for the others; derived from R_i R_j R_k expanded.
        let s: Double = ((j - i + 3) % 3 == 1) ? 1 : -1
        let cb = (m[i, i] * m[i, i] + m[i, j] * m[i, j]).squareRoot()
        let b = atan2(s * m[i, k], cb)
        let a: Double, c: Double
        if cb > 1e-9 {
            a = atan2(-s * m[j, k], m[k, k])
            c = atan2(-s * m[i, j], m[i, i])
        } else {
            // R = R_i(a) R_j(±90°): column j is R_i(a)·e_j, which holds cos a and ±sin a.
            a = atan2(s * m[k, j], m[j, j])
            c = 0
        }
        let d = 180 / Double.pi
        return SIMD3(a * d, b * d, c * d)
    }

    // MARK: Quaternion (x, y, z, w)

    package static func matrix(quaternion q: SIMD4<Double>) -> Matrix3 {
        let n = (q * q).sum()
        let s = n > 0 ? 2 / n : 0
        let (x, y, z, w) = (q.x, q.y, q.z, q.w)
        return Matrix3(
            columns: [1 - s * (y * y + z * z), s * (x * y + w * z), s * (x * z - w * y)],
            [s * (x * y - w * z), 1 - s * (x * x + z * z), s * (y * z + w * x)],
            [s * (x * z + w * y), s * (y * z - w * x), 1 - s * (x * x + y * y)])
    }

    /// Unit quaternion of a rotation matrix (Shepperd's method: pivot on the largest diagonal term), w ≥ 0
    /// unless another component dominates.
    package static func quaternion(_ m: Matrix3) -> SIMD4<Double> {
        let t = m[0, 0] + m[1, 1] + m[2, 2]
        var q: SIMD4<Double>
        if t > 0 {
            let s = (t + 1).squareRoot() * 2
            q = [(m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s, (m[1, 0] - m[0, 1]) / s, 0.25 * s]
        } else if m[0, 0] > m[1, 1] && m[0, 0] > m[2, 2] {
            let s = (1 + m[0, 0] - m[1, 1] - m[2, 2]).squareRoot() * 2
            q = [0.25 * s, (m[0, 1] + m[1, 0]) / s, (m[0, 2] + m[2, 0]) / s, (m[2, 1] - m[1, 2]) / s]
        } else if m[1, 1] > m[2, 2] {
            let s = (1 + m[1, 1] - m[0, 0] - m[2, 2]).squareRoot() * 2
            q = [(m[0, 1] + m[1, 0]) / s, 0.25 * s, (m[1, 2] + m[2, 1]) / s, (m[0, 2] - m[2, 0]) / s]
        } else {
            let s = (1 + m[2, 2] - m[0, 0] - m[1, 1]).squareRoot() * 2
            q = [(m[0, 2] + m[2, 0]) / s, (m[1, 2] + m[2, 1]) / s, 0.25 * s, (m[1, 0] - m[0, 1]) / s]
        }
        return q / (q * q).sum().squareRoot()
    }

    package static func multiply(_ a: SIMD4<Double>, _ b: SIMD4<Double>) -> SIMD4<Double> {
        SIMD4(a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
              a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
              a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w,
              a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z)
    }

    /// q · q_axis(degrees): right-multiplies by the rotation about one coordinate axis (0 = X, 1 = Y, 2 = Z).
    /// The BVH reader's inner loop. The angle is first reduced to [−180°, 180°] (which at most flips the
    /// quaternion's sign, the same rotation), so the half angle's cosine is ≥ 0 and comes from one sin
    /// and a square root (error ≤ 1e-16 / cos; 1e-12 within 179.98°).
    @inlinable package static func multiply(_ q: SIMD4<Double>, axis: Int, degrees: Double) -> SIMD4<Double> {
        var d = degrees
        if abs(d) > 180 { d -= 360 * (d / 360).rounded() }
        let s = sin(d * (Double.pi / 360))
        let c = max(0, 1 - s * s).squareRoot()
        switch axis {
        case 0: return SIMD4(q.w * s + q.x * c, q.y * c + q.z * s, q.z * c - q.y * s, q.w * c - q.x * s)
        case 1: return SIMD4(q.x * c - q.z * s, q.w * s + q.y * c, q.z * c + q.x * s, q.w * c - q.y * s)
        default: return SIMD4(q.x * c + q.y * s, q.y * c - q.x * s, q.w * s + q.z * c, q.w * c - q.z * s)
        }
    }

    /// A file's quaternion [x, y, z, w] made unit length and flipped to `previous`'s hemisphere, or nil when it is not
    /// four components of finite, non-zero length. Shared by the motion readers (a2m JSON, stream JSON lines).
    package static func unitQuaternion(_ q: [Float], after previous: SIMD4<Float>) -> SIMD4<Float>? {
        guard q.count == 4 else { return nil }
        let v = SIMD4<Double>(SIMD4(q[0], q[1], q[2], q[3]))
        let n = (v * v).sum().squareRoot()
        guard n.isFinite, n > 1e-6 else { return nil }
        return continuous(SIMD4<Float>(v / n), after: previous)
    }

    /// Flips `q` to the hemisphere of `previous` so consecutive frames interpolate the short way.
    package static func continuous(_ q: SIMD4<Float>, after previous: SIMD4<Float>) -> SIMD4<Float> {
        (q * previous).sum() < 0 ? -q : q
    }

    /// Spherical interpolation along the shorter arc; falls back to normalized lerp when nearly parallel.
    package static func slerp(_ a: SIMD4<Double>, _ b0: SIMD4<Double>, _ t: Double) -> SIMD4<Double> {
        var b = b0
        var d = (a * b).sum()
        if d < 0 { b = -b; d = -d }
        var r: SIMD4<Double>
        if d > 0.9995 {
            r = a + (b - a) * t
        } else {
            let theta = acos(min(1, d))
            let sn = sin(theta)
            r = a * (sin((1 - t) * theta) / sn) + b * (sin(t * theta) / sn)
        }
        return r / (r * r).sum().squareRoot()
    }

    // MARK: 6D (Zhou et al. 2019: first two columns)

    /// The first two columns of `m`: [m00, m10, m20, m01, m11, m21].
    package static func sixD(_ m: Matrix3) -> [Double] {
        [m.c0.x, m.c0.y, m.c0.z, m.c1.x, m.c1.y, m.c1.z]
    }

    /// Gram–Schmidt: the rotation whose first two columns are closest (in this construction) to a and b.
    /// Degenerate input (zero or parallel columns) falls back to the identity's missing axes.
    package static func matrix(sixD a: SIMD3<Double>, _ b: SIMD3<Double>) -> Matrix3 {
        var x = a
        let la = x.length
        x = la > 1e-12 ? x / la : [1, 0, 0]
        var y = b - x * x.dot(b)
        let lb = y.length
        if lb > 1e-12 {
            y /= lb
        } else {
            // b parallel to a: any unit vector orthogonal to x.
            y = x.anyOrthogonal
        }
        return Matrix3(columns: x, y, x.cross(y))
    }
}
