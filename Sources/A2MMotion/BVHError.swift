import Foundation

/// Everything that can be wrong with a BVH file, each naming the file and (where it applies) the line.
public enum BVHError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    case empty(file: String)
    /// A token other than the expected one.
    case syntax(file: String, line: Int, expected: String, found: String)
    case unknownChannel(file: String, line: Int, name: String)
    case badChannelCount(file: String, line: Int, joint: String, reason: String)
    case missingMotion(file: String)
    /// A motion line with the wrong number of values.
    case wrongValueCount(file: String, line: Int, expected: Int, found: Int)
    case invalidNumber(file: String, line: Int, text: String)
    case nonFinite(file: String, line: Int, text: String)
    case invalidFrameTime(file: String, line: Int, value: String)
    /// A positive Frame Time whose frame rate lies outside `MotionClip.fpsRange`.
    case frameRateOutOfRange(file: String, line: Int, frameTime: Double, fps: Double)
    case invalidSkeleton(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(f, r): return "\(f): cannot read BVH: \(r)"
        case let .empty(f): return "\(f): file is empty; expected a BVH file starting with HIERARCHY"
        case let .syntax(f, l, e, found):
            return "\(f):\(l): expected \(e), found \(found.isEmpty ? "end of file" : "'\(found)'")"
        case let .unknownChannel(f, l, n):
            return "\(f):\(l): unknown channel '\(n)'; expected Xposition, Yposition, Zposition, Xrotation, Yrotation or Zrotation (any case)"
        case let .badChannelCount(f, l, j, r): return "\(f):\(l): joint '\(j)': \(r)"
        case let .missingMotion(f): return "\(f): no MOTION section; expected 'MOTION', 'Frames: N' and 'Frame Time: dt' after the hierarchy"
        case let .wrongValueCount(f, l, e, n):
            return "\(f):\(l): frame has \(n) values; expected \(e) (one per channel in the hierarchy)"
        case let .invalidNumber(f, l, t): return "\(f):\(l): expected a number, found '\(t)'"
        case let .nonFinite(f, l, t): return "\(f):\(l): value '\(t)' is not a finite number (NaN or infinity)"
        case let .invalidFrameTime(f, l, v): return "\(f):\(l): Frame Time must be a positive number of seconds, got \(v)"
        case let .frameRateOutOfRange(f, l, dt, fps):
            let r = MotionClip.fpsRange
            func g(_ x: Double) -> String { String(format: "%g", x) }
            return "\(f):\(l): Frame Time \(g(dt)) s is \(g(fps)) frames per second; expected \(g(r.lowerBound)) to \(g(r.upperBound)) fps "
                + "(Frame Time \(g(1 / r.upperBound)) to \(g(1 / r.lowerBound)) s)"
        case let .invalidSkeleton(f, r): return "\(f): \(r)"
        }
    }
}
