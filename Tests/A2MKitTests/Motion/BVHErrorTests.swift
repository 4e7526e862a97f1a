import Testing
import Foundation
@testable import A2MMotion

@Suite struct BVHErrorTests {
    static let header = """
    HIERARCHY
    ROOT Hips
    {
      OFFSET 0 0 0
      CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
      JOINT Spine
      {
        OFFSET 0 10 0
        CHANNELS 3 Zrotation Xrotation Yrotation
      }
    }
    MOTION
    Frames: 2
    Frame Time: 0.0333333
    """

    static func error(_ text: String) -> BVHError? {
        do {
            _ = try BVHReader.read(string: text, name: "t.bvh")
            return nil
        } catch let e as BVHError {
            return e
        } catch {
            Issue.record("not a BVHError: \(error)")
            return nil
        }
    }

    @Test func emptyAndMissingFiles() {
        #expect(Self.error("") == .empty(file: "t.bvh"))
        #expect(Self.error(" \n\r\n\t") == .empty(file: "t.bvh"))
        #expect(throws: BVHError.self) { try BVHReader.read(URL(fileURLWithPath: "/nonexistent/x.bvh")) }
        #expect(throws: BVHError.self) { try BVHReader.read(FileManager.default.temporaryDirectory) }
    }

    @Test func syntaxErrorsNameLineAndExpectedToken() {
        let e = Self.error("HIERARCHY\nROOT Hips\n{\n  OFFSET 0 0\n  CHANNELS 3 Zrotation Xrotation Yrotation\n}\n")
        #expect(e == .syntax(file: "t.bvh", line: 5, expected: "a number", found: "CHANNELS"))
        #expect(e?.description == "t.bvh:5: expected a number, found 'CHANNELS'")
        #expect(Self.error("HIERARCHY\nJOINT Hips\n") == .syntax(file: "t.bvh", line: 2, expected: "'ROOT'", found: "JOINT"))
        #expect(Self.error("HIERARCHIE\n") == .syntax(file: "t.bvh", line: 1, expected: "'HIERARCHY'", found: "HIERARCHIE"))
        #expect(Self.error("HIERARCHY\nROOT Hips\n{\n  OFFSET 0 0 0\n  ROTATE 1\n}\n")
                == .syntax(file: "t.bvh", line: 5, expected: "OFFSET, CHANNELS, JOINT, End Site or '}'", found: "ROTATE"))
        // Truncated inside the hierarchy.
        #expect(Self.error("HIERARCHY\nROOT Hips\n{\n  OFFSET 0 0 0\n")
                == .syntax(file: "t.bvh", line: 5, expected: "OFFSET, CHANNELS, JOINT, End Site or '}'", found: ""))
    }

    @Test func lineNumbersCountCRAndCRLF() {
        let text = "HIERARCHY\rROOT Hips\r\n{\r  OFFSET 0 0 x\r}\r"
        #expect(Self.error(text) == .syntax(file: "t.bvh", line: 4, expected: "a number", found: "x"))
    }

    @Test func channelErrors() {
        let unknown = Self.error("HIERARCHY\nROOT Hips\n{\n  OFFSET 0 0 0\n  CHANNELS 3 Zrotation Wrotation Yrotation\n}\n")
        #expect(unknown == .unknownChannel(file: "t.bvh", line: 5, name: "Wrotation"))
        let short = Self.error("HIERARCHY\nROOT Hips\n{\n  OFFSET 0 0 0\n  CHANNELS 6 Zrotation Xrotation Yrotation\n  JOINT A\n")
        guard case let .badChannelCount(_, line, joint, reason)? = short else { Issue.record("got \(String(describing: short))"); return }
        #expect(line == 6 && joint == "Hips" && reason.contains("lists only 3"))
        let many = Self.error("HIERARCHY\nROOT Hips\n{\n  OFFSET 0 0 0\n  CHANNELS 7 Zrotation\n")
        guard case .badChannelCount? = many else { Issue.record("got \(String(describing: many))"); return }
        // A count past Int's range (found by FuzzBVH in CI) is reported as written, not converted to Int.
        let huge = Self.error("HIERARCHY\nROOT Hips\n{\n  OFFSET 0 0 0\n  CHANNELS 377777777777777777777777.7679 Zrotation\n")
        guard case let .badChannelCount(_, _, _, hugeReason)? = huge else { Issue.record("got \(String(describing: huge))"); return }
        #expect(hugeReason.contains("e+23") && hugeReason.contains("more than 6"), "\(hugeReason)")
        let twice = Self.error("HIERARCHY\nROOT Hips\n{\n  OFFSET 0 0 0\n  CHANNELS 2 Zrotation zrotation\n}\n")
        guard case .badChannelCount? = twice else { Issue.record("got \(String(describing: twice))"); return }
    }

    @Test func motionSectionErrors() {
        let noMotion = Self.error("HIERARCHY\nROOT Hips\n{\n  OFFSET 0 0 0\n  CHANNELS 3 Zrotation Xrotation Yrotation\n}\n")
        #expect(noMotion == .missingMotion(file: "t.bvh"))
        #expect(Self.error(Self.header + "\n1 2 3 0 0 0 0 0 0\n1 2 3 0 0 0 0 0\n")
                == .wrongValueCount(file: "t.bvh", line: 16, expected: 9, found: 8))
        #expect(Self.error(Self.header + "\n1 2 3 0 0 nan 0 0 0\n") == .nonFinite(file: "t.bvh", line: 15, text: "nan"))
        #expect(Self.error(Self.header + "\n1 2 3 0 0 -INF 0 0 0\n") == .nonFinite(file: "t.bvh", line: 15, text: "-INF"))
        #expect(Self.error(Self.header + "\n1 2 3 0 0 1e999 0 0 0\n") != nil)
        #expect(Self.error(Self.header + "\n1 2 3 0 0 1,5 0 0 0\n") == .invalidNumber(file: "t.bvh", line: 15, text: "1,5"))
        let zeroTime = Self.header.replacingOccurrences(of: "0.0333333", with: "0")
        #expect(Self.error(zeroTime + "\n1 2 3 0 0 0 0 0 0\n") == .invalidFrameTime(file: "t.bvh", line: 14, value: "0.0"))
        #expect(Self.error(Self.header.replacingOccurrences(of: "Frames: 2", with: "Frames: many"))
                == .syntax(file: "t.bvh", line: 13, expected: "a frame count after 'Frames:'", found: "many"))
    }

    @Test func everyErrorDescriptionNamesTheFile() {
        let errors: [BVHError] = [
            .unreadable(file: "f", reason: "r"), .empty(file: "f"), .syntax(file: "f", line: 1, expected: "e", found: ""),
            .unknownChannel(file: "f", line: 1, name: "n"), .badChannelCount(file: "f", line: 1, joint: "j", reason: "r"),
            .missingMotion(file: "f"), .wrongValueCount(file: "f", line: 1, expected: 2, found: 1),
            .invalidNumber(file: "f", line: 1, text: "t"), .nonFinite(file: "f", line: 1, text: "t"),
            .invalidFrameTime(file: "f", line: 1, value: "v"), .invalidSkeleton(file: "f", reason: "r"),
        ]
        for e in errors { #expect(e.description.hasPrefix("f:") || e.description.hasPrefix("f: ")) }
    }

    @Test func unusualButValidLayouts() throws {
        // One rotation channel, a joint with no channels, a name with spaces, `End Site` with the brace
        // on its line, `Frames:3` glued, and no final newline.
        let text = """
        HIERARCHY
        ROOT Hips {
          OFFSET 0 0 0
          CHANNELS 4 Xposition Yposition Zposition Yrotation
          JOINT Left Knee
          {
            OFFSET 1 0 0
            CHANNELS 1 Zrotation
            JOINT Fixed
            {
              OFFSET 0 -2 0
              CHANNELS 0
              End Site {
                OFFSET 0 -1 0
              }
            }
          }
        }
        MOTION
        Frames:3
        Frame Time: 0.04
        0 0 0 90 0
        0 0 0 0 90
        0 0 0 0 0
        """
        let (clip, warnings) = try BVHReader.read(string: text, name: "t.bvh")
        #expect(clip.frameCount == 3 && clip.fps == 25)
        #expect(clip.skeleton.names == ["Hips", "Left Knee", "Fixed"])
        #expect(clip.skeleton.joints.map(\.rotationOrder) == [.yxz, .zxy, nil])
        #expect(warnings.count == 2, "\(warnings)")
        // Frame 0: Ry(90) maps (1,0,0) to (0,0,−1); frame 1: knee Rz(90) maps (0,−2,0) to (2,0,0).
        ForwardKinematicsTests.expectPositions(clip.worldPositions(frame: 0, includeEndSites: true), [[0, 0, 0], [0, 0, -1], [0, -2, -1], [0, -3, -1]], "frame 0")
        ForwardKinematicsTests.expectPositions(clip.worldPositions(frame: 1, includeEndSites: true), [[0, 0, 0], [1, 0, 0], [3, 0, 0], [4, 0, 0]], "frame 1")
        // Written back with 3 rotation channels each; the fixed joint keeps none.
        let back = try BVHReader.read(bytes: try BVHWriter.bytes(clip), name: "rt").clip
        #expect(MotionTestSupport.maxPositionError(clip, back) < 1e-4)
        #expect(back.skeleton.joints.map(\.channels.count) == [6, 3, 0])
    }
}
