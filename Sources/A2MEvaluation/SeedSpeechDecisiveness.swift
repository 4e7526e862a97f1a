import A2MAudio
import Foundation

/// Does the speech or the seed decide the gesture? Given the wrist paths of N speeches each generated with
/// the same S seeds, compares every pair of *different speeches with the same seed* and every pair of *the
/// same speech with different seeds* (issue 36). A model whose motion follows the audio gives low correlation
/// in the first group and, where its audio mapping is consistent, higher in the second; a model that
/// collapses onto a seed-specific path gives the reverse (the model of 2026-11-23 at w = 1: 0.754 against 0.280,
/// docs/evaluation.md).
///
/// Per pair: the Pearson correlation of the two paths over all six wrist channels at once (each channel
/// centred on its own mean over the frames, then Σab/√(Σa²Σb²)), computed on paths in shoulder heights, and
/// the mean over frames and both wrists of the distance between the centred paths, in the files' units (cm).
/// Paths of different lengths are compared over the shorter one's frames. The same definitions as
/// `docs/scripts/seed_study.py`, whose output the tests reproduce.
///
/// "Same seed" means the same noise: files from `a2m generate --seed S` for each S, or sample k of
/// `a2m generate --samples K` (every clip's sample k draws noise stream k).
public struct SeedSpeechDecisiveness: Codable, Sendable, Equatable {
    /// One group of pairs.
    public struct Group: Codable, Sendable, Equatable {
        public let pairs: Int
        public let medianCorrelation: Double
        /// 10th and 90th percentiles of the correlations (linear interpolation, as numpy's default).
        public let correlationP10: Double
        public let correlationP90: Double
        /// Mean over the pairs of the mean wrist distance between the centred paths, file units (cm).
        public let meanDistance: Double
    }

    public let speeches: Int
    public let seeds: Int
    /// Different speeches, same seed: N(N−1)/2 pairs per seed. Low when the audio decides.
    public let differentSpeechSameSeed: Group
    /// Same speech, different seeds: S(S−1)/2 pairs per speech.
    public let sameSpeechDifferentSeed: Group

    /// `paths[i][s]`: speech i, seed s (every speech with the same seeds in the same order). Needs at least
    /// two speeches and two seeds.
    public static func measure(_ paths: [[WristPath]]) throws -> SeedSpeechDecisiveness {
        let n = paths.count, s = paths.first?.count ?? 0
        guard n >= 2, s >= 2 else {
            throw AnalysisError.invalidInput("seed-vs-speech needs at least 2 speeches × 2 seeds, got \(n) × \(s)")
        }
        guard paths.allSatisfy({ $0.count == s }) else {
            throw AnalysisError.invalidInput("seed-vs-speech needs the same \(s) seeds for every speech")
        }
        var sameSeed = [(Double, Double)](), sameSpeech = [(Double, Double)]()
        for k in 0..<s {
            for a in 0..<n { for b in (a + 1)..<n { sameSeed.append(compare(paths[a][k], paths[b][k])) } }
        }
        for a in 0..<n {
            for k in 0..<s { for l in (k + 1)..<s { sameSpeech.append(compare(paths[a][k], paths[a][l])) } }
        }
        return SeedSpeechDecisiveness(speeches: n, seeds: s, differentSpeechSameSeed: group(sameSeed), sameSpeechDifferentSeed: group(sameSpeech))
    }

    /// (correlation, mean distance) of two paths over their common frames.
    public static func compare(_ a: WristPath, _ b: WristPath) -> (correlation: Double, distance: Double) {
        let frames = min(a.frameCount, b.frameCount)
        func centred(_ p: WristPath) -> [Double] {
            var v = Array(p.values[0..<(frames * 6)])
            for c in 0..<6 {
                var mean = 0.0
                for f in 0..<frames { mean += v[f * 6 + c] }
                mean /= Double(frames)
                for f in 0..<frames { v[f * 6 + c] -= mean }
            }
            return v
        }
        let x = centred(a), y = centred(b)
        // Correlation on shoulder-height units: each path divided by its own rig's S.
        var xy = 0.0, xx = 0.0, yy = 0.0
        for i in x.indices {
            let p = x[i] / a.shoulderHeight, q = y[i] / b.shoulderHeight
            xy += p * q; xx += p * p; yy += q * q
        }
        var distance = 0.0
        for f in 0..<frames {
            for w in 0..<2 {
                let o = f * 6 + w * 3
                let d = SIMD3(x[o] - y[o], x[o + 1] - y[o + 1], x[o + 2] - y[o + 2])
                distance += (d * d).sum().squareRoot()
            }
        }
        let denominator = (xx * yy).squareRoot()
        return (denominator > 0 ? xy / denominator : 0, distance / Double(2 * frames))
    }

    static func group(_ values: [(Double, Double)]) -> Group {
        let c = values.map(\.0).sorted()
        return Group(pairs: values.count, medianCorrelation: Bootstrap.quantile(c, 0.5), correlationP10: Bootstrap.quantile(c, 0.1),
                     correlationP90: Bootstrap.quantile(c, 0.9), meanDistance: values.map(\.1).reduce(0, +) / Double(values.count))
    }

    /// A Markdown table of the two groups.
    public var table: String {
        func row(_ label: String, _ g: Group) -> String {
            "| \(label) | \(g.pairs) | " + String(format: "%.3f | [%.2f, %.2f] | %.1f |", g.medianCorrelation, g.correlationP10, g.correlationP90, g.meanDistance)
        }
        return """
        Seed vs speech (\(speeches) speeches × \(seeds) seeds; wrist paths relative to the hips):
        | pairs | n | median correlation | [p10, p90] | mean distance (cm) |
        |---|---|---|---|---|
        \(row("different speeches, same seed", differentSpeechSameSeed))
        \(row("same speech, different seeds", sameSpeechDifferentSeed))
        """
    }
}
