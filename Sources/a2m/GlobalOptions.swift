import ArgumentParser
import A2MKit

/// Options every long-running subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Worker threads for BLAS and parallel loops (default: all cores).")
    var threads: Int?

    @Flag(name: .long, help: "No progress line; only errors and requested output.")
    var quiet = false

    @Option(name: .long, help: ArgumentHelp("Most memory a model, config or motion file may make a2m allocate, e.g. 8G or 512M (default: the physical memory). Checked before allocating.", valueName: "size"))
    var memoryBudget: String?

    func validate() throws {
        if let t = threads, !(1...256).contains(t) {
            throw ValidationError("--threads must be between 1 and 256, got \(t)")
        }
        if let m = memoryBudget, MemoryBudget.parse(m) == nil {
            throw ValidationError("--memory-budget must be a size such as 8G, 512M or 1073741824, got '\(m)'")
        }
    }

    /// Applies the thread policy; call first in `run()`.
    func apply() {
        Threads.set(threads ?? ProcessInfo.processInfo.activeProcessorCount)
        MemoryBudget.set(memoryBudget.flatMap(MemoryBudget.parse))
    }
}

import Foundation

extension SamplerOptions {
    /// `validateGuidance()` as a command-line error naming `--guidance` and `--guidance-method` (exit 64, before
    /// any work), for every subcommand that takes the two.
    func validateGuidanceOptions() throws {
        do {
            try validateGuidance()
        } catch {
            throw ValidationError("--guidance \(guidance) with --guidance-method \(guidanceMethod.rawValue): \(error)")
        }
    }
}

/// The "model" section of a config file, for the benches that size a network from it: a config that leaves
/// `motionDim` to the data gets the default skeleton's.
func benchDenoiserConfig(_ path: String) throws -> DenoiserConfig {
    let full = try A2MConfig.load(contentsOf: URL(fileURLWithPath: path))
    var c = full.model
    if full.motionDimFromData { c.motionDim = MotionFeatures.featureDim(for: .a2mDefault) }
    return c
}

extension SamplerOptions {
    /// A guidance-distilled model's weight and method wherever the command line left them out (`--guidance`,
    /// `--guidance-method` nil), so `a2m generate --model STUDENT` samples at the guidance it was distilled for.
    mutating func adoptDistilledGuidance(of denoiser: Denoiser, guidance: Float?, method: GuidanceMethod?) {
        guard let d = denoiser.distilledGuidance else { return }
        if guidance == nil { self.guidance = d.weight }
        if method == nil { guidanceMethod = d.method }
    }
}
