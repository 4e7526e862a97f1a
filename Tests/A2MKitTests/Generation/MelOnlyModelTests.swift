import Foundation
import Testing
@testable import A2MCore
@testable import A2MAudio
@testable import A2MNN
@testable import A2MGeneration

/// Models from before prosody (log-mel only, as the default model shipped until 2026-12-07) keep loading and
/// see exactly the features they saw before, on every path, so they generate the same bytes: the network's
/// input is bit-identical to the pre-prosody computation (`motionAlignedLogMel`, then `normalize`). The model is
/// the tiny one on the 22-joint body skeleton, saved with the audio metadata those models hold.
@Suite struct MelOnlyModelTests {
    /// `a2m.audio` exactly as the log-mel-only default model of 2026-11-23 stored it (copied from that file).
    static let preProsodyAudioMetadata =
        #"{"epsilon":1e-10,"fmax":null,"fmin":0,"hopLength":512,"logMode":"powerToDB","nFFT":1024,"nMels":80,"sampleRate":15360,"topDB":null,"winLength":null}"#

    /// The tiny model with the pre-prosody audio metadata, in `dir`.
    static func melOnlyModel(in dir: URL) throws -> URL {
        try TinyModel.write(to: dir) { $0[GenerationModel.Key.audio] = preProsodyAudioMetadata }
    }

    @Test func preProsodyModelLoadsAsMelOnlyAndItsMetadataReadsBack() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try Self.melOnlyModel(in: dir)
        let model = try GenerationModel.load(contentsOf: url)
        #expect(model.audio.prosody.isEmpty && model.audio.featureDim == 80 && model.denoiser.audioDim == 80)
        #expect(model.audioStats.featureDim == 80)
        // What a2m writes for this config today is what those files hold: a log-mel-only model saved now reads
        // the same in older a2m (which rejects unknown keys such as "prosody").
        let written = try GenerationModel.metadata(diffusion: model.diffusion, audio: model.audio, skeleton: model.skeleton, fps: model.fps,
                                                   motionStats: model.motionStats, audioStats: model.audioStats, step: model.step)
        #expect(written[GenerationModel.Key.audio] == Self.preProsodyAudioMetadata)
    }

    @Test func melOnlyFeaturesAreThePreProsodyOnesOnEveryPath() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try GenerationModel.load(contentsOf: try Self.melOnlyModel(in: dir))
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
