import Testing
import Foundation
@testable import A2MTraining

/// Classifier-free-guidance dropout, docs/design.md §4.1: per sample, per step, with probability p.
@Suite struct ConditionDropTests {
    /// Binomial bound: |count − np| ≤ 4σ.
    static let sigmas = 4.0

    func dropped(p: Float, steps: Int, batch: Int, seed: UInt64 = 9) -> (total: Int, perStep: [Int], perSlot: [Int]) {
        var s = ConditionDropSampler(probability: p, seed: seed)
        var perStep: [Int] = [], perSlot = [Int](repeating: 0, count: batch)
        for _ in 0..<steps {
            let keep = s.keepMask(batch: batch)
            perStep.append(keep.filter { !$0 }.count)
            for (i, k) in keep.enumerated() where !k { perSlot[i] += 1 }
        }
        return (perStep.reduce(0, +), perStep, perSlot)
    }

    @Test func zeroNeverDropsAndOneAlwaysDrops() {
        #expect(dropped(p: 0, steps: 2000, batch: 16).total == 0)
        #expect(dropped(p: 1, steps: 2000, batch: 16).total == 2000 * 16)
    }

    @Test func halfDropsAboutHalfPerSampleNotPerBatch() {
        let steps = 2000, batch = 16, n = Double(steps * batch)
        let r = dropped(p: 0.5, steps: steps, batch: batch)
        let sigma = (n * 0.25).squareRoot()
        #expect(abs(Double(r.total) - n / 2) <= Self.sigmas * sigma, "dropped \(r.total) of \(Int(n))")
        // Per sample, not per batch: most batches are mixed (all-or-nothing would give 0 or 16 every step).
        let mixed = r.perStep.filter { $0 > 0 && $0 < batch }.count
        #expect(mixed > steps * 99 / 100, "mixed batches \(mixed) of \(steps)")
        // Every batch slot is dropped at the same rate (no slot is favoured).
        let slotSigma = (Double(steps) * 0.25).squareRoot()
        for c in r.perSlot { #expect(abs(Double(c) - Double(steps) / 2) <= Self.sigmas * slotSigma) }
    }

    @Test func quarterMatchesDefault() {
        let steps = 4000, batch = 8, n = Double(steps * batch), p = 0.25
        let r = dropped(p: Float(p), steps: steps, batch: batch, seed: 1)
        #expect(abs(Double(r.total) - n * p) <= Self.sigmas * (n * p * (1 - p)).squareRoot(), "dropped \(r.total)")
    }

    @Test func streamDependsOnSeedAndRank() {
        var a = ConditionDropSampler(probability: 0.5, seed: 1), b = ConditionDropSampler(probability: 0.5, seed: 1, rank: 1)
        #expect((0..<8).map { _ in a.keepMask(batch: 8) } != (0..<8).map { _ in b.keepMask(batch: 8) })
    }
}
