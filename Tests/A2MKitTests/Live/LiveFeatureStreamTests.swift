import Foundation
import Testing
@testable import A2MCore
@testable import A2MAudio

/// `a2m stream`'s live features equal the file path's (`AudioFeatureStream`) row for row, for a log-mel-only front
/// end and for one with the four prosody columns (the default model's since 2026-12-07), fed in uneven pieces.
@Suite struct LiveFeatureStreamTests {
    static func rows(config: AudioFeatureConfig, wav: URL, pieces: [Int]) throws -> (live: [Float], file: [Float]) {
        let file = try AudioFeatureStream(url: wav, config: config, fps: 30)
        let whole = try file.rows(0..<file.frames)
        let signal = try AudioFile.load(wav)
        let live = try LiveFeatureStream(inputRate: signal.sampleRate, config: config, fps: 30)
        var out: [Float] = [], at = 0, k = 0
        while at < signal.samples.count {
            let n = min(pieces[k % pieces.count], signal.samples.count - at)
            try live.feed(Array(signal.samples[at..<(at + n)]))
            out += live.take()
            at += n
            k += 1
        }
        try live.end()
        out += live.take()
        return (out, whole)
    }

    @Test(arguments: [false, true]) func liveRowsAreTheFileRows(_ prosody: Bool) throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // At the model's rate (no resampler) and at a constant level, so the live floor (peak so far) is the file's.
        let sr = AudioFeatureConfig.model.sampleRate
        let samples = (0..<Int(2.5 * Double(sr))).map { i -> Int16 in
            let t = Double(i) / Double(sr)
            return Int16(9000 * sin(2 * .pi * (180 + 40 * sin(2 * .pi * 0.7 * t)) * t))
        }
        let wav = dir.appendingPathComponent("tone.wav")
        try AudioFixtures.wavBytes(int16: samples, sampleRate: sr).write(to: wav)
        var config = AudioFeatureConfig.model
        if prosody { config.prosody = ProsodyFeature.allCases }
        let (live, file) = try Self.rows(config: config, wav: wav, pieces: [1000, 37, 4096, 513])
        #expect(live.count == file.count && live.count == 75 * config.featureDim, "\(live.count) vs \(file.count)")
        let differing = zip(live, file).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing == 0, "\(differing) of \(file.count) values differ")
    }
}
