import Foundation

/// Errors from audio analysis.
public enum AnalysisError: Error, CustomStringConvertible, Equatable {
    case invalidInput(String)

    public var description: String {
        switch self {
        case let .invalidInput(reason): return "audio analysis: \(reason)"
        }
    }
}

/// Parameters of `SpeechFeatures.analyze`. Defaults suit speech at 16–48 kHz analysed at 30 fps.
public struct SpeechAnalysisConfig: Sendable, Equatable {
    /// FFT / analysis window length in seconds (rounded up to a power of two in samples). Default 0.045 s.
    var windowSeconds = 0.045
    /// Frames whose loudness is within this many dB of the clip's loudest frame count as speech. Default 35 dB.
    var activityRangeDB: Float = 35
    /// Absolute floor below which a frame is silence whatever the clip's level. Default −60 dBFS.
    var activityFloorDB: Float = -60
    /// Speech must also exceed the clip's noise floor (10th percentile of frame loudness) by this much. Default 12 dB.
    var activityAboveNoiseDB: Float = 12
    /// Silent gaps shorter than this are filled (syllable-internal dips). Default 0.1 s.
    var minGapSeconds = 0.1
    /// Onset peak picking, in seconds (librosa `onset_detect` defaults: pre/post max 0.03 s, pre/post avg 0.1 s,
    /// wait 0.03 s, delta 0.07 on the [0, 1]-normalized envelope). Rounded to whole frames, at least 1.
    var onsetMaxSeconds = 0.03
    var onsetAverageSeconds = 0.1
    var onsetWaitSeconds = 0.1
    var onsetDelta: Float = 0.07
    /// Flux counts only on frames whose loudness rises by more than this (dB). Default 0.5 dB.
    var onsetMinRiseDB: Float = 0.5
    /// YIN pitch search range and threshold (de Cheveigné & Kawahara 2002 use 0.1–0.15).
    var minPitchHz = 60.0
    var maxPitchHz = 400.0
    var yinThreshold: Float = 0.15

    public init() {}
}

/// Per-frame speech features measured from a mono waveform at a motion frame rate: the audio side of the
/// evaluation metrics and the driver of the procedural gesture model.
///
/// - `rms`: root mean square of the analysis window centred on each frame (linear, full scale 1).
/// - `loudnessDB`: 20·log10(max(rms, 1e-5)).
/// - `onsetStrength`: spectral flux, Σ_bins max(0, L_k − L_{k−1}) of the log-compressed magnitude
///   L = log(1 + 100·|X|), counted only on frames whose loudness rises by > `onsetMinRiseDB` (the end of a sound also raises flux
///   through spectral leakage, and that is an offset, not an onset); the same idea as librosa's
///   `onset_strength` (which uses log-mel power and no gate), normalized to [0, 1] per clip as `onset_detect`
///   does before peak picking.
/// - `onsets`: frames picked from `onsetStrength` by librosa's `peak_pick` rule (local max within ±max window,
///   above local mean + delta, at least `wait` after the previous onset), kept only during speech activity.
/// - `active`: speech activity: loudness within `activityRangeDB` of the clip's maximum, above the absolute
///   floor and `activityAboveNoiseDB` above the clip's noise floor (10th percentile), with short gaps filled.
/// - `pitchHz`: YIN fundamental frequency (cumulative mean normalized difference, absolute threshold,
///   parabolic interpolation), 0 where no period is found or the frame is inactive.
public struct SpeechFeatures: Sendable, Equatable {
    public let fps: Double
    package let rms: [Float]
    package let loudnessDB: [Float]
    package let onsetStrength: [Float]
    package let onsets: [Int]
    package let active: [Bool]
    package let pitchHz: [Float]

    public var frameCount: Int { rms.count }
    /// Onset times in seconds.
    package var onsetTimes: [Double] { onsets.map { Double($0) / fps } }

    /// Number of motion frames covering `sampleCount` samples: one per whole frame period.
    public static func frameCount(sampleCount: Int, sampleRate: Int, fps: Double) -> Int {
        Int((Double(sampleCount) * fps / Double(sampleRate)).rounded(.down))
    }

    public static func analyze(samples: [Float], sampleRate: Int, fps: Double,
                               frames: Int? = nil, config: SpeechAnalysisConfig = .init()) throws -> SpeechFeatures {
        guard sampleRate >= 8000 else { throw AnalysisError.invalidInput("sample rate \(sampleRate) Hz is below 8000 Hz") }
        guard fps > 0, fps <= Double(sampleRate) / 64 else { throw AnalysisError.invalidInput("fps \(fps) is not in (0, sampleRate/64]") }
        let n = frames ?? frameCount(sampleCount: samples.count, sampleRate: sampleRate, fps: fps)
        guard n >= 1 else { throw AnalysisError.invalidInput("audio of \(samples.count) samples is shorter than one frame") }
        guard samples.allSatisfy(\.isFinite) else { throw AnalysisError.invalidInput("audio contains NaN or infinity") }

        var size = 64
        while Double(size) < config.windowSeconds * Double(sampleRate) { size *= 2 }

        // Loudness.
        var frame = [Float](repeating: 0, count: size)
        var rms = [Float](repeating: 0, count: n)
        for k in 0..<n {
            SpectrumFrames.window(samples, center: SpectrumFrames.center(frame: k, sampleRate: sampleRate, fps: fps), size: size, into: &frame)
            var s: Double = 0
            for v in frame { s += Double(v) * Double(v) }
            rms[k] = Float((s / Double(size)).squareRoot())
        }
        let db = rms.map { 20 * log10(max($0, 1e-5)) }

        // Activity with gap filling.
        let peak = db.max() ?? -100
        let noiseFloor = db.sorted()[(db.count - 1) / 10]
        let threshold = max(peak - config.activityRangeDB, config.activityFloorDB, noiseFloor + config.activityAboveNoiseDB)
        var active = db.map { $0 > threshold }
        let minGap = max(1, Int((config.minGapSeconds * fps).rounded()))
        var k = 0
        while k < n {
            if !active[k] {
                var e = k
                while e < n && !active[e] { e += 1 }
                if k > 0 && e < n && e - k < minGap { for j in k..<e { active[j] = true } }
                k = e
            } else { k += 1 }
        }

        // Spectral flux.
        let mags = SpectrumFrames.magnitudes(samples, sampleRate: sampleRate, fps: fps, frames: n, size: size)
        var flux = [Float](repeating: 0, count: n)
        var previous = mags[0].map { log(1 + 100 * $0) }
        for k in 1..<n {
            let current = mags[k].map { log(1 + 100 * $0) }
            var f: Float = 0
            for b in current.indices { f += max(0, current[b] - previous[b]) }
            // Offsets also raise flux (spectral leakage as a sound stops); onsets are where loudness rises.
            flux[k] = db[k] > db[k - 1] + config.onsetMinRiseDB ? f : 0
            previous = current
        }
        let lo = flux.min() ?? 0, hi = flux.max() ?? 0
        let strength = hi > lo ? flux.map { ($0 - lo) / (hi - lo) } : [Float](repeating: 0, count: n)

        let onsets = pickPeaks(strength, fps: fps, config: config).filter { active[$0] }
        let pitch = (0..<n).map { k -> Float in
            guard active[k] else { return 0 }
            return yin(samples, center: SpectrumFrames.center(frame: k, sampleRate: sampleRate, fps: fps),
                       sampleRate: sampleRate, config: config)
        }
        return SpeechFeatures(fps: fps, rms: rms, loudnessDB: db, onsetStrength: strength, onsets: onsets, active: active, pitchHz: pitch)
    }

    /// librosa.util.peak_pick with the window lengths converted to frames.
    static func pickPeaks(_ x: [Float], fps: Double, config: SpeechAnalysisConfig) -> [Int] {
        let w = { (s: Double) in max(1, Int((s * fps).rounded())) }
        let maxW = w(config.onsetMaxSeconds), avgW = w(config.onsetAverageSeconds), wait = w(config.onsetWaitSeconds)
        var peaks = [Int]()
        var last = Int.min / 2
        for i in x.indices {
            let a = max(0, i - maxW), b = min(x.count - 1, i + maxW)
            guard x[i] > 0, x[i] >= x[a...b].max()! else { continue }
            let c = max(0, i - avgW), d = min(x.count - 1, i + avgW)
            let mean = x[c...d].reduce(0, +) / Float(d - c + 1)
            guard x[i] >= mean + config.onsetDelta, i - last > wait else { continue }
            peaks.append(i)
            last = i
        }
        return peaks
    }

    /// YIN f0 of the window starting at `center`, or 0 if no period passes the threshold.
    static func yin(_ x: [Float], center: Int, sampleRate: Int, config: SpeechAnalysisConfig) -> Float {
        let tauMin = max(2, Int(Double(sampleRate) / config.maxPitchHz))
        let tauMax = Int(Double(sampleRate) / config.minPitchHz)
        let w = tauMax  // integration window: one longest period
        let start = center - (w + tauMax) / 2
        guard start >= 0, start + w + tauMax + 1 < x.count else { return 0 }
        var d = [Float](repeating: 0, count: tauMax + 2)
        x.withUnsafeBufferPointer { p in
            for tau in 1...(tauMax + 1) {
                var s: Float = 0
                for j in start..<(start + w) { let e = p[j] - p[j + tau]; s += e * e }
                d[tau] = s
            }
        }
        var cmnd = [Float](repeating: 1, count: tauMax + 2)
        var running: Float = 0
        for tau in 1...(tauMax + 1) {
            running += d[tau]
            cmnd[tau] = running > 0 ? d[tau] * Float(tau) / running : 1
        }
        var tau = tauMin
        while tau <= tauMax {
            if cmnd[tau] < config.yinThreshold {
                while tau + 1 <= tauMax && cmnd[tau + 1] < cmnd[tau] { tau += 1 }
                let a = cmnd[tau - 1], b = cmnd[tau], c = cmnd[tau + 1]
                let denom = a - 2 * b + c
                let shift = denom != 0 ? 0.5 * (a - c) / denom : 0
                return Float(sampleRate) / (Float(tau) + max(-1, min(1, shift)))
            }
            tau += 1
        }
        return 0
    }
}
