import ArgumentParser
import A2MKit

/// `a2m bench ...`: performance tables. Speed lives here, never in timed tests.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a benchmark and print a table.",
        subcommands: [BenchGemm.self, BenchFeatures.self, BenchBVH.self, BenchCorpus.self, BenchTrainStep.self, BenchGenerate.self, BenchSample.self, BenchStream.self, BenchAllreduce.self]
    )
}

/// The first line of every bench table: the BLAS kernels the numbers were measured with.
func printBLASCore() {
    print("OpenBLAS core: \(GemmPeak.openBLASCore)")
}
