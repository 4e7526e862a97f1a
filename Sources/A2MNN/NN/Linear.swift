import A2MCore

// Shapes: N = B·T rows, C = input features, OC = output features. Weight is torch's [OC, C].

/// out[N, OC] = inp[N, C] · weightᵀ + bias — one sgemm with M = N.
func linearForward(out: FPtr, inp: FPtr, weight: FPtr, bias: FPtr?, n: Int, c: Int, oc: Int, ldInp: Int? = nil) {
    if let bias {
        let o = SendableBuffer(out, count: n * oc), b = SendableBuffer(bias, count: oc)
        parallelFor(n, minChunk: max(1, 32768 / oc)) { range in
            for r in range { (o.base + r * oc).update(from: b.base, count: oc) }
        }
    }
    sgemm(false, true, n, oc, c, 1, inp, ldInp ?? c, weight, c, bias == nil ? 0 : 1, out, oc)
}

/// dinp += dout·W, dweight += doutᵀ·inp, dbias += Σ_rows dout.
func linearBackward(dinp: FPtr?, dweight: FPtr, dbias: FPtr?, dout: FPtr, inp: FPtr, weight: FPtr,
                    n: Int, c: Int, oc: Int, ldInp: Int? = nil) {
    if let dinp { sgemm(false, false, n, c, oc, 1, dout, oc, weight, c, 1, dinp, ldInp ?? c) }
    sgemm(true, false, oc, c, n, 1, dout, oc, inp, ldInp ?? c, 1, dweight, c)
    if let dbias { columnSumAccumulate(dbias, dout, rows: n, cols: oc, ld: oc) }
}
