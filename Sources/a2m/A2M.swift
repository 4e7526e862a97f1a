import ArgumentParser
import A2MKit

@main
struct A2M: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "a2m",
        abstract: "Audio-to-motion: speech or music in, full-body BVH/JSON motion out.",
        version: A2MKitVersion.string,
        subcommands: [
            Features.self,
            Convert.self,
            Retarget.self,
            Corpus.self,
            Eval.self,
            Generate.self,
            StreamCommand.self,
            Train.self,
            Export.self,
            Bench.self,
            ViewCommand.self,
            PreviewCommand.self,
        ]
    )

    /// ArgumentParser's own `main`, after `OpenBLASKernels.restartIfGeneric`: on a CPU Debian's OpenBLAS does not
    /// know, its generic kernels would make every command several times slower (docs/cli.md, "OpenBLAS kernels").
    static func main() async {
        OpenBLASKernels.restartIfGeneric()
        await main(nil)
    }
}
