import Foundation
import Testing
@testable import A2MCore
@testable import A2MAudio

@Suite struct AudioFeatureConfigTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func decode(_ json: String, file: String = "test.json") throws -> AudioFeatureConfig {
        let cfg = try StrictJSON.decode(AudioFeatureConfig.self, from: Data(json.utf8), file: file)
        try cfg.validate(file: file)
        return cfg
    }

    @Test func shippedConfigsAreThePresets() throws {
        let model = try AudioFeatureConfig.load(contentsOf: Self.repoRoot.appendingPathComponent("Configs/audio_model.json"))
        #expect(model == .model)
        #expect(model.frameRate == 30)
        let lib = try AudioFeatureConfig.load(contentsOf: Self.repoRoot.appendingPathComponent("Configs/audio_librosa_default.json"))
        #expect(lib == .librosaDefault)
    }

    @Test func missingKeysTakeTheDocumentedDefaults() throws {
        let c = try Self.decode(#"{"nMels": 64}"#)
        var want = AudioFeatureConfig.model
        want.nMels = 64
        #expect(c == want)
        #expect(c.effectiveWinLength == 1024 && c.effectiveFmax == 7680)
    }

    @Test func roundTripsThroughJSON() throws {
        var c = AudioFeatureConfig.librosaDefault
        c.winLength = 1500
        c.fmax = 8000
        c.logMode = .logEpsilon
        let data = try JSONEncoder().encode(c)
        #expect(try StrictJSON.decode(AudioFeatureConfig.self, from: data, file: "x") == c)
        #expect(String(decoding: try JSONEncoder().encode(AudioFeatureConfig.model), as: UTF8.self).contains("\"topDB\":null"))
    }

    @Test func unknownKeyIsRejected() {
        #expect { try Self.decode(#"{"n_mels": 64}"#, file: "cfg.json") } throws: { e in
            "\(e)".contains("cfg.json") && "\(e)".contains("'n_mels'") && "\(e)".contains("nMels")
        }
    }

    @Test(arguments: [
        (#"{"nMels": 0}"#, "nMels"), (#"{"hopLength": 0}"#, "hopLength"), (#"{"nFFT": 1023}"#, "nFFT"),
        (#"{"winLength": 2048}"#, "winLength"), (#"{"fmax": 9000}"#, "fmax"), (#"{"fmin": 8000}"#, "fmin"),
        (#"{"sampleRate": 100}"#, "sampleRate"), (#"{"topDB": -3}"#, "topDB"), (#"{"epsilon": 0}"#, "epsilon"),
        (#"{"logMode": "log10"}"#, "logMode"), (#"{"nFFT": 256, "nMels": 128}"#, "nMels"),
        (#"{"prosody": ["pitch"]}"#, "prosody[0]"), (#"{"prosody": ["onset", "voicing", "onset"]}"#, "prosody[2]"),
        (#"{"f0Min": 0}"#, "f0Min"), (#"{"f0Max": 8000}"#, "f0Max"), (#"{"f0Min": 300, "f0Max": 200}"#, "f0Max"),
        // A 1024-sample YIN frame at 15360 Hz measures periods up to 511 samples: 30.06 Hz.
        (#"{"prosody": ["logF0"], "f0Min": 25}"#, "f0Min"),
    ])
    func badValueNamesTheField(json: String, field: String) {
        #expect { try Self.decode(json, file: "bad.json") } throws: { e in
            let ok = "\(e)".contains("bad.json") && "\(e)".contains(field)
            if !ok { print("message: \(e)") }
            return ok
        }
    }

    /// Prosody is opt-in: a config without it encodes exactly as before prosody existed (old caches and models
    /// stay valid); one with it records the features, their order and the pitch range.
    @Test func prosodyIsRecordedOnlyWhenUsed() throws {
        let melOnly = String(decoding: try JSONEncoder().encode(AudioFeatureConfig.model), as: UTF8.self)
        #expect(!melOnly.contains("prosody") && !melOnly.contains("f0Min"))
        #expect(AudioFeatureConfig.model.featureDim == 80 && AudioFeatureConfig.model.featureNames.last == "mel79")
        let c = try Self.decode(#"{"prosody": ["onset", "logF0"], "f0Max": 500}"#)
        #expect(c.prosody == [.onset, .logF0] && c.f0Min == 60 && c.f0Max == 500)
        #expect(c.featureDim == 82 && Array(c.featureNames.suffix(3)) == ["mel79", "onset", "logF0"])
        #expect(c.column(of: .onset) == 80 && c.column(of: .logF0) == 81 && c.column(of: .voicing) == nil)
        #expect(c.missingValueColumns == [81])
        let json = String(decoding: try JSONEncoder().encode(c), as: UTF8.self)
        #expect(json.contains(#""prosody":["onset","logF0"]"#) && json.contains(#""f0Max":500"#))
        #expect(try StrictJSON.decode(AudioFeatureConfig.self, from: Data(json.utf8), file: "x") == c)
        // The pitch range is only checked against the frame when a pitch feature is asked for.
        _ = try Self.decode(#"{"prosody": ["rmsDB", "onset"], "f0Min": 25}"#)
    }

    /// A model config: only its "audio" member is read; the other members belong to other areas.
    @Test func readsTheAudioMemberOfAModelConfig() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("model.json")
        try Data(#"{"width": 256, "layers": 6, "audio": {"nMels": 40, "topDB": 60}}"#.utf8).write(to: url)
        let c = try AudioFeatureConfig.load(contentsOf: url)
        #expect(c.nMels == 40 && c.topDB == 60 && c.sampleRate == 15360)
        try Data(#"{"width": 256, "audio": {"nMels": 40, "hop": 3}}"#.utf8).write(to: url)
        #expect { try AudioFeatureConfig.load(contentsOf: url) } throws: { e in
            "\(e)".contains(url.path) && "\(e)".contains("'hop'") && "\(e)".contains("in audio")
        }
        try Data(#"{"audio": {"nMels": 0}}"#.utf8).write(to: url)
        #expect { try AudioFeatureConfig.load(contentsOf: url) } throws: { e in "\(e)".contains("audio.nMels") }
    }

    /// The two log modes and top_db, against the formulas (librosa.power_to_db with ref=1).
    @Test func logModesFollowTheirFormulas() throws {
        let mel = FeatureMatrix(frames: 2, bins: 3, values: [1e3, 1, 1e-12, 0, 1e-3, 2])
        var c = AudioFeatureConfig.model
        let db = try LogMelExtractor(c).compress(mel)
        #expect(db.values == [30, 0, -100, -100, -30, 10 * log10(Float(2))])
        c.topDB = 80
        #expect(try LogMelExtractor(c).compress(mel).values == [30, 0, -50, -50, -30, 10 * log10(Float(2))])
        c.topDB = nil
        c.logMode = .logEpsilon
        c.epsilon = 1e-6
        let ln = try LogMelExtractor(c).compress(mel)
        for (got, s) in zip(ln.values, mel.values) { #expect(got == log(s + Float(1e-6))) }
    }
}
