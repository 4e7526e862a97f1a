import Foundation

/// Errors from building viewer input or writing viewer outputs.
public enum ViewerError: Error, CustomStringConvertible, Equatable {
    case invalidTrack(name: String, reason: String)
    case noTracks
    case unsupportedAudio(path: String, reason: String)
    case unreadableFile(path: String, reason: String)
    case invalidOption(name: String, reason: String)
    case pngFailed(reason: String)

    public var description: String {
        switch self {
        case let .invalidTrack(name, reason): return "motion '\(name)': \(reason)"
        case .noTracks: return "viewer: no motion to show (expected at least one track)"
        case let .unsupportedAudio(path, reason): return "\(path): unsupported audio: \(reason)"
        case let .unreadableFile(path, reason): return "\(path): cannot read: \(reason)"
        case let .invalidOption(name, reason): return "\(name): \(reason)"
        case let .pngFailed(reason): return "PNG encoding failed: libpng: \(reason)"
        }
    }
}

/// One motion as the viewer draws it: world-space points per frame, already through forward kinematics.
///
/// Points are the skeleton's joints followed (optionally) by end sites; `parents[i] < i` or -1 for a root, so
/// drawing bones is a single pass. Positions are in the motion's own units (a2m writes cm, Y up).
public struct ViewerTrack: Sendable, Equatable {
    public var name: String
    public var fps: Double
    package var pointNames: [String]
    package var parents: [Int]
    /// true for end sites (bone tips with no channels); they are drawn but not counted as joints.
    var isEndSite: [Bool]
    /// frames × points × 3, row-major.
    public var positions: [Float]
    /// Shown in the viewer's info panel (model name, guidance, seed, source file...). Sorted by key when shown.
    public var metadata: [String: String]

    public init(name: String, fps: Double, pointNames: [String], parents: [Int], isEndSite: [Bool]? = nil,
                positions: [Float], metadata: [String: String] = [:]) throws {
        self.name = name
        self.fps = fps
        self.pointNames = pointNames
        self.parents = parents
        self.isEndSite = isEndSite ?? Array(repeating: false, count: pointNames.count)
        self.positions = positions
        self.metadata = metadata
        try validate()
    }

    var pointCount: Int { pointNames.count }
    public var jointCount: Int { isEndSite.lazy.filter { !$0 }.count }
    public var frameCount: Int { pointCount == 0 ? 0 : positions.count / (pointCount * 3) }
    public var duration: Double { Double(frameCount) / fps }

    /// The frame shown at playback time `t` seconds: the last frame that has started, clamped to the clip.
    /// The HTML player uses the same rule (`frameAt` in the script); the Chromium test checks they agree.
    package func frame(at t: Double) -> Int {
        let f = Int((t * fps + ViewerTrack.frameEpsilon).rounded(.down))
        return min(max(f, 0), frameCount - 1)
    }

    /// Guards against t·fps landing a hair below an integer (t = 1/30 s · 30 = 0.99999...).
    static let frameEpsilon = 1e-6

    func point(frame: Int, _ index: Int) -> SIMD3<Float> {
        let o = (frame * pointCount + index) * 3
        return SIMD3(positions[o], positions[o + 1], positions[o + 2])
    }

    func validate() throws {
        func fail(_ r: String) -> ViewerError { .invalidTrack(name: name, reason: r) }
        guard fps.isFinite, fps > 0, fps <= 1000 else { throw fail("fps must be in (0, 1000], got \(fps)") }
        guard !pointNames.isEmpty else { throw fail("no joints") }
        guard parents.count == pointNames.count else {
            throw fail("\(pointNames.count) joint names but \(parents.count) parent indices")
        }
        guard isEndSite.count == pointNames.count else {
            throw fail("\(pointNames.count) joint names but \(isEndSite.count) end-site flags")
        }
        for (i, p) in parents.enumerated() where !(p == -1 || (0..<i).contains(p)) {
            throw fail("joint \(i) '\(pointNames[i])' has parent \(p); expected -1 or an earlier joint")
        }
        guard positions.count % (pointNames.count * 3) == 0, !positions.isEmpty else {
            throw fail("\(positions.count) position values is not a positive multiple of joints×3 = \(pointNames.count * 3)")
        }
        if let bad = positions.firstIndex(where: { !$0.isFinite }) {
            throw fail("non-finite position at frame \(bad / (pointNames.count * 3)), joint \((bad / 3) % pointNames.count)")
        }
    }
}
