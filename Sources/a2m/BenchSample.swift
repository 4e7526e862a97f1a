import A2MKit
import ArgumentParser
import Dispatch
import Foundation

/// `a2m bench sample AUDIO`: the samplers side by side in one run, `a2m generate`'s whole path per setting:
/// time per window, network passes per window, real-time factor, and the speed-up over the first setting.
struct BenchSample: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Time generation with several samplers and step counts side by side (per window, real-time factor)."
    )

    @Argument(help: "Audio file (docs/benchmarks.md uses 60 s of speech).") var input: String
    @Option(help: "Model checkpoint. Default: as for a2m generate.") var model: String?
    @Option(help: "Comma-separated SAMPLER:STEPS[:SPACING] settings (spacing trailing when left out), the first is the baseline. Default: the 50-step DDIM default before 2026-12-07, then a2m generate's default.")
    var settings = "ddim:50:trailing,dpmpp-2m:\(SamplerOptions.commandDefault.steps):\(SamplerOptions.commandDefault.spacing.rawValue)"
    @Option(parsing: .unconditional, help: "Guidance weight (≠ 0 and ≠ 1 runs both branches: two passes per step; a guidance-distilled model runs one at its own weight, the default for it). Default 1.") var guidance: Float?
    @Option(help: "Comma-separated thread counts.") var threads = "2"

    struct Setting { var kind: SamplerKind; var steps: Int; var spacing: TimestepSpacing }

    var parsedSettings: [Setting] {
        get throws {
            try settings.split(separator: ",").map { part in
                let f = part.split(separator: ":")
                guard (2...3).contains(f.count), let k = SamplerKind(rawValue: String(f[0])), let n = Int(f[1]), n >= 1,
                      let spacing = f.count == 3 ? TimestepSpacing(rawValue: String(f[2])) : .trailing else {
                    throw ValidationError("--settings: '\(part)' is not SAMPLER:STEPS[:SPACING] with SAMPLER one of \(SamplerKind.allCases.map(\.rawValue).joined(separator: ", ")) "
                                          + "and SPACING one of \(TimestepSpacing.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return Setting(kind: k, steps: n, spacing: spacing)
            }
        }
    }

    var threadCounts: [Int] { threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        _ = try parsedSettings
        if let guidance, !(guidance.isFinite && guidance >= 0) { throw ValidationError("--guidance must be a finite number ≥ 0") }
        guard !threadCounts.isEmpty, threadCounts.allSatisfy({ (1...256).contains($0) }) else { throw ValidationError("--threads must list counts in 1...256") }
    }

    func run() async throws {
        let m = try GenerationModel.load(contentsOf: try DefaultModel.locate(explicit: model))
        let url = URL(fileURLWithPath: input)
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("a2m-bench-sample-\(getpid())")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        printBLASCore()
        // The guidance method is a2m generate's (it decides what a guided step costs beside the passes).
        var options = SamplerOptions(guidance: guidance ?? 1, guidanceMethod: .commandDefault, seed: 1)
        options.adoptDistilledGuidance(of: m.denoiser, guidance: guidance, method: nil)
        let distilled = m.denoiser.distilledGuidance
        print("model: \(m.path) (window \(m.windowFrames) frames); guidance \(options.guidance) \(options.guidanceMethod.rawValue)\(distilled == nil ? "" : " (distilled: one pass per step)")")
        print("| threads | sampler | steps | spacing | passes/window | windows | sampling s | ms/window | total s | × real time | speed-up |")
        print("|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
        for n in threadCounts {
            Threads.set(n)
            var baseline: Double?
            for (i, s) in try parsedSettings.enumerated() {
                let pipeline = GenerationPipeline(model: m)
                var configuration = GenerationConfiguration()
                configuration.sampling = options
                configuration.sampling.kind = s.kind
                configuration.sampling.steps = s.steps
                configuration.sampling.spacing = s.spacing
                configuration.outputDirectory = tmp.appendingPathComponent("\(n)-\(i)")
                let t0 = DispatchTime.now().uptimeNanoseconds
                let files = try pipeline.generate(files: [url], configuration: configuration)
                let total = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                let frames = files[0].frames
                let windows = WindowPlan(totalFrames: frames, windowFrames: m.windowFrames).count
                let duration = Double(frames) / m.fps
                let sampling = pipeline.seconds["sampling"]!
                if baseline == nil { baseline = total }
                print("| \(n) | \(s.kind.rawValue) | \(s.steps) | \(s.spacing.rawValue) | \(configuration.sampling.networkPasses(distilled: distilled)) | \(windows) | "
                    + String(format: "%.2f | %.1f | %.2f | %.2f | %.2f |", sampling, sampling / Double(windows) * 1000, total, duration / total, baseline! / total))
            }
        }
    }
}
