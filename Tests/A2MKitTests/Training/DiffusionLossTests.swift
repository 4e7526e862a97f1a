import Testing
import Foundation
@testable import A2MKit

@Suite struct DiffusionLossTests {
    /// Central-difference step and tolerance on the symmetric relative error (Double sums, Float storage).
    static let step: Float = 1e-2
    static let tolerance: Float = 2e-3

    func random(_ n: Int, _ rng: inout PCG32) -> [Float] { (0..<n).map { _ in rng.gaussian() } }

    @Test func gradientMatchesCentralDifferences() {
        let (B, T, D) = (2, 5, 3)
        var rng = PCG32(seed: 4)
        var pred = random(B * T * D, &rng)
        let target = random(B * T * D, &rng)
        let mask: [Float] = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]   // second window padded after 3 frames
        let loss = DiffusionLoss(x0Weight: 0.7, velocityWeight: 1.3)
        let (_, grad) = loss.evaluate(prediction: pred, target: target, mask: mask, B: B, T: T, D: D)
        var worst: Float = 0
        for i in pred.indices {
            let keep = pred[i]
            pred[i] = keep + Self.step
            let up = loss.evaluate(prediction: pred, target: target, mask: mask, B: B, T: T, D: D).0.total
            pred[i] = keep - Self.step
            let down = loss.evaluate(prediction: pred, target: target, mask: mask, B: B, T: T, D: D).0.total
            pred[i] = keep
            let numeric = (up - down) / (2 * Self.step)
            let rel = abs(numeric - grad[i]) / max(1e-3, abs(numeric) + abs(grad[i]))
            worst = max(worst, rel)
        }
        #expect(worst < Self.tolerance, "max symmetric relative error \(worst)")
    }

    @Test func paddedFramesAreIgnoredAndMeansAreExact() {
        let (B, T, D) = (1, 4, 2)
        let target = [Float](repeating: 0, count: B * T * D)
        // Real frames 0,1 (values 1,1 / 3,3); padding holds huge values that must not count.
        let pred: [Float] = [1, 1, 3, 3, 1000, -1000, 7, 7]
        let mask: [Float] = [1, 1, 0, 0]
        let (v, g) = DiffusionLoss(x0Weight: 1, velocityWeight: 1).evaluate(prediction: pred, target: target, mask: mask, B: B, T: T, D: D)
        #expect(v.x0 == 5)          // (1 + 1 + 9 + 9) / (2 frames · 2)
        #expect(v.velocity == 4)    // one pair: ((3−1)² · 2) / (1 pair · 2)
        #expect(v.total == 9)
        #expect(Array(g[4...]) == [0, 0, 0, 0])
    }

    @Test func perfectPredictionHasZeroLoss() {
        var rng = PCG32(seed: 2)
        let x = random(24, &rng)
        let (v, g) = DiffusionLoss(x0Weight: 1, velocityWeight: 1).evaluate(prediction: x, target: x, mask: [Float](repeating: 1, count: 8), B: 2, T: 4, D: 3)
        #expect(v.total == 0 && g.allSatisfy { $0 == 0 })
    }
}
