import Testing
import Foundation
@testable import A2MCore
@testable import A2MAudio

/// YIN with parabolic interpolation on a clean tone is accurate far inside this (Hz).
private let pitchToleranceHz: Float = 1.0
/// Onsets and activity edges are found within this many frames of the truth (analysis window ≈ 1.4 frames).
private let frameTolerance = 2

@Suite struct SpeechFeaturesTests {
    let sr = 22050, fps = 30.0

    /// Bursts of a harmonic tone (f0 = 180 Hz) at known times with 10 ms linear fades (as voiced speech starts
    /// and stops), silence plus faint noise between.
    func bursts(_ spans: [(Double, Double)], seconds: Double) -> [Float] {
        var rng = PCG32(seed: 2)
        return (0..<Int(seconds * Double(sr))).map { i in
            let t = Double(i) / Double(sr)
            let gain = spans.map { max(0, min(1, (t - $0.0) / 0.01, ($0.1 - t) / 0.01)) }.max()!
            let tone = gain * 0.3 * (sin(2 * .pi * 180 * t) + 0.5 * sin(2 * .pi * 360 * t) + 0.25 * sin(2 * .pi * 540 * t))
            return Float(tone) + 1e-4 * rng.gaussian()
        }
    }

    @Test func activityOnsetsAndPitchOfToneBursts() throws {
        let spans = [(0.5, 1.2), (2.0, 2.6), (3.5, 4.5)]
        let f = try SpeechFeatures.analyze(samples: bursts(spans, seconds: 5), sampleRate: sr, fps: fps)
        #expect(f.frameCount == 150)
        // Activity: true inside each burst (away from its edges), false well outside.
        for k in 0..<f.frameCount {
            let t = Double(k) / fps
            let inside = spans.contains { t > $0.0 + Double(frameTolerance) / fps && t < $0.1 - Double(frameTolerance) / fps }
            let outside = spans.allSatisfy { t < $0.0 - Double(frameTolerance) / fps || t > $0.1 + Double(frameTolerance) / fps }
            if inside { #expect(f.active[k], "frame \(k) (\(t) s) should be active") }
            if outside { #expect(!f.active[k], "frame \(k) (\(t) s) should be silent") }
        }
        // One onset per burst start.
        #expect(f.onsets.count == spans.count, "onsets \(f.onsetTimes) strength \(f.onsets.map { f.onsetStrength[$0] })")
        for (o, s) in zip(f.onsets, spans) {
            #expect(abs(o - Int((s.0 * fps).rounded())) <= frameTolerance, "onset frame \(o) for burst at \(s.0) s")
        }
        // Pitch in the middle of each burst.
        for s in spans {
            let k = Int(((s.0 + s.1) / 2 * fps).rounded())
            #expect(abs(f.pitchHz[k] - 180) < pitchToleranceHz, "pitch \(f.pitchHz[k]) Hz at frame \(k)")
        }
        // RMS of the harmonic tone: 0.3 · sqrt((1 + 0.25 + 0.0625) / 2), within 3% (the 1024-sample window
        // holds 8.36 periods, not a whole number).
        let k = Int((0.85 * fps).rounded())
        let expected = Float(0.3 * ((1 + 0.25 + 0.0625) / 2).squareRoot())
        #expect(abs(f.rms[k] - expected) < 0.03 * expected, "rms \(f.rms[k]) expected \(expected)")
    }

    @Test func yinFindsPureTonePitchAcrossTheRange() {
        for f0 in [80.0, 150.0, 233.3, 390.0] {
            let x = (0..<8000).map { Float(0.5 * sin(2 * .pi * f0 * Double($0) / 22050)) }
            let got = SpeechFeatures.yin(x, center: 4000, sampleRate: 22050, config: .init())
            #expect(abs(Double(got) - f0) < Double(pitchToleranceHz), "f0 \(f0): got \(got)")
        }
        // White noise has no period.
        var rng = PCG32(seed: 1)
        let noise = (0..<8000).map { _ in rng.gaussian() }
        #expect(SpeechFeatures.yin(noise, center: 4000, sampleRate: 22050, config: .init()) == 0)
    }

    @Test func badInputIsRejected() {
        #expect(throws: AnalysisError.self) { try SpeechFeatures.analyze(samples: [0, 1], sampleRate: 22050, fps: 30) }
        #expect(throws: AnalysisError.self) { try SpeechFeatures.analyze(samples: [Float](repeating: .nan, count: 22050), sampleRate: 22050, fps: 30) }
        #expect(throws: AnalysisError.self) { try SpeechFeatures.analyze(samples: [Float](repeating: 0, count: 22050), sampleRate: 4000, fps: 30) }
    }
}

/// RMS is the same sum as librosa's in another order (Double here, float32 there).
private let rmsTolerance: Float = 1e-5
/// With librosa's window set to a2m's (frame 740, win 370 samples vs a2m's 367 + 367), the two YINs differ
/// only in window placement by a few samples and in interpolation details.
private let yinRelativeTolerance: Float = 0.005
/// Every frame a2m calls voiced must agree.
private let yinAgreeingFraction = 1.0

@Suite struct SpeechFeaturesLibrosaTests {
    struct Reference: Decodable { let frames: Int; let rms: [Float]; let yin: [Float] }

    @Test func rmsAndPitchMatchLibrosaOnSpeech() throws {
        let dir = "Fixtures/evaluation"
        let wav = try #require(Bundle.module.url(forResource: "speech", withExtension: "wav", subdirectory: dir))
        let json = try #require(Bundle.module.url(forResource: "librosa", withExtension: "json", subdirectory: dir))
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: json))
        let signal = try AudioFile.load(wav)
        let f = try SpeechFeatures.analyze(samples: signal.samples, sampleRate: signal.sampleRate, fps: 30)
        #expect(f.frameCount == ref.frames)
        let rmsDiff = zip(f.rms, ref.rms).map { abs($0 - $1) }.max()!
        #expect(rmsDiff < rmsTolerance, "max |rms − librosa| = \(rmsDiff)")

        let voiced = f.pitchHz.indices.filter { f.pitchHz[$0] > 0 }
        let agree = voiced.filter { abs(f.pitchHz[$0] - ref.yin[$0]) / ref.yin[$0] < yinRelativeTolerance }
        let fraction = Double(agree.count) / Double(voiced.count)
        #expect(voiced.count > ref.frames / 3, "only \(voiced.count) voiced frames of \(ref.frames)")
        #expect(fraction >= yinAgreeingFraction, "YIN agrees with librosa on \(agree.count) of \(voiced.count) voiced frames; others: \(voiced.filter { !agree.contains($0) }.map { "\($0): \(f.pitchHz[$0]) vs \(ref.yin[$0])" })")
    }
}
