import Foundation

extension MotionClip {
    /// The clip at another frame rate: rotations by quaternion slerp, root positions and per-joint
    /// translations linearly, both at times k / fps for k = 0 ... ⌊duration · fps⌋ (the last source
    /// frame is kept when it falls on the new grid). Never interpolates Euler angles, so wrap-around
    /// (179.9° → −179.7°) takes the short way.
    public func resampled(to newFPS: Double) -> MotionClip {
        precondition(newFPS > 0 && newFPS.isFinite, "fps must be positive")
        if newFPS == fps || frameCount <= 1 {
            var c = self
            c.fps = newFPS
            return c
        }
        // 1e-9 keeps an exact grid hit (e.g. 120 → 30 fps) from being lost to rounding.
        let n = Int((duration * newFPS + 1e-9).rounded(.down)) + 1
        let jc = jointCount
        var roots = [SIMD3<Float>](), rots = [SIMD4<Float>]()
        roots.reserveCapacity(n)
        rots.reserveCapacity(n * jc)
        var tracks = translations.mapValues { _ in [SIMD3<Float>]() }
        var previous = [SIMD4<Float>](repeating: SIMD4(0, 0, 0, 1), count: jc)
        for k in 0..<n {
            let s = Double(k) * fps / newFPS
            let i0 = min(Int(s.rounded(.down)), frameCount - 1)
            let i1 = min(i0 + 1, frameCount - 1)
            let t = s - Double(i0)
            func lerp(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> SIMD3<Float> {
                SIMD3<Float>(SIMD3<Double>(a) + (SIMD3<Double>(b) - SIMD3<Double>(a)) * t)
            }
            roots.append(lerp(rootPositions[i0], rootPositions[i1]))
            for (j, track) in translations { tracks[j]!.append(lerp(track[i0], track[i1])) }
            for j in 0..<jc {
                let q = Rotation.slerp(SIMD4<Double>(rotation(frame: i0, joint: j)),
                                       SIMD4<Double>(rotation(frame: i1, joint: j)), t)
                let f = Rotation.continuous(SIMD4<Float>(q), after: previous[j])
                previous[j] = f
                rots.append(f)
            }
        }
        return MotionClip(skeleton: skeleton, fps: newFPS, rootPositions: roots, rotations: rots, translations: tracks)
    }
}
