import A2MCore
import A2MGeneration
import Foundation

/// A trained model a run starts from instead of fresh weights: `a2m train --init MODEL` (fine-tuning, e.g. the
/// default model on your own data) or the teacher of guidance distillation (`--teacher`). The run takes its weights
/// and its normalization statistics, so the network keeps seeing the numbers it was trained on; the config's model,
/// diffusion and audio sections, the data's fps and its skeleton must therefore be the model's.
struct StartingModel {
    let url: URL
    let model: GenerationModel
    /// FNV-1a of the weights as loaded (F32): a resumed run must start from the same model.
    let fingerprint: String

    /// `__metadata__` key of a fine-tuned run's checkpoint and model file: the starting model's fingerprint.
    static let initMetadataKey = "a2m.init"

    init(url: URL) throws {
        self.url = url
        model = try GenerationModel.load(contentsOf: url)
        var h = ContentHash()
        let p = model.denoiser.parameters
        h.addWords(UnsafeRawBufferPointer(start: p.base, count: 4 * p.count))
        fingerprint = String(format: "%016llx", h.value)
    }

    /// What a run starting from this model must share with it, each mismatch named with both values. `role` names
    /// the model in the messages ("the teacher", "the --init model").
    func problems(config: A2MConfig, data: TrainingSet, role: String) -> [String] {
        configProblems(config: config, role: role) + dataProblems(data: data, role: role)
    }

    /// The part of `problems` the config alone decides: checked before the data is read. A config that leaves
    /// `model.motionDim` to the data is compared with the model's.
    func configProblems(config: A2MConfig, role: String) -> [String] {
        var out: [String] = []
        let t = model.denoiser.config
        var architecture = config.model.architecture
        if config.motionDimFromData { architecture.motionDim = t.motionDim }
        if t.architecture != architecture {
            out.append("the config's model section differs from \(role)'s (\(role): \(Self.json(t)); config: \(Self.json(architecture))); the run keeps \(role)'s architecture")
        }
        if model.diffusion != config.diffusion { out.append("the diffusion section differs from \(role)'s (\(Self.json(model.diffusion)))") }
        if model.audio != config.audio { out.append("the audio section differs from \(role)'s (\(Self.json(model.audio)))") }
        return out
    }

    /// The part of `problems` the data decides.
    func dataProblems(data: TrainingSet, role: String) -> [String] {
        var out: [String] = []
        if model.fps != data.fps { out.append("training.fps \(data.fps) differs from \(role)'s \(model.fps)") }
        if model.skeleton.joints.map(\.name) != data.skeleton.joints.map(\.name) {
            out.append("the data's skeleton (\(data.skeleton.jointCount) joints) is not \(role)'s (\(model.skeleton.jointCount) joints)")
        }
        return out
    }

    static func json<T: Encodable>(_ value: T) -> String { (try? GenerationModel.sortedJSON(value)) ?? "?" }
}
