import Foundation
import Testing
@testable import A2MCore
@testable import A2MAudio
@testable import A2MMotion
@testable import A2MNN
@testable import A2MGeneration
@testable import A2MTraining

/// Training with prosody columns: the training set carries and normalizes them, the cache key follows the
/// feature config, and classifier-free-guidance dropout drops them with the log-mel (design.md §4.1).
@Suite(.serialized) struct ProsodyTrainingTests {
    static func config(prosody: [ProsodyFeature] = ProsodyFeature.allCases) throws -> A2MConfig {
        var cfg = try StrictJSON.decode(A2MConfig.self, from: Data(TrainingFixtures.tinyConfig().utf8), file: "tiny")
        cfg.audio.prosody = prosody
        cfg.model.audioDim = cfg.audio.featureDim
        try cfg.validate(file: "tiny")
        return cfg
    }

    @Test func trainingSetCarriesNormalizedProsodyAndTheCacheFollowsTheConfig() throws {
        let dir = try ScratchDirectory("prosody-set")
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 3)
        let cfg = try Self.config()
        let set = try TrainingSet.load(directory: data, audio: cfg.audio, training: cfg.training)
        #expect(set.audioDim == 16 + 4 && set.audioStats.featureDim == 20)
        let audio = set.files.indices.map { set.audio(file: $0) }
        #expect(set.files.indices.allSatisfy { audio[$0].count == set.files[$0].frames * 20 && audio[$0].allSatisfy(\.isFinite) })
        // The fixtures' audio is a 220 Hz tone under a slow envelope: log-F0 statistics over voiced frames
        // sit at hz_to_midi(220) = 57 semitones.
        let f0 = cfg.audio.column(of: .logF0)!
        #expect(abs(set.audioStats.mean[f0] - 57) < 0.05, "log-F0 mean \(set.audioStats.mean[f0])")
        // Every column is normalized over the training files (mean 0 there; unvoiced log-F0 is the mean, 0).
        let training = set.trainingFiles.map { (frames: set.files[$0].frames, audio: audio[$0]) }
        let frames = training.reduce(0) { $0 + $1.frames }
        for column in 16..<20 {
            let mean = training.reduce(0.0) { acc, f in acc + (0..<f.frames).reduce(0.0) { $0 + Double(f.audio[$1 * 20 + column]) } } / Double(frames)
            #expect(abs(mean) < 1e-3, "column \(column) mean \(mean)")
        }
        // The cache: the same config hits, opting in or out of prosody (or another order) misses.
        #expect(set.cacheMisses == 3)
        #expect(try TrainingSet.load(directory: data, audio: cfg.audio, training: cfg.training).cacheHits == 3)
        let reordered = try Self.config(prosody: [.onset, .rmsDB, .voicing, .logF0])
        #expect(try TrainingSet.load(directory: data, audio: reordered.audio, training: cfg.training).cacheMisses == 3)
        let melOnly = try Self.config(prosody: [])
        let plain = try TrainingSet.load(directory: data, audio: melOnly.audio, training: cfg.training)
        #expect(plain.cacheMisses == 3 && plain.audioDim == 16)
        // The log-mel columns do not change when prosody columns are added after them.
        for i in plain.files.indices {
            let fa = plain.files[i].frames, fb = set.files[i].frames
            #expect(fa == fb)
            let a = plain.audio(file: i), b = audio[i]
            let raw = (0..<fa).allSatisfy { t in (0..<16).allSatisfy { plain.audioStats.denormalized(Array(a[(t * 16)..<(t * 16 + 16)]))[$0] == set.audioStats.denormalized(Array(b[(t * 20)..<(t * 20 + 20)]))[$0] } }
            #expect(raw, "log-mel columns differ with prosody")
        }
    }

    /// design.md §4.1 with prosody: a dropped row's loss and every gradient are bit-identical whatever its audio
    /// row holds, prosody columns included, while a kept row's depend on its prosody columns alone.
    @Test func conditionDropoutDropsProsodyWithTheMel() throws {
        let dir = try ScratchDirectory("prosody-drop")
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 2)
        var cfg = try Self.config()
        cfg.training.validationFraction = 0
        let set = try TrainingSet.load(directory: data, audio: cfg.audio, training: cfg.training)
        let t = cfg.model.windowFrames, M = set.audioDim
        var motion: [Float] = [], audio: [Float] = [], mask: [Float] = []
        set.fillBatch(Array(set.trainingWindows.prefix(2)), length: t, motion: &motion, audio: &audio, mask: &mask)
        var rng = PCG32(seed: 12, stream: 3)
        let noisy = motion.map { $0 + rng.gaussian() }

        func run(_ audio: [Float], keep: [Bool]) throws -> (loss: Double, grads: [String: [Float]]) {
            let m = try Denoiser(config: cfg.model, seed: 21)
            m.fixedDropoutKey = 4
            let batch = DenoiserBatch(rows: 2, frames: t, noisy: noisy, timesteps: [120, 640], audio: audio, keep: keep,
                                      target: motion, frameMask: mask, rowWeights: [1, 1])
            let loss = try m.trainStep(batch)
            var grads: [String: [Float]] = [:]
            for s in m.layout.specs { grads[s.name] = Array(m.gradients.view(s.name)) }
            return (loss.total, grads)
        }
        /// `audio` with the columns `columns` of row `row` (all its frames) replaced by large random values.
        func perturbed(row: Int, columns: Range<Int>) -> [Float] {
            var a = audio
            var r = PCG32(seed: UInt64(row * 100 + columns.lowerBound))
            for f in 0..<t { for c in columns { a[(row * t + f) * M + c] = 3 * r.gaussian() } }
            return a
        }
        let prosody = cfg.audio.nMels..<M, mel = 0..<cfg.audio.nMels
        let base = try run(audio, keep: [true, false])
        for columns in [prosody, mel, 0..<M] {
            let other = try run(perturbed(row: 1, columns: columns), keep: [true, false])
            #expect(other.loss == base.loss && other.grads == base.grads, "dropped row read audio columns \(columns)")
        }
        let kept = try run(perturbed(row: 0, columns: prosody), keep: [true, false])
        #expect(kept.loss != base.loss, "the kept row's prosody columns did not reach the loss")
        #expect(kept.grads["cin.weight"]! != base.grads["cin.weight"]!)
        // The audio encoder's input weights for the prosody columns learn from kept rows only.
        let allDropped = try run(audio, keep: [false, false])
        #expect(allDropped.grads["cin.weight"]!.allSatisfy { $0 == 0 })
        #expect(base.grads["cin.weight"]!.contains { $0 != 0 })
    }
}
