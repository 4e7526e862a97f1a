import A2MKit
import ArgumentParser
import Foundation

/// `mpirun -n N a2m bench allreduce --config CONFIG`: the time of the one collective a data-parallel training step
/// adds, `MPI_Allreduce` of the whole gradient (the parameters of the config's model and `Denoiser.gradientSpare`
/// floats, as `Trainer` sends them), on the ranks and the network `mpirun` gives it. docs/benchmarks.md uses it,
/// with the per-rank step time of `a2m bench train-step`, to project training time on K machines.
struct BenchAllreduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allreduce",
        abstract: "Time MPI_Allreduce of a model's gradient across the ranks of mpirun (the per-step cost of data-parallel training).",
        discussion: "Run under mpirun -n N with N ≥ 2 (an a2m built with Open MPI). Rank 0 prints one table row per size."
    )

    @Option(help: "Config whose model sizes set the gradient (motionDim left to the data: the default skeleton's, or --pose).") var config: String?
    @Option(help: "Motion features per frame (454 for the 75-joint ZeroEGGS/BEAT rig).") var pose: Int?
    @Option(help: "Comma-separated gradient sizes in floats, instead of --config.") var floats: String?
    @Option(help: "Timed allreduces per size (median and 90th percentile reported).") var repeats = 10

    func validate() throws {
        guard (config == nil) != (floats == nil) else { throw ValidationError("give exactly one of --config and --floats") }
        if pose != nil && config == nil { throw ValidationError("--pose applies with --config only") }
        guard (1...1000).contains(repeats) else { throw ValidationError("--repeats must be in 1...1000, got \(repeats)") }
        _ = try sizes(parameters: 0)
    }

    /// The sizes to time: the parsed --floats, or the config's parameters + the spare floats.
    func sizes(parameters: Int) throws -> [Int] {
        guard let floats else { return [parameters + Denoiser.gradientSpare] }
        let list = floats.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !list.isEmpty, list.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 1 << 30 }) else {
            throw ValidationError("--floats takes comma-separated sizes in 1...\(1 << 30), got '\(floats)'")
        }
        return list.map { $0! }
    }

    func run() throws {
        let collective = try RunCollective.make()
        guard collective.size >= 2 else {
            throw ValidationError("a2m bench allreduce times a collective: run it under mpirun -n N with N ≥ 2")
        }
        do {
            try measure(collective)
        } catch {
            collective.abort("a2m bench allreduce, rank \(collective.rank) of \(collective.size) on \(collective.processorName): \(error)", code: 1)
        }
    }

    func measure(_ collective: Collective) throws {
        var parameters = 0, label = "--floats"
        if let config {
            var c = try benchDenoiserConfig(config)
            if let pose { c.motionDim = pose }
            try c.validate(file: config)
            parameters = try Denoiser(config: c, seed: 0).parameterCount
            label = "\(config) (d \(c.width), \(c.layers) layers, pose \(c.motionDim): \(parameters.groupedDigits) parameters)"
        }
        let root = collective.isRoot
        if root {
            printBLASCore()
            print("allreduce of \(label) over \(collective.size) ranks; every time is the slowest rank's")
            print("")
            print("| ranks | floats | MB | median ms | p90 ms | algorithm GB/s | bus GB/s |")
            print("|---:|---:|---:|---:|---:|---:|---:|")
        }
        let k = Double(collective.size)
        for n in try sizes(parameters: parameters) {
            var buffer = [Float](repeating: 0, count: n)
            var times = [Double]()
            for i in 0..<(repeats + 2) {
                // Fresh values each time, so the sum is checked and no rank can skip work on repeated data.
                buffer.withUnsafeMutableBufferPointer { $0.update(repeating: Float(collective.rank + 1)) }
                try collective.barrier()
                let t0 = DispatchTime.now().uptimeNanoseconds
                try buffer.withUnsafeMutableBufferPointer { try collective.allreduceSum($0) }
                var elapsed = [DispatchTime.now().uptimeNanoseconds - t0]
                try elapsed.withUnsafeMutableBufferPointer { try collective.allreduceMax($0) }
                let expected = Float(collective.size * (collective.size + 1) / 2)
                guard buffer[0] == expected, buffer[n - 1] == expected else {
                    throw ValidationError("allreduce gave \(buffer[0]) and \(buffer[n - 1]) at the ends, expected \(expected)")
                }
                if i >= 2 { times.append(Double(elapsed[0]) / 1e9) }   // two warm-up rounds open the connections
            }
            times.sort()
            let median = times[times.count / 2], p90 = times[min(times.count - 1, Int((0.9 * Double(times.count)).rounded(.up)) - 1)]
            let bytes = Double(n) * 4
            // Bus bandwidth (NCCL's convention): what each link carries in a ring allreduce, 2(K−1)/K of the buffer.
            if root {
                print("| \(collective.size) | \(n.groupedDigits) | \(String(format: "%.1f", bytes / 1e6)) | \(String(format: "%.2f", median * 1e3)) | "
                      + "\(String(format: "%.2f", p90 * 1e3)) | \(String(format: "%.3f", bytes / median / 1e9)) | "
                      + "\(String(format: "%.3f", 2 * (k - 1) / k * bytes / median / 1e9)) |")
            }
        }
    }
}
