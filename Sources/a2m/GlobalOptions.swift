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
