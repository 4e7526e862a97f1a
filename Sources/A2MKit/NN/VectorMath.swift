// Vectorized exp and erf for the hot elementwise loops (softmax, GELU). Written with plain multiply-adds
// (no fma) so that a baseline x86-64 build does not turn them into libm calls.

typealias F8 = SIMD8<Float>

/// exp(x), Cephes-style: 2^n · p(r) with |r| ≤ ln2/2; relative error ≲ 2 ulp on [-87, 88].
@inline(__always)
func vexp(_ xIn: F8) -> F8 {
    let x = clamp(xIn, -87, 88)
    let magic = F8(repeating: 12_582_912.0)            // 1.5·2^23: adding it rounds to an integer
    let t = x * F8(repeating: 1.442_695_04) + magic
    let n = t - magic
    var r = x - n * F8(repeating: 0.693_359_375)
    r = r - n * F8(repeating: -2.121_944_4e-4)
    var p = F8(repeating: 1.987_569_15e-4)
    p = p * r + F8(repeating: 1.398_199_95e-3)
    p = p * r + F8(repeating: 8.333_451_9e-3)
    p = p * r + F8(repeating: 4.166_579_6e-2)
    p = p * r + F8(repeating: 1.666_666_55e-1)
    p = p * r + F8(repeating: 5.000_000_1e-1)
    p = p * (r * r) + r + F8(repeating: 1)
    let ni = unsafeBitCast(t, to: SIMD8<Int32>.self) &- Int32(0x4B40_0000)
    let pow2 = unsafeBitCast((ni &+ 127) &<< 23, to: F8.self)
    return p * pow2
}

/// erf(x) as the rational approximation used by Eigen (`generic_fast_erf_float`): a few ulp on [-4, 4],
/// ±1 outside, where erf is 1 to float precision.
@inline(__always)
func verf(_ xIn: F8) -> F8 {
    let x = clamp(xIn, -4, 4)
    let x2 = x * x
    var p = x2 * F8(repeating: -2.726_142_258_013_06e-10) + F8(repeating: 2.770_681_424_959_02e-08)
    p = x2 * p + F8(repeating: -2.101_024_020_825_08e-06)
    p = x2 * p + F8(repeating: -5.692_506_394_623_46e-05)
    p = x2 * p + F8(repeating: -7.349_906_303_268_55e-04)
    p = x2 * p + F8(repeating: -2.954_599_808_540_25e-03)
    p = x2 * p + F8(repeating: -1.609_603_332_624_15e-02)
    p = x * p
    var q = x2 * F8(repeating: -1.456_607_184_649_96e-05) + F8(repeating: -2.133_740_552_789_05e-04)
    q = x2 * q + F8(repeating: -1.682_826_974_382_03e-03)
    q = x2 * q + F8(repeating: -7.373_329_167_204_68e-03)
    q = x2 * q + F8(repeating: -1.426_473_905_141_89e-02)
    return p / q
}

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
