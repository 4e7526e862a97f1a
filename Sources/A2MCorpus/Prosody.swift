import A2MAudio
import A2MCore
import A2MMotion
import Foundation

/// The prosodic events corpus v2 times its gestures to, measured from the audio's own features
/// (`SpeechFeatures`: RMS loudness, speech activity, spectral-flux onsets, YIN pitch).
///
/// - Syllable nuclei: peaks of the loudness contour during speech that rise at least `nucleusDipDB` above the
///   dip before them and are voiced nearby, the intensity-peak rule of de Jong & Wempe (2009, "Praat script to
///   detect syllable nuclei").
/// - Prominence of a nucleus: loudness and pitch height relative to the clip (z-scores), plus the pitch rise
///   into it and the strength of the onset before it: stressed and pitch-accented syllables are louder,
///   higher and rising (Terken 1991; Tamburini & Wagner 2007).
/// - Speech runs: speech activity with gaps under `runGapSeconds` bridged (pauses between words stay inside).
struct ProsodicEvents: Sendable {
    struct Nucleus: Sendable, Equatable {
        var frame: Int
        var prominence: Double
        /// Loudness relative to the clip's loud speech, linear (1 = the 95th percentile of speech RMS).
        var level: Double
    }

    var fps: Double
    var frameCount: Int
    var nuclei: [Nucleus]
    /// Speech runs as frame ranges, in time order.
    var runs: [Range<Int>]
    /// Loudness per frame relative to the clip's loud speech (RMS over its 95th percentile during speech),
    /// averaged over ±`levelHalfWindow` frames and capped at `levelCap`.
    var levels: [Double]
    static let levelHalfWindow = 4, levelCap = 1.5

    static let nucleusDipDB = 2.0
    /// Nuclei closer than this are one syllable.
    static let nucleusMinSeconds = 0.1
    static let runGapSeconds = 0.3
    /// Weights of the prominence terms: z(loudness dB), z(pitch in semitones), pitch rise (semitones), onset.
    static let weights = (loudness: 1.0, pitch: 0.8, rise: 0.15, onset: 0.8)

    init(features a: SpeechFeatures) {
        let fps = a.fps
        self.fps = fps
        frameCount = a.frameCount
        let n = a.frameCount
        let db = (0..<n).map { f -> Double in
            // Three-frame average: one syllable spans 4–8 frames at 30 fps.
            let lo = max(0, f - 1), hi = min(n - 1, f + 1)
            return (lo...hi).reduce(0) { $0 + Double(a.loudnessDB[$1]) } / Double(hi - lo + 1)
        }
        let activeRMS = zip(a.rms, a.active).filter(\.1).map { Double($0.0) }.sorted()
        let reference = activeRMS.isEmpty ? 1 : max(1e-6, activeRMS[Int(0.95 * Double(activeRMS.count - 1))])
        var levels = [Double](repeating: 0, count: n)
        for f in 0..<n {
            let lo = max(0, f - Self.levelHalfWindow), hi = min(n - 1, f + Self.levelHalfWindow)
            let mean = (lo...hi).reduce(0) { $0 + Double(a.rms[$1]) } / Double(hi - lo + 1)
            levels[f] = min(Self.levelCap, mean / reference)
        }
        self.levels = levels
        let semitones = a.pitchHz.map { $0 > 0 ? 12 * log2(Double($0) / 100) : Double.nan }

        // Candidate nuclei: local loudness maxima during speech, voiced within ±2 frames.
        let minGap = max(1, Int((Self.nucleusMinSeconds * fps).rounded()))
        var peaks = [Int]()
        var dipSincePeak = Double.infinity
        for f in 0..<n {
            dipSincePeak = min(dipSincePeak, db[f])
            guard a.active[f], f > 0, f + 1 < n, db[f] >= db[f - 1], db[f] > db[f + 1] else { continue }
            let voiced = (max(0, f - 2)...min(n - 1, f + 2)).contains { !semitones[$0].isNaN }
            guard voiced else { continue }
            if let last = peaks.last, f - last < minGap || db[f] - dipSincePeak < Self.nucleusDipDB {
                // Too close to the previous nucleus or no dip between them: keep the louder one.
                if db[f] > db[last] { peaks[peaks.count - 1] = f; dipSincePeak = db[f] }
                continue
            }
            peaks.append(f)
            dipSincePeak = db[f]
        }

        func pitchNear(_ f: Int) -> Double? {
            let vals = (max(0, f - 2)...min(n - 1, f + 2)).map { semitones[$0] }.filter { !$0.isNaN }
            return vals.max()
        }
        func zScores(_ x: [Double]) -> [Double] {
            guard x.count > 1 else { return x.map { _ in 0 } }
            let m = x.reduce(0, +) / Double(x.count)
            let s = (x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(x.count)).squareRoot()
            return x.map { s > 1e-9 ? ($0 - m) / s : 0 }
        }
        let loud = zScores(peaks.map { db[$0] })
        let pitches = peaks.map { pitchNear($0) }
        let known = pitches.compactMap { $0 }
        let meanPitch = known.isEmpty ? 0 : known.reduce(0, +) / Double(known.count)
        let pitchZ = zScores(pitches.map { $0 ?? meanPitch })
        let w = Self.weights
        nuclei = peaks.enumerated().map { k, f in
            // Rise: pitch at the nucleus over the lowest voiced pitch in the 0.2 s before it, capped at 6 st.
            let before = (max(0, f - Int(0.2 * fps))...f).map { semitones[$0] }.filter { !$0.isNaN }
            let rise = min(6, max(0, (pitches[k] ?? meanPitch) - (before.min() ?? meanPitch)))
            let onset = (max(0, f - 4)...f).map { Double(a.onsetStrength[$0]) }.max() ?? 0
            let p = w.loudness * loud[k] + w.pitch * pitchZ[k] + w.rise * rise + w.onset * onset
            return Nucleus(frame: f, prominence: p, level: Double(a.rms[f]) / reference)
        }

        // Speech runs.
        let gap = Int((Self.runGapSeconds * fps).rounded())
        var runs = [Range<Int>]()
        var f = 0
        while f < n {
            guard a.active[f] else { f += 1; continue }
            var e = f
            while e < n && a.active[e] { e += 1 }
            if let last = runs.last, f - last.upperBound <= gap {
                runs[runs.count - 1] = last.lowerBound..<e
            } else {
                runs.append(f..<e)
            }
            f = e
        }
        self.runs = runs
    }

    /// Whether frame `f` lies inside a speech run.
    func speaking(_ f: Int) -> Bool { runs.contains { $0.contains(f) } }
}

/// How engaged in speaking the speaker is at each frame, 0...1: 1 inside speech runs, easing to 0 over
/// `rampSeconds` (minimum-jerk) before a run starts and after it ends.
struct SpeakingEnvelope {
    private let values: [Double]

    init(prosody: ProsodicEvents, rampSeconds: Double) {
        let n = prosody.frameCount
        let ramp = max(1, rampSeconds * prosody.fps)
        var v = [Double](repeating: 0, count: n)
        for run in prosody.runs {
            let lo = Double(run.lowerBound), hi = Double(run.upperBound)
            let first = max(0, Int((lo - ramp).rounded(.down))), last = min(n, Int((hi + ramp).rounded(.up)))
            guard first < last else { continue }
            for f in first..<last {
                let x = Double(f)
                let w = x < lo ? MinimumJerk.profile(1 - (lo - x) / ramp) : x >= hi ? MinimumJerk.profile(1 - (x - hi) / ramp) : 1
                v[f] = max(v[f], w)
            }
        }
        values = v
    }

    subscript(_ f: Int) -> Double { f >= 0 && f < values.count ? values[f] : 0 }
}
