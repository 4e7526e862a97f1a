import Testing
import Foundation
@testable import A2MCore
@testable import A2MMotion
@testable import A2MAudio
@testable import A2MNN
@testable import A2MTraining

@Suite struct A2MConfigTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func shippedConfigsLoadAndAreConsistent() throws {
        // small_v1 is the recipe of the model of 2026-11-23: corpus v1 on the 22-joint body skeleton; the rest are for the
        // default skeleton with fingers that `a2m corpus` writes.
        for name in ["tiny", "small", "base", "small_prosody", "small_v1", "finetune_small_prosody"] {
            let url = Self.repository.appendingPathComponent("Configs/\(name).json")
            let c = try A2MConfig.load(contentsOf: url)
            // Every shipped config spells out its training section (no silent defaults).
            let top = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
            let training = top["training"] as! [String: Any]
            #expect(Set(training.keys) == Set(TrainingConfig.CodingKeys.allCases.map(\.stringValue)), "\(name)")
            // The sizes the data fixes are left to the data (issue 39): motionDim from the skeleton, audioDim from
            // the audio section. Left out, motionDim is the default skeleton's until the data resolves it; small_v1
            // names its 22-joint body so that data for another skeleton is refused.
            let model = top["model"] as! [String: Any]
            let skeleton = name == "small_v1" ? Skeleton.a2mBody : Skeleton.a2mDefault
            #expect(c.model.motionDim == MotionFeatures.featureDim(for: skeleton), "\(name)")
            if name == "small_v1" {
                #expect(model["motionDim"] as? Int == MotionFeatures.featureDim(for: skeleton) && !c.motionDimFromData)
            } else {
                #expect(model["motionDim"] == nil && model["audioDim"] == nil && c.motionDimFromData, "\(name)")
            }
            #expect(c.model.audioDim == c.audio.featureDim, "\(name)")
        }
        // The prosody config is small.json plus the audio section that opts in (and the audioDim that follows).
        let small = try A2MConfig.load(contentsOf: Self.repository.appendingPathComponent("Configs/small.json"))
        var prosody = try A2MConfig.load(contentsOf: Self.repository.appendingPathComponent("Configs/small_prosody.json"))
        #expect(prosody.audio.prosody == ProsodyFeature.allCases && prosody.model.audioDim == 84)
        prosody.audio.prosody = []
        prosody.model.audioDim = 80
        #expect(prosody == small)
        // The default model's fine-tuning recipe continues small_prosody's network on a shorter, gentler schedule.
        var finetune = try A2MConfig.load(contentsOf: Self.repository.appendingPathComponent("Configs/finetune_small_prosody.json"))
        #expect(finetune.training.learningRate < small.training.learningRate && finetune.training.totalSteps < small.training.totalSteps)
        (finetune.training.learningRate, finetune.training.warmupSteps, finetune.training.totalSteps) = (small.training.learningRate, small.training.warmupSteps, small.training.totalSteps)
        (finetune.training.checkpointInterval, finetune.training.seed) = (small.training.checkpointInterval, small.training.seed)
        prosody.audio.prosody = ProsodyFeature.allCases
        prosody.model.audioDim = 84
        #expect(finetune == prosody)
        var v1 = try A2MConfig.load(contentsOf: Self.repository.appendingPathComponent("Configs/small_v1.json"))
        v1.model.motionDim = small.model.motionDim
        #expect(v1 == small)
    }

    /// The network's default motion size is the default (finger) skeleton's feature size (4 + 6 × 52 = 316). A
    /// training config that leaves `model.motionDim` out takes it from the data instead (issue 39), and every model
    /// file states its own, so models made on the 22-joint body skeleton keep loading as they were.
    @Test func defaultMotionDimIsTheDefaultSkeletons() {
        #expect(DenoiserConfig().motionDim == MotionFeatures.featureDim(for: Skeleton.a2mDefault))
    }

    /// DenoiserConfig's hand-written `encode(to:)` lists the fields once more (to leave a default smoothing and an
    /// absent distilled guidance out of model metadata); a field added to CodingKeys but forgotten there fails here.
    @Test func denoiserConfigEncodesEveryKey() throws {
        var c = DenoiserConfig()
        let keys = { (c: DenoiserConfig) in
            Set((try JSONSerialization.jsonObject(with: JSONEncoder().encode(c)) as! [String: Any]).keys)
        }
        let all = Set(DenoiserConfig.CodingKeys.allCases.map(\.stringValue))
        #expect(try keys(c) == all.subtracting(["alignedAudioSmoothing", "distilledGuidance"]))
        c.alignedAudioSmoothing = 4
        c.distilledGuidance = DistilledGuidance(weight: 2.5, method: .lowpass)
        #expect(try keys(c) == all)
        #expect(try JSONDecoder().decode(DenoiserConfig.self, from: JSONEncoder().encode(c)) == c)
    }

    @Test func emptyObjectIsTheDefaultConfig() throws {
        let c = try StrictJSON.decode(A2MConfig.self, from: Data("{}".utf8), file: "c.json")
        #expect(c == A2MConfig())
    }

    @Test func unknownKeysAreNamedWithTheirPath() {
        #expect { try StrictJSON.decode(A2MConfig.self, from: Data(#"{"trainig": {}}"#.utf8), file: "c.json") } throws: { e in
            "\(e)".contains("c.json") && "\(e)".contains("'trainig'") && "\(e)".contains("training")
        }
        #expect { try StrictJSON.decode(A2MConfig.self, from: Data(#"{"training": {"lr": 1}}"#.utf8), file: "c.json") } throws: { e in
            "\(e)".contains("'lr'") && "\(e)".contains("in training")
        }
        #expect { try StrictJSON.decode(A2MConfig.self, from: Data(#"{"model": {"condDrop": 1}}"#.utf8), file: "c.json") } throws: { e in
            "\(e)".contains("'condDrop'") && "\(e)".contains("in model")
        }
    }

    /// Valid JSON with a value of the wrong kind names the field, not "not valid JSON".
    @Test func numberThatDoesNotFitTheFieldIsNamed() {
        #expect { try StrictJSON.decode(A2MConfig.self, from: Data(#"{"model": {"alignedAudioSmoothing": 2.5}}"#.utf8), file: "c.json") } throws: { e in
            "\(e)".contains("c.json") && "\(e)".contains("'model.alignedAudioSmoothing'") && "\(e)".contains("2.5") && !"\(e)".contains("not valid JSON")
        }
        #expect { try StrictJSON.decode(A2MConfig.self, from: Data(#"{"model": {"width": 1e30}}"#.utf8), file: "c.json") } throws: { e in
            "\(e)".contains("'model.width'")
        }
    }

    @Test func crossSectionChecksNameBothFields() throws {
        var c = A2MConfig()
        c.model.motionDim = MotionFeatures.featureDim(for: Skeleton.a2mDefault)
        try c.validate(file: "c.json")
        var bad = c
        bad.model.condDropProbability = 1.5
        #expect { try bad.validate(file: "c.json") } throws: { e in "\(e)".contains("model.condDropProbability") && "\(e)".contains("0.0...1.0") }
        bad = c
        bad.audio.nMels = 64
        #expect { try bad.validate(file: "c.json") } throws: { e in "\(e)".contains("model.audioDim") && "\(e)".contains("audio.nMels") }
        bad = c
        bad.audio.prosody = [.voicing, .onset]
        #expect { try bad.validate(file: "c.json") } throws: { e in
            "\(e)".contains("model.audioDim 80 must equal the number of audio features, audio.nMels 80 + 2 audio.prosody features = 82")
        }
        bad.model.audioDim = 82
        try bad.validate(file: "c.json")
        bad = c
        bad.diffusion.steps = 500
        #expect { try bad.validate(file: "c.json") } throws: { e in "\(e)".contains("model.diffusionSteps") && "\(e)".contains("diffusion.steps") }
        bad = c
        bad.training.windowFrames = 100
        #expect { try bad.validate(file: "c.json") } throws: { e in "\(e)".contains("training.windowFrames") && "\(e)".contains("model.windowFrames") }
        bad = c
        bad.training.windowStride = 121
        #expect { try bad.validate(file: "c.json") } throws: { e in "\(e)".contains("training.windowStride") }
        bad = c
        bad.audio.hopLength = 256
        #expect { try bad.validate(file: "c.json") } throws: { e in "\(e)".contains("training.fps") && "\(e)".contains("15360 / 256") }
    }

    /// model.motionDim and model.audioDim may be left out: audioDim follows from the audio section, motionDim from
    /// the data; a number given that disagrees is refused with both numbers.
    @Test func dimensionsComeFromTheData() throws {
        let c = try StrictJSON.decode(A2MConfig.self, from: Data(#"{"audio": {"nMels": 40}}"#.utf8), file: "c.json")
        #expect(c.model.audioDim == 40 && c.motionDimFromData)
        let r = try c.resolvingDimensions(motionDim: 454, jointCount: 75, file: "c.json")
        #expect(r.model.motionDim == 454 && !r.motionDimFromData)
        // A resolved config equals one that wrote the numbers (what a resumed run compares).
        let written = try StrictJSON.decode(A2MConfig.self, from: Data(#"{"audio": {"nMels": 40}, "model": {"motionDim": 454, "audioDim": 40}}"#.utf8), file: "w.json")
        #expect(written == r && !written.motionDimFromData)
        #expect { try written.resolvingDimensions(motionDim: 136, jointCount: 22, file: "w.json") } throws: { e in
            "\(e)".contains("w.json") && "\(e)".contains("model.motionDim") && "\(e)".contains("454") && "\(e)".contains("136") && "\(e)".contains("22 joints")
        }
        let wrongAudio = try StrictJSON.decode(A2MConfig.self, from: Data(#"{"audio": {"nMels": 40}, "model": {"audioDim": 80}}"#.utf8), file: "a.json")
        #expect { try wrongAudio.validate(file: "a.json") } throws: { e in "\(e)".contains("model.audioDim") && "\(e)".contains("80") && "\(e)".contains("40") }
    }
}
