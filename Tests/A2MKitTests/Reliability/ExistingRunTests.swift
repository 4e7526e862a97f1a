import Foundation
import Testing
@testable import A2MCore
@testable import A2MTraining
import A2MKit

/// A new training run never replaces another run's checkpoint, model or log unless `--overwrite` says so.
@Suite(.serialized) struct ExistingRunTests {
    @Test func aNewRunRefusesADirectoryThatHoldsARun() throws {
        Threads.set(1)
        let dir = try ScratchDirectory("existing-run")
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 2)
        let cfg = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(steps: 2, validationFraction: 0), in: dir)
        let out = dir.path("out")
        let r1 = try Probe.a2m(["train", "--data", data.path, "--config", cfg.path, "--out", out.path, "--threads", "1", "--quiet"])
        #expect(r1.status == 0, "\(r1.stderr)")
        let files = TrainingSession.runFiles.map { out.appendingPathComponent($0) }
        let before = try files.map { try Data(contentsOf: $0) }

        let r2 = try Probe.a2m(["train", "--data", data.path, "--config", cfg.path, "--out", out.path, "--seed", "7", "--threads", "1", "--quiet"])
        #expect(r2.status != 0)
        #expect(r2.stderr.contains(out.path) && r2.stderr.contains("already holds a training run") && r2.stderr.contains("--resume"),
                "\(r2.stderr)")
        #expect(try files.map { try Data(contentsOf: $0) } == before, "a refused run changed the earlier run's files")

        let r3 = try Probe.a2m(["train", "--data", data.path, "--config", cfg.path, "--out", out.path, "--seed", "7", "--overwrite",
                                "--threads", "1", "--quiet"])
        #expect(r3.status == 0, "\(r3.stderr)")
        #expect(try Data(contentsOf: files[0]) != before[0], "--overwrite did not start a new run")

        let r4 = try Probe.a2m(["train", "--data", data.path, "--out", out.path, "--resume", files[0].path, "--overwrite", "--quiet"])
        #expect(r4.status != 0 && r4.stderr.contains("--overwrite"), "\(r4.stderr)")
    }
}
