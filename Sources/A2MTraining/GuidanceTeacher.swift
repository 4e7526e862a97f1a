import A2MCore
import A2MGeneration
import A2MNN
import Foundation

/// The teacher of guidance distillation (`a2m train --teacher MODEL` with a config whose `model.distilledGuidance`
/// is set; docs/training.md, "Distilling guidance"). For each training batch it runs its conditioned and
/// unconditioned passes on the student's x_t (one call of 2B rows) and mixes them with the distilled method and
/// weight: that guided x0 is the student's target, in place of the data's clean motion.
///
/// The student starts from the teacher's weights and normalizes the data with the teacher's statistics, so the
/// two see the same numbers; the teacher must share the student's architecture, diffusion and audio features.
final class GuidanceTeacher {
    let start: StartingModel
    var model: GenerationModel { start.model }
    let guidance: DistilledGuidance
    let mixer: any GuidanceMixer
    /// The teacher's weight fingerprint: a resumed run must distil from the same teacher.
    var fingerprint: String { start.fingerprint }

    /// `__metadata__` key of a student's checkpoint and model file: the teacher's fingerprint.
    static let metadataKey = "a2m.teacher"

    init(url: URL, guidance: DistilledGuidance) throws {
        start = try StartingModel(url: url)
        guard start.model.denoiser.distilledGuidance == nil else {
            throw TrainingError.modelMismatch(reason: "\(url.path): the teacher is itself a guidance-distilled model; distil from a model with an unconditional mode")
        }
        guard start.model.denoiser.supportsGuidance else {
            throw TrainingError.modelMismatch(reason: "\(url.path): the teacher has no unconditional mode (trained with condDropProbability 0), so it has no guidance to distil")
        }
        self.guidance = guidance
        mixer = guidance.method.mixer(weight: guidance.weight, schedule: .constant)
    }

    /// What a student of this teacher must share with it, each mismatch named with both values.
    func problems(student config: A2MConfig, data: TrainingSet) -> [String] {
        start.problems(config: config, data: data, role: "the teacher")
    }

    /// The guided x0 [rows, frames, D] of the teacher at `noisy` x_t [rows, frames, D] and `timesteps` [rows], with
    /// each row's `audio` [rows, frames, M] (normalized with the teacher's statistics).
    func targets(noisy: [Float], timesteps: [Int], audio: [Float], rows: Int, frames: Int) throws -> [Float] {
        let net = model.denoiser
        let context = try net.encodeAudio(audio, clips: rows, frames: frames)
        let plan = mixer.plan(step: 0, of: 1)
        let branches: [DenoiserRow]
        switch plan.branches {
        case .conditional: branches = (0..<rows).map { DenoiserRow(clip: $0, conditioned: true) }
        case .unconditional: branches = (0..<rows).map { DenoiserRow(clip: $0, conditioned: false) }
        case .both: branches = (0..<rows).map { DenoiserRow(clip: $0, conditioned: true) } + (0..<rows).map { DenoiserRow(clip: $0, conditioned: false) }
        }
        let both = plan.branches == .both
        let out = try net.predictX0(x: both ? noisy + noisy : noisy, timesteps: both ? timesteps + timesteps : timesteps,
                                    rows: branches, context: context, frames: frames)
        return mixer.mix(plan, output: out, shape: PredictionShape(rows: rows, frames: frames, dim: net.motionDim)).x0
    }
}
