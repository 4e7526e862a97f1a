import A2MAudio
import A2MMotion

/// World-space joint positions of one clip: `frames × joints × 3` floats (x, y, z in cm, Y up) at `fps`,
/// the input of every motion metric. Build it from forward kinematics of a BVH/MotionClip or from a generator.
public struct JointPositions: Sendable, Equatable {
    public let fps: Double
    public let frameCount: Int
    public let jointCount: Int
    /// Row-major [frame][joint][xyz].
    package var values: [Float]

    public init(fps: Double, frameCount: Int, jointCount: Int, values: [Float]) throws {
        guard fps > 0, fps.isFinite else { throw AnalysisError.invalidInput("fps must be positive, got \(fps)") }
        guard values.count == frameCount * jointCount * 3 else {
            throw AnalysisError.invalidInput("positions hold \(values.count) floats; expected frames \(frameCount) × joints \(jointCount) × 3")
        }
        self.fps = fps
        self.frameCount = frameCount
        self.jointCount = jointCount
        self.values = values
    }

    /// World positions of `clip`'s joints by forward kinematics (end sites excluded).
    public init(clip: MotionClip) {
        var values = [Float]()
        values.reserveCapacity(clip.frameCount * clip.jointCount * 3)
        for f in 0..<clip.frameCount {
            for p in clip.worldPositions(frame: f) { values += [p.x, p.y, p.z] }
        }
        self.fps = clip.fps
        self.frameCount = clip.frameCount
        self.jointCount = clip.jointCount
        self.values = values
    }

    /// Time of the last frame, (frames − 1) / fps.
    public var duration: Double { frameCount > 1 ? Double(frameCount - 1) / fps : 0 }

    @inline(__always) package func position(frame f: Int, joint j: Int) -> SIMD3<Double> {
        let o = (f * jointCount + j) * 3
        return SIMD3(Double(values[o]), Double(values[o + 1]), Double(values[o + 2]))
    }

    /// Speed of joint `j` in cm/s per frame by central differences (one-sided at the ends), like `np.gradient`.
    package func speed(joint j: Int) -> [Float] {
        guard frameCount > 1 else { return [Float](repeating: 0, count: frameCount) }
        return (0..<frameCount).map { Float(centralSpeed(frame: $0, joint: j, relativeTo: nil)) }
    }

    /// Sum of the speeds of `joints`.
    package func speed(joints: [Int]) -> [Float] {
        var total = [Float](repeating: 0, count: frameCount)
        for j in joints {
            for (f, s) in speed(joint: j).enumerated() { total[f] += s }
        }
        return total
    }

    /// Sum over `joints` of each one's speed relative to joint `root` (central differences, as `speed(joint:)`),
    /// so that moving the whole body does not count.
    package func speed(joints: [Int], relativeTo root: Int) -> [Float] {
        guard frameCount > 1 else { return [Float](repeating: 0, count: frameCount) }
        return (0..<frameCount).map { f in
            Float(joints.reduce(0.0) { $0 + centralSpeed(frame: f, joint: $1, relativeTo: root) })
        }
    }

    /// |p(f + 1) − p(f − 1)| / (2 Δt) for joint `j`, or its offset from `root` when given; one-sided at the ends.
    private func centralSpeed(frame f: Int, joint j: Int, relativeTo root: Int?) -> Double {
        let a = max(0, f - 1), b = min(frameCount - 1, f + 1)
        var d = position(frame: b, joint: j) - position(frame: a, joint: j)
        if let root { d = (position(frame: b, joint: j) - position(frame: b, joint: root)) - (position(frame: a, joint: j) - position(frame: a, joint: root)) }
        return (d * d).sum().squareRoot() * fps / Double(b - a)
    }

    /// The first `frames` frames.
    public func prefix(frames n: Int) -> JointPositions {
        let m = min(n, frameCount)
        return try! JointPositions(fps: fps, frameCount: m, jointCount: jointCount, values: Array(values[0..<(m * jointCount * 3)]))
    }
}
