import ArgumentParser
import A2MKit
import Foundation

/// `a2m bench gemm`: the machine's cblas_sgemm ceiling, which every other GFLOP/s figure is compared to.
struct BenchGemm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gemm", abstract: "Measure cblas_sgemm GFLOP/s at 1 and 2 threads.")

    @Option(help: "Square matrix size.") var size = 1024

    func validate() throws {
        guard (64...8192).contains(size) else { throw ValidationError("--size must be in 64...8192") }
    }

    func run() async throws {
        printBLASCore()
        print("| threads | M=N=K | GFLOP/s |")
        print("|---:|---:|---:|")
        for threads in [1, 2] {
            Threads.set(threads)
            let g = GemmPeak.measure(m: size, n: size, k: size)
            print("| \(threads) | \(size) | \(String(format: "%.1f", g)) |")
        }
    }
}
