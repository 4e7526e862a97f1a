import A2MAudio
import A2MCore
import Foundation

/// Percentile bootstrap confidence interval of the mean of per-clip values (Efron & Tibshirani 1993, §13.3;
/// the same estimator as `scipy.stats.bootstrap(method='percentile')`), seeded so reports are reproducible.
public enum Bootstrap {
    public struct Interval: Sendable, Equatable, Codable {
        public let mean: Double
        public let lower: Double
        public let upper: Double
        let confidence: Double
    }

    /// Resamples `values` with replacement `resamples` times; the interval is the (α/2, 1 − α/2) quantiles of
    /// the resampled means (linear interpolation between order statistics, numpy's default).
    static func meanInterval(_ values: [Double], resamples: Int = 2000, confidence: Double = 0.95, seed: UInt64) throws -> Interval {
        guard !values.isEmpty else { throw AnalysisError.invalidInput("bootstrap needs at least one value") }
        guard resamples >= 1, confidence > 0, confidence < 1 else {
            throw AnalysisError.invalidInput("bootstrap needs resamples ≥ 1 and 0 < confidence < 1")
        }
        var rng = PCG32.derived(seed: seed, purpose: .sampling, rank: 0xB007)
        let n = values.count
        var means = [Double](repeating: 0, count: resamples)
        for r in 0..<resamples {
            var s = 0.0
            for _ in 0..<n { s += values[rng.int(below: n)] }
            means[r] = s / Double(n)
        }
        means.sort()
        let alpha = 1 - confidence
        return Interval(mean: values.reduce(0, +) / Double(n),
                        lower: quantile(means, alpha / 2), upper: quantile(means, 1 - alpha / 2), confidence: confidence)
    }

    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let pos = q * Double(sorted.count - 1)
        let i = Int(pos.rounded(.down)), frac = pos - Double(i)
        return i + 1 < sorted.count ? sorted[i] + frac * (sorted[i + 1] - sorted[i]) : sorted[i]
    }
}
