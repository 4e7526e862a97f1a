import Foundation
import Testing
@testable import A2MCore
@testable import A2MAudio

/// Motion frame count = round(duration × fps); feature row j describes time j / fps; no drift.
@Suite struct MotionAlignmentTests {
    @Test func frameCountRule() {
        #expect(MotionAlignment.frameCount(duration: 10, fps: 30) == 300)
        #expect(MotionAlignment.frameCount(duration: 1.0 / 60, fps: 30) == 1)       // exactly half a frame rounds up
        #expect(MotionAlignment.frameCount(duration: 0.049, fps: 30) == 1)
        #expect(MotionAlignment.frameCount(duration: 0.05, fps: 30) == 2)
        #expect(MotionAlignment.frameCount(duration: 600, fps: 30) == 18000)
        #expect(MotionAlignment.frameCount(duration: 600, fps: 29.97) == 17982)
    }

    /// Any length at any input rate: exactly round(n / sr · 30) rows, never fewer STFT frames than that.
    @Test(arguments: [8000, 22050, 44100])
    func alignedRowCountForManyLengths(rate: Int) throws {
        let ex = try LogMelExtractor(.model)
        var rng = PCG32(seed: UInt64(rate))
        for _ in 0..<20 {
            let n = rate / 10 + rng.int(below: 3 * rate)
            let x = (0..<n).map { _ in rng.uniformFloat() - 0.5 }
            let signal = AudioSignal(samples: x, sampleRate: rate)
            let want = Int((Double(n) / Double(rate) * 30).rounded())
            let m = try ex.motionAlignedLogMel(signal, fps: 30)
            #expect(m.frames == want && m.bins == 80, "n=\(n) at \(rate) Hz: \(m.frames) rows, want \(want)")
            // Exact rate: the rows are the STFT frames themselves.
            let full = try ex.logMel(signal)
            #expect(full.frames >= want)
            #expect(Array(m.values) == Array(full.values.prefix(want * 80)))
        }
    }

    /// A 10-minute file at 22050 Hz with a 1 kHz Gaussian-enveloped burst (σ = 10 ms) centered at 599.52 s:
    /// 18000 rows at 30 fps and the burst loudest in row round(599.52 · 30) = 17986; at 25 fps (interpolated
    /// rows) 15000 rows, loudest in row 599.52 · 25 = 14988.
    @Test func tenMinuteFileDriftsByZeroFrames() throws {
        let sr = 22050, seconds = 600.0, center = 599.52
        var x = [Float](repeating: 0, count: Int(seconds) * sr)
        let half = Int(0.05 * Double(sr)), mid = Int((center * Double(sr)).rounded())
        for i in (mid - half)...(mid + half) {
            let dt = Double(i - mid) / Double(sr)
            x[i] = Float(0.5 * exp(-0.5 * (dt / 0.01) * (dt / 0.01)) * sin(2 * Double.pi * 1000 * dt))
        }
        let signal = AudioSignal(samples: x, sampleRate: sr)
        let ex = try LogMelExtractor(.model)
        let full = try ex.logMel(signal)
        func loudestRow(_ m: FeatureMatrix) -> Int {
            // The loudest band (the 1 kHz one) is monotone in the burst energy a frame's window sees.
            (0..<m.frames).max { m.row($0).max()! < m.row($1).max()! }!
        }
        let at30 = MotionAlignment.align(full, featureRate: 30, fps: 30, frames: MotionAlignment.frameCount(duration: signal.duration, fps: 30))
        #expect(at30.frames == 18000)
        #expect(loudestRow(at30) == 17986)
        let at25 = MotionAlignment.align(full, featureRate: 30, fps: 25, frames: MotionAlignment.frameCount(duration: signal.duration, fps: 25))
        #expect(at25.frames == 15000)
        #expect(loudestRow(at25) == 14988)
    }

    /// The prosody columns follow the same rows: a 10-minute file with a voiced 200 Hz burst (Gaussian, σ = 20 ms)
    /// centered at 599.52 s has its loudest `rmsDB` in row 17986 at 30 fps (14988 at 25 fps), voiced there,
    /// with the burst's pitch.
    @Test func prosodyRowsDriftByZeroFramesToo() throws {
        let sr = 22050, seconds = 600.0, center = 599.52
        var x = [Float](repeating: 0, count: Int(seconds) * sr)
        let half = Int(0.1 * Double(sr)), mid = Int((center * Double(sr)).rounded())
        for i in (mid - half)...(mid + half) {
            let dt = Double(i - mid) / Double(sr)
            let voice = (1...4).reduce(0.0) { $0 + sin(2 * Double.pi * 200 * Double($1) * dt) / Double($1) }
            x[i] = Float(0.3 * exp(-0.5 * (dt / 0.02) * (dt / 0.02)) * voice)
        }
        var config = AudioFeatureConfig.model
        config.prosody = [.rmsDB, .logF0, .voicing, .onset]
        let ex = try LogMelExtractor(config)
        let signal = AudioSignal(samples: x, sampleRate: sr)
        for (fps, frames, row) in [(30.0, 18000, 17986), (25.0, 15000, 14988)] {
            let m = try ex.motionAlignedFeatures(signal, fps: fps)
            #expect(m.frames == frames && m.bins == 84)
            let loudest = (0..<m.frames).max { m[$0, 80] < m[$1, 80] }!
            #expect(loudest == row, "\(fps) fps: loudest rmsDB in row \(loudest), want \(row)")
            #expect(m[row, 82] >= ProsodyFeature.voicedThreshold, "\(fps) fps: row \(row) voicing \(m[row, 82])")
            #expect(abs(m[row, 81] - Float(12 * log2(200.0 / 440) + 69)) < 0.5, "\(fps) fps: row \(row) log-F0 \(m[row, 81])")
            // Away from the burst: digital silence, unvoiced, no flux.
            #expect(m[row - 30, 80] == -100 && m[row - 30, 81].isNaN && m[row - 30, 82] == 0 && m[row - 30, 83] == 0)
        }
    }

    /// Non-exact rates interpolate linearly between the two neighbouring feature frames.
    @Test func interpolatesBetweenFeatureFrames() {
        let f = FeatureMatrix(frames: 4, bins: 2, values: [0, 10, 1, 11, 2, 12, 3, 13])
        let a = MotionAlignment.align(f, featureRate: 30, fps: 20, frames: 3)   // times 0, 1.5, 3 feature frames
        #expect(a.values == [0, 10, 1.5, 11.5, 3, 13])
    }

    /// Frames are split over threads (601 frames: two workers of ≥ 128); 1 and 2 threads give the same bytes.
    @Test func sameBytesAtAnyThreadCount() throws {
        var rng = PCG32(seed: 9)
        let x = (0..<(15360 * 20)).map { _ in rng.uniformFloat() - 0.5 }
        let ex = try LogMelExtractor(.model)
        let one = try Threads.withCount(1) { try ex.logMel(x) }
        let two = try Threads.withCount(2) { try ex.logMel(x) }
        #expect(one.values.map(\.bitPattern) == two.values.map(\.bitPattern))
    }
}
