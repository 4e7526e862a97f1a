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
}
