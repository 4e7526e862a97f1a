import A2MCore
import A2MMotion
import Foundation

extension ViewerTrack {
    /// World positions of `clip` from Motion's forward kinematics (`MotionClip.worldPositions`), joints then
    /// end sites, so the viewer draws exactly what a2m computes and every bone reaches its tip.
    public init(clip: MotionClip, name: String, metadata: [String: String] = [:]) throws {
        let sk = clip.skeleton
        var positions = [Float]()
        positions.reserveCapacity(clip.frameCount * (sk.jointCount + sk.endSiteJoints.count) * 3)
        for f in 0..<clip.frameCount {
            for p in clip.worldPositions(frame: f, includeEndSites: true) { positions += [p.x, p.y, p.z] }
        }
        let names = sk.pointNames(includeEndSites: true)
        try self.init(name: name, fps: clip.fps, pointNames: names, parents: sk.pointParents(includeEndSites: true).map { $0 ?? -1 },
                      isEndSite: names.indices.map { $0 >= sk.jointCount }, positions: positions, metadata: metadata)
    }
}

extension ViewerTrack {
    /// Reads a BVH or a2m motion JSON file (`MotionJSON.read`) for the viewer; `name` defaults to the file name. Returns the reader's warnings
    /// (e.g. a `Frames:` count that disagreed with the data) for the caller to show.
    public static func load(from url: URL, name: String? = nil) throws -> (track: ViewerTrack, warnings: [String]) {
        switch url.pathExtension.lowercased() {
        case "bvh":
            let (clip, warnings) = try BVHReader.read(url)
            return (try ViewerTrack(clip: clip, name: name ?? url.lastPathComponent, metadata: ["file": url.lastPathComponent]), warnings)
        case "json":
            let clip = try MotionJSON.read(url)
            return (try ViewerTrack(clip: clip, name: name ?? url.lastPathComponent, metadata: ["file": url.lastPathComponent]), [])
        case MotionJSONLines.fileExtension:
            let r = try MotionJSONLines.read(url)
            return (try ViewerTrack(clip: r.clip, name: name ?? url.lastPathComponent, metadata: ["file": url.lastPathComponent]), r.warnings)
        default:
            throw ViewerError.unreadableFile(path: url.path, reason: "expected a .bvh, an a2m motion .json or a recorded a2m stream .jsonl file")
        }
    }
}
