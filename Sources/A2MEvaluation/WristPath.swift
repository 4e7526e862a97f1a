import A2MAudio
import A2MMotion

/// Both wrists' positions relative to the hips over a clip, the path a viewer reads a gesture from:
/// `frames × 6` values (left x, y, z, right x, y, z) per frame, in the file's units (cm for a2m's rigs) and,
/// divided by `shoulderHeight`, in shoulder heights like the gesture statistics (docs/evaluation.md).
/// Relative to the hips' position only (not their heading), as `docs/scripts/seed_study.py` measures it.
public struct WristPath: Sendable, Equatable {
    /// Row-major [frame][left xyz, right xyz], file units.
    public let values: [Double]
    public let frameCount: Int
    /// S: the rest-pose distance from the hips to the midpoint of the two shoulders, file units.
    public let shoulderHeight: Double

    /// Joint names tried, in order, for each role (a2m's own rig first, then common mocap and Mixamo names).
    public static let roleNames: [(role: String, names: [String])] = [
        ("hips", ["Hips", "hips", "mixamorig:Hips", "pelvis", "Pelvis"]),
        ("left wrist", ["LeftHand", "LeftWrist", "mixamorig:LeftHand", "left_wrist"]),
        ("right wrist", ["RightHand", "RightWrist", "mixamorig:RightHand", "right_wrist"]),
        ("left shoulder", ["LeftArm", "LeftUpperArm", "LeftShoulder", "mixamorig:LeftArm", "left_shoulder"]),
        ("right shoulder", ["RightArm", "RightUpperArm", "RightShoulder", "mixamorig:RightArm", "right_shoulder"]),
    ]

    public init(values: [Double], frameCount: Int, shoulderHeight: Double) throws {
        guard values.count == frameCount * 6, frameCount > 0 else {
            throw AnalysisError.invalidInput("a wrist path holds \(values.count) values; expected frames \(frameCount) × 6 with at least one frame")
        }
        guard shoulderHeight.isFinite, shoulderHeight > 0 else {
            throw AnalysisError.invalidInput("shoulder height must be positive, got \(shoulderHeight)")
        }
        self.values = values
        self.frameCount = frameCount
        self.shoulderHeight = shoulderHeight
    }

    /// The wrist path of `clip` by forward kinematics. `file` names the clip in errors.
    public init(clip: MotionClip, file: String) throws {
        let names = clip.skeleton.names
        var index = [Int]()
        for (role, candidates) in Self.roleNames {
            guard let j = candidates.lazy.compactMap({ names.firstIndex(of: $0) }).first else {
                throw AnalysisError.invalidInput("\(file): no \(role) joint (expected one of \(candidates.joined(separator: ", ")))")
            }
            index.append(j)
        }
        let rest = MotionClip(restPoseOf: clip.skeleton, fps: clip.fps, frames: 1).worldPositions(frame: 0)
        let mid = (rest[index[3]] + rest[index[4]]) / 2
        let s = Double(((mid - rest[index[0]]) * (mid - rest[index[0]])).sum().squareRoot())
        guard s > 0 else { throw AnalysisError.invalidInput("\(file): the shoulders are at the hips in the rest pose (shoulder height 0)") }
        var values = [Double]()
        values.reserveCapacity(clip.frameCount * 6)
        for f in 0..<clip.frameCount {
            let p = clip.worldPositions(frame: f)
            for w in [index[1], index[2]] {
                let d = p[w] - p[index[0]]
                values += [Double(d.x), Double(d.y), Double(d.z)]
            }
        }
        try self.init(values: values, frameCount: clip.frameCount, shoulderHeight: s)
    }
}
