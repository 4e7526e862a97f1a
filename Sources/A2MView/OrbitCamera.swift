import Foundation

/// The player's orbit camera and framing, implemented once here and once in the page's script (`ViewerScript`).
/// The Chromium test projects our forward-kinematics positions with this Swift copy and compares them with the
/// points the page actually drew, so the two implementations check each other.
///
/// Conventions (Y up, as a2m's BVH): the eye sits at `target + distance·(cos p·sin y, sin p, cos p·cos y)`, so
/// yaw 0, pitch 0 looks down −Z at a figure facing +Z (a front view). Perspective with vertical field of view
/// `fovY`; screen y grows downwards, in CSS pixels inside `viewport`.
struct OrbitCamera: Sendable, Equatable {
    var yaw: Double
    var pitch: Double
    var distance: Double
    var target: SIMD3<Double>
    var fovY: Double

    /// Default view angle: three-quarter front, slightly above.
    static let defaultYaw = 0.5
    static let defaultPitch = 0.2
    static let defaultFovY = 45.0 * Double.pi / 180
    /// Fraction of the viewport height the figure's extent fills at zoom 1.
    static let fill = 0.75
    /// Points closer than this (in units along the view axis) are not drawn.
    static let near = 1e-3

    init(yaw: Double, pitch: Double, distance: Double, target: SIMD3<Double>, fovY: Double = OrbitCamera.defaultFovY) {
        self.yaw = yaw
        self.pitch = pitch
        self.distance = distance
        self.target = target
        self.fovY = fovY
    }

    /// The camera the player uses for `track` at `frame`: it follows the root on the ground plane and keeps the
    /// figure's height centred; `zoom` > 1 moves away.
    static func following(_ track: ViewerTrack, frame: Int, yaw: Double, pitch: Double, zoom: Double) -> OrbitCamera {
        let f = Framing(track)
        let root = track.point(frame: frame, 0)
        let target = SIMD3(Double(root.x), f.centerY, Double(root.z))
        let distance = zoom * (f.size / 2) / tan(defaultFovY / 2) / fill
        return OrbitCamera(yaw: yaw, pitch: pitch, distance: distance, target: target)
    }

    var eye: SIMD3<Double> {
        target + distance * SIMD3(cos(pitch) * sin(yaw), sin(pitch), cos(pitch) * cos(yaw))
    }

    /// Screen position in CSS pixels of world point `p`, or nil when it is behind the camera.
    func project(_ p: SIMD3<Double>, viewport: (x: Double, y: Double, width: Double, height: Double)) -> SIMD2<Double>? {
        let eye = self.eye
        let forward = normalize(target - eye)
        let right = normalize(cross(forward, SIMD3(0, 1, 0)))
        let up = cross(right, forward)
        let v = p - eye
        let depth = dot(v, forward)
        guard depth > OrbitCamera.near else { return nil }
        let focal = (viewport.height / 2) / tan(fovY / 2)
        return SIMD2(viewport.x + viewport.width / 2 + focal * dot(v, right) / depth,
                     viewport.y + viewport.height / 2 - focal * dot(v, up) / depth)
    }
}

/// Size of a figure with its travel removed: the bounding box of every point minus its frame's root x and z.
/// `size` is the largest side of that box, `centerY` its vertical middle.
struct Framing {
    var size: Double
    var centerY: Double

    init(_ track: ViewerTrack) {
        var lo = SIMD3<Double>(repeating: .infinity), hi = SIMD3<Double>(repeating: -.infinity)
        for f in 0..<track.frameCount {
            let root = track.point(frame: f, 0)
            for j in 0..<track.pointCount {
                let p = track.point(frame: f, j)
                let q = SIMD3(Double(p.x) - Double(root.x), Double(p.y), Double(p.z) - Double(root.z))
                lo = pointwiseMin(lo, q)
                hi = pointwiseMax(hi, q)
            }
        }
        let ext = hi - lo
        size = max(ext.x, ext.y, ext.z, 1e-6)
        centerY = (lo.y + hi.y) / 2
    }
}

private func dot(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { (a * b).sum() }
private func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}
private func normalize(_ a: SIMD3<Double>) -> SIMD3<Double> { a / dot(a, a).squareRoot() }
