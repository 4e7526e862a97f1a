import Testing
import Foundation
import CKernels
@testable import A2MCore
@testable import A2MNN

/// The C kernels (Sources/CKernels): accuracy against libm / Double references, and bit-identical results
/// from the baseline and the AVX2 builds.
@Suite(.serialized) struct KernelsTests {
    static let expTolerance: Float = 4e-7       // relative
    static let erfTolerance: Float = 5e-7       // absolute: ~4 ulp of 1, Eigen's stated accuracy
    static let softmaxTolerance: Double = 1e-6  // absolute, probabilities
    static let geluTolerance: Double = 2e-6     // absolute, for |x| ≤ 6

    static var hasAVX2: Bool {
        a2m_kernels_force_isa(-1)
        return a2m_kernels_isa() == 1
    }

    /// Runs `body` with the kernels forced to `isa` (0 baseline, −1 detected), then back to detection.
    static func with<R>(isa: Int32, _ body: () -> R) -> R {
        a2m_kernels_force_isa(isa)
        defer { a2m_kernels_force_isa(-1) }
        return body()
    }

    static func inputs(_ n: Int, scale: Float, seed: UInt64) -> [Float] {
        var rng = PCG32(seed: seed, stream: 3)
        return (0..<n).map { _ in scale * rng.gaussian() }
    }

    @Test(arguments: [0, -1] as [Int32]) func expAndErfMatchLibm(isa: Int32) {
        // −30…30 in steps that hit every lane position and a ragged tail.
        let xs = stride(from: Float(-30), to: 30, by: 0.0173).map { $0 }
        let (e, r) = Self.with(isa: isa) { () -> ([Float], [Float]) in
            var e = [Float](repeating: 0, count: xs.count), r = e
            let quarter = xs.map { $0 / 4 }
            a2m_exp(&e, xs, xs.count)
            a2m_erf(&r, quarter, quarter.count)
            return (e, r)
        }
        var maxExp: Float = 0, maxErf: Float = 0
        for (i, x) in xs.enumerated() {
            let ref = Float(Foundation.exp(Double(x)))
            maxExp = max(maxExp, abs(e[i] - ref) / ref)
            maxErf = max(maxErf, abs(r[i] - Float(Foundation.erf(Double(x / 4)))))
        }
        #expect(maxExp < Self.expTolerance, "isa \(isa): exp max rel err \(maxExp)")
        #expect(maxErf < Self.erfTolerance, "isa \(isa): erf max abs err \(maxErf)")
    }

    @Test(arguments: [0, -1] as [Int32]) func softmaxMatchesDoubleReference(isa: Int32) {
        let rows = 5, cols = 21                     // 21 = two 8-lane blocks and a tail of 5
        var p = Self.inputs(rows * cols, scale: 4, seed: 1)
        let x = p
        var mask = [Float](repeating: 1, count: cols)
        for j in [0, 9, 20] { mask[j] = 0 }
        Self.with(isa: isa) { a2m_softmax_rows(&p, rows, cols, mask) }
        var maxDiff = 0.0
        for r in 0..<rows {
            let keys = (0..<cols).filter { mask[$0] != 0 }
            let mx = keys.map { Double(x[r * cols + $0]) }.max()!
            let z = keys.reduce(0.0) { $0 + Foundation.exp(Double(x[r * cols + $1]) - mx) }
            for j in 0..<cols {
                let ref = mask[j] == 0 ? 0 : Foundation.exp(Double(x[r * cols + j]) - mx) / z
                maxDiff = max(maxDiff, abs(Double(p[r * cols + j]) - ref))
            }
        }
        #expect(maxDiff < Self.softmaxTolerance, "isa \(isa): max |softmax − reference| = \(maxDiff)")
        // A row whose keys are all masked becomes zeros (no NaN from 0/0).
        var allMasked = Self.inputs(cols, scale: 1, seed: 2)
        Self.with(isa: isa) { a2m_softmax_rows(&allMasked, 1, cols, [Float](repeating: 0, count: cols)) }
        #expect(allMasked.allSatisfy { $0 == 0 })
    }

    @Test(arguments: [0, -1] as [Int32]) func geluMatchesErfFormAndItsDerivative(isa: Int32) {
        let n = 1003
        let x = Self.inputs(n, scale: 2, seed: 3), dy = Self.inputs(n, scale: 1, seed: 4)
        var y = [Float](repeating: 0, count: n), dx = [Float](repeating: 0.5, count: n)
        Self.with(isa: isa) {
            a2m_gelu_forward(&y, x, n)
            a2m_gelu_backward(&dx, x, dy, n)
        }
        var maxY = 0.0, maxDx = 0.0
        for i in 0..<n {
            let v = Double(x[i]), cdf = 0.5 * (1 + Foundation.erf(v / 2.0.squareRoot()))
            let pdf = Foundation.exp(-0.5 * v * v) / (2 * Double.pi).squareRoot()
            maxY = max(maxY, abs(Double(y[i]) - v * cdf))
            maxDx = max(maxDx, abs(Double(dx[i]) - (0.5 + Double(dy[i]) * (cdf + v * pdf))))
        }
        #expect(maxY < Self.geluTolerance, "isa \(isa): max |gelu − x·Φ(x)| = \(maxY)")
        #expect(maxDx < Self.geluTolerance, "isa \(isa): max |gelu' − (Φ + xφ)| = \(maxDx)")
    }

    /// The C dropout kernels apply exactly `DropoutMask.factor` (the Swift definition the masks are specified
    /// by): for odd counts, an offset first index, p = 0.1 and p = 0.5, in both builds.
    @Test(arguments: [0, -1] as [Int32]) func dropoutKernelsApplyTheSwiftMask(isa: Int32) {
        for (p, key) in [(Float(0.1), UInt64(0x1234_5678_9ABC_DEF0)), (0.5, 42)] {
            let mask = DropoutMask(p: p, key: key)
            let n = 1001, first = 77_777
            let x = Self.inputs(n, scale: 1, seed: 8), dy = Self.inputs(n, scale: 1, seed: 9)
            var out = [Float](repeating: 0, count: n), acc = [Float](repeating: 0.5, count: n)
            var used = [Float](repeating: 0, count: n), dp = dy
            Self.with(isa: isa) {
                a2m_dropout_mul(&out, x, n, mask.c, first)
                a2m_dropout_accumulate(&acc, dy, n, mask.c, first)
                a2m_dropout_mul2(&used, x, &dp, n, mask.c, first)
            }
            var wrong = 0, dropped = 0
            for i in 0..<n {
                let f = mask.factor(first + i)
                if f == 0 { dropped += 1 }
                if out[i].bitPattern != (x[i] * f).bitPattern || acc[i].bitPattern != (0.5 + dy[i] * f).bitPattern
                    || used[i].bitPattern != (x[i] * f).bitPattern || dp[i].bitPattern != (dy[i] * f).bitPattern { wrong += 1 }
            }
            #expect(wrong == 0, "isa \(isa), p \(p): \(wrong) of \(n) elements differ from DropoutMask.factor")
            // The mask is not trivial: about p·n elements are dropped.
            #expect(abs(Double(dropped) - Double(p) * Double(n)) < 4 * (Double(p) * (1 - Double(p)) * Double(n)).squareRoot(), "\(dropped) dropped")
        }
    }

    /// The AVX2 build must give the baseline build's bits exactly (no FMA contraction, same operation order),
    /// so a model trained on either CPU kind is the same model.
    @Test(.enabled(if: KernelsTests.hasAVX2, "this CPU has no AVX2: only the baseline build can run"))
    func avx2BuildIsBitIdenticalToBaseline() {
        func run(_ isa: Int32) -> [[Float]] {
            Self.with(isa: isa) {
                let rows = 7, cols = 123
                var p = Self.inputs(rows * cols, scale: 6, seed: 5)
                let mask = (0..<cols).map { $0 % 11 == 3 ? Float(0) : 1 }
                a2m_softmax_rows(&p, rows, cols, mask)
                let n = 4099
                let x = Self.inputs(n, scale: 3, seed: 6), dy = Self.inputs(n, scale: 1, seed: 7)
                var y = [Float](repeating: 0, count: n), dx = [Float](repeating: 0.25, count: n), e = y, r = y
                a2m_gelu_forward(&y, x, n)
                a2m_gelu_backward(&dx, x, dy, n)
                a2m_exp(&e, x.map { $0 * 10 }, n)
                a2m_erf(&r, x, n)
                var d = [Float](repeating: 0, count: n)
                a2m_dropout_mul(&d, x, n, DropoutMask(p: 0.3, key: 99).c, 5)
                return [p, y, dx, e, r, d]
            }
        }
        let base = run(0), avx2 = run(-1)
        for (k, name) in ["softmax", "gelu", "gelu backward", "exp", "erf", "dropout"].enumerated() {
            let bits = zip(base[k], avx2[k]).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(bits == 0, "\(name): \(bits) of \(base[k].count) values differ between the baseline and AVX2 builds")
        }
    }
}
