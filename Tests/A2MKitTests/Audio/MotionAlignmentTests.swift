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
