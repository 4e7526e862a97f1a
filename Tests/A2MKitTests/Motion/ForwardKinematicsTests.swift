import Testing
import Foundation
@testable import A2MMotion

@Suite struct ForwardKinematicsTests {
    static let tolerance: Float = 1e-4

    static func expectPositions(_ got: [SIMD3<Float>], _ expected: [SIMD3<Float>], _ label: String,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(got.count == expected.count, "\(label): \(got.count) points, expected \(expected.count)", sourceLocation: sourceLocation)
        let err = zip(got, expected).map { SIMD3<Double>($0 - $1).abs().max() }.max() ?? 0
        #expect(err < Double(tolerance), "\(label): max difference \(err); got \(got)", sourceLocation: sourceLocation)
    }

    /// Two joints and an end site, worked by hand.
    /// Frame 0: no rotation: Hips (1,2,3), Spine = Hips + (0,10,0), end = Spine + (0,5,0).
    /// Frame 1: Hips Zrotation 90 turns the Spine offset (0,10,0) into (−10,0,0) → Spine (−9,2,3);
    /// Spine Xrotation 90 turns (0,5,0) into (0,0,5), which Rz(90) leaves alone → end (−9,2,8).
    @Test func twoJointChainByHand() throws {
        let text = """
        HIERARCHY
        ROOT Hips
        {
          OFFSET 0 0 0
          CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
          JOINT Spine
          {
            OFFSET 0 10 0
            CHANNELS 3 Zrotation Xrotation Yrotation
            End Site
            {
              OFFSET 0 5 0
            }
          }
        }
        MOTION
        Frames: 2
        Frame Time: 0.0333333
        1 2 3 0 0 0 0 0 0
        1 2 3 90 0 0 0 90 0
        """
        let clip = try BVHReader.read(string: text, name: "chain.bvh").clip
        Self.expectPositions(clip.worldPositions(frame: 0, includeEndSites: true), [[1, 2, 3], [1, 12, 3], [1, 17, 3]], "frame 0")
        Self.expectPositions(clip.worldPositions(frame: 1, includeEndSites: true), [[1, 2, 3], [-9, 2, 3], [-9, 2, 8]], "frame 1")
        #expect(clip.skeleton.pointNames(includeEndSites: true) == ["Hips", "Spine", "Spine_End"])
        #expect(clip.skeleton.pointParents(includeEndSites: true) == [nil, 0, 1])
    }
}
