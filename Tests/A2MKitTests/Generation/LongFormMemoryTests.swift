import Testing
import Foundation
@testable import A2MMotion
@testable import A2MNN
@testable import A2MGeneration

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

    /// Runs this test binary, filtered to the suite `filter`, with `environment` added; returns its exit status.
    static func runChild(filter: String, environment: [String: String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        p.arguments = ["--testing-library", "swift-testing", "--filter", filter]
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }
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
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("a2m-mem-\(UUID()).txt").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let status = try MemoryProbe.runChild(filter: "LongFormMemoryChild", environment: [
            MemoryProbe.secondsKey: "\(seconds)", MemoryProbe.outKey: out, MemoryProbe.keepKey: keepFrames ? "1" : "0"])
        #expect(status == 0, "child for \(seconds) s exited with \(status)")
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

/// The whole of `a2m generate IN` (model file, audio file, features, sampling, BVH and JSON files), not just
/// the generator: each run in a fresh child process, as above, with the tiny model and one step, so that
/// everything but the network's fixed size shows.
enum CommandMemoryProbe {
    static let modelKey = "A2M_MEMORY_COMMAND_MODEL"
    static let audioKey = "A2M_MEMORY_COMMAND_AUDIO"
    static let outKey = "A2M_MEMORY_COMMAND_OUT"
    /// "stream": what `a2m generate` does; "whole": whole feature matrix and whole clips (the control).
    static let modeKey = "A2M_MEMORY_COMMAND_MODE"
    static var isChild: Bool { ProcessInfo.processInfo.environment[audioKey] != nil }
}

@Suite struct CommandMemoryChild {
    @Test(.enabled(if: CommandMemoryProbe.isChild, "runs only as the child process of CommandMemoryTests"))
    func generateFilesAndReportPeakRSS() throws {
        let env = ProcessInfo.processInfo.environment
        let model = try GenerationModel.load(contentsOf: URL(fileURLWithPath: env[CommandMemoryProbe.modelKey]!))
        let wav = URL(fileURLWithPath: env[CommandMemoryProbe.audioKey]!)
        let out = URL(fileURLWithPath: env[CommandMemoryProbe.outKey]!)
        let options = SamplerOptions(steps: 1, guidance: 2.5, seed: 1)
        let p = GenerationPipeline(model: model)
        let bvh = out.appendingPathComponent("m.bvh"), json = out.appendingPathComponent("m.json")
        let frames: Int
        var configuration = TinyModel.configuration(options)
        if env[CommandMemoryProbe.modeKey] == "whole" {
            let clip = try p.clips([(name: wav.path, features: try p.features(wav))], configuration: configuration)[0][0]
            try BVHWriter.write(clip, to: bvh)
            try MotionJSON.write(clip, format: .a2m, to: json)
            frames = clip.frameCount
        } else {
            // What `a2m generate` runs: features streamed from the file, frames into the writers.
            configuration.outputDirectory = out
            frames = try p.generate(files: [wav], configuration: configuration)[0].frames
        }
        try "\(try MemoryProbe.peakKiB()) \(frames)".write(to: out.appendingPathComponent("peak.txt"), atomically: true, encoding: .utf8)
    }
}

@Suite struct CommandMemoryTests {
    /// Peak RSS (KiB) and frame count of one child run on `wav`.
    func peak(model: URL, wav: URL, mode: String) throws -> (Int, Int) {
        let out = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: out) }
        let status = try MemoryProbe.runChild(filter: "CommandMemoryChild", environment: [
            CommandMemoryProbe.modelKey: model.path, CommandMemoryProbe.audioKey: wav.path,
            CommandMemoryProbe.outKey: out.path, CommandMemoryProbe.modeKey: mode])
        #expect(status == 0, "child for \(wav.lastPathComponent) (\(mode)) exited with \(status)")
        let fields = try String(contentsOf: out.appendingPathComponent("peak.txt"), encoding: .utf8).split(separator: " ")
        return (Int(fields[0])!, Int(fields[1])!)
    }

    /// Issue 6's bound for the whole command: 30 minutes of audio within 1.5× the peak of 1 minute.
    @Test(.enabled(if: !CommandMemoryProbe.isChild && !MemoryProbe.isChild)) func wholeCommandPeakWithinOneAndAHalfTimes() throws {
        #if os(Linux)
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TinyModel.write(to: dir)
        var wavs: [URL] = []
        for (name, seconds) in [("one.wav", 60), ("thirty.wav", 1800)] {
            let url = dir.appendingPathComponent(name)
            try AudioFixtures.sox(["-n", "-r", "16000", "-c", "1", "-b", "16", url.path, "synth", "\(seconds)", "sine", "220", "vol", "0.4"])
            wavs.append(url)
        }
        let (short, shortFrames) = try peak(model: model, wav: wavs[0], mode: "stream")
        let (long, longFrames) = try peak(model: model, wav: wavs[1], mode: "stream")
        #expect(shortFrames == 1800 && longFrames == 54000)
        let ratio = Double(long) / Double(short)
        #expect(ratio <= MemoryProbe.maxRatio, "peak RSS 1 min \(short) KiB, 30 min \(long) KiB, ratio \(ratio)")
        // Control: the same measurement catches the whole-matrix, whole-clip path.
        let (held, _) = try peak(model: model, wav: wavs[1], mode: "whole")
        #expect(Double(held) / Double(short) > MemoryProbe.maxRatio, "whole clips: \(held) KiB vs \(short) KiB")
        #endif
    }
}
