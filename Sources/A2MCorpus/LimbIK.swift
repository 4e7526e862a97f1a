import A2MAudio
import A2MCore
import A2MMotion
import Foundation

/// Analytic two-bone inverse kinematics with a swivel angle (Tolani, Goswami & Badler 2000): the middle joint
/// (elbow, knee) lies on the circle of points at distance `upper` from the root and `lower` from the target;
/// `swivel` picks the point on that circle, measured about the root → target axis from a reference direction.
///
/// Rotations are built for skeletons whose rest pose has every local rotation zero (a2m's default skeleton),
/// so a bone's rest direction is its child's OFFSET direction in any frame.
struct LimbIK {
    /// Bone lengths (root → middle, middle → end).
    let upper: Double, lower: Double
    /// Rest direction of both bones (unit, in the rest frame): +X for the left arm, −Y for a leg.
    let restDirection: SIMD3<Double>
    /// Rest direction of the hinge axis: the axis about which a positive rotation bends the limb the way it
    /// flexes (−Y for the left elbow, whose forearm swings forward; +X for a knee, whose shin swings back).
    let restHinge: SIMD3<Double>

    /// How close to straight the limb may get, as a fraction of its full length (an arm stays a little bent; a
    /// standing leg nearly straight).
    var maxReach = 0.995

    struct Solution {
        var middle: SIMD3<Double>, end: SIMD3<Double>
        /// Rotations of the two bones in the frame the points are given in.
        var upperRotation: Matrix3, lowerRotation: Matrix3
        /// Interior bend (0 = straight), degrees.
        var bendDegrees: Double
    }

    /// The middle-joint direction at `swivel` radians: `reference` made perpendicular to the root → target axis,
    /// then turned about it (right-hand rule).
    static func swivelDirection(axis d: SIMD3<Double>, reference: SIMD3<Double>, swivel: Double) -> SIMD3<Double> {
        var r = reference - d * reference.dot(d)
        if r.length < 1e-6 { r = d.anyOrthogonal }
        r /= r.length
        return r * cos(swivel) + d.cross(r) * sin(swivel)
    }

    func solve(root s: SIMD3<Double>, target w: SIMD3<Double>, reference: SIMD3<Double>, swivel: Double) -> Solution {
        var d = w - s
        var distance = d.length
        if distance < 1e-6 { d = restDirection; distance = 1e-6 }
        d /= distance
        let reach = min(max(distance, abs(upper - lower) + 1e-3), (upper + lower) * maxReach)
        let cosA = max(-1, min(1, (upper * upper + reach * reach - lower * lower) / (2 * upper * reach)))
        let sinA = (1 - cosA * cosA).squareRoot()
        let e = Self.swivelDirection(axis: d, reference: reference, swivel: swivel)
        let middle = s + (d * cosA + e * sinA) * upper
        let end = s + d * reach
        let u = (middle - s) / upper
        let f = (end - middle) / (end - middle).length
        // The bend axis u × f is parallel to e × d for any bend, and stays defined when the limb is straight.
        var h = e.cross(d)
        h /= h.length
        let restFrame = Matrix3(columns: restDirection, restHinge, restDirection.cross(restHinge)).transposed
        let upperRotation = Matrix3(columns: u, h, u.cross(h)) * restFrame
        let lowerRotation = Matrix3(columns: f, h, f.cross(h)) * restFrame
        let bend = acos(max(-1, min(1, u.dot(f)))) * 180 / .pi
        return Solution(middle: middle, end: end, upperRotation: upperRotation, lowerRotation: lowerRotation, bendDegrees: bend)
    }
}

extension Matrix3 {
    /// Rotation by `radians` about the unit `axis` (Rodrigues).
    static func rotation(axis a: SIMD3<Double>, radians: Double) -> Matrix3 {
        let c = cos(radians), s = sin(radians), t = 1 - c
        return Matrix3(columns: [t * a.x * a.x + c, t * a.x * a.y + s * a.z, t * a.x * a.z - s * a.y],
                       [t * a.x * a.y - s * a.z, t * a.y * a.y + c, t * a.y * a.z + s * a.x],
                       [t * a.x * a.z + s * a.y, t * a.y * a.z - s * a.x, t * a.z * a.z + c])
    }
}

extension Rotation {
    /// The mirror image of a local rotation across the body's sagittal plane (x → −x): what the right side does
    /// when the left side does `q`. For a rotation by θ about (a_x, a_y, a_z) it is θ about (a_x, −a_y, −a_z).
    @inline(__always) static func mirrored(_ q: SIMD4<Double>) -> SIMD4<Double> { SIMD4(q.x, -q.y, -q.z, q.w) }
}
