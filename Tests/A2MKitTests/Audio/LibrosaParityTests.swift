import Foundation
import Testing
@testable import A2MCore
@testable import A2MAudio

/// Compares a2m's front end with librosa 0.10.2.post1 (fixtures from Fixtures/audio/make_fixtures.py).
@Suite struct LibrosaParityTests {
    /// Max |ours − librosa| of mel power, relative to that frame's peak mel power.
    static let melRelativeTolerance: Float = 1e-4
    /// Max |ours − librosa| of log-mel in dB, over entries within `logMelRangeDB` of their frame's peak.
    static let logMelToleranceDB: Float = 0.01
    /// Below this distance from the frame's peak, a float32 FFT (ours: FFTW; librosa: numpy pocketfft)
    /// only carries round-off: a pure sine's far mel bands sit 110–130 dB down, where 1e-7 relative
    /// round-off of the peak amplitude is a large part of the value. librosa's own top_db default is 80.
    static let logMelRangeDB: Float = 100
    /// Filterbank weights: float32 rounding of the same Double formula.
    static let filterbankTolerance: Float = 1e-6
    /// docs/design.md §5 values are printed with 7–8 significant digits.
    static let referenceRelativeTolerance: Float = 2e-6

    struct Metadata: Decodable {
        let librosa: String
        let numpy: String
        /// The configs the fixtures were made with, in AudioFeatureConfig's own JSON keys.
        let configs: [String: AudioFeatureConfig]
        let fixtures: [String: Shape]
        struct Shape: Decodable { let samples: Int; let frames: Int; let nMels: Int }
    }

    static func metadata() throws -> Metadata {
        try StrictJSON.decode(Metadata.self, contentsOf: AudioFixtures.url("metadata", "json"))
    }

    static func config(_ name: String) throws -> AudioFeatureConfig {
        try #require(try metadata().configs[name], "metadata.json has no config '\(name)'")
    }

    @Test func fixturesComeFromPinnedLibrosa() throws {
        let meta = try Self.metadata()
        #expect(meta.librosa == "0.10.2.post1")
        #expect(!meta.numpy.isEmpty)
        #expect(meta.fixtures.count == 9)
        #expect(meta.configs["librosa"] == .librosaDefault)
        #expect(meta.configs["model"] == .model)
        for (name, c) in meta.configs { try c.validate(file: "metadata.json:\(name)") }
    }

    /// docs/design.md §5: 1 s of 0.5·sin(2π·440t) at 22050 Hz with librosa's defaults.
    @Test func designReferenceValues() throws {
        let ex = try LogMelExtractor(.librosaDefault)
        let mel = try ex.melPower(AudioFixtures.sine(sampleRate: 22050))
        #expect(mel.frames == 44 && mel.bins == 128)
        let frame0 = Array(mel.row(0))
        #expect(frame0.firstIndex(of: frame0.max()!) == 16)
        func close(_ got: Float, _ want: Float) -> Bool {
            let ok = abs(got - want) <= Self.referenceRelativeTolerance * abs(want)
            if !ok { print("reference mismatch: got \(got), want \(want), diff \(abs(got - want))") }
            return ok
        }
        #expect(close(frame0.max()!, 1099.4764))
        #expect(close(mel.row(20).max()!, 3030.272))
        #expect(close(mel.row(20).reduce(0, +), 3811.1792))
        let dense = ex.filterbank.dense
        for (k, want) in zip(1...4, [0.01618285, 0.03236571, 0.02899009, 0.01280724] as [Float]) {
            #expect(close(dense[k], want))
        }
        // power_to_db(S)[mel 10, frame 20] with librosa's default top_db = 80: the clip floor, max dB − 80.
        #expect(close(ex.compress(mel)[20, 10], -45.18518))
    }

    @Test(arguments: ["librosa", "model", "custom"])
    func filterbankMatchesLibrosa(config name: String) throws {
        struct Bank: Decodable { let nBins: Int; let rows: [Row]; struct Row: Decodable { let start: Int; let values: [Float] } }
        let banks = try JSONDecoder().decode([String: Bank].self, from: Data(contentsOf: AudioFixtures.url("filterbanks", "json")))
        let ref = try #require(banks[name])
        let ours = MelFilterbank(config: try Self.config(name))
        #expect(ours.nBins == ref.nBins && ours.nMels == ref.rows.count)
        var want = [Float](repeating: 0, count: ours.nMels * ours.nBins)
        for (m, row) in ref.rows.enumerated() {
            for (j, v) in row.values.enumerated() { want[m * ref.nBins + row.start + j] = v }
        }
        let diff = zip(ours.dense, want).map { abs($0 - $1) }.max() ?? .infinity
        print("filterbank \(name): max abs diff \(diff)")
        #expect(diff <= Self.filterbankTolerance, "filterbank \(name): max abs diff \(diff)")
    }

    /// The signal a fixture was computed from, as a2m gets it: the speech WAV goes through AudioFile and,
    /// for the model config, through the libsoxr resampler (librosa.load(sr=15360) on the Python side).
    static func signal(_ name: String, config: AudioFeatureConfig) throws -> [Float] {
        switch name {
        case "sine": return AudioFixtures.sine(sampleRate: config.sampleRate)
        case "noise": return try AudioFixtures.npy("noise").values
        default:
            return try AudioFile.load(AudioFixtures.url("speech_multivoice", "wav")).resampled(to: config.sampleRate).samples
        }
    }

    @Test(arguments: ["sine", "noise", "speech"], ["librosa", "model", "custom"])
    func melAndLogMelMatchLibrosa(signal: String, config name: String) throws {
        let config = try Self.config(name)
        let ex = try LogMelExtractor(config)
        let x = try Self.signal(signal, config: config)
        let refMel = try AudioFixtures.npy("\(signal)_\(name)_mel"), refDB = try AudioFixtures.npy("\(signal)_\(name)_db")
        let mel = try ex.melPower(x)
        try #require(mel.frames == refMel.frames && mel.bins == refMel.bins,
                     "shape \(mel.frames)×\(mel.bins), librosa \(refMel.frames)×\(refMel.bins)")
        var worstRel: Float = 0
        for t in 0..<mel.frames {
            let peak = refMel.row(t).max()!
            for b in 0..<mel.bins {
                let d = abs(mel[t, b] - refMel[t, b])
                worstRel = max(worstRel, peak > 0 ? d / peak : d)
            }
        }
        let db = ex.compress(mel)
        // log(S + eps) is compared in dB too: 10 / ln 10 dB per natural-log unit.
        let toDB: Float = config.logMode == .logEpsilon ? 10 / log(10) : 1
        var worstDB: Float = 0
        for t in 0..<db.frames {
            let floor = refDB.row(t).max()! * toDB - Self.logMelRangeDB
            for b in 0..<db.bins where refDB[t, b] * toDB >= floor {
                worstDB = max(worstDB, abs(db[t, b] - refDB[t, b]) * toDB)
            }
        }
        print("\(signal)/\(name): mel max rel-to-frame-peak diff \(worstRel), log-mel max diff \(worstDB) dB")
        #expect(worstRel <= Self.melRelativeTolerance, "\(signal)/\(name): mel max relative diff \(worstRel)")
        #expect(worstDB <= Self.logMelToleranceDB, "\(signal)/\(name): log-mel max diff \(worstDB) dB")
    }
}
