import Testing
import Foundation
@testable import A2MGeneration
@testable import A2MTraining

/// The `a2m train` binary, built next to the test bundle.
@Suite(.serialized) struct TrainCommandTests {
    func corpus(_ dir: ScratchDirectory) throws -> URL { try TrainingFixtures.dataDirectory(in: dir, count: 2) }

    @Test func stepsAreHonoredExactly() throws {
        let dir = try ScratchDirectory("cli")
        let data = try corpus(dir)
        let cfg = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(steps: 50, validationFraction: 0), in: dir)
        let out = dir.path("out")
        let r = try AudioFixtures.run(try AudioFixtures.a2mBinary().path, ["train", "--data", data.path, "--config", cfg.path, "--out", out.path,
                                                               "--steps", "7", "--threads", "1", "--quiet"])
        try #require(r.status == 0, "a2m train failed: \(r.stderr)")
        let log = try Trainer.readLog(out.appendingPathComponent("train.jsonl"))
        #expect(log.map(\.step) == Array(1...7))
        #expect(log.last!.lr == 0)   // the cosine schedule ends at the overridden step count
        #expect(try GenerationModel.load(contentsOf: out.appendingPathComponent("model.safetensors")).step == 7)
    }

    @Test func badInputExitsNonZeroAndWritesNothing() throws {
        let dir = try ScratchDirectory("cli")
        let data = try corpus(dir)
        let cfg = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(validationFraction: 0).replacingOccurrences(of: #""seed": 3"#, with: #""seed": 3, "sede": 1"#), in: dir)
        let out = dir.path("out")
        let r = try AudioFixtures.run(try AudioFixtures.a2mBinary().path, ["train", "--data", data.path, "--config", cfg.path, "--out", out.path, "--quiet"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("'sede'") && r.stderr.contains(cfg.path), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    /// SIGINT or SIGTERM mid-run: a resumable checkpoint at the next step boundary, exit status 128 + signal, and
    /// the resumed run finishes the requested number of steps.
    @Test(arguments: [SIGINT, SIGTERM]) func signalWritesAResumableCheckpoint(_ sig: Int32) throws {
        let dir = try ScratchDirectory("cli")
        let data = try corpus(dir)
        let cfg = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(steps: 100_000, validationFraction: 0, checkpointInterval: 1_000_000), in: dir)
        let out = dir.path("out")
        let p = Process()
        p.executableURL = try AudioFixtures.a2mBinary()
        p.arguments = ["train", "--data", data.path, "--config", cfg.path, "--out", out.path, "--threads", "1", "--quiet"]
        let err = Pipe()
        p.standardError = err
        try p.run()
        let log = out.appendingPathComponent("train.jsonl")
        var waited = 0
        while (try? Trainer.readLog(log).count) ?? 0 < 3 && waited < 6000 && p.isRunning { usleep(10_000); waited += 1 }
        kill(p.processIdentifier, sig)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 128 + sig, "\(stderr)")
        #expect(stderr.contains("stopped by \(StopSignal.name(sig))") && stderr.contains("--resume"), "\(stderr)")
        let ckpt = out.appendingPathComponent("checkpoint.safetensors")
        let saved = try TrainingSession.configOfCheckpoint(ckpt)
        let set = try TrainingSet.load(.init(directory: data), cache: out.appendingPathComponent("cache"), audio: saved.audio, training: saved.training)
        let state = try Trainer.readState(ckpt, config: saved, data: set).0
        let logged = try Trainer.readLog(log)
        #expect(state.step >= 3 && state.step == logged.last!.step)
        let r = try AudioFixtures.run(try AudioFixtures.a2mBinary().path, ["train", "--data", data.path, "--out", out.path, "--resume", ckpt.path,
                                                               "--steps", String(state.step + 2), "--threads", "1", "--quiet"])
        try #require(r.status == 0, "resume failed: \(r.stderr)")
        #expect(try Trainer.readLog(log).map(\.step) == Array(1...(state.step + 2)))
    }

    /// `--stop-after N` ends a sitting with a checkpoint after step N (exit 0), and resuming it gives the same model,
    /// byte for byte, as the run without a stop: a long run spread over sittings at steps one can name (the default
    /// model's recipe, docs/model_card.md).
    @Test func stopAfterEndsASittingThatResumesExactly() throws {
        let dir = try ScratchDirectory("cli")
        let data = try corpus(dir)
        let cfg = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(steps: 12, validationFraction: 0), in: dir)
        let a2m = try AudioFixtures.a2mBinary().path
        let whole = dir.path("whole"), split = dir.path("split")
        let r = try AudioFixtures.run(a2m, ["train", "--data", data.path, "--config", cfg.path, "--out", whole.path, "--threads", "1", "--quiet"])
        try #require(r.status == 0, "a2m train failed: \(r.stderr)")
        let first = try AudioFixtures.run(a2m, ["train", "--data", data.path, "--config", cfg.path, "--out", split.path, "--stop-after", "5",
                                                "--threads", "1", "--quiet"])
        try #require(first.status == 0, "a2m train --stop-after failed: \(first.stderr)")
        #expect(first.stderr.contains("stopped after step 5 (--stop-after)") && first.stderr.contains("--resume"), "\(first.stderr)")
        #expect(try Trainer.readLog(split.appendingPathComponent("train.jsonl")).map(\.step) == Array(1...5))
        let ckpt = split.appendingPathComponent("checkpoint.safetensors")
        let again = try AudioFixtures.run(a2m, ["train", "--data", data.path, "--out", split.path, "--resume", ckpt.path, "--stop-after", "5",
                                                "--threads", "1", "--quiet"])
        #expect(again.status != 0 && again.stderr.contains("already at step 5"), "\(again.stderr)")
        let rest = try AudioFixtures.run(a2m, ["train", "--data", data.path, "--out", split.path, "--resume", ckpt.path, "--threads", "1", "--quiet"])
        try #require(rest.status == 0, "resume failed: \(rest.stderr)")
        let a = try Data(contentsOf: whole.appendingPathComponent("model.safetensors"))
        let b = try Data(contentsOf: split.appendingPathComponent("model.safetensors"))
        #expect(a == b, "the model of a run stopped after step 5 and resumed differs from the uninterrupted run's")
    }
}
