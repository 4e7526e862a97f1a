import A2MCore
import A2MMotion
import Foundation

/// Why gesture statistics could not be measured: the file and what it lacks.
public enum GestureStatisticsError: Error, CustomStringConvertible, Equatable {
    /// A rig without a joint for `role` ("left wrist", "head", ...); `expected` says what names are recognized.
    case missingRole(file: String, role: String, expected: String)
    /// A take too short to have a speed (fewer than 2 frames at 30 fps).
    case tooShort(file: String, frames: Int)
    /// A rest pose the statistics cannot be normalized by (shoulders at the hips, shoulders on top of each other).
    case degenerateRestPose(file: String, reason: String)
    /// A folder with no `*.bvh` file directly inside.
    case noBVH(directory: String)
    case notADirectory(String)
    case notFound(String)
    /// A statistics JSON that is not one (`format` other than `GestureStatistics.format`, or unreadable).
    case badStatisticsFile(file: String, reason: String)

    public var description: String {
        switch self {
        case let .missingRole(file, role, expected): return "\(file): no \(role): expected \(expected)"
        case let .tooShort(file, frames): return "\(file): \(frames) frame(s) at 30 fps; gesture statistics need at least 2"
        case let .degenerateRestPose(file, reason): return "\(file): \(reason)"
        case let .noBVH(dir): return "\(dir): no .bvh files in this folder"
        case let .notADirectory(path): return "\(path): not a directory"
        case let .notFound(path): return "\(path): no such file or folder"
        case let .badStatisticsFile(file, reason): return "\(file): not a gesture statistics file (\(reason))"
        }
    }
}
