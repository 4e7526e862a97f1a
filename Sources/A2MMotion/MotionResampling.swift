import A2MCore
import Foundation

extension MotionClip {
    /// Frame rates a2m reads (BVH Frame Time 10 µs to 1000 s, JSON `fps`). Outside them a file is damaged rather
    /// than real, and a rate such as 1e300 fps would overflow every frame-count computation downstream.
    public static let fpsRange: ClosedRange<Double> = 0.001...100_000

    /// Frames of this clip at `newFPS`: frame f stands for the time [f, f + 1) / fps (as `MotionTiming` counts
    /// generated frames), so the clip lasts frameCount / fps seconds and keeps that length: round(frameCount ×
    /// newFPS / fps), at least 1. A Double, so that hostile rates are compared before anything is converted.
    public func resampledFrameCount(to newFPS: Double) -> Double {
        guard frameCount > 1, newFPS != fps else { return Double(frameCount) }
        return max(1, (Double(frameCount) * newFPS / fps).rounded())
    }

    /// Throws when the clip at `newFPS` would be more frames than the memory budget holds (a clip at 0.001 fps
    /// resampled to 1000 fps is a million times longer); `file` names the input in the message.
    public func checkResampling(to newFPS: Double, file: String) throws {
        let frames = resampledFrameCount(to: newFPS)
        let perFrame = Double(MemoryLayout<SIMD4<Float>>.stride * jointCount + MemoryLayout<SIMD3<Float>>.stride * (1 + translations.count))
        try MemoryBudget.check(frames * perFrame, for: "resampling \(frameCount.groupedDigits) frames at \(fps) fps to \(newFPS) fps",
                               file: file, detail: "\(frames) frames")
    }

    /// The clip at another frame rate: rotations by quaternion slerp, root positions and per-joint translations
    /// linearly, at times k / newFPS for k < `resampledFrameCount(to:)`; past the last source frame the last frame
    /// is held. Never interpolates Euler angles, so wrap-around (179.9° → −179.7°) takes the short way. A 3-s clip
    /// (90 frames at 30 fps) becomes 180 frames at 60 fps. `checkResampling` first for rates from a file; a rate
    /// that is not a positive finite number, or a frame count no array can hold, throws `ResamplingError`.
    public func resampled(to newFPS: Double) throws -> MotionClip {
        guard newFPS > 0 && newFPS.isFinite else {
            throw ResamplingError(fps: newFPS, reason: "the frame rate must be a positive finite number")
        }
        if newFPS == fps || frameCount <= 1 {
            var c = self
            c.fps = newFPS
            return c
        }
        let count = resampledFrameCount(to: newFPS)
        guard count < Double(Int.max / max(1, jointCount)) else {
            throw ResamplingError(fps: newFPS, reason: "that is \(count) frames of \(jointCount) joints, more than memory can address")
        }
        let n = Int(count)
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
            let t = i1 == i0 ? 0 : s - Double(i0)
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

/// A frame rate motion cannot be resampled to: zero, negative, infinite or NaN, or so high that the frame count
/// overflows (`MotionClip.checkResampling` refuses far smaller counts, against the memory budget).
public struct ResamplingError: Error, CustomStringConvertible, Equatable {
    public let fps: Double
    public let reason: String
    public var description: String { "resampling motion to \(fps) fps: \(reason)" }
}
