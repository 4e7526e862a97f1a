import Testing
import Foundation
@testable import A2MMotion

/// One hand-built fixture per reader pitfall of docs/design.md §6, checked against hand-worked world positions
/// in Fixtures/motion/expected_positions.json (also checked against numpy and bvhio by crosscheck_bvhio.py).
@Suite struct BVHPitfallTests {
    static let tolerance: Float = 1e-4

    struct Expected: Decodable {
        struct Fixture: Decodable { var points: [String]; var frames: [[[Float]]] }
        var fixtures: [String: Fixture]
    }

    static let expected: Expected = {
        let data = try! Data(contentsOf: MotionTestSupport.fixture("expected_positions.json"))
        return try! JSONDecoder().decode(Expected.self, from: data)
    }()

    static let names = [
        "mixed_orders.bvh", "nonroot_6channel.bvh", "end_sites.bvh", "scientific_notation.bvh", "line_endings_crlf.bvh",
        "line_endings_cr.bvh", "tabs_trailing_spaces.bvh", "colon_names.bvh", "channel_case.bvh", "frames_mismatch.bvh",
        "frame_time_short.bvh", "euler_wrap.bvh",
    ]

    @Test func everyFixtureHasExpectations() {
        #expect(Set(Self.expected.fixtures.keys) == Set(Self.names))
    }

    @Test(arguments: names)
    func worldPositionsMatchHandWorkedValues(name: String) throws {
        let (clip, _) = try BVHReader.read(MotionTestSupport.fixture(name))
        let e = try #require(Self.expected.fixtures[name])
        #expect(clip.skeleton.pointNames(includeEndSites: true) == e.points)
        #expect(clip.frameCount == e.frames.count)
        for (f, points) in e.frames.enumerated() where f < clip.frameCount {
            let got = clip.worldPositions(frame: f, includeEndSites: true)
            let want = points.map { SIMD3<Float>($0[0], $0[1], $0[2]) }
            let err = zip(got, want).map { SIMD3<Double>($0 - $1).abs().max() }.max() ?? .infinity
            #expect(got.count == want.count && err < Double(Self.tolerance), "\(name) frame \(f): max difference \(err); got \(got)")
        }
    }

    @Test func perJointRotationOrdersAreKept() throws {
        let clip = try BVHReader.read(MotionTestSupport.fixture("mixed_orders.bvh")).clip
        #expect(clip.skeleton.joints.map(\.rotationOrder) == [.zyx, .zxy, .xyz])
    }

    @Test func sixChannelJointsReplaceOffsetAndConstantOnesFold() throws {
        let (clip, warnings) = try BVHReader.read(MotionTestSupport.fixture("nonroot_6channel.bvh"))
        // Arm's positions vary → kept as a track; Leg's are constant → folded into OFFSET.
        #expect(Array(clip.translations.keys) == [1])
        #expect(clip.skeleton.joints[2].offset == [0, -8, 0])
        #expect(!clip.skeleton.joints[2].hasPosition)
        #expect(warnings.count == 1 && warnings[0].contains("'Arm'"), "\(warnings)")
        // Written back: Arm keeps position channels with OFFSET 0 0 0, Leg has rotations only.
        let text = String(decoding: try BVHWriter.bytes(clip), as: UTF8.self)
        #expect(text.contains("JOINT Arm\n\t{\n\t\tOFFSET 0 0 0\n\t\tCHANNELS 6 Xposition"))
        #expect(text.contains("JOINT Leg\n\t{\n\t\tOFFSET 0 -8 0\n\t\tCHANNELS 3 Zrotation"))
        let back = try BVHReader.read(bytes: Array(text.utf8), name: "rt").clip
        #expect(MotionTestSupport.maxPositionError(clip, back) < Self.tolerance)
    }

    @Test func endSiteNamesAreKept() throws {
        let clip = try BVHReader.read(MotionTestSupport.fixture("end_sites.bvh")).clip
        #expect(clip.skeleton.joints[1].endSite?.name == "HeadTop")
        #expect(clip.skeleton.joints[2].endSite?.name == nil)
        #expect(clip.skeleton.endSiteJoints == [1, 2])
    }

    @Test func framesCountMismatchWarnsAndUsesData() throws {
        let (clip, warnings) = try BVHReader.read(MotionTestSupport.fixture("frames_mismatch.bvh"))
        #expect(clip.frameCount == 3)
        #expect(warnings.count == 1 && warnings[0].contains("Frames: 5") && warnings[0].contains("3 frames"), "\(warnings)")
    }

    @Test func shortFrameTimeRoundsToPlausibleFPS() throws {
        let (clip, warnings) = try BVHReader.read(MotionTestSupport.fixture("frame_time_short.bvh"))
        #expect(clip.fps == 60)
        #expect(warnings.count == 1 && warnings[0].contains("60 fps"), "\(warnings)")
        #expect(try BVHReader.read(MotionTestSupport.fixture("scientific_notation.bvh")).clip.fps == 30)
        // (printed frame time, its last digit's exponent, expected fps)
        let cases: [(Double, Int, Double)] = [
            (0.0333, -4, 30), (0.033333, -6, 30), (0.041667, -6, 24), (0.008333, -6, 120), (0.0083333, -7, 120),
            (0.04, -2, 25), (0.0333667, -7, 30000.0 / 1001), (0.1, -1, 10),
            // Not near any plausible rate at this precision: 1/dt is kept.
            (0.0345, -6, 1 / 0.0345), (0.0345, -4, 29),
        ]
        for (dt, e, fps) in cases {
            let got = BVHReader.plausibleFPS(frameTime: dt, lastDigitExponent: e)
            #expect(abs(got - fps) < 1e-9, "\(dt) → \(got), expected \(fps)")
        }
    }

    /// A file written by another tool (bvhio 1.5.4: 6 channels on non-root joints, `0.0`-style numbers,
    /// trailing spaces), checked against bvhio's own world positions (make_bvhio_fixture.py).
    @Test func fileWrittenByBvhio() throws {
        struct Positions: Decodable { var frames: [[[Float]]] }
        let expected = try JSONDecoder().decode(Positions.self, from: Data(contentsOf: MotionTestSupport.fixture("bvhio_written_positions.json")))
        let (clip, _) = try BVHReader.read(MotionTestSupport.fixture("bvhio_written.bvh"))
        #expect(clip.frameCount == expected.frames.count && clip.fps == 60)
        var worst = 0.0
        for (f, points) in expected.frames.enumerated() {
            let got = clip.worldPositions(frame: f, includeEndSites: true)
            #expect(got.count == points.count)
            for (g, e) in zip(got, points) { worst = max(worst, SIMD3<Double>(g - SIMD3(e[0], e[1], e[2])).abs().max()) }
        }
        // bvhio computes in float32 (glm) and the JSON keeps 6 decimals.
        #expect(worst < 1e-3, "max difference from bvhio \(worst)")
    }

    @Test func eulerWrapResamplesTheShortWay() throws {
        // 179.9° → −179.7° about Y at 30 fps; at 60 fps the middle frame is 180.1°, so the nose (0,0,10)
        // points to (10·sin 180.1°, 0, 10·cos 180.1°). Interpolating Euler angles would give 0.1°.
        let clip = try BVHReader.read(MotionTestSupport.fixture("euler_wrap.bvh")).clip
        let mid = try clip.resampled(to: 60).worldPositions(frame: 1)[1]
        #expect(SIMD3<Double>(mid - SIMD3<Float>(-0.0174533, 0, -9.9999848)).abs().max() < 1e-4, "\(mid)")
    }
}
