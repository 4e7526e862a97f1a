import ArgumentParser
import A2MKit

/// Options every long-running subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Worker threads for BLAS and parallel loops (default: all cores).")
    var threads: Int?

    @Flag(name: .long, help: "No progress line; only errors and requested output.")
    var quiet = false

    func validate() throws {
        if let t = threads, !(1...256).contains(t) {
            throw ValidationError("--threads must be between 1 and 256, got \(t)")
        }
    }

    /// Applies the thread policy; call first in `run()`.
    func apply() {
        Threads.set(threads ?? ProcessInfo.processInfo.activeProcessorCount)
    }
}

import Foundation
