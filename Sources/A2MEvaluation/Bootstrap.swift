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
        let n = Double(values.count)
        return try resampledInterval(count: values.count, point: values.reduce(0, +) / n, resamples: resamples, confidence: confidence,
                                     seed: seed) { idx in idx.reduce(0) { $0 + values[$1] } / n }
    }

    /// Percentile bootstrap interval of a statistic that is not a mean of per-clip values (FID_k, a ratio of
    /// means): `statistic` gets `resamples` lists of `count` clip indices drawn with replacement and returns the
    /// statistic on those clips (nil: left out). The interval's `mean` is `point`, the statistic on every clip.
    /// Resamples repeat clips, so a statistic that is biased by sample size (FID_k is: fewer distinct clips give
    /// a larger distance) is biased upward in the resamples; the interval then says how much the value moves
    /// with the choice of clips, for comparing settings scored on the same clips, and may not contain `point`.
    static func resampledInterval(count n: Int, point: Double, resamples: Int = 200, confidence: Double = 0.95, seed: UInt64,
                                  statistic: ([Int]) throws -> Double?) throws -> Interval {
        guard n >= 1 else { throw AnalysisError.invalidInput("bootstrap needs at least one clip") }
        guard resamples >= 1, confidence > 0, confidence < 1 else {
            throw AnalysisError.invalidInput("bootstrap needs resamples ≥ 1 and 0 < confidence < 1")
        }
        var rng = PCG32.derived(seed: seed, purpose: .sampling, rank: 0xB007)
        var values = [Double]()
        values.reserveCapacity(resamples)
        for _ in 0..<resamples {
            let indices = (0..<n).map { _ in rng.int(below: n) }
            if let v = try statistic(indices), v.isFinite { values.append(v) }
        }
        guard !values.isEmpty else { throw AnalysisError.invalidInput("bootstrap: the statistic had no value on any resample") }
        values.sort()
        let alpha = 1 - confidence
        return Interval(mean: point, lower: quantile(values, alpha / 2), upper: quantile(values, 1 - alpha / 2), confidence: confidence)
    }

    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let pos = q * Double(sorted.count - 1)
        let i = Int(pos.rounded(.down)), frac = pos - Double(i)
        return i + 1 < sorted.count ? sorted[i] + frac * (sorted[i + 1] - sorted[i]) : sorted[i]
    }
}
