import Foundation

/// FID_k and Diversity_k as Bailando reports them (`utils/metrics_new.py`: `quantized_metrics`, `normalize`,
/// `calc_fid`, `calculate_avg_distance`):
/// 1. kinetic feature vectors (`KineticFeatures.vector`) per clip for generated and ground-truth sets;
/// 2. both normalized with the ground-truth per-dimension mean and population std: (x − μ_gt) / (σ_gt + 1e-10);
/// 3. FID_k = Fréchet distance between the normalized sets; Diversity_k = mean pairwise L2 distance within
///    each normalized set.
/// One departure: a dimension the ground truth barely varies (σ_gt below `constantStdRatio` × the median σ_gt of all
/// dimensions, e.g. the kinetic energy of feet that stay planted in every clip, whose spread is float noise) is
/// left out of both sets. Bailando's 1e-10 would divide the generated clips' least motion there by that noise and
/// put FID_k near 1e10–1e21 (measured on the finger-skeleton corpus, whose legs never move: its foot features'
/// σ_gt is 1e-10–1e-4 against a median of 81), which says nothing about the rest of the body.
public enum KineticFID {
    /// σ_gt, as a fraction of the median σ_gt over the dimensions, below which a dimension is left out.
    public static let constantStdRatio = 1e-4

    public struct Result: Sendable, Equatable, Codable {
        public let fid: Double
        public let diversityGenerated: Double
        public let diversityGroundTruth: Double
    }

    /// Per-dimension mean and population std of `reference` (empty for an empty set).
    static func moments(_ reference: [[Double]]) -> (mean: [Double], std: [Double]) {
        guard let d = reference.first?.count else { return ([], []) }
        let n = Double(reference.count)
        var mean = [Double](repeating: 0, count: d), std = [Double](repeating: 0, count: d)
        for r in reference { for i in 0..<d { mean[i] += r[i] / n } }
        for r in reference { for i in 0..<d { std[i] += (r[i] - mean[i]) * (r[i] - mean[i]) / n } }
        for i in 0..<d { std[i] = std[i].squareRoot() }
        return (mean, std)
    }

    /// Normalizes `features` with the per-dimension mean and population std of `reference`.
    static func normalize(_ features: [[Double]], by reference: [[Double]]) -> [[Double]] {
        guard let d = reference.first?.count else { return features }
        let (mean, std) = moments(reference)
        return features.map { f in (0..<d).map { (f[$0] - mean[$0]) / (std[$0] + 1e-10) } }
    }

    /// Mean pairwise Euclidean distance over all unordered pairs; 0 for fewer than 2 vectors.
    static func diversity(_ vectors: [[Double]]) -> Double {
        let n = vectors.count
        guard n >= 2 else { return 0 }
        var total = 0.0
        for i in 0..<n {
            for j in (i + 1)..<n {
                var s = 0.0
                for k in vectors[i].indices { let d = vectors[i][k] - vectors[j][k]; s += d * d }
                total += s.squareRoot()
            }
        }
        return total / (Double(n * (n - 1)) / 2)
    }

    /// The dimensions `reference` varies in: population std ≥ `constantStdRatio` × the median std.
    static func varying(_ reference: [[Double]]) -> [Int] {
        let std = moments(reference).std
        guard !std.isEmpty else { return [] }
        let median = std.sorted()[std.count / 2]
        return std.indices.filter { std[$0] >= constantStdRatio * median && std[$0] > 0 }
    }

    static func evaluate(generated: [[Double]], groundTruth: [[Double]]) throws -> Result {
        let keep = varying(groundTruth)
        let generated = generated.map { v in keep.map { v[$0] } }, groundTruth = groundTruth.map { v in keep.map { v[$0] } }
        let gen = normalize(generated, by: groundTruth), gt = normalize(groundTruth, by: groundTruth)
        return Result(fid: try FrechetDistance.distance(gen, gt), diversityGenerated: diversity(gen), diversityGroundTruth: diversity(gt))
    }
}
