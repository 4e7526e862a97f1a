import A2MCore
import A2MMotion
import Foundation

/// The Hellinger distance between two histograms on the same bins, as the GENEA numerical evaluations compute
/// it (genea_numerical_evaluations/hellinger_distance.py): √(1 − Σ √(p·q)) of the normalized counts. 0 for equal
/// shapes, 1 for disjoint ones.
public enum HellingerDistance {
    /// nil when the bin counts differ or either histogram is empty.
    public static func between(_ a: [Int], _ b: [Int]) -> Double? {
        guard a.count == b.count else { return nil }
        let sa = Double(a.reduce(0, +)), sb = Double(b.reduce(0, +))
        guard sa > 0, sb > 0 else { return nil }
        let overlap = zip(a, b).reduce(0.0) { $0 + (Double($1.0) / sa * Double($1.1) / sb).squareRoot() }
        return max(0, 1 - overlap).squareRoot()
    }
}
