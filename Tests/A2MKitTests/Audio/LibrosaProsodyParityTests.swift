import Foundation
import Testing
@testable import A2MCore
@testable import A2MAudio

/// a2m's prosody columns against librosa 0.10.2.post1 (fixtures from Fixtures/audio/make_prosody_fixtures.py):
/// `yin`, `pyin`'s voiced probability, `feature.rms`, `onset.onset_strength`, on four signals at two configs.
@Suite struct LibrosaProsodyParityTests {
    /// YIN f0, in cents, on frames both sides call voiced (`logF0`) and on every frame of the analysis.
    static let f0ToleranceCents = 1.0
    /// pYIN voiced probability, absolute. librosa computes it in double; the fixture stores float32.
    static let voicingTolerance: Float = 1e-5
    /// rms, relative, and its dB (`rmsDB`), absolute: float32 sums in another order.
    static let rmsRelativeTolerance: Float = 1e-5
    static let rmsToleranceDB: Float = 1e-3
    /// Onset strength (mean dB flux), absolute: LibrosaParityTests' log-mel tolerance. Onset averages the dB change of
    /// every mel band, and a pure tone's far bands (110–130 dB under the peak) hold float32 FFT round-off, which
    /// the two FFT libraries round differently (the log-mel check leaves those bands out; a mean over all cannot).
    static let onsetToleranceDB: Float = 0.01
    /// Frames whose rms is this far under the clip's loudest frame are left out of the all-frames f0 check:
    /// there YIN's difference function is round-off, zeroed by librosa's 1e-6 cut-offs wherever it happens to
    /// fall under them, and f0 is meaningless (such frames are unvoiced; `logF0` is missing there).
    static let f0CheckRangeDB: Float = 60

    struct Metadata: Decodable {
        let librosa: String
        let numpy: String
        let configs: [String: AudioFeatureConfig]
        let fixtures: [String: Shape]
        let columns: [String]
        struct Shape: Decodable { let samples: Int; let frames: Int; let voiced: Int }
    }

    static func metadata() throws -> Metadata {
        try StrictJSON.decode(Metadata.self, contentsOf: AudioFixtures.url("prosody_metadata", "json"))
    }

    /// The signal as a2m gets it: WAV files through AudioFile and, at 15360 Hz, libsoxr (librosa.load(sr=...)).
    static func signal(_ name: String, config: AudioFeatureConfig) throws -> [Float] {
        switch name {
        case "sine": return AudioFixtures.sine(sampleRate: config.sampleRate)
        case "noise": return try AudioFixtures.npy("noise").values
        case "speech": return try AudioFile.load(AudioFixtures.url("speech_multivoice", "wav")).resampled(to: config.sampleRate).samples
        default: return try AudioFile.load(AudioFixtures.url(name, "wav")).resampled(to: config.sampleRate).samples
        }
    }

    @Test func fixturesComeFromPinnedLibrosa() throws {
        let meta = try Self.metadata()
        #expect(meta.librosa == "0.10.2.post1")
        #expect(meta.columns == ["f0", "voicedProb", "rms", "rmsDB", "onset", "logF0"])
        #expect(meta.fixtures.count == 8)
        for (name, c) in meta.configs {
            try c.validate(file: "prosody_metadata.json:\(name)")
            #expect(c.prosody == ProsodyFeature.allCases, "\(name) does not exercise every prosody feature")
        }
        var model = AudioFeatureConfig.model
        model.prosody = ProsodyFeature.allCases
        #expect(meta.configs["model"] == model)
        // Both voiced and unvoiced frames are exercised.
        #expect(meta.fixtures["speech_model"].map { $0.voiced > 10 && $0.voiced < $0.frames - 10 } == true)
        #expect(meta.fixtures["noise_model"]?.voiced == 0 && meta.fixtures["sine_model"].map { $0.voiced >= $0.frames - 2 } == true)
    }

    @Test(arguments: ["sine", "noise", "speech", "glide"], ["model", "librosa"])
    func prosodyMatchesLibrosa(signal: String, config name: String) throws {
        let meta = try Self.metadata()
        let config = try #require(meta.configs[name])
        let ex = try LogMelExtractor(config)
        let x = try Self.signal(signal, config: config)
        let ref = try AudioFixtures.npy("\(signal)_\(name)_prosody")
        let (f0, vp, rms, rmsDB, onset, logF0) = (0, 1, 2, 3, 4, 5)
        let features = try ex.features(x)
        let analysis = try ex.analysis(x, source: "test", measure: true)
        try #require(features.frames == ref.frames && analysis.frames == ref.frames, "\(features.frames) frames, librosa \(ref.frames)")
        let layout = ex.analysisLayout
        func column(_ f: ProsodyFeature) -> Int { config.column(of: f)! }

        var worst = (f0: 0.0, f0All: 0.0, voicing: Float(0), rms: Float(0), rmsDB: Float(0), onset: Float(0))
        var voicedMismatch: [Int] = [], checkedAll = 0
        let loudest = (0..<ref.frames).map { ref[$0, rmsDB] }.max()!
        for t in 0..<ref.frames {
            worst.voicing = max(worst.voicing, abs(features[t, column(.voicing)] - ref[t, vp]))
            let r = analysis[t, layout.rms!]
            worst.rms = max(worst.rms, abs(r - ref[t, rms]) / max(ref[t, rms], 1e-30))
            worst.rmsDB = max(worst.rmsDB, abs(features[t, column(.rmsDB)] - ref[t, rmsDB]))
            worst.onset = max(worst.onset, abs(features[t, column(.onset)] - ref[t, onset]))
            let ours = features[t, column(.logF0)], theirs = ref[t, logF0]
            if ours.isNaN != theirs.isNaN {
                voicedMismatch.append(t)
            } else if !ours.isNaN {
                worst.f0 = max(worst.f0, 100 * abs(Double(ours) - Double(theirs)))
            }
            if ref[t, rmsDB] >= loudest - Self.f0CheckRangeDB {
                worst.f0All = max(worst.f0All, 1200 * abs(log2(Double(analysis[t, layout.pitch!]) / Double(ref[t, f0]))))
                checkedAll += 1
            }
        }
        print("\(signal)/\(name): \(ref.frames) frames, logF0 max diff \(worst.f0) cents (f0 on \(checkedAll) frames: \(worst.f0All) cents), "
              + "voicing \(worst.voicing), voiced-decision mismatches \(voicedMismatch.count), rms rel \(worst.rms), rmsDB \(worst.rmsDB) dB, onset \(worst.onset) dB")
        #expect(worst.f0 <= Self.f0ToleranceCents, "\(signal)/\(name): logF0 max diff \(worst.f0) cents")
        #expect(worst.f0All <= Self.f0ToleranceCents, "\(signal)/\(name): YIN f0 max diff \(worst.f0All) cents")
        #expect(worst.voicing <= Self.voicingTolerance, "\(signal)/\(name): voicing max diff \(worst.voicing)")
        // The voiced decision is a threshold on the voicing compared above, so it can only differ right at it.
        for t in voicedMismatch {
            #expect(abs(ref[t, vp] - ProsodyFeature.voicedThreshold) <= Self.voicingTolerance,
                    "\(signal)/\(name): frame \(t) voiced on one side only (librosa voiced_prob \(ref[t, vp]))")
        }
        #expect(worst.rms <= Self.rmsRelativeTolerance, "\(signal)/\(name): rms max relative diff \(worst.rms)")
        #expect(worst.rmsDB <= Self.rmsToleranceDB, "\(signal)/\(name): rmsDB max diff \(worst.rmsDB) dB")
        #expect(worst.onset <= Self.onsetToleranceDB, "\(signal)/\(name): onset max diff \(worst.onset) dB")
        // The log-mel columns are the log-mel, untouched by the prosody columns after them.
        let mel = try LogMelExtractor({ var c = config; c.prosody = []; return c }()).logMel(x)
        #expect((0..<ref.frames).allSatisfy { t in (0..<config.nMels).allSatisfy { features[t, $0] == mel[t, $0] } })
    }
}
