/// `(0..<count).map(body)` on `Threads.count` workers, in batches of `Threads.count` items so the caller can
/// report progress between batches from its own thread. Results keep index order, and the error of the
/// lowest failing index is the one thrown, so output and failures do not depend on the thread count.
/// Used for per-clip work (corpus clips, evaluation clips) where each item is independent and seeded by index.
public func orderedParallelMap<T>(_ count: Int, progress: (Int) -> Void = { _ in },
                                  _ body: @Sendable (Int) throws -> T) throws -> [T] {
    var out = [T]()
    out.reserveCapacity(count)
    let batch = max(1, Threads.count)
    var start = 0
    while start < count {
        let n = min(batch, count - start)
        var results = [Result<T, any Error>?](repeating: nil, count: n)
        let first = start
        results.withUnsafeMutableBufferPointer { buffer in
            let shared = SendableBuffer(buffer)
            parallelFor(n, minChunk: 1) { range in
                for i in range { shared[i] = Result { try body(first + i) } }
            }
        }
        for r in results { out.append(try r!.get()) }
        start += n
        progress(start)
    }
    return out
}
