import Testing
import Foundation
@testable import A2MCore
@testable import A2MGeneration
@testable import A2MNN
@testable import A2MTraining

/// Fine-tuning (`a2m train --init MODEL`): the run starts from the model's weights and statistics, records which
/// model it started from, resumes exactly only from that model, and refuses what cannot continue the model.
@Suite(.serialized) struct FineTuneTests {
    static func values(_ a: TensorArena) -> [Float] { Array(UnsafeBufferPointer(start: a.base, count: a.count)) }

    func prepare(data: URL, config: URL?, out: URL, resume: URL? = nil, teacher: URL? = nil, initial: URL?) throws -> Trainer {
        try TrainingSession.prepare(.init(data: data, config: config, out: out, resume: resume, teacher: teacher, initial: initial)).trainer
    }

    /// A scratch folder with the fixture corpus, a model trained on it for a few steps and a fine-tuning config.
    func setUp(_ label: String, steps: Int) throws -> (dir: ScratchDirectory, data: URL, model: URL, config: URL) {
        Threads.set(1)
        let dir = try ScratchDirectory(label)
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 3)
        let base = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(steps: 30, checkpointInterval: 1000), in: dir, name: "base.json")
        let t = try prepare(data: data, config: base, out: dir.path("base"), initial: nil)
        _ = try t.run()
        // Another seed, so a fresh run of this config would not start where the model is.
        let cfg = TrainingFixtures.tinyConfig(steps: steps).replacingOccurrences(of: #""seed": 3"#, with: #""seed": 5"#)
        return (dir, data, t.modelURL, try TrainingFixtures.writeConfig(cfg, in: dir))
    }

    @Test func fineTuningStartsFromTheModelAndResumesExactlyOnlyFromIt() throws {
        let (dir, data, modelURL, cfg) = try setUp("finetune", steps: 10)
        let start = try GenerationModel.load(contentsOf: modelURL)
        let a = try prepare(data: data, config: cfg, out: dir.path("a"), initial: modelURL)
        // Its weights and statistics, not fresh ones or the data's.
        #expect(SamplerFixtures.maxAbsDiff(Self.values(a.model.parameters), Self.values(start.denoiser.parameters)) == 0)
        #expect(a.data.motionStats == start.motionStats && a.data.audioStats == start.audioStats)
        let fresh = try prepare(data: data, config: cfg, out: dir.path("fresh"), initial: nil)
        #expect(SamplerFixtures.maxAbsDiff(Self.values(fresh.model.parameters), Self.values(start.denoiser.parameters)) > 0)
        #expect(try a.run() == .finished(step: 10))
        let tuned = try SafetensorsFile(contentsOf: a.modelURL)
        #expect(tuned.metadata[StartingModel.initMetadataKey] == (try StartingModel(url: modelURL)).fingerprint)
        let after = try GenerationModel.load(contentsOf: a.modelURL)
        #expect(SamplerFixtures.maxAbsDiff(Self.values(after.denoiser.parameters), Self.values(start.denoiser.parameters)) > 0, "ten steps changed nothing")

        let b = try prepare(data: data, config: cfg, out: dir.path("b"), initial: modelURL)
        #expect(try b.run(shouldStop: { b.step >= 5 }) == .stopped(step: 5))
        let checkpoint = dir.path("b/checkpoint.safetensors")
        #expect { try prepare(data: data, config: nil, out: dir.path("b"), resume: checkpoint, initial: nil) } throws: { e in
            "\(e)".contains("--init")
        }
        #expect { try prepare(data: data, config: nil, out: dir.path("b"), resume: checkpoint, initial: a.modelURL) } throws: { e in
            "\(e)".contains("another model")
        }
        let b2 = try prepare(data: data, config: nil, out: dir.path("b"), resume: checkpoint, initial: modelURL)
        #expect(try b2.run() == .finished(step: 10))
        #expect(try Data(contentsOf: a.modelURL) == Data(contentsOf: b2.modelURL))

        // A run that started from fresh weights cannot be resumed as a fine-tune.
        #expect(try fresh.run(shouldStop: { fresh.step >= 2 }) == .stopped(step: 2))
        #expect { try prepare(data: data, config: nil, out: dir.path("fresh"), resume: dir.path("fresh/checkpoint.safetensors"), initial: modelURL) } throws: { e in
            "\(e)".contains("did not start from a model")
        }
    }

    @Test func badFineTuningSetupsAreClearErrors() throws {
        let (dir, data, modelURL, cfg) = try setUp("finetune-bad", steps: 10)
        /// `beforeData`: the config alone is wrong, so the refusal comes before the data is preprocessed (no cache).
        func expectFailure(_ config: URL, initial: URL, teacher: URL? = nil, _ fragments: [String], beforeData: Bool = false,
                           sourceLocation: SourceLocation = #_sourceLocation) {
            let out = dir.path("bad-\(UUID().uuidString)")
            #expect(sourceLocation: sourceLocation) { try prepare(data: data, config: config, out: out, teacher: teacher, initial: initial) } throws: { e in
                fragments.allSatisfy { "\(e)".contains($0) }
            }
            #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("checkpoint.safetensors").path), sourceLocation: sourceLocation)
            if beforeData {
                #expect(!FileManager.default.fileExists(atPath: TrainingSession.Options.defaultCache(out: out).path), "the data was preprocessed first",
                        sourceLocation: sourceLocation)
            }
        }
        // Another architecture: both values named.
        let wide = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig().replacingOccurrences(of: #""ffn": 64"#, with: #""ffn": 96"#), in: dir, name: "wide.json")
        expectFailure(wide, initial: modelURL, ["--init", "\"ffn\":64", "\"ffn\":96"], beforeData: true)
        // Another noise schedule.
        let linear = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig().replacingOccurrences(of: #""diffusion": {"steps": 1000}"#, with: #""diffusion": {"steps": 1000, "schedule": "linear"}"#),
                                                      in: dir, name: "linear.json")
        expectFailure(linear, initial: modelURL, ["--init", "diffusion"], beforeData: true)
        // Not a model file.
        expectFailure(cfg, initial: dir.path("missing.safetensors"), ["missing.safetensors"])
        // With --teacher: the student already starts from its teacher.
        let student = try TrainingFixtures.writeConfig(GuidanceDistillationTests.studentConfig(), in: dir, name: "student.json")
        expectFailure(student, initial: modelURL, teacher: modelURL, ["--init", "--teacher"])
    }
}
