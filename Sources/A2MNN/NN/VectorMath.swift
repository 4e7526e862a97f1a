// SIMD8 helpers for a2m's own vector loops. The exp/erf kernels of softmax and GELU live in the CKernels
// C target, which builds them for baseline x86-64 and for AVX2 (Sources/CKernels/kernels.c).

typealias F8 = SIMD8<Float>

/// Lane-wise clamp through compare-and-select (the stdlib's generic `clamped` is a scalar lane loop).
@inline(__always) func clamp(_ x: F8, _ lo: Float, _ hi: Float) -> F8 {
    let l = F8(repeating: lo), h = F8(repeating: hi)
    return x.replacing(with: l, where: x .< l).replacing(with: h, where: x .> h)
}

/// Lane-wise maximum through compare-and-select.
@inline(__always) func vmax(_ a: F8, _ b: F8) -> F8 { a.replacing(with: b, where: b .> a) }

@inline(__always) func load8(_ p: UnsafePointer<Float>, _ n: Int) -> F8 {
    if n >= 8 { return UnsafeRawPointer(p).loadUnaligned(as: F8.self) }
    var v = F8(repeating: 0)
    for i in 0..<n { v[i] = p[i] }
    return v
}

@inline(__always) func store8(_ v: F8, _ p: FPtr, _ n: Int) {
    if n >= 8 { UnsafeMutableRawPointer(p).storeBytes(of: v, as: F8.self); return }
    for i in 0..<n { p[i] = v[i] }
}
