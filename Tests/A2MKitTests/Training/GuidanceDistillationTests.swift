import Testing
import Foundation
@testable import A2MCore
@testable import A2MGeneration
@testable import A2MNN
@testable import A2MTraining

/// Guidance distillation (`a2m train --teacher`): the student learns the teacher's guided x0, samples at that
/// guidance in one conditioned pass per step, resumes exactly, and refuses what it cannot be.
@Suite(.serialized) struct GuidanceDistillationTests {
    /// The distilled guidance of these tests.
    static let guidance = DistilledGuidance(weight: 2.5, method: .cfg)
    /// The student's error against the teacher's guided prediction must fall to at most this share of where it
    /// starts (the teacher's own conditioned prediction).
    static let requiredErrorShare = 0.5

    func prepare(data: URL, config: URL?, out: URL, resume: URL? = nil, steps: Int? = nil, teacher: URL?) throws -> Trainer {
        try TrainingSession.prepare(.init(data: data, config: config, out: out, resume: resume, steps: steps, teacher: teacher)).trainer
    }

    /// The tiny config with `model.distilledGuidance` (or another JSON value for it).
    static func studentConfig(_ value: String = #"{"weight": 2.5, "method": "cfg"}"#, steps: Int = 40) -> String {
        TrainingFixtures.tinyConfig(steps: steps).replacingOccurrences(of: #""diffusionSteps": 1000},"#,
                                                                       with: #""diffusionSteps": 1000, "distilledGuidance": \#(value)},"#)
    }

    /// A teacher trained for a few steps on the fixture corpus (CFG dropout 0.25, so it has an unconditional mode).
    func trainTeacher(_ dir: ScratchDirectory, data: URL) throws -> URL {
        let cfg = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(steps: 40, checkpointInterval: 1000), in: dir, name: "teacher.json")
        let t = try prepare(data: data, config: cfg, out: dir.path("teacher"), teacher: nil)
        _ = try t.run()
        return t.modelURL
    }

    /// A scratch folder with the fixture corpus, a trained teacher and a student config of `steps` steps.
    func distillationSetUp(_ label: String, steps: Int) throws -> (dir: ScratchDirectory, data: URL, teacher: URL, config: URL) {
        Threads.set(1)
        let dir = try ScratchDirectory(label)
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 3)
        let teacher = try trainTeacher(dir, data: data)
        return (dir, data, teacher, try TrainingFixtures.writeConfig(Self.studentConfig(steps: steps), in: dir))
    }

    /// Mean squared difference, over the real frames of the first training windows at four noise levels, between
    /// `student`'s conditioned x0 and the teacher's guided x0.
    func distillationError(student: Denoiser, teacher: GuidanceTeacher, data: TrainingSet) throws -> Double {
        let L = student.config.windowFrames, D = student.motionDim
        let windows = Array(data.trainingWindows.prefix(4))
        var motion: [Float] = [], audio: [Float] = [], mask: [Float] = []
        data.fillBatch(windows, length: L, motion: &motion, audio: &audio, mask: &mask)
        let timesteps = [100, 400, 700, 950]
        var rng = PCG32(seed: 7, stream: 1)
        var noise = [Float](repeating: 0, count: motion.count)
        noise.withUnsafeMutableBufferPointer { rng.fillGaussian($0) }
        let noisy = DiffusionSchedule(DiffusionConfig()).qSample(x0: motion, timesteps: timesteps, noise: noise)
        let target = try teacher.targets(noisy: noisy, timesteps: timesteps, audio: audio, rows: windows.count, frames: L)
        let context = try student.encodeAudio(audio, clips: windows.count, frames: L)
        let out = try student.predictX0(x: noisy, timesteps: timesteps, rows: (0..<windows.count).map { DenoiserRow(clip: $0, conditioned: true) },
                                        context: context, frames: L)
        var sum = 0.0, n = 0.0
        for r in 0..<windows.count {
            for f in 0..<L where mask[r * L + f] > 0 {
                for i in 0..<D { let d = Double(out[(r * L + f) * D + i] - target[(r * L + f) * D + i]); sum += d * d }
                n += Double(D)
            }
        }
        return sum / n
    }

    @Test func studentLearnsTheGuidedPredictionAndSamplesInOnePass() throws {
        let (dir, data, teacherURL, cfg) = try distillationSetUp("distil", steps: 60)
        let s = try prepare(data: data, config: cfg, out: dir.path("student"), teacher: teacherURL)
        let teacher = try #require(s.teacher)
        // The student starts as the teacher, on the teacher's statistics.
        #expect(s.data.motionStats == teacher.model.motionStats && s.data.audioStats == teacher.model.audioStats)
        let before = try distillationError(student: s.model, teacher: teacher, data: s.data)
        #expect(before > 1e-4, "the tiny teacher's guided and conditioned predictions barely differ (\(before)); the test would show nothing")
        #expect(try s.run() == .finished(step: 60))
        let after = try distillationError(student: s.model, teacher: teacher, data: s.data)
        #expect(after <= Self.requiredErrorShare * before, "error against the guided prediction \(before) → \(after)")
        let log = try Trainer.readLog(s.logURL)
        #expect(log.allSatisfy { $0.condDropped == 0 && $0.valLossUncond == nil })

        // The model file: the guidance in its config, the teacher's fingerprint and statistics.
        let m = try GenerationModel.load(contentsOf: s.modelURL)
        #expect(m.denoiser.distilledGuidance == Self.guidance)
        #expect(m.motionStats == teacher.model.motionStats && m.audioStats == teacher.model.audioStats)
        let file = try SafetensorsFile(contentsOf: s.modelURL)
        #expect(file.metadata[GuidanceTeacher.metadataKey] == teacher.fingerprint)

        // Sampling: its own guidance, one conditioned pass per step, under the weight it reports.
        var options = SamplerOptions(guidance: 2.5)
        try options.validate(trainingSteps: 1000, supportsGuidance: true, distilled: m.denoiser.distilledGuidance)
        let mixer = options.makeGuidance(distilled: m.denoiser.distilledGuidance)
        for i in 0..<options.steps {
            #expect(mixer.plan(step: i, of: options.steps) == GuidancePlan(weight: 2.5, branches: .conditional))
        }
        // Any other guidance is refused, naming the one it has.
        for (w, method, schedule) in [(Float(1), GuidanceMethod.cfg, GuidanceSchedule.constant), (2.5, .lowpass, .constant), (2.5, .cfg, .ramp)] {
            options = SamplerOptions(guidance: w, guidanceSchedule: schedule, guidanceMethod: method)
            var config = GenerationConfiguration()
            config.sampling = options
            #expect { try config.validate(for: m) } throws: { e in
                "\(e)".contains("distilled") && "\(e)".contains("--guidance 2.5 --guidance-method cfg")
            }
        }
        // It generates: the pipeline, end to end, at its guidance.
        var config = GenerationConfiguration()
        config.sampling = SamplerOptions(kind: .dpmpp2m, steps: 4, guidance: 2.5, spacing: .fewStep)
        let audio = try FileManager.default.contentsOfDirectory(at: data, includingPropertiesForKeys: nil).first { $0.pathExtension == "wav" }!
        let pipeline = GenerationPipeline(model: m)
        let clips = try pipeline.clips([(name: "a", features: try pipeline.features(audio))], configuration: config)
        #expect(clips.count == 1 && clips[0].count == 1 && clips[0][0].frameCount > 0)
    }

    /// N steps straight vs N/2, stop, resume: the same model file; a resume without the teacher, or with
    /// another, is refused.
    @Test func distillationResumesExactlyAndOnlyFromItsTeacher() throws {
        let (dir, data, teacherURL, cfg) = try distillationSetUp("distil-resume", steps: 10)
        let a = try prepare(data: data, config: cfg, out: dir.path("a"), teacher: teacherURL)
        #expect(try a.run() == .finished(step: 10))
        let b = try prepare(data: data, config: cfg, out: dir.path("b"), teacher: teacherURL)
        #expect(try b.run(shouldStop: { b.step >= 5 }) == .stopped(step: 5))
        let checkpoint = dir.path("b/checkpoint.safetensors")
        #expect { try prepare(data: data, config: nil, out: dir.path("b"), resume: checkpoint, teacher: nil) } throws: { e in
            "\(e)".contains("--teacher")
        }
        // Another teacher: the first student (its architecture is the teacher's).
        #expect { try prepare(data: data, config: nil, out: dir.path("b"), resume: checkpoint, teacher: a.modelURL) } throws: { e in
            "\(e)".contains("guidance-distilled")
        }
        let other = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(steps: 41, checkpointInterval: 1000), in: dir, name: "other.json")
        let o = try prepare(data: data, config: other, out: dir.path("other"), teacher: nil)
        _ = try o.run()
        #expect { try prepare(data: data, config: nil, out: dir.path("b"), resume: checkpoint, teacher: o.modelURL) } throws: { e in
            "\(e)".contains("another teacher")
        }
        let b2 = try prepare(data: data, config: nil, out: dir.path("b"), resume: checkpoint, teacher: teacherURL)
        #expect(try b2.run() == .finished(step: 10))
        #expect(try Data(contentsOf: a.modelURL) == Data(contentsOf: b2.modelURL))
    }

    @Test func badDistillationSetupsAreClearErrors() throws {
        let (dir, data, teacherURL, _) = try distillationSetUp("distil-bad", steps: 40)
        func expectFailure(_ config: String, teacher: URL?, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
            let cfg = try TrainingFixtures.writeConfig(config, in: dir, name: "bad.json")
            let out = dir.path("bad-\(UUID().uuidString)")
            #expect(sourceLocation: sourceLocation) { try prepare(data: data, config: cfg, out: out, teacher: teacher) } throws: { e in
                fragments.allSatisfy { "\(e)".contains($0) }
            }
            #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("checkpoint.safetensors").path))
        }
        try expectFailure(Self.studentConfig(), teacher: nil, ["model.distilledGuidance", "--teacher"])
        try expectFailure(TrainingFixtures.tinyConfig(), teacher: teacherURL, ["--teacher", "model.distilledGuidance"])
        try expectFailure(Self.studentConfig(#"{"weight": 1, "method": "cfg"}"#), teacher: teacherURL, ["model.distilledGuidance.weight", "above 1"])
        try expectFailure(Self.studentConfig(#"{"weight": 0.5, "method": "cfgpp"}"#), teacher: teacherURL, ["cfgpp"])
        try expectFailure(Self.studentConfig(#"{"weight": 2.5, "method": "cfg", "extra": 1}"#), teacher: teacherURL, ["extra"])
        // Another architecture: both named.
        try expectFailure(Self.studentConfig().replacingOccurrences(of: #""ffn": 64"#, with: #""ffn": 96"#), teacher: teacherURL,
                          ["teacher", "\"ffn\":64", "\"ffn\":96"])
        // A teacher without an unconditional mode has no guidance.
        let p0 = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(p: 0, steps: 2, checkpointInterval: 1000), in: dir, name: "p0.json")
        let t0 = try prepare(data: data, config: p0, out: dir.path("p0"), teacher: nil)
        _ = try t0.run()
        try expectFailure(Self.studentConfig().replacingOccurrences(of: #""condDropProbability": 0.25"#, with: #""condDropProbability": 0"#),
                          teacher: t0.modelURL, ["no unconditional mode"])
    }
}
