import A2MKit
import ArgumentParser
import Foundation

/// `a2m export MODEL --out FILE [--dtype f16|f32]`: a generation-only model file (weights + metadata, no
/// optimizer state), e.g. the F16 file shipped as the default model.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a model or training checkpoint as a generation-only model file (F16 to ship, or F32).",
        discussion: """
            MODEL is OUT/model.safetensors or OUT/checkpoint.safetensors of `a2m train` (its EMA weights). The \
            output keeps every generation key (audio, diffusion, skeleton, fps, normalization, step; docs/formats.md) \
            and drops the training state. F16 halves the size; weights are rounded to half precision.
            """
    )

    @Argument(help: "Model or checkpoint (.safetensors).") var model: String
    @Option(help: "Output file (.safetensors).") var out: String
    @Option(help: "Storage type: f16 or f32.") var dtype: CheckpointDType = .f16

    func run() async throws {
        let loaded = try GenerationModel.load(contentsOf: URL(fileURLWithPath: model))
        try loaded.write(to: URL(fileURLWithPath: out), dtype: dtype)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
        print("\(out): \(loaded.denoiser.parameterCount) parameters as \(dtype.rawValue), \(bytes) bytes, step \(loaded.step)")
    }
}

extension CheckpointDType: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}
