import A2MCore
import Foundation
import CKernels

// Elementwise activations over `count` floats. GELU is torch's nn.GELU() default (exact, erf form);
// SiLU and Mish act on small per-row vectors (B×d, B×4d), so they use scalar libm in Double.


/// out = x·Φ(x) = 0.5·x·(1 + erf(x/√2)).
func geluForward(out: FPtr, inp: FPtr, count: Int) {
    let o = SendableBuffer(out, count: count), x = SendableBuffer(inp, count: count)
    parallelElementwise(count) { range in
        a2m_gelu_forward(o.base + range.lowerBound, x.base + range.lowerBound, range.count)
    }
}

/// dinp += dout·(Φ(x) + x·φ(x)).
func geluBackward(dinp: FPtr, inp: FPtr, dout: FPtr, count: Int) {
    let dx = SendableBuffer(dinp, count: count), x = SendableBuffer(inp, count: count), dy = SendableBuffer(dout, count: count)
    parallelElementwise(count) { range in
        a2m_gelu_backward(dx.base + range.lowerBound, x.base + range.lowerBound, dy.base + range.lowerBound, range.count)
    }
}

@inline(__always) private func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }

/// out = x·σ(x).
func siluForward(out: FPtr, inp: FPtr, count: Int) {
    for i in 0..<count { let x = Double(inp[i]); out[i] = Float(x * sigmoid(x)) }
}

/// dinp += dout·σ(x)·(1 + x·(1 − σ(x))).
func siluBackward(dinp: FPtr, inp: FPtr, dout: FPtr, count: Int) {
    for i in 0..<count {
        let x = Double(inp[i]), s = sigmoid(x)
        dinp[i] += dout[i] * Float(s * (1 + x * (1 - s)))
    }
}

/// softplus as torch computes it inside Mish (linear above 20).
@inline(__always) private func softplus(_ x: Double) -> Double { x > 20 ? x : Foundation.log1p(Foundation.exp(x)) }

/// out = x·tanh(softplus(x)).
func mishForward(out: FPtr, inp: FPtr, count: Int) {
    for i in 0..<count { let x = Double(inp[i]); out[i] = Float(x * Foundation.tanh(softplus(x))) }
}

/// dinp += dout·(tanh(sp) + x·sech²(sp)·σ(x)).
func mishBackward(dinp: FPtr, inp: FPtr, dout: FPtr, count: Int) {
    for i in 0..<count {
        let x = Double(inp[i]), t = Foundation.tanh(softplus(x))
        dinp[i] += dout[i] * Float(t + x * (1 - t * t) * sigmoid(x))
    }
}
