import Testing
import Foundation
@testable import A2MCore
@testable import A2MAudio

/// `AudioFeatureStream` hands out, window by window, exactly the rows `AudioFeatures.extract` computes for the
/// whole file, while holding only the rows still ahead.
@Suite struct AudioFeatureStreamTests {
    /// Reads `stream` the way long-form generation does: windows of `window` frames with hop window/2, in
    /// rounds of 4 windows, each round read by `consumers` readers one after the other, releasing behind the
    /// lowest reader. Returns the rows of frame order and the most log-mel frames held at once.
    static func readLikeGeneration(_ stream: AudioFeatureStream, window: Int = 120, consumers: Int = 2) throws -> (rows: [Float], held: Int) {
        let hop = window / 2
        var starts: [Int] = []
        var s = 0
        while true { starts.append(s); if s + window >= stream.frames { break }; s += hop }
        var out = [Float](repeating: .nan, count: stream.frames * stream.bins)
        var held = 0
        for round in stride(from: 0, to: starts.count, by: 4) {
            for _ in 0..<consumers {
                for k in round..<min(starts.count, round + 4) {
                    let r = starts[k]..<min(stream.frames, starts[k] + window)
                    let rows = try stream.rows(r)
                    for (i, v) in rows.enumerated() { out[r.lowerBound * stream.bins + i] = v }
                    held = max(held, stream.bufferedFrames)
                }
            }
            stream.release(below: starts[round])
        }
        return (out, held)
    }

    @Test(arguments: [
        ("speech22k.wav", ["-r", "22050", "-c", "1", "-b", "16"], 20, 30.0),
        ("stereo44k.wav", ["-r", "44100", "-c", "2", "-b", "16"], 70, 30.0),
        ("model-rate.flac", ["-r", "15360", "-c", "1", "-b", "16"], 9, 30.0),
        ("interpolated.wav", ["-r", "22050", "-c", "1", "-b", "16"], 12, 25.0),
    ] as [(String, [String], Int, Double)])
    func rowsAreBitIdenticalToTheWholeMatrix(name: String, format: [String], seconds: Int, fps: Double) throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent(name)
        try AudioFixtures.sox(["-n"] + format + ["-D", url.path, "synth", "\(seconds)", "sine", "300-3000", "whitenoise", "vol", "0.3"])
        var prosody = AudioFeatureConfig.model
        prosody.prosody = [.onset, .logF0, .rmsDB, .voicing]
        prosody.topDB = 80   // the top_db floor applies to the log-mel columns only
        for config in [AudioFeatureConfig.model, { var c = AudioFeatureConfig.model; c.logMode = .logEpsilon; return c }(), prosody] {
            let d = config.featureDim
            let stats = try NormalizationStats(mean: (0..<d).map { -40 + Float($0) * 0.1 }, std: (0..<d).map { 15 + Float($0) * 0.05 })
            var whole = try AudioFeatures.extract(url: url, config: config, fps: fps)
            // The streamed whole-file path equals the in-memory one (load, resample, features, align).
            let inMemory = try LogMelExtractor(config).motionAlignedFeatures(try AudioFile.load(url), fps: fps)
            #expect(SamplerFixtures.bits(inMemory.values) == SamplerFixtures.bits(whole.values), "\(name), \(config.prosody): extract differs from the in-memory path")
            if !config.prosody.isEmpty {
                let f0 = config.column(of: .logF0)!
                let voiced = (0..<whole.frames).filter { !whole[$0, f0].isNaN }.count
                #expect(voiced > 0 && voiced < whole.frames, "\(name): \(voiced) of \(whole.frames) frames voiced; the test wants both")
            }
            stats.normalizeFillingMissing(&whole.values)
            let stream = try AudioFeatureStream(url: url, config: config, fps: fps, normalization: stats)
            #expect(stream.frames == whole.frames && stream.bins == whole.bins)
            let (rows, _) = try Self.readLikeGeneration(stream)
            #expect(SamplerFixtures.bits(rows) == SamplerFixtures.bits(whole.values), "\(name), \(config.logMode), \(config.prosody): streamed rows differ")
            #expect(rows.allSatisfy { $0.isFinite })
        }
    }

    /// A 7-minute file: the stream never holds more than the decode chunk's frames plus a round of windows,
    /// a fraction of the 12 600 the whole matrix has.
    @Test(arguments: [false, true]) func heldRowsStayBoundedForLongFiles(prosody: Bool) throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("long.wav")
        try AudioFixtures.sox(["-n", "-r", "16000", "-c", "1", "-b", "16", url.path, "synth", "420", "sine", "300-3000", "vol", "0.3"])
        var config = AudioFeatureConfig.model
        if prosody { config.prosody = ProsodyFeature.allCases }
        let stream = try AudioFeatureStream(url: url, config: config, fps: 30)
        #expect(stream.frames == 12_600)
        let (_, held) = try Self.readLikeGeneration(stream)
        // One decode chunk of 16 kHz mono is 4.1 s = 123 frames; the stream may hold two, plus the
        // frames of a round (5 windows), plus a release block (256).
        let chunkFrames = Double(AudioFeatureStream.chunkSamples) / 16000 * 30
        let bound = Int(2 * chunkFrames) + 5 * 120 + 256
        #expect(held <= bound, "held \(held) log-mel frames, bound \(bound)")
    }

    /// The first pass checks the file as `extract` does: the same errors, before any row is handed out.
    @Test func badInputFailsInInitWithExtractsError() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let short = dir.appendingPathComponent("short.wav")
        try AudioFixtures.wavBytes(int16: [Int16](repeating: 100, count: 300), sampleRate: 16000).write(to: short)
        let missing = dir.appendingPathComponent("missing.wav")
        for url in [short, missing] {
            var expected = ""
            do { _ = try AudioFeatures.extract(url: url) } catch { expected = "\(error)" }
            #expect(!expected.isEmpty)
            #expect(throws: AudioError.self) { _ = try AudioFeatureStream(url: url) }
            do { _ = try AudioFeatureStream(url: url) } catch { #expect("\(error)" == expected) }
        }
    }

    /// Audio statistics whose size is not the front end's mel count (a model assembled in memory) are an error
    /// naming both sizes, not a trap.
    @Test func normalizationOfAnotherSizeIsAnError() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("tone.wav")
        try AudioFixtures.wavBytes(float32: AudioFixtures.sine(sampleRate: 16000), sampleRate: 16000).write(to: url)
        let stats = try NormalizationStats(mean: [Float](repeating: 0, count: 79), std: [Float](repeating: 1, count: 79))
        #expect(throws: NormalizationError.invalid("stats have 79 features, expected 80")) {
            _ = try AudioFeatureStream(url: url, config: .model, fps: 30, normalization: stats)
        }
    }
}
