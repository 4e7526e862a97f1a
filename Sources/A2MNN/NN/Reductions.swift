import A2MCore

// Shared loop helpers for the kernels: SIMD sums and the column-sum used by bias and norm gradients.

/// Σ a[i] over n floats, 8 lanes at a time.
@inline(__always) func vsum(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = F8(repeating: 0)
    var i = 0
    while i < n { acc += load8(a + i, n - i); i += 8 }
    return acc.sum()
}

/// Σ a[i]·b[i] over n floats.
@inline(__always) func vdot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = F8(repeating: 0)
    var i = 0
    while i < n { acc += load8(a + i, n - i) * load8(b + i, n - i); i += 8 }
    return acc.sum()
}

/// dst[j] += Σ_r src[r·ld + j] for j < cols: the gradient of a bias broadcast over `rows`.
/// Parallel over column blocks, each block walking every row, so each worker owns its outputs.
func columnSumAccumulate(_ dst: FPtr, _ src: FPtr, rows: Int, cols: Int, ld: Int) {
    let blocks = (cols + 63) / 64
    let d = SendableBuffer(dst, count: cols), s = SendableBuffer(src, count: rows * ld)
    parallelFor(blocks, minChunk: max(1, 16384 / max(1, rows * 64))) { range in
        for blk in range {
            let lo = blk * 64, n = min(64, cols - lo)
            var acc = [F8](repeating: F8(repeating: 0), count: 8)
            acc.withUnsafeMutableBufferPointer { a in
                for r in 0..<rows {
                    let row = s.base + r * ld + lo
                    var i = 0, v = 0
                    while i < n { a[v] += load8(row + i, n - i); i += 8; v += 1 }
                }
                var i = 0, v = 0
                while i < n { let old = load8(d.base + lo + i, n - i); store8(old + a[v], d.base + lo + i, n - i); i += 8; v += 1 }
            }
        }
    }
}

/// Chunked elementwise loop over `count` floats on the `parallelFor` workers.
@inline(__always)
func parallelElementwise(_ count: Int, _ body: @Sendable (Range<Int>) -> Void) {
    parallelFor(count, minChunk: 32768, body)
}
