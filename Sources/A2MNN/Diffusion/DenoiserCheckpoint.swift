import A2MCore
import Foundation

extension Denoiser {
    /// `__metadata__` key holding the model's `DenoiserConfig` as JSON.
    static let configMetadataKey = "a2m.model"

    /// Writes a safetensors checkpoint: `weights` (default: this model's parameters; pass the EMA arena to
    /// ship EMA weights) under the torch reference's names, plus `extra` arenas under their prefixes (e.g.
    /// "train.params.", "train.adam_m.", "train.adam_v." for a resumable checkpoint — keep those F32).
    /// `metadata` is stored as given, plus the model config under `configMetadataKey`. Atomic.
    package func saveCheckpoint(to url: URL, weights: TensorArena? = nil, metadata: [String: String] = [:],
                               dtype: CheckpointDType = .f32, extra: [(prefix: String, arena: TensorArena)] = []) throws {
        var meta = metadata
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        meta[Denoiser.configMetadataKey] = String(decoding: try enc.encode(config), as: UTF8.self)
        var entries = (weights ?? parameters).entries()
        for (prefix, arena) in extra { entries += arena.entries(prefix: prefix) }
        try SafetensorsWriter.write(entries, metadata: meta, dtype: dtype, to: url)
    }

    /// Opens a checkpoint, builds the model from its stored config and loads its weights (plain names).
    /// The returned file gives access to the other metadata and to training-state tensors.
    public static func load(contentsOf url: URL) throws -> (model: Denoiser, file: SafetensorsFile) {
        let file = try SafetensorsFile(contentsOf: url)
        guard let json = file.metadata[configMetadataKey] else {
            throw CheckpointError.metadata(path: url.path, key: configMetadataKey, reason: "missing; not an a2m denoiser checkpoint")
        }
        let config: DenoiserConfig
        do { config = try StrictJSON.decode(DenoiserConfig.self, from: Data(json.utf8), file: url.path + " [__metadata__.\(configMetadataKey)]") } catch {
            throw CheckpointError.metadata(path: url.path, key: configMetadataKey, reason: "\(error)")
        }
        do { try config.validate(file: url.path) } catch {
            throw CheckpointError.metadata(path: url.path, key: configMetadataKey, reason: "\(error)")
        }
        // Before the arena exists: a 300-byte file must not be able to ask for 237 GB.
        try checkBeforeAllocating(config, file: file)
        let model = try Denoiser(config: config)
        try model.parameters.load(from: file)
        return (model, file)
    }
}
