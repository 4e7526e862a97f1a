import A2MKit
import ArgumentParser
import Dispatch
import Foundation

/// `a2m bench generate AUDIO`: real-time factor of `a2m generate` (features, sampling, decode, export) at 1
/// and 2 threads. Speed does not depend on the weights, so without `--model` an untrained network of the
/// `--config` sizes stands in (default skeleton, 30 fps, the config's audio front end, prosody included).
struct BenchGenerate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Time audio → BVH + JSON generation and print the real-time factor per stage."
    )

    @Argument(help: "Audio file (docs/benchmarks.md uses 60 s of speech).") var input: String
    @Option(help: "Model checkpoint; default: an untrained network sized by --config.") var model: String?
    @Option(help: "Model config JSON (used without --model): its \"model\" and \"audio\" sections.") var config = "Configs/small.json"
    // Sampling defaults are a2m generate's (`SamplerOptions.commandDefault`, `GuidanceMethod.commandDefault`); the
    // tables of docs/benchmarks.md measured before 2026-12-07 ran 50-step trailing DDIM with plain CFG.
    @Option(help: "Sampler (default as a2m generate).") var sampler: SamplerKind = SamplerOptions.commandDefault.kind
    @Option(help: "Denoising steps (default as a2m generate).") var steps = SamplerOptions.commandDefault.steps
    @Option(help: "Timestep spacing (default as a2m generate).") var spacing: TimestepSpacing = SamplerOptions.commandDefault.spacing
    @Option(help: "Guidance method (default as a2m generate).") var guidanceMethod: GuidanceMethod = .commandDefault
    @Option(help: "Guidance weight (≠ 0 and ≠ 1 runs both branches, a 2B-row batch).") var guidance: Float = 2.5
    @Option(help: "Comma-separated thread counts.") var threads = "1,2"

    func validate() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be ≥ 1") }
        guard guidance.isFinite, guidance >= 0 else { throw ValidationError("--guidance must be a finite number ≥ 0") }
        try SamplerOptions(kind: sampler, guidance: guidance, guidanceMethod: guidanceMethod).validateGuidanceOptions()
        guard !threadCounts.isEmpty, threadCounts.allSatisfy({ (1...256).contains($0) }) else {
            throw ValidationError("--threads must list counts in 1...256, e.g. 1,2")
        }
    }

    var threadCounts: [Int] { threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func loadModel() throws -> GenerationModel {
        if let model { return try GenerationModel.load(contentsOf: URL(fileURLWithPath: model)) }
        let full = try A2MConfig.load(contentsOf: URL(fileURLWithPath: config))
        var c = full.model
        // The shipped model's 22-joint body skeleton (D = 136), as docs/benchmarks.md measured it.
        let skeleton = Skeleton.a2mBody
        c.motionDim = MotionFeatures.featureDim(for: skeleton)
        c.audioDim = full.audio.featureDim
        let D = c.motionDim
        var mean = [Float](repeating: 0, count: D)
        for j in 0..<skeleton.jointCount { mean[4 + 6 * j] = 1; mean[4 + 6 * j + 4] = 1 }
        let stats = try NormalizationStats(mean: mean, std: [Float](repeating: 1, count: D))
        let audioStats = try NormalizationStats(mean: [Float](repeating: -40, count: c.audioDim), std: [Float](repeating: 20, count: c.audioDim))
        return GenerationModel(denoiser: try Denoiser(config: c, seed: 1), diffusion: full.diffusion, audio: full.audio,
                               skeleton: skeleton, fps: 30, motionStats: stats, audioStats: audioStats, path: "untrained \(config)")
    }

    func run() async throws {
        let m = try loadModel()
        let url = URL(fileURLWithPath: input)
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("a2m-bench-generate-\(getpid())")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let c = m.denoiser.config
        let options = SamplerOptions(kind: sampler, steps: steps, guidance: guidance, guidanceMethod: guidanceMethod, seed: 1, spacing: spacing)
        printBLASCore()
        print("model: \(m.path) (width \(c.width), layers \(c.layers), window \(c.windowFrames) frames, \(m.denoiser.parameterCount) parameters); "
              + "\(sampler.rawValue), \(steps) steps, \(spacing.rawValue) spacing, guidance \(guidance) (\(guidanceMethod.rawValue))")
        print("| threads | features s | sampling s | decode s | export s | total s | audio s | × real time |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n in threadCounts {
            Threads.set(n)
            let pipeline = GenerationPipeline(model: m)
            var configuration = GenerationConfiguration()
            configuration.sampling = options
            configuration.outputDirectory = tmp.appendingPathComponent("\(n)-threads")
            let t0 = DispatchTime.now().uptimeNanoseconds
            // What `a2m generate IN` does by default: features streamed from the file, frames streamed into
            // the BVH and JSON writers, committed as one output set.
            let files = try pipeline.generate(files: [url], configuration: configuration)
            let total = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            let duration = Double(files[0].frames) / m.fps
            let s = pipeline.seconds
            let export = s["export"]!
            print(String(format: "| %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f | %.2f |", n, s["features"]!, s["sampling"]!,
                         s["decode"]!, export, total, duration, duration / total))
        }
    }
}
