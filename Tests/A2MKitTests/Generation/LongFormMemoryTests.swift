import Testing
import Foundation
@testable import A2MKit

/// Peak memory of long-form generation must not grow with the clip length. Each measurement runs in a fresh
/// child process (this test binary, filtered to `LongFormMemoryChild`), so the peak is that of one generation
/// alone, unaffected by other tests running in parallel.
///
/// The peak is the child's own address-space high-water mark (`VmHWM` in /proc/self/status), not
/// `getrusage().ru_maxrss`: Linux carries ru_maxrss across execve, and Foundation spawns children with
/// vfork semantics, so ru_maxrss reports at least the parent's peak — the whole test process's, when the full
/// suite runs — and every child then measured the same number.
enum MemoryProbe {
    /// VmHWM of this process in KiB (Linux).
    static func peakKiB() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kib = Int(line.split(separator: " ").dropFirst().first ?? "") else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return kib
    }
    static let secondsKey = "A2M_MEMORY_CHILD_SECONDS"
    static let outKey = "A2M_MEMORY_CHILD_OUT"
    /// Control: the child keeps every emitted frame, as a non-streaming writer would.
    static let keepKey = "A2M_MEMORY_CHILD_KEEP"
    /// Mock sized so that holding a 30-min clip's output (54000 frames × 256 × 4 B = 55 MB) or its audio
    /// features (54000 × 64 × 4 B = 14 MB) would show clearly against the process baseline.
    static let motionDim = 256, audioDim = 64, window = 120, fps = 30.0
    /// Allowed peak ratio 30 min / 1 min.
    static let maxRatio = 1.5

    static var isChild: Bool { ProcessInfo.processInfo.environment[secondsKey] != nil }
}

@Suite struct LongFormMemoryChild {
    @Test(.enabled(if: MemoryProbe.isChild, "runs only as the child process of LongFormMemoryTests"))
    func generateAndReportPeakRSS() throws {
        let env = ProcessInfo.processInfo.environment
        let seconds = try #require(Double(env[MemoryProbe.secondsKey]!))
        let out = try #require(env[MemoryProbe.outKey])
        let n = Int((seconds * MemoryProbe.fps).rounded())
        let m = MockDenoiser(motionDim: MemoryProbe.motionDim, audioDim: MemoryProbe.audioDim)
        var emitted = 0
        var checksum = 0.0
        let keep = env[MemoryProbe.keepKey] == "1"
        var kept = [[Float]]()
        let clip = LongFormClip(name: "long.wav", frameCount: n,
                                audioFeatures: { SamplerFixtures.testAudio(frames: $0, dim: MemoryProbe.audioDim) },
                                stitcher: FeatureCrossfadeStitcher(featureDim: MemoryProbe.motionDim) { first, f in
                                    #expect(first == emitted)
                                    emitted += f.count / MemoryProbe.motionDim
                                    checksum += Double(f[0])
                                    if keep { kept.append(f) }
                                })
        try LongFormGenerator(denoiser: m, schedule: DiffusionSchedule(), windowFrames: MemoryProbe.window,
                              options: SamplerOptions(steps: 2, guidance: 2))
            .generate([clip])
        try "\(try MemoryProbe.peakKiB()) \(emitted) \(checksum) \(kept.count)".write(toFile: out, atomically: true, encoding: .utf8)
    }
}

@Suite struct LongFormMemoryTests {
    /// Runs the child for `seconds` of audio; returns (peak RSS in KiB, frames emitted).
    func peak(seconds: Int, keepFrames: Bool = false) throws -> (Int, Int) {
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("a2m-mem-\(UUID()).txt").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = ["--testing-library", "swift-testing", "--filter", "LongFormMemoryChild"]
        var env = ProcessInfo.processInfo.environment
        env[MemoryProbe.secondsKey] = "\(seconds)"
        env[MemoryProbe.outKey] = out
        env[MemoryProbe.keepKey] = keepFrames ? "1" : "0"
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "child for \(seconds) s exited with \(p.terminationStatus)")
        let fields = try String(contentsOfFile: out, encoding: .utf8).split(separator: " ")
        return (Int(fields[0])!, Int(fields[1])!)
    }

    @Test(.enabled(if: !MemoryProbe.isChild)) func thirtyMinutesPeakWithinOneAndAHalfTimesOneMinute() throws {
        #if os(Linux)
        let (short, shortFrames) = try peak(seconds: 60)
        let (long, longFrames) = try peak(seconds: 1800)
        #expect(shortFrames == 1800 && longFrames == 54000)
        let ratio = Double(long) / Double(short)
        #expect(ratio <= MemoryProbe.maxRatio, "peak RSS 1 min \(short) KiB, 30 min \(long) KiB, ratio \(ratio)")
        // Control: the same measurement does catch a consumer that holds the whole clip.
        let (held, _) = try peak(seconds: 1800, keepFrames: true)
        #expect(Double(held) / Double(short) > MemoryProbe.maxRatio, "holding all frames: \(held) KiB vs \(short) KiB")
        #endif
    }
}
