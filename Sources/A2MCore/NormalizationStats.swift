import Foundation

/// Per-feature mean and standard deviation over a dataset, stored with a model: of the motion features (so
/// generation can undo the normalization) and of the log-mel rows (so the audio input is normalized the same
/// way in training and generation): x̂ = (x − mean) / std, x = x̂ · std + mean.
///
/// Statistics are accumulated in Double over every frame of every clip (population std, not per clip).
/// `std` is floored at `stdFloor` so near-constant features (a joint that never moves, the 6D entries
/// of a fixed axis) are not blown up into noise; the floor is stored with the stats.
public struct NormalizationStats: Codable, Sendable, Equatable {
    public var mean: [Float]
    public var std: [Float]
    /// The floor applied to `std` when the stats were computed.
    package var stdFloor: Float

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
    ///
    /// In the columns of `missingValues` a NaN marks a frame without a value (the log-F0 of an unvoiced frame):
    /// those frames are left out of that column's statistics, and `normalizeFillingMissing` maps them to 0, the
    /// mean. Everywhere else a non-finite value is an error, as is a missing-value column with no value at all.
    public init(featureDim: Int, clips: [[Float]], stdFloor: Float = NormalizationStats.defaultStdFloor,
                missingValues: Set<Int> = []) throws {
        try self.init(featureDim: featureDim, count: clips.count, stdFloor: stdFloor, missingValues: missingValues) { c, body in
            try clips[c].withUnsafeBufferPointer { try body($0) }
        }
    }

    /// Statistics over `count` clips that `clip(c, body)` hands to `body` one at a time, twice each (a pass for
    /// the mean, one for the spread), so the clips need not be in memory together (a memory-mapped corpus).
    /// The sums run in the same order as over one flat array, so both initializers give the same bits.
    public init(featureDim: Int, count: Int, stdFloor: Float = NormalizationStats.defaultStdFloor, missingValues: Set<Int> = [],
                clip: (Int, (UnsafeBufferPointer<Float>) throws -> Void) throws -> Void) throws {
        guard featureDim > 0 else { throw NormalizationError.invalid("featureDim must be positive") }
        guard stdFloor > 0, stdFloor.isFinite else { throw NormalizationError.invalid("stdFloor must be positive") }
        let missing = (0..<featureDim).map { missingValues.contains($0) }
        var sum = [Double](repeating: 0, count: featureDim)
        var counts = [Int](repeating: 0, count: featureDim)
        var frames = 0
        for c in 0..<count {
            try clip(c) { x in
                guard x.count % featureDim == 0 else {
                    throw NormalizationError.invalid("clip \(c) has \(x.count) values, not a multiple of featureDim \(featureDim)")
                }
                if let bad = x.indices.first(where: { !x[$0].isFinite && !(x[$0].isNaN && missing[$0 % featureDim]) }) {
                    throw NormalizationError.invalid("clip \(c), frame \(bad / featureDim), feature \(bad % featureDim) is not finite")
                }
                let n = x.count / featureDim
                for f in 0..<n {
                    for j in 0..<featureDim where !x[f * featureDim + j].isNaN {
                        sum[j] += Double(x[f * featureDim + j])
                        counts[j] += 1
                    }
                }
                frames += n
            }
        }
        guard frames > 0 else { throw NormalizationError.invalid("no frames to compute statistics from") }
        if let empty = counts.firstIndex(of: 0) {
            throw NormalizationError.invalid("feature \(empty) has no value in any frame (an unvoiced corpus has no log-F0)")
        }
        let mean = zip(sum, counts).map { $0 / Double($1) }
        // Second pass on centred values: numerically safer than E[x²] − E[x]².
        var sq = [Double](repeating: 0, count: featureDim)
        for c in 0..<count {
            try clip(c) { x in
                let n = x.count / featureDim
                for f in 0..<n {
                    for j in 0..<featureDim where !x[f * featureDim + j].isNaN {
                        let d = Double(x[f * featureDim + j]) - mean[j]
                        sq[j] += d * d
                    }
                }
            }
        }
        let std = zip(sq, counts).map { max(($0 / Double($1)).squareRoot(), Double(stdFloor)) }
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
    package func normalize(_ x: inout [Float]) {
        precondition(x.count % featureDim == 0, "features are not whole frames")
        let d = featureDim
        x.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = (p[i] - mean[i % d]) / std[i % d] }
        }
    }

    /// `normalize`, then a missing value (NaN: log-F0 of an unvoiced frame) becomes 0, the normalized mean.
    /// Bit-identical to `normalize` where there is no NaN.
    public func normalizeFillingMissing(_ x: inout [Float]) {
        normalize(&x)
        x.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count where p[i].isNaN { p[i] = 0 }
        }
    }

    func denormalize(_ x: inout [Float]) {
        precondition(x.count % featureDim == 0, "features are not whole frames")
        let d = featureDim
        x.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = p[i] * std[i % d] + mean[i % d] }
        }
    }

    package func normalized(_ x: [Float]) -> [Float] { var y = x; normalize(&y); return y }
    public func normalizedFillingMissing(_ x: [Float]) -> [Float] { var y = x; normalizeFillingMissing(&y); return y }
    package func denormalized(_ x: [Float]) -> [Float] { var y = x; denormalize(&y); return y }
}

public enum NormalizationError: Error, CustomStringConvertible, Equatable {
    case invalid(String)
    public var description: String {
        switch self {
        case let .invalid(r): return "normalization stats: \(r)"
        }
    }
}
