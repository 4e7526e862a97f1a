import Foundation

/// Per-feature mean and standard deviation of motion features over a dataset, stored with a model so
/// generation can undo the normalization: x̂ = (x − mean) / std, x = x̂ · std + mean.
///
/// Statistics are accumulated in Double over every frame of every clip (population std, not per clip).
/// `std` is floored at `stdFloor` so near-constant features (a joint that never moves, the 6D entries
/// of a fixed axis) are not blown up into noise; the floor is stored with the stats.
public struct NormalizationStats: Codable, Sendable, Equatable {
    public var mean: [Float]
    public var std: [Float]
    /// The floor applied to `std` when the stats were computed.
    public var stdFloor: Float

    /// Default floor: features are cm, cm/s, rad/s and 6D entries in [−1, 1]; 0.01 keeps a frozen 6D
    /// entry from being scaled up more than 100× while leaving every moving feature untouched.
    public static let defaultStdFloor: Float = 0.01

    public var featureDim: Int { mean.count }

    public init(mean: [Float], std: [Float], stdFloor: Float = NormalizationStats.defaultStdFloor) throws {
        let s = NormalizationStats(uncheckedMean: mean, std: std, stdFloor: stdFloor)
        try s.validate()
        self = s
    }

    private init(uncheckedMean mean: [Float], std: [Float], stdFloor: Float) {
        self.mean = mean
        self.std = std
        self.stdFloor = stdFloor
    }

    /// Statistics over `clips`, each a row-major [frames × featureDim] array (e.g. `MotionFeatures.encode`).
    public init(featureDim: Int, clips: [[Float]], stdFloor: Float = NormalizationStats.defaultStdFloor) throws {
        try self.init(featureDim: featureDim, count: clips.count, stdFloor: stdFloor) { c, body in
            try clips[c].withUnsafeBufferPointer { try body($0) }
        }
    }

    /// Statistics over `count` clips that `clip(c, body)` hands to `body` one at a time, twice each (a pass for
    /// the mean, one for the spread), so the clips need not be in memory together (a memory-mapped corpus).
    public init(featureDim: Int, count: Int, stdFloor: Float = NormalizationStats.defaultStdFloor,
                clip: (Int, (UnsafeBufferPointer<Float>) throws -> Void) throws -> Void) throws {
        guard featureDim > 0 else { throw NormalizationError.invalid("featureDim must be positive") }
        guard stdFloor > 0, stdFloor.isFinite else { throw NormalizationError.invalid("stdFloor must be positive") }
        var sum = [Double](repeating: 0, count: featureDim)
        var frames = 0
        for c in 0..<count {
            try clip(c) { x in
                guard x.count % featureDim == 0 else {
                    throw NormalizationError.invalid("clip \(c) has \(x.count) values, not a multiple of featureDim \(featureDim)")
                }
                if let bad = x.firstIndex(where: { !$0.isFinite }) {
                    throw NormalizationError.invalid("clip \(c), frame \(bad / featureDim), feature \(bad % featureDim) is not finite")
                }
                // Frame by frame: each feature's sum runs in frame order, as in one flat pass.
                let n = x.count / featureDim
                sum.withUnsafeMutableBufferPointer { s in
                    for f in 0..<n { for j in 0..<featureDim { s[j] += Double(x[f * featureDim + j]) } }
                }
                frames += n
            }
        }
        guard frames > 0 else { throw NormalizationError.invalid("no frames to compute statistics from") }
        let mean = sum.map { $0 / Double(frames) }
        // Second pass on centred values: numerically safer than E[x²] − E[x]².
        var sq = [Double](repeating: 0, count: featureDim)
        for c in 0..<count {
            try clip(c) { x in
                let n = x.count / featureDim
                sq.withUnsafeMutableBufferPointer { s in
                    for f in 0..<n {
                        for j in 0..<featureDim {
                            let d = Double(x[f * featureDim + j]) - mean[j]
                            s[j] += d * d
                        }
                    }
                }
            }
        }
        let std = sq.map { max(($0 / Double(frames)).squareRoot(), Double(stdFloor)) }
        self.init(uncheckedMean: mean.map { Float($0) }, std: std.map { Float($0) }, stdFloor: stdFloor)
    }

    private enum CodingKeys: String, CodingKey, CaseIterable { case mean, std, stdFloor }

    /// Decoding validates shapes and values, and rejects unknown keys.
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(uncheckedMean: try c.decode([Float].self, forKey: .mean), std: try c.decode([Float].self, forKey: .std),
                  stdFloor: try c.decode(Float.self, forKey: .stdFloor))
        try validate()
    }

    /// Checks shapes and values; pass the model's feature size to check it too.
    public func validate(featureDim expected: Int? = nil) throws {
        guard mean.count == std.count else {
            throw NormalizationError.invalid("mean has \(mean.count) values but std has \(std.count)")
        }
        if let e = expected, mean.count != e {
            throw NormalizationError.invalid("stats have \(mean.count) features, expected \(e)")
        }
        guard mean.allSatisfy(\.isFinite) else { throw NormalizationError.invalid("mean has a non-finite value") }
        if let i = std.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
            throw NormalizationError.invalid("std[\(i)] = \(std[i]); expected a positive finite number")
        }
    }

    /// In place, row-major [frames × featureDim].
    public func normalize(_ x: inout [Float]) {
        precondition(x.count % featureDim == 0, "features are not whole frames")
        let d = featureDim
        x.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = (p[i] - mean[i % d]) / std[i % d] }
        }
    }

    public func denormalize(_ x: inout [Float]) {
        precondition(x.count % featureDim == 0, "features are not whole frames")
        let d = featureDim
        x.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = p[i] * std[i % d] + mean[i % d] }
        }
    }

    public func normalized(_ x: [Float]) -> [Float] { var y = x; normalize(&y); return y }
    public func denormalized(_ x: [Float]) -> [Float] { var y = x; denormalize(&y); return y }
}

public enum NormalizationError: Error, CustomStringConvertible, Equatable {
    case invalid(String)
    public var description: String {
        switch self {
        case let .invalid(r): return "normalization stats: \(r)"
        }
    }
}
