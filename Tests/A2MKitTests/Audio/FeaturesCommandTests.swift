import Foundation
import Testing
@testable import A2MAudio

/// The `a2m features` binary, built next to the test bundle.
@Suite struct FeaturesCommandTests {
    @Test func writesTheSameMatrixAsTheLibrary() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try AudioFixtures.url("speech_multivoice", "wav")
        let out = dir.appendingPathComponent("f.npy")
        let r = try AudioFixtures.run(try AudioFixtures.a2mBinary().path, ["features", wav.path, "--out", out.path, "--quiet"])
        try #require(r.status == 0, "a2m features failed: \(r.stderr)")
        let want = try LogMelExtractor(.model).logMel(try AudioFile.load(wav))
        #expect(try NumpyFile.read(contentsOf: out) == want)
    }

    @Test func jsonCarriesTheConfigFromAModelConfig() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try AudioFixtures.url("speech_multivoice", "wav")
        let cfg = dir.appendingPathComponent("model.json"), out = dir.appendingPathComponent("f.json")
        try Data(#"{"denoiser": {"width": 256}, "audio": {"nMels": 40, "logMode": "logEpsilon", "epsilon": 1e-6}}"#.utf8).write(to: cfg)
        let r = try AudioFixtures.run(try AudioFixtures.a2mBinary().path, ["features", wav.path, "--out", out.path, "--config", cfg.path, "--fps", "30", "--quiet"])
        try #require(r.status == 0, "a2m features failed: \(r.stderr)")
        let doc = try JSONDecoder().decode(LogMelDocument.self, from: Data(contentsOf: out))
        #expect(doc.config.nMels == 40 && doc.config.logMode == .logEpsilon && doc.config.epsilon == 1e-6)
        #expect(doc.config.winLength == 1024 && doc.config.fmax == 7680 && doc.config.sampleRate == 15360)
        #expect(doc.alignedToFPS == 30 && doc.frameRate == 30)
        #expect(doc.frames == MotionAlignment.frameCount(duration: 63986.0 / 22050, fps: 30) && doc.values.count == doc.frames)
        #expect(doc.values.allSatisfy { $0.count == 40 })
    }

    @Test func badInputExitsNonZeroAndWritesNothing() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("text.wav"), out = dir.appendingPathComponent("f.npy")
        try Data("hello".utf8).write(to: bad)
        let r = try AudioFixtures.run(try AudioFixtures.a2mBinary().path, ["features", bad.path, "--out", out.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains(bad.path) && r.stderr.contains("not a readable audio file"), "stderr: \(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["text.wav"])
        let cfg = dir.appendingPathComponent("c.json")
        try Data(#"{"nMelz": 3}"#.utf8).write(to: cfg)
        let r2 = try AudioFixtures.run(try AudioFixtures.a2mBinary().path, ["features", try AudioFixtures.url("speech_multivoice", "wav").path, "--out", out.path, "--config", cfg.path])
        #expect(r2.status != 0 && r2.stderr.contains("nMelz"), "stderr: \(r2.stderr)")
    }
}
