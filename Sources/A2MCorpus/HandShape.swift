import A2MAudio
import A2MCore
import A2MMotion
import Foundation

/// A hand shape on the finger joints, in degrees, for the left hand (the right mirrors it).
///
/// Fingers (index, middle, ring, pinky): flexion at the knuckle (MCP), middle (PIP) and end (DIP) joints, and
/// spread at the knuckle (+ toward the thumb). Thumb: palmar abduction at its base (moving under the palm),
/// flexion at the base, middle and end joints. The shapes are the handshapes of the gesture literature that
/// the lexicon uses: the lax hand of beats, the flat and spread open hands of palm-up presenting and sweeping
/// (Kendon 2004; Müller 2004), the extended index of pointing, the cupped hands of a holding gesture, the
/// thumb–index ring of precision (Kendon 2004, "ring"), and relaxed rest shapes.
struct HandShape: Blendable, Equatable, Sendable {
    var index: SIMD4<Double>, middle: SIMD4<Double>, ring: SIMD4<Double>, pinky: SIMD4<Double>
    /// (palmar abduction, base flexion, middle flexion, end flexion).
    var thumb: SIMD4<Double>

    static func blend(_ a: HandShape, _ b: HandShape, _ w: Double) -> HandShape {
        HandShape(index: a.index + (b.index - a.index) * w, middle: a.middle + (b.middle - a.middle) * w,
                  ring: a.ring + (b.ring - a.ring) * w, pinky: a.pinky + (b.pinky - a.pinky) * w,
                  thumb: a.thumb + (b.thumb - a.thumb) * w)
    }

    var fingers: [SIMD4<Double>] { [index, middle, ring, pinky] }

    /// The shape with every finger's knuckle and middle joint flexed `degrees` more (more toward the pinky), the
    /// thumb half as much; flexion stays within 0...100°.
    func curled(by degrees: Double) -> HandShape {
        func c(_ f: SIMD4<Double>, _ k: Double) -> SIMD4<Double> {
            SIMD4(min(100, max(0, f.x + k * degrees)), min(100, max(0, f.y + k * degrees)), min(100, max(0, f.z + 0.5 * k * degrees)), f.w)
        }
        var t = thumb
        t.z = min(100, max(0, t.z + 0.5 * degrees))
        return HandShape(index: c(index, 0.8), middle: c(middle, 1), ring: c(ring, 1.1), pinky: c(pinky, 1.2), thumb: t)
    }

    static let flat = HandShape(index: [3, 3, 2, 3], middle: [3, 3, 2, 0], ring: [3, 3, 2, -3], pinky: [4, 4, 2, -6],
                                thumb: [10, 0, 5, 5])
    static let open = HandShape(index: [6, 6, 3, 8], middle: [5, 5, 3, 0], ring: [6, 6, 3, -6], pinky: [8, 8, 4, -14],
                                thumb: [20, -5, 0, 5])
    /// The lax hand of beats and idling: fingers a little curled, more toward the pinky.
    static let relaxed = HandShape(index: [20, 28, 14, 3], middle: [26, 34, 17, 0], ring: [31, 38, 19, -3], pinky: [36, 40, 19, -6],
                                   thumb: [25, 10, 12, 15])
    /// Hanging at rest: curled a little more than `relaxed`.
    static let hanging = HandShape(index: [28, 40, 20, 2], middle: [34, 46, 22, 0], ring: [40, 50, 24, -2], pinky: [46, 52, 24, -5],
                                   thumb: [30, 15, 18, 20])
    static let cupped = HandShape(index: [25, 28, 12, 4], middle: [25, 30, 14, 0], ring: [27, 32, 15, -3], pinky: [30, 34, 15, -7],
                                  thumb: [40, 10, 10, 10])
    static let point = HandShape(index: [4, 4, 3, 0], middle: [80, 95, 55, 0], ring: [85, 95, 55, -2], pinky: [88, 95, 55, -5],
                                 thumb: [35, 35, 35, 25])
    static let ringGrip = HandShape(index: [45, 60, 35, 0], middle: [18, 22, 10, 0], ring: [22, 26, 12, -3], pinky: [26, 30, 14, -7],
                                    thumb: [55, 25, 15, 20])
    /// A loose fist, thumb along the index.
    static let fist = HandShape(index: [75, 90, 50, 0], middle: [80, 92, 52, 0], ring: [82, 92, 52, -1], pinky: [85, 90, 50, -3],
                                thumb: [25, 30, 30, 25])
    /// Hands held together in front: fingers wrapped over the other hand.
    static let clasp = HandShape(index: [45, 45, 25, 0], middle: [48, 48, 26, 0], ring: [50, 50, 26, -1], pinky: [52, 50, 26, -3],
                                 thumb: [20, 20, 25, 20])
}

/// Everything about a hand besides the wrist position, interpolated along a gesture track.
struct HandPosture: Blendable, Equatable, Sendable {
    /// Forearm rotation (degrees): 0 = thumb up (palm toward the body's midline), +90 = palm up, −90 = palm down.
    var supination: Double
    /// Wrist flexion toward the palm (degrees; negative = extension) and deviation toward the thumb.
    var flexion: Double = 0
    var deviation: Double = 0
    /// Extra elbow swivel away from the body (degrees) on top of the speaker's.
    var swivel: Double = 0
    /// Amplitude of the slow wandering of the wrist around its path (cm): small at rest and in holds, larger for a
    /// hand waiting in a passive pose.
    var drift: Double = 1.6
    var shape: HandShape

    static func blend(_ a: HandPosture, _ b: HandPosture, _ w: Double) -> HandPosture {
        HandPosture(supination: a.supination + (b.supination - a.supination) * w, flexion: a.flexion + (b.flexion - a.flexion) * w,
                    deviation: a.deviation + (b.deviation - a.deviation) * w, swivel: a.swivel + (b.swivel - a.swivel) * w,
                    drift: a.drift + (b.drift - a.drift) * w, shape: HandShape.blend(a.shape, b.shape, w))
    }
}

/// Local rotations of the finger joints for a hand shape, on a skeleton whose rest pose is a T-pose with flat
/// hands (palm down, thumb forward) and zero local rotations.
struct FingerRig {
    /// Joint indices: per finger (thumb, index, middle, ring, pinky) its three joints; nil when the skeleton
    /// has no fingers.
    let joints: [[Int]]
    /// Rotation axes in the left hand's rest frame: fingers flex about −Z (toward the palm, −Y) and spread
    /// about −Y (toward the thumb, +Z); the thumb flexes about the axis that turns it toward the palm and the
    /// little finger, and abducts about +X.
    let thumbFlexAxis: SIMD3<Double>
    static let fingerFlexAxis = SIMD3<Double>(0, 0, -1), spreadAxis = SIMD3<Double>(0, -1, 0), thumbAbductionAxis = SIMD3<Double>(1, 0, 0)

    static let names = ["Thumb", "Index", "Middle", "Ring", "Pinky"]

    init?(skeleton: Skeleton, side: String) {
        var joints = [[Int]]()
        for f in Self.names {
            let js = (1...3).compactMap { skeleton.index(of: "\(side)Hand\(f)\($0)") }
            guard js.count == 3 else { return nil }
            joints.append(js)
        }
        self.joints = joints
        // The thumb's direction: its first bone, mirrored to the left side.
        var d = SIMD3<Double>(skeleton.joints[joints[0][1]].offset)
        if side == "Right" { d.x = -d.x }
        d /= max(1e-9, d.length)
        let towardPalm = SIMD3<Double>(0, -0.4, -1) / SIMD3<Double>(0, -0.4, -1).length
        var axis = d.cross(towardPalm)
        if axis.length < 1e-6 { axis = Self.fingerFlexAxis }
        thumbFlexAxis = axis / axis.length
    }

    /// Left-hand local rotations (quaternions) of the 15 joints, thumb first, in `joints` order.
    func rotations(_ s: HandShape) -> [SIMD4<Double>] {
        let r = Double.pi / 180
        func q(_ m: Matrix3) -> SIMD4<Double> { Rotation.quaternion(m) }
        var out = [SIMD4<Double>]()
        out.reserveCapacity(15)
        let t = s.thumb
        out.append(q(Matrix3.rotation(axis: Self.thumbAbductionAxis, radians: t.x * r) * Matrix3.rotation(axis: thumbFlexAxis, radians: t.y * r)))
        out.append(q(Matrix3.rotation(axis: thumbFlexAxis, radians: t.z * r)))
        out.append(q(Matrix3.rotation(axis: thumbFlexAxis, radians: t.w * r)))
        for f in s.fingers {
            out.append(q(Matrix3.rotation(axis: Self.spreadAxis, radians: f.w * r) * Matrix3.rotation(axis: Self.fingerFlexAxis, radians: f.x * r)))
            out.append(q(Matrix3.rotation(axis: Self.fingerFlexAxis, radians: f.y * r)))
            out.append(q(Matrix3.rotation(axis: Self.fingerFlexAxis, radians: f.z * r)))
        }
        return out
    }
}
