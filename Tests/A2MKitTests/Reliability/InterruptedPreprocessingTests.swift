import Foundation
import Testing
@testable import A2MCore
@testable import A2MAudio
@testable import A2MMotion
@testable import A2MNN
@testable import A2MGeneration
@testable import A2MTraining
@testable import A2MCorpus
@testable import A2MEvaluation
@testable import A2MView
import A2MKit

/// Ctrl-C while `a2m train` preprocesses stops between two cache files (so no cache file is left half-written) and
/// exits 130; temporaries that a killed run left in the cache are removed by the next run once their process is gone.
@Suite(.serialized) struct InterruptedPreprocessingTests {
    @Test func ctrlCDuringPreprocessingLeavesNoTemporaries() throws {
        let dir = try ScratchDirectory("preprocess-stop")
        let data = dir.path("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try TrainingFixtures.corpus(count: 40, seconds: 3, in: data)
        let cache = data.appendingPathComponent(".a2m-cache")
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        // A temporary of a run that was killed: its process is gone.
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        let stale = cache.appendingPathComponent(".clip7.a2mc.tmp-\(dead.processIdentifier)-12345")
        try Data("partial".utf8).write(to: stale)
        // One of a live process (this one) is not touched: it may be another a2m writing there now.
        let live = cache.appendingPathComponent(".clip8.a2mc.tmp-\(getpid())-12345")
        try Data("in use".utf8).write(to: live)

        let cfg = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(validationFraction: 0), in: dir)
        let p = Process()
        p.executableURL = try AudioFixtures.a2mBinary()
        // The cache in the data folder (the default is OUT/cache), so OUT stays untouched by a stop during preprocessing.
        p.arguments = ["train", "--data", data.path, "--config", cfg.path, "--out", dir.path("out").path, "--cache", cache.path, "--threads", "1", "--quiet"]
        let err = Pipe()
        p.standardError = err
        try p.run()
        var waited = 0
        func cached() -> Int { ((try? FileManager.default.contentsOfDirectory(atPath: cache.path)) ?? []).filter { $0.hasSuffix(".a2mc") }.count }
        while cached() < 2 && waited < 6000 && p.isRunning { usleep(5_000); waited += 1 }
        kill(p.processIdentifier, SIGINT)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 130, "\(p.terminationReason) \(p.terminationStatus): \(stderr)")
        #expect(stderr.contains("stopped by SIGINT") && stderr.contains("during preprocessing"), "\(stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: cache.path)
        #expect(!left.contains(stale.lastPathComponent), "the dead run's temporary is still there")
        #expect(left.filter { $0.contains(".tmp-") } == [live.lastPathComponent], "\(left.sorted())")
        #expect(cached() >= 2 && cached() < 40, "\(cached()) files cached")
        // Whatever was cached is complete: the next run reads it back as hits.
        #expect(!FileManager.default.fileExists(atPath: dir.path("out").path))
    }
}
