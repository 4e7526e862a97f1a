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

    /// With a config that opts into prosody, both formats carry the prosody columns after the log-mel, named in
    /// the JSON, unvoiced log-F0 as NaN (.npy) and null (.json); the values are the library's.
    @Test func prosodyColumnsFollowTheLogMel() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try AudioFixtures.url("speech_multivoice", "wav")
        let config = AudioFeatureConfigTests.repoRoot.appendingPathComponent("Configs/small_prosody.json")
        let npy = dir.appendingPathComponent("f.npy"), json = dir.appendingPathComponent("f.json")
        for out in [npy, json] {
            let r = try AudioFixtures.run(try AudioFixtures.a2mBinary().path, ["features", wav.path, "--out", out.path, "--config", config.path, "--fps", "30"])
            try #require(r.status == 0, "a2m features failed: \(r.stderr)")
            #expect(r.stderr.contains("× 84 columns (80 mels + logF0 + voicing + rmsDB + onset"), "stderr: \(r.stderr)")
        }
        let cfg = try AudioFeatureConfig.load(contentsOf: config)
        let want = try AudioFeatures.extract(url: wav, config: cfg, fps: 30)
        let got = try NumpyFile.read(contentsOf: npy)
        #expect(got.frames == want.frames && got.bins == 84)
        #expect(SamplerFixtures.bits(got.values) == SamplerFixtures.bits(want.values))
        let unvoiced = (0..<got.frames).filter { got[$0, 80].isNaN }
        #expect(!unvoiced.isEmpty && unvoiced.count < got.frames)
        let text = try String(contentsOf: json, encoding: .utf8)
        #expect(text.contains("null"))
        let doc = try JSONDecoder().decode(LogMelDocument.self, from: Data(contentsOf: json))
        #expect(doc.version == 2 && doc.nMels == 80 && doc.config.prosody == ProsodyFeature.allCases)
        #expect(Array(doc.featureNames.suffix(5)) == ["mel79", "logF0", "voicing", "rmsDB", "onset"])
        #expect(doc == LogMelDocument(source: wav.path, config: cfg, alignedToFPS: 30, matrix: want))
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
