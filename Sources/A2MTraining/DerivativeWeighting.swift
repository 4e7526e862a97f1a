import A2MNN

// Shapes: F frames of one file, D motion features (normalized), k = 1 (velocity) or 2 (acceleration).

/// How the velocity and acceleration terms weigh the motion features against each other.
public enum DerivativeWeighting: String, Codable, Sendable, CaseIterable {
    /// Every feature's frame differences cost the same (EDGE's velocity loss).
    case uniform
    /// Each feature's k-th frame difference error is divided by how much that difference varies in the training
    /// data (its mean square over the training files), relative to the mean over features:
    /// weight_j = v̄ / max(v_j, `DerivativeChannelWeights.floorRatio` · v̄). A feature the data moves slowly
    /// (the torso's lean, a planted leg) then pays for a tremor at the rate its own motion sets, while the hands,
    /// which the data moves fast, are left nearly free. It mirrors FID_k, which divides each kinetic feature by
    /// the ground truth's spread (docs/training.md, "Derivative weighting").
    case inverseVariance
}

/// The factors of `DerivativeChannelWeights` (`diffusionLoss`), computed once per run from the training files'
/// normalized motion.
extension DerivativeChannelWeights {
    /// The largest weight is 1 / floorRatio: features the data never moves (a joint rotated about one axis only
    /// has constant 6D components) would otherwise get an infinite weight.
    static let floorRatio = 1e-4

    /// Weights of `weighting` for D-feature clips ([frames × D] each, normalized), each at least `floor`
    /// (`training.derivativeFactorFloor`); nil for `.uniform`.
    static func make(_ weighting: DerivativeWeighting, floor: Float = 0, clips: [[Float]], d: Int) -> DerivativeChannelWeights? {
        make(weighting, floor: floor, count: clips.count, d: d) { clips[$0] }
    }

    /// `make` over `count` clips that `clip(c)` returns one at a time (a memory-mapped corpus).
    static func make(_ weighting: DerivativeWeighting, floor: Float = 0, count: Int, d: Int, clip: (Int) -> [Float]) -> DerivativeChannelWeights? {
        switch weighting {
        case .uniform: return nil
        case .inverseVariance:
            func floored(_ w: [Float]) -> [Float] { w.map { max($0, floor) } }
            return DerivativeChannelWeights(velocity: floored(inverseVariance(count: count, d: d, order: 1, clip: clip)),
                                            acceleration: floored(inverseVariance(count: count, d: d, order: 2, clip: clip)))
        }
    }

    /// v̄ / max(v_j, floorRatio · v̄), v_j = mean square of feature j's `order`-th frame difference over every
    /// frame of every clip (Double sums, in clip order, so the weights are deterministic). All ones when no
    /// clip has `order` + 1 frames or nothing moves.
    static func inverseVariance(clips: [[Float]], d: Int, order: Int) -> [Float] {
        inverseVariance(count: clips.count, d: d, order: order) { clips[$0] }
    }

    static func inverseVariance(count clipCount: Int, d: Int, order: Int, clip get: (Int) -> [Float]) -> [Float] {
        var sums = [Double](repeating: 0, count: d)
        var count = 0.0
        for c in 0..<clipCount {
            let clip = get(c)
            let frames = clip.count / d
            guard frames > order else { continue }
            for f in 0..<(frames - order) {
                for j in 0..<d {
                    let e = order == 1
                        ? Double(clip[(f + 1) * d + j]) - Double(clip[f * d + j])
                        : Double(clip[(f + 2) * d + j]) - 2 * Double(clip[(f + 1) * d + j]) + Double(clip[f * d + j])
                    sums[j] += e * e
                }
            }
            count += Double(frames - order)
        }
        guard count > 0 else { return [Float](repeating: 1, count: d) }
        let v = sums.map { $0 / count }
        let mean = v.reduce(0, +) / Double(d)
        guard mean > 0 else { return [Float](repeating: 1, count: d) }
        return v.map { Float(mean / max($0, floorRatio * mean)) }
    }

    /// One line for the user: each term's smallest and largest factor and how many features sit at the cap, so a
    /// run on new data shows what the weighting does before it trains.
    var summary: String {
        let cap = Float(1 / Self.floorRatio)
        func part(_ name: String, _ w: [Float]) -> String {
            name + String(format: " %.3g–%.3g (%d of %d at the cap)", Double(w.min() ?? 0), Double(w.max() ?? 0),
                          w.filter { $0 >= cap * 0.999 }.count, w.count)
        }
        return part("velocity", velocity) + ", " + part("acceleration", acceleration)
    }
}
