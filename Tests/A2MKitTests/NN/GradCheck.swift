import Foundation
@testable import A2MCore
@testable import A2MNN

/// Central-difference gradient checking (ggml test-backend-ops style): perturb one value by ±h, recompute the
/// scalar loss in Double, restore the value, compare with the analytic gradient by symmetric relative error
/// |a − n| / max(|a|, |n|, floor).
struct GradProbe {
    let name: String
    let values: FPtr
    let grads: FPtr
    let count: Int
}

struct GradCheckResult: CustomStringConvertible {
    var maxError = 0.0
    var worst = ""
    var checked = 0
    var description: String { "max rel err \(String(format: "%.3g", maxError)) at \(worst) over \(checked) probes" }
}

enum GradTolerance {
    /// Single ops in Float with h = 1e-2: truncation ~h², round-off ~1e-6/h.
    static let op = 1e-2
    /// The whole denoiser (many Float layers between parameter and loss).
    static let model = 3e-2
    /// Relative errors use at least this denominator (gradients near zero are compared absolutely).
    static let floor = 1e-3
    static let step: Float = 1e-2
}

func gradCheck(_ probes: [GradProbe], samples: Int = 8, step h: Float = GradTolerance.step, floor: Double = GradTolerance.floor,
               seed: UInt64 = 99, loss: () -> Double) -> GradCheckResult {
    var rng = PCG32(seed: seed, stream: 3)
    var r = GradCheckResult()
    for p in probes {
        let idx = p.count <= samples ? Array(0..<p.count) : (0..<samples).map { _ in rng.int(below: p.count) }
        for i in idx {
            let v = p.values[i]
            p.values[i] = v + h
            let hp = Double(p.values[i])
            let lp = loss()
            p.values[i] = v - h
            let hm = Double(p.values[i])
            let lm = loss()
            p.values[i] = v
            let num = (lp - lm) / (hp - hm)
            let ana = Double(p.grads[i])
            let err = abs(ana - num) / max(abs(ana), abs(num), floor)
            r.checked += 1
            if err > r.maxError { r.maxError = err; r.worst = "\(p.name)[\(i)] analytic \(ana) numeric \(num)" }
        }
    }
    return r
}

/// Owned Float storage for tests.
final class Buf {
    let p: FPtr
    let n: Int
    init(_ n: Int) { self.n = n; p = alignedFloats(n) }
    init(_ values: [Float]) { n = values.count; p = alignedFloats(n); p.update(from: values, count: n) }
    convenience init(random n: Int, rng: inout PCG32, scale: Float = 1) {
        self.init(n)
        for i in 0..<n { p[i] = rng.gaussian() * scale }
    }
    deinit { free(p) }
    var array: [Float] { Array(UnsafeBufferPointer(start: p, count: n)) }
    func zero() { p.update(repeating: 0, count: n) }
}

/// Σ w_i·out_i in Double: the scalar whose gradient w.r.t. out is w.
func weighted(_ out: FPtr, _ w: Buf) -> Double {
    var s = 0.0
    for i in 0..<w.n { s += Double(out[i]) * Double(w.p[i]) }
    return s
}
