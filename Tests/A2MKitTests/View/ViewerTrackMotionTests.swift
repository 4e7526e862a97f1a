import Testing
import Foundation
@testable import A2MMotion
@testable import A2MView

@Suite struct ViewerTrackMotionTests {
    @Test func bvhTrackIsMotionForwardKinematicsWithEndSites() throws {
        let url = try ViewerFixtures.fixture("wave.bvh")
        let (clip, _) = try BVHReader.read(url)
        let (track, warnings) = try ViewerTrack.load(from: url)
        #expect(warnings.isEmpty)
        #expect(track.name == "wave.bvh" && track.metadata["file"] == "wave.bvh")
        #expect(track.fps == clip.fps && track.frameCount == clip.frameCount)
        #expect(track.jointCount == 22 && track.pointCount == 22 + clip.skeleton.endSiteJoints.count)
        #expect(Array(track.pointNames.prefix(22)) == clip.skeleton.names)
        for f in [0, 37, clip.frameCount - 1] {
            let world = clip.worldPositions(frame: f, includeEndSites: true)
            #expect((0..<track.pointCount).allSatisfy { track.point(frame: f, $0) == world[$0] })
        }
        // End sites hang off their joints: the head's tip is its child.
        let headEnd = try #require(track.pointNames.firstIndex { $0.hasPrefix("Head") && $0 != "Head" })
        #expect(track.isEndSite[headEnd] && track.pointNames[track.parents[headEnd]] == "Head")
    }

    @Test func jsonTrackShowsTheSamePosesAsTheBVH() throws {
        let dir = try ViewerFixtures.tempDir("json")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bvh = try ViewerFixtures.fixture("wave.bvh"), json = dir.appendingPathComponent("wave.json")
        let (clip, _) = try BVHReader.read(bvh)
        try MotionJSON.write(clip, format: .a2m, to: json)
        let a = try ViewerTrack.load(from: bvh).track, b = try ViewerTrack.load(from: json).track
        #expect(b.name == "wave.json" && b.fps == a.fps && b.pointNames == a.pointNames && b.parents == a.parents)
        // JSON stores quaternions in Float, the BVH Euler angles: the same poses to well under a millimetre.
        let worst = zip(a.positions, b.positions).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < Self.jsonToleranceCm, "max position difference \(worst) cm")
        print("viewer JSON vs BVH: max position difference \(worst) cm")
    }

    /// Float quaternions through a 10-joint chain: measured 7.6e-6 cm on wave.bvh; 1e-3 cm leaves margin.
    static let jsonToleranceCm: Float = 1e-3

    @Test func rejectsUnknownExtensionsAndReportsBadBVH() throws {
        let dir = try ViewerFixtures.tempDir("load")
        defer { try? FileManager.default.removeItem(at: dir) }
        let txt = dir.appendingPathComponent("m.txt")
        try Data("x".utf8).write(to: txt)
        let e = try #require(throws: ViewerError.self) { try ViewerTrack.load(from: txt) }
        #expect(e.description.contains("m.txt") && e.description.contains(".bvh"))
        let bad = dir.appendingPathComponent("bad.bvh")
        try Data("HIERARCHY\nROOT Hips\n{\n OFFSET 0 0\n".utf8).write(to: bad)
        let err = try #require(throws: (any Error).self) { try ViewerTrack.load(from: bad) }
        #expect("\(err)".contains("bad.bvh"))
    }
}
