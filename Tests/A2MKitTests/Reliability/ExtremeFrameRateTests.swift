import Foundation
import Testing
@testable import A2MCore
@testable import A2MAudio
@testable import A2MMotion
@testable import A2MNN
@testable import A2MGeneration
@testable import A2MTraining
@testable import A2MCorpus
@testable import A2MEvaluation
@testable import A2MView
import A2MKit

/// `a2m convert` on frame rates no motion file really has: one clear error naming the file and line (or field), no
/// trap, no giant allocation, nothing written. Before: Frame Time 1e-300 or 1e-19 trapped converting Double to Int
/// after writing the output (exit 0 with --quiet), and 1e300, 1e6 or 3.4e38 with --fps asked for 2–16 GB.
@Suite struct ExtremeFrameRateTests {
    static let memoryKB = 1_500_000

    static func bvh(frameTime: String, in dir: ScratchDirectory) throws -> URL {
        let text = try String(contentsOf: MotionTestSupport.repoRoot.appendingPathComponent("Motions/wave.bvh"), encoding: .utf8)
        let lines = text.components(separatedBy: "\n").map { $0.hasPrefix("Frame Time:") ? "Frame Time: \(frameTime)" : $0 }
        let url = dir.path("ft\(frameTime).bvh")
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test(arguments: ["1e-300", "1e-19", "1e300", "1e6", "3.4e38"])
    func bvhFrameTimesOutsideTheSupportedRatesAreRefused(_ frameTime: String) throws {
        let dir = try ScratchDirectory("frame-time")
        let input = try Self.bvh(frameTime: frameTime, in: dir)
        for extra in [[], ["--fps", "30"], ["--fps", "1000"]] {
            for out in ["o.json", "o.bvh"] {
                let r = try Probe.a2m(["convert", input.path, "--to", dir.path(out).path, "--quiet"] + extra, memoryKB: Self.memoryKB)
                #expect(r.status == 1 && !r.crashed, "Frame Time \(frameTime) \(extra): status \(r.status): \(r.stderr.prefix(300))")
                #expect(r.stderr.contains("\(input.path):") && r.stderr.contains("Frame Time") && r.stderr.contains("expected 0.001 to 100000 fps"),
                        "\(r.stderr.prefix(300))")
                #expect(!FileManager.default.fileExists(atPath: dir.path(out).path), "\(out) was written")
            }
        }
        #expect(Probe.listing(dir.url).filter { $0.hasPrefix(".") }.isEmpty)
    }

    @Test(arguments: [1e300, 1e-300, 1e6, 1e-6])
    func a2mJSONFrameRatesOutsideTheSupportedRatesAreRefused(_ fps: Double) throws {
        let dir = try ScratchDirectory("json-fps")
        var clip = MotionClip(restPoseOf: .a2mDefault, fps: 30, frames: 4)
        clip.rootPositions[1].x = 1
        var text = String(decoding: MotionJSON.bytes(clip, format: .a2m), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"fps\":30", with: "\"fps\":\(fps)")
        #expect(text.contains("\"fps\":\(fps)"))
        let input = dir.path("m.json")
        try text.write(to: input, atomically: true, encoding: .utf8)
        let r = try Probe.a2m(["convert", input.path, "--to", dir.path("o.bvh").path, "--fps", "30", "--quiet"], memoryKB: Self.memoryKB)
        #expect(r.status == 1 && !r.crashed && r.stderr.contains(input.path) && r.stderr.contains("field 'fps'"), "\(r.stderr.prefix(300))")
        #expect(!FileManager.default.fileExists(atPath: dir.path("o.bvh").path))
    }

    /// Inside the supported rates, resampling is still checked against the memory budget before it allocates: a
    /// clip at 0.001 fps (1000 s per frame) resampled to 1000 fps is a million times longer.
    @Test func resamplingIsCheckedAgainstTheBudget() throws {
        let dir = try ScratchDirectory("resample-budget")
        let input = try Self.bvh(frameTime: "1000", in: dir)
        let r = try Probe.a2m(["convert", input.path, "--to", dir.path("o.bvh").path, "--fps", "1000", "--quiet", "--memory-budget", "256M"],
                              memoryKB: Self.memoryKB)
        #expect(r.status == 1 && r.stderr.contains(input.path) && r.stderr.contains("resampling 121 frames at 0.001 fps to 1000.0 fps would need about")
                && r.stderr.contains("memory budget of 256.0 MiB"), "\(r.stderr.prefix(300))")
        #expect(!FileManager.default.fileExists(atPath: dir.path("o.bvh").path))
    }

    /// A clip keeps its length when resampled: 3 s is 90 frames at 30 fps and 180 at 60 (it was 179: the old rule
    /// ended on the last source frame), as `generate --fps 60` on 3 s of audio promises.
    @Test func resamplingKeepsTheClipsLength() throws {
        let dir = try ScratchDirectory("resample-length")
        var clip = MotionClip(restPoseOf: .a2mDefault, fps: 30, frames: 90)
        clip.rootPositions[89].x = 1
        #expect(try clip.resampled(to: 60).frameCount == 180 && clip.resampled(to: 120).frameCount == 360 && clip.resampled(to: 24).frameCount == 72)
        let model = try TinyModel.write(to: dir.url)
        let wav = try TinyModel.wav(in: dir.url, name: "three.wav", seconds: 3)
        let r = try Probe.a2m(["generate", wav.path, "--model", model.path, "--fps", "60", "--format", "bvh", "--steps", "2", "--quiet"])
        try #require(r.status == 0, "\(r.stderr)")
        let out = try BVHReader.read(dir.path("three.bvh")).clip
        #expect(out.fps == 60 && out.frameCount == 180, "\(out.frameCount) frames at \(out.fps) fps")
    }
}
