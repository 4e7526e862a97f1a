import A2MCore
import Foundation

// Shapes: B sequences of T positions, C features (the full model width, as in the reference).

/// Rotary position embedding as the torch reference `Rotary(d)` computes it: inv[j] = 1/10000^(2j/C),
/// angle = pos·inv[j] (float32, like torch), and rotate-half with cat([f, f]): feature i < C/2 pairs with
/// i + C/2. Applied to the layer input before the q/k projections (EDGE's placement), not per head.
struct RotaryTable {
    let half: Int
    let positions: Int
    let cos: [Float]
    let sin: [Float]

    init(width c: Int, positions: Int) {
        half = c / 2
        self.positions = positions
        var cs = [Float](repeating: 0, count: positions * half), sn = cs
        for j in 0..<half {
            let inv = 1 / Foundation.pow(Float(10000), Float(2 * j) / Float(c))
            for p in 0..<positions {
                let a = Float(p) * inv
                cs[p * half + j] = Float(Foundation.cos(Double(a)))
                sn[p * half + j] = Float(Foundation.sin(Double(a)))
            }
        }
        cos = cs; sin = sn
    }
}

/// out[b, i] = rotate(inp[b, i], angle(firstPosition + i)).
func rotaryForward(out: FPtr, inp: FPtr, table: RotaryTable, b: Int, t: Int, c: Int, firstPosition: Int = 0) {
    precondition(firstPosition + t <= table.positions && c == 2 * table.half)
    let o = SendableBuffer(out, count: b * t * c), x = SendableBuffer(inp, count: b * t * c)
    let h = table.half
    table.cos.withUnsafeBufferPointer { cp in table.sin.withUnsafeBufferPointer { sp in
        let cs = SendableBuffer(UnsafeMutablePointer(mutating: cp.baseAddress!), count: cp.count)
        let sn = SendableBuffer(UnsafeMutablePointer(mutating: sp.baseAddress!), count: sp.count)
        parallelFor(b * t, minChunk: max(1, 16384 / c)) { range in
            for r in range {
                let pos = firstPosition + r % t
                let xr = x.base + r * c, orow = o.base + r * c, cr = cs.base + pos * h, sr = sn.base + pos * h
                for j in 0..<h {
                    let a = xr[j], bb = xr[j + h], cv = cr[j], sv = sr[j]
                    orow[j] = a * cv - bb * sv
                    orow[j + h] = bb * cv + a * sv
                }
            }
        }
    } }
}

/// dinp += Rᵀ·dout (rotation by −angle).
func rotaryBackward(dinp: FPtr, dout: FPtr, table: RotaryTable, b: Int, t: Int, c: Int, firstPosition: Int = 0) {
    let dx = SendableBuffer(dinp, count: b * t * c), dy = SendableBuffer(dout, count: b * t * c)
    let h = table.half
    table.cos.withUnsafeBufferPointer { cp in table.sin.withUnsafeBufferPointer { sp in
        let cs = SendableBuffer(UnsafeMutablePointer(mutating: cp.baseAddress!), count: cp.count)
        let sn = SendableBuffer(UnsafeMutablePointer(mutating: sp.baseAddress!), count: sp.count)
        parallelFor(b * t, minChunk: max(1, 16384 / c)) { range in
            for r in range {
                let pos = firstPosition + r % t
                let g = dy.base + r * c, d = dx.base + r * c, cr = cs.base + pos * h, sr = sn.base + pos * h
                for j in 0..<h {
                    let a = g[j], bb = g[j + h], cv = cr[j], sv = sr[j]
                    d[j] += a * cv + bb * sv
                    d[j + h] += bb * cv - a * sv
                }
            }
        }
    } }
}
