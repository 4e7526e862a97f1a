import A2MKit
import Foundation

/// Shared by `view` and `preview`: loads a motion file for drawing and prints reader warnings to stderr.
enum MotionFileLoader {
    static func track(path: String, label: String?) throws -> ViewerTrack {
        let (track, warnings) = try ViewerTrack.load(from: URL(fileURLWithPath: path), name: label)
        for w in warnings { FileHandle.standardError.write(Data("warning: \(path): \(w)\n".utf8)) }
        return track
    }
}
