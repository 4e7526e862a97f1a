import A2MCore
import A2MMotion
import Foundation

/// The per-frame measures of one take that `GestureStatistics` pools, at `GestureTake.rate` (30 fps):
/// every length divided by the rig's shoulder height S, so rigs of any size compare (docs/evaluation.md,
/// "Gesture statistics"). The Python twin is `take_measures` in docs/scripts/gesture_stats.py.
public struct GestureTake: Sendable {
    /// Every take is resampled to this rate (slerp, as `MotionClip.resampled`) before any statistic.
    public static let rate = 30.0

    public let file: String
    /// Frames at `rate`.
    public let frames: Int
    /// The source's frame rate.
    public let sourceFPS: Double
    /// S: the rest-pose distance from the hips joint to the midpoint of the two shoulder joints (file units).
    public let scale: Double
    /// Half the height of the shoulders' midpoint above the hips, per frame, in S.
    public let midTorso: [Double]
    /// Per side (`GestureRoles.Side.rawValue`), per frame, in S: the wrist's height above the hips, its
    /// outward and forward distance from the hips in the body's frame.
    public let height: [[Double]]
    public let lateral: [[Double]]
    public let forward: [[Double]]
    /// Per side, between frames k and k + 1 (frames − 1 values): the wrist's speed relative to the hips, S/s.
    public let speed: [[Double]]
    /// Head pitch (nod; + looks up) and yaw (turn; + to the character's left) relative to the chest, degrees.
    public let pitch: [Double]
    public let yaw: [Double]
    /// Per side with fingers: per frame, the fingertips in the wrist's frame, in S (`[frame][tip]`).
    public let fingertips: [[[SIMD3<Double>]]]

    /// Measures `clip`; `file` names it in errors.
    public init(clip source: MotionClip, file: String) throws {
        let roles = try GestureRoles(skeleton: source.skeleton, file: file)
        // The rest pose (zero rotations, OFFSETs): S and the body's rest axes.
        let rest = MotionClip(restPoseOf: source.skeleton, fps: source.fps, frames: 1).worldTransforms(frame: 0).map(\.position)
        let ls = rest[roles.shoulders[0]], rs = rest[roles.shoulders[1]], hp = rest[roles.hips]
        let mid = (ls + rs) * 0.5
        let scale = (mid - hp).length
        guard scale > 0 else {
            throw GestureStatisticsError.degenerateRestPose(file: file, reason: "the shoulders are at the hips in the rest pose (shoulder height 0)")
        }
        let upRest = (mid - hp) / scale
        var latRest = ls - rs
        latRest -= upRest * latRest.dot(upRest)
        guard latRest.length >= 1e-9 * scale else {
            throw GestureStatisticsError.degenerateRestPose(file: file, reason: "the left and right shoulders coincide in the rest pose")
        }
        latRest /= latRest.length
        let fwdRest = latRest.cross(upRest)

        let clip = try source.resampled(to: Self.rate)
        let n = clip.frameCount
        guard n >= 2 else { throw GestureStatisticsError.tooShort(file: file, frames: n) }
        let world = (0..<n).map(clip.worldTransforms)
        let hips = world.map { $0[roles.hips].position }
        let lsh = world.map { $0[roles.shoulders[0]].position }, rsh = world.map { $0[roles.shoulders[1]].position }
        // World up: the coordinate axis nearest the mean hips → shoulders direction (Y in BVH; Z-up files work too).
        var meanUp = SIMD3<Double>.zero
        for f in 0..<n { meanUp += (lsh[f] + rsh[f]) * 0.5 - hips[f] }
        meanUp /= Double(n)
        let axis = (0..<3).max { (abs(meanUp[$0]), -$0) < (abs(meanUp[$1]), -$1) }!
        var up = SIMD3<Double>.zero
        up[axis] = meanUp[axis] > 0 ? 1 : -1

        var midTorso = [Double](repeating: 0, count: n)
        var height = [[Double]](repeating: [Double](repeating: 0, count: n), count: 2)
        var lateral = height, forward = height
        var speed = [[Double]](repeating: [Double](repeating: 0, count: n - 1), count: 2)
        for f in 0..<n {
            var lat = lsh[f] - rsh[f]
            lat -= up * lat.dot(up)
            lat /= max(lat.length, 1e-12)
            let fwd = lat.cross(up)
            midTorso[f] = 0.5 * ((lsh[f] + rsh[f]) * 0.5 - hips[f]).dot(up) / scale
            for side in 0..<2 {
                let d = world[f][roles.wrists[side]].position - hips[f]
                height[side][f] = d.dot(up) / scale
                lateral[side][f] = (side == 0 ? 1 : -1) * d.dot(lat) / scale
                forward[side][f] = d.dot(fwd) / scale
                if f > 0 {
                    let before = world[f - 1][roles.wrists[side]].position - hips[f - 1]
                    speed[side][f - 1] = (d - before).length * Self.rate / scale
                }
            }
        }
        var pitch = [Double](), yaw = [Double]()
        pitch.reserveCapacity(n)
        yaw.reserveCapacity(n)
        for f in 0..<n {
            let look = world[f][roles.chest].rotation.transposed * world[f][roles.head].rotation * fwdRest
            pitch.append(asin(min(1, max(-1, look.dot(upRest)))) * 180 / .pi)
            yaw.append(atan2(look.dot(latRest), look.dot(fwdRest)) * 180 / .pi)
        }
        var fingertips = [[[SIMD3<Double>]]]()
        for side in 0..<2 where !roles.fingertips[side].isEmpty {
            let w = roles.wrists[side]
            fingertips.append(world.map { t in
                let inverse = t[w].rotation.transposed
                return roles.fingertips[side].map { inverse * (t[$0].position - t[w].position) / scale }
            })
        }
        self.file = file
        self.frames = n
        self.sourceFPS = source.fps
        self.scale = scale
        self.midTorso = midTorso
        self.height = height
        self.lateral = lateral
        self.forward = forward
        self.speed = speed
        self.pitch = pitch
        self.yaw = yaw
        self.fingertips = fingertips
    }

    /// Reads and measures one BVH file.
    public init(contentsOf url: URL) throws {
        try self.init(clip: try BVHReader.read(url).clip, file: url.path)
    }
}
