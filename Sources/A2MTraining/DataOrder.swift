import A2MCore

/// The order training windows are visited in: a fresh permutation per epoch from the `.dataOrder` stream,
/// consumed `batchSize` at a time (a batch may span two epochs). Its whole state is saved in checkpoints, so a
/// resumed run sees exactly the batches the uninterrupted run would have.
struct DataOrder: Sendable, Equatable, Codable {
    private(set) var epoch: Int = 0
    private(set) var position: Int = 0
    private(set) var permutation: [Int]
    var rng: PCG32

    init(windowCount: Int, seed: UInt64, rank: Int = 0) {
        precondition(windowCount > 0)
        rng = PCG32.derived(seed: seed, purpose: .dataOrder, rank: rank)
        permutation = Array(0..<windowCount)
        shuffle()
    }

    /// The next `count` window indices.
    mutating func next(_ count: Int) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(count)
        while out.count < count {
            if position == permutation.count {
                epoch += 1
                position = 0
                shuffle()
            }
            out.append(permutation[position])
            position += 1
        }
        return out
    }

    private mutating func shuffle() {
        for i in stride(from: permutation.count - 1, to: 0, by: -1) { permutation.swapAt(i, rng.int(below: i + 1)) }
    }
}

/// Classifier-free-guidance dropout (docs/design.md §4.1): for every sample of every batch, independently, keep the
/// audio condition with probability 1 − p. p = 0 never drops and p = 1 always drops; neither consumes
/// randomness differently, so the other streams are unaffected by the choice of p.
struct ConditionDropSampler: Sendable, Equatable, Codable {
    let probability: Float
    var rng: PCG32

    init(probability: Float, seed: UInt64, rank: Int = 0) {
        precondition((0...1).contains(probability))
        self.probability = probability
        rng = PCG32.derived(seed: seed, purpose: .conditionDrop, rank: rank)
    }

    /// The keep mask of one batch: `true` = the sample sees its audio, `false` = null embeddings.
    mutating func keepMask(batch: Int) -> [Bool] {
        // uniformFloat is in [0, 1) on a 2^-24 grid: u < p is never true for p = 0 and always true for p = 1.
        (0..<batch).map { _ in !(rng.uniformFloat() < probability) }
    }
}
