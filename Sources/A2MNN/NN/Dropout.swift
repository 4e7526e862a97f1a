import A2MCore
import CKernels

/// Inverted dropout whose keep decisions are a stateless hash of (key, element index).
///
/// The per-step, per-site `key` comes from the PCG32 `.dropout` stream; hashing the index (SplitMix64
/// finalizer) instead of drawing sequentially makes the mask independent of how `parallelFor` splits the
/// work (same seed → same mask at 1 or 2 threads) and lets the backward pass regenerate the mask instead of
/// storing it. p = 0 is the identity.
struct DropoutMask: Sendable {
    let p: Float
    let key: UInt64
    let threshold: UInt64
    let scale: Float

    init(p: Float, key: UInt64) {
        self.p = p
        self.key = key
        threshold = UInt64((Double(p) * 16_777_216).rounded())
        scale = p < 1 ? 1 / (1 - p) : 0
    }

    var active: Bool { p > 0 }

    /// 0 for dropped elements, 1/(1−p) for kept ones.
    @inline(__always) func factor(_ index: Int) -> Float {
        var z = key &+ UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return (z >> 40) >= threshold ? scale : 0
    }
}

extension DropoutMask {
    /// The same mask for the C kernels (`a2m_dropout_*`, AVX2 or baseline build).
    var c: a2m_dropout { a2m_dropout(key: key, threshold: threshold, scale: scale) }
}

/// x[i] *= mask(i) in place, i in 0..<count (forward and backward are the same operation).
func dropoutApply(_ x: FPtr, count: Int, mask: DropoutMask) {
    guard mask.active else { return }
    let b = SendableBuffer(x, count: count)
    parallelElementwise(count) { range in
        a2m_dropout_mul(b.base + range.lowerBound, b.base + range.lowerBound, range.count, mask.c, range.lowerBound)
    }
}

/// out[i] = x[i]·mask(i) (copy form, keeps x for a later backward).
func dropoutForward(out: FPtr, inp: FPtr, count: Int, mask: DropoutMask) {
    let o = SendableBuffer(out, count: count), x = SendableBuffer(inp, count: count)
    parallelElementwise(count) { range in
        if mask.active { a2m_dropout_mul(o.base + range.lowerBound, x.base + range.lowerBound, range.count, mask.c, range.lowerBound) }
        else { (o.base + range.lowerBound).update(from: x.base + range.lowerBound, count: range.count) }
    }
}

/// dinp += dout·mask.
func dropoutBackward(dinp: FPtr, dout: FPtr, count: Int, mask: DropoutMask) {
    let dx = SendableBuffer(dinp, count: count), dy = SendableBuffer(dout, count: count)
    parallelElementwise(count) { range in
        if mask.active { a2m_dropout_accumulate(dx.base + range.lowerBound, dy.base + range.lowerBound, range.count, mask.c, range.lowerBound) }
        else { for i in range { dx[i] += dy[i] } }
    }
}
