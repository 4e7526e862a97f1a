import Foundation
import Testing
@testable import A2MCore
@testable import A2MAudio
@testable import A2MNN
@testable import A2MGeneration

/// Models from before prosody (log-mel only, as the shipped Motions/default_model.safetensors) keep loading and
/// see exactly the features they saw before, on every path, so they generate the same bytes: the network's
/// input is bit-identical to the pre-prosody computation (`motionAlignedLogMel`, then `normalize`).
@Suite struct MelOnlyModelTests {
    @Test func shippedModelLoadsAsMelOnlyAndItsMetadataReadsBack() throws {
        let url = ShippedModelTests.modelURL
        let model = try GenerationModel.load(contentsOf: url)
        #expect(model.audio.prosody.isEmpty && model.audio.featureDim == 80 && model.denoiser.audioDim == 80)
        #expect(model.audioStats.featureDim == 80)
        // What a2m writes for this config today is what the file holds: a log-mel-only model saved now reads
        // the same in older a2m (which rejects unknown keys such as "prosody").
        let stored = try SafetensorsFile(contentsOf: url).metadata[GenerationModel.Key.audio]
        let written = try GenerationModel.metadata(diffusion: model.diffusion, audio: model.audio, skeleton: model.skeleton, fps: model.fps,
                                                   motionStats: model.motionStats, audioStats: model.audioStats, step: model.step)
        #expect(stored != nil && written[GenerationModel.Key.audio] == stored)
    }

    @Test func melOnlyFeaturesAreThePreProsodyOnesOnEveryPath() throws {
        let model = try GenerationModel.load(contentsOf: ShippedModelTests.modelURL)
        let pipeline = GenerationPipeline(model: model)
        let wav = try AudioFixtures.url("speech_multivoice", "wav")
        var before = try LogMelExtractor(model.audio).motionAlignedLogMel(try AudioFile.load(wav), fps: model.fps)
        model.audioStats.normalize(&before.values)
        let whole = try pipeline.features(wav)
        #expect(whole.frames == before.frames && whole.bins == 80)
        #expect(SamplerFixtures.bits(whole.values) == SamplerFixtures.bits(before.values), "whole-clip features changed")
        let stream = try pipeline.featureStream(wav)
        #expect(SamplerFixtures.bits(try stream.rows(0..<stream.frames)) == SamplerFixtures.bits(before.values), "streamed features changed")
        // `a2m features` and the library's feature call give the log-mel itself.
        let signal = try AudioFile.load(wav)
        let ex = try LogMelExtractor(model.audio)
        #expect(try ex.features(signal) == ex.logMel(signal))
    }
}
