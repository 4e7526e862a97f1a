import A2MCore

/// What a denoiser of a given config costs in memory, computed from the config alone (no allocation), so model
/// files and training configs are checked against `MemoryBudget` before any arena exists (design.md §9).
extension Denoiser {
    /// Rows of one generation pass the estimate assumes: `LongFormGenerator`'s default 4 windows per round, each
    /// twice under guidance.
    static let generationRows = 8

    /// Bytes of one parameter arena (weights, or gradients, or an Adam moment) of `config`.
    public static func parameterBytes(_ config: DenoiserConfig) -> Double {
        Double(DenoiserParameters(config).layout.count) * 4
    }

    /// Bytes generation needs: the weights, the activations of one pass over `generationRows` window rows, of
    /// the audio encoder and of the null context, and the cached cross-attention keys and values.
    public static func generationBytes(_ config: DenoiserConfig) -> Double {
        let t = config.windowFrames, rows = generationRows
        let activations = [rows, rows / 2, 1].map { Double(DenoiserActivations.floats(config: config, rows: $0, frames: t, training: false)) }
        let contexts = Double(rows) * Double(t + 1) * Double(config.width) * 2 * Double(config.layers)
        return parameterBytes(config) + 4 * (activations.reduce(0, +) + contexts)
    }

    /// Bytes `Trainer` needs: six arenas (weights, gradients, Adam m and v, EMA weights, the evaluation copy)
    /// and the activations of a training pass and a validation pass of `batch` windows.
    public static func trainingBytes(_ config: DenoiserConfig, batch: Int) -> Double {
        let acts = Double(DenoiserActivations.floats(config: config, rows: batch, frames: config.windowFrames, training: true))
        let buffers = Double(batch) * Double(config.windowFrames) * Double(4 * config.motionDim + 2 * config.audioDim)
        return 6 * parameterBytes(config) + 4 * (2 * acts + buffers)
    }

    /// The checks a model file passes before its arena is created: its config's weights fit in the file's data
    /// section (every weight is at least 2 bytes, F16), every tensor's name, shape and dtype match the config, and
    /// running it fits the memory budget.
    static func checkBeforeAllocating(_ config: DenoiserConfig, file: SafetensorsFile) throws {
        let layout = DenoiserParameters(config).layout
        let least = 2 * Double(layout.parameterCount)
        guard least <= Double(file.dataBytes) else {
            throw CheckpointError.metadata(
                path: file.path, key: configMetadataKey,
                reason: "asks for \(layout.parameterCount.groupedDigits) weights (at least \(MemoryBudget.format(least)) stored as F16), "
                    + "but the file holds \(file.dataBytes.groupedDigits) bytes of tensor data; the config does not belong to these tensors")
        }
        let problems = layout.problems(in: file)
        guard problems.isEmpty else { throw CheckpointError.tensorMismatch(path: file.path, problems: problems) }
        try MemoryBudget.check(generationBytes(config), for: "running this model", file: file.path,
                               detail: "width \(config.width), \(config.layers) layers, ffn \(config.ffn), windowFrames \(config.windowFrames)")
    }
}
