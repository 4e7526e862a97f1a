// IEEE binary16 and bfloat16 conversions done on bits, so they work on every platform (Float16 is not
// available on macOS x86_64).

/// Float → binary16, round to nearest even; overflow → ±inf, NaN stays NaN.
@inline(__always) func floatToHalf(_ f: Float) -> UInt16 {
    let x = f.bitPattern
    let sign = UInt16((x >> 16) & 0x8000)
    let exp = Int((x >> 23) & 0xFF), man = x & 0x7F_FFFF
    if exp == 0xFF { return sign | 0x7C00 | (man != 0 ? 0x200 : 0) }
    let e = exp - 127 + 15
    if e >= 0x1F { return sign | 0x7C00 }
    if e <= 0 {
        if e < -10 { return sign }
        let m = man | 0x80_0000
        let shift = UInt32(14 - e)
        var h = m >> shift
        let rem = m & ((1 << shift) - 1), half = UInt32(1) << (shift - 1)
        if rem > half || (rem == half && (h & 1) == 1) { h += 1 }
        return sign | UInt16(h)
    }
    var h = UInt32(e) << 10 | (man >> 13)
    let rem = man & 0x1FFF
    if rem > 0x1000 || (rem == 0x1000 && (h & 1) == 1) { h += 1 }   // may carry into the exponent: correct
    return sign | UInt16(h)
}

/// binary16 → Float (exact).
@inline(__always) func halfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exp = Int((h >> 10) & 0x1F), man = UInt32(h & 0x3FF)
    if exp == 0 {
        if man == 0 { return Float(bitPattern: sign) }
        return (sign != 0 ? -1 : 1) * Float(man) * 0x1p-24
    }
    if exp == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (man << 13)) }
    return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (man << 13))
}

/// bfloat16 → Float (exact).
@inline(__always) func bfloat16ToFloat(_ h: UInt16) -> Float { Float(bitPattern: UInt32(h) << 16) }
