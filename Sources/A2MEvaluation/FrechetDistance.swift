import A2MAudio
import Foundation

/// Fréchet distance between two Gaussians fitted to feature sets (Heusel et al. 2017; the computation of
/// pytorch-fid `calculate_frechet_distance`, which Bailando's `calc_fid` and GENEA's FGD reuse):
///
///     d² = |μ1 − μ2|² + Tr(Σ1 + Σ2) − 2·Tr((Σ1 Σ2)^{1/2})
///
/// The trace term is computed without a non-symmetric matrix square root: Tr((Σ1Σ2)^{1/2}) equals
/// Σ_k sqrt(λ_k) over the eigenvalues λ_k of the symmetric PSD matrix Σ1^{1/2} Σ2 Σ1^{1/2} (it is similar to
/// Σ1Σ2), so two Jacobi eigen-decompositions in Double suffice; tiny negative eigenvalues from round-off are
/// clamped to 0. Regularizer: as in pytorch-fid, when either covariance is singular (smallest eigenvalue ≤ 0,
/// e.g. fewer samples than dimensions) both get `epsilon`·I added (ε = 1e-6). Covariances are the unbiased
/// (N − 1) estimates of `np.cov(rowvar=False)`.
enum FrechetDistance {
    static let epsilon = 1e-6

    /// Mean and unbiased covariance (row-major d×d) of `samples` (each of length d); needs ≥ 2 samples.
    static func statistics(_ samples: [[Double]]) throws -> (mean: [Double], covariance: [Double]) {
        guard samples.count >= 2 else { throw AnalysisError.invalidInput("Fréchet distance needs at least 2 samples per set, got \(samples.count)") }
        let d = samples[0].count
        guard d > 0, samples.allSatisfy({ $0.count == d }) else { throw AnalysisError.invalidInput("feature vectors must share one non-zero length") }
        let n = Double(samples.count)
        var mean = [Double](repeating: 0, count: d)
        for s in samples { for i in 0..<d { mean[i] += s[i] } }
        for i in 0..<d { mean[i] /= n }
        var cov = [Double](repeating: 0, count: d * d)
        for s in samples {
            for i in 0..<d {
                let a = s[i] - mean[i]
                for j in i..<d { cov[i * d + j] += a * (s[j] - mean[j]) }
            }
        }
        for i in 0..<d { for j in i..<d { cov[i * d + j] /= n - 1; cov[j * d + i] = cov[i * d + j] } }
        return (mean, cov)
    }

    /// d² between N(mean1, cov1) and N(mean2, cov2); covariances row-major d×d, symmetric.
    static func distance(mean1: [Double], covariance1: [Double], mean2: [Double], covariance2: [Double]) throws -> Double {
        let d = mean1.count
        guard mean2.count == d, covariance1.count == d * d, covariance2.count == d * d else {
            throw AnalysisError.invalidInput("Fréchet distance: means of length \(mean1.count)/\(mean2.count) and covariances of \(covariance1.count)/\(covariance2.count) entries do not match")
        }
        var s1 = covariance1, s2 = covariance2
        let singular = (SymmetricEigen.decompose(s1, n: d).values.min() ?? 0) <= 0
            || (SymmetricEigen.decompose(s2, n: d).values.min() ?? 0) <= 0
        if singular { for i in 0..<d { s1[i * d + i] += epsilon; s2[i * d + i] += epsilon } }
        let root1 = SymmetricEigen.sqrtPSD(s1, n: d)
        var m = SymmetricEigen.multiply(SymmetricEigen.multiply(root1, s2, n: d), root1, n: d)
        for i in 0..<d { for j in (i + 1)..<max(i + 1, d) { let s = 0.5 * (m[i * d + j] + m[j * d + i]); m[i * d + j] = s; m[j * d + i] = s } }
        let traceSqrt = SymmetricEigen.decompose(m, n: d).values.reduce(0) { $0 + max(0, $1).squareRoot() }
        var meanTerm = 0.0, trace = 0.0
        for i in 0..<d {
            meanTerm += (mean1[i] - mean2[i]) * (mean1[i] - mean2[i])
            trace += s1[i * d + i] + s2[i * d + i]
        }
        return meanTerm + trace - 2 * traceSqrt
    }

    /// d² between Gaussians fitted to two sample sets.
    static func distance(_ a: [[Double]], _ b: [[Double]]) throws -> Double {
        let sa = try statistics(a), sb = try statistics(b)
        guard sa.mean.count == sb.mean.count else { throw AnalysisError.invalidInput("feature lengths differ: \(sa.mean.count) vs \(sb.mean.count)") }
        return try distance(mean1: sa.mean, covariance1: sa.covariance, mean2: sb.mean, covariance2: sb.covariance)
    }
}
