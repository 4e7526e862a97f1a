import Testing
import Foundation
@testable import A2MNN

/// The guidance mixers that act along time: `LowPassGuidance` (method `lowpass`) and
/// `VelocityRescaledGuidance` (method `velocity`).
@Suite struct TremorGuidanceTests {
    /// Round-off of Float sums over a few dozen frames.
    static let tolerance: Float = 1e-5

    /// Both branches of a `.both` output from a conditional and an unconditional prediction.
    static func output(_ c: [Float], _ u: [Float]) -> [Float] { c + u }

    /// [rows, frames, dim] filled by f(row, frame, feature).
    static func field(_ s: PredictionShape, _ f: (Int, Int, Int) -> Double) -> [Float] {
        var v = [Float]()
        for b in 0..<s.rows { for t in 0..<s.frames { for d in 0..<s.dim { v.append(Float(f(b, t, d))) } } }
        return v
    }

    @Test func smoothingKeepsConstantsAndFollowsTheGaussianGain() {
        let s = PredictionShape(rows: 2, frames: 90, dim: 3)
        let constant = Self.field(s) { b, _, d in Double(b * 3 + d) - 1.5 }
        let d0 = SamplerFixtures.maxAbsDiff(LowPassGuidance.smooth(constant, shape: s, sigma: 2), constant)
        #expect(d0 < Self.tolerance, "a constant must pass unchanged, edges included: max diff \(d0)")
        // Alternating frames (0.5 cycles per frame): gain exp(−2π²σ²/4) ≈ 3e-9 at σ = 2.
        let alternating = Self.field(s) { _, t, _ in t % 2 == 0 ? 1 : -1 }
        let smoothed = LowPassGuidance.smooth(alternating, shape: s, sigma: 2)
        let interior = (0..<s.rows).flatMap { b in (10..<80).flatMap { t in (0..<3).map { smoothed[(b * 90 + t) * 3 + $0] } } }
        let high = interior.map(abs).max()!
        #expect(high < 1e-3, "alternating frames should be removed inside the window: largest |value| \(high)")
        // A slow sine (0.05 cycles per frame, 1.5 Hz at 30 fps): gain exp(−2π²σ²f²) = 0.821 (truncation at 3σ aside).
        let f = 0.05, sigma = 2.0
        let sine = Self.field(s) { _, t, _ in sin(2 * Double.pi * f * Double(t)) }
        let out = LowPassGuidance.smooth(sine, shape: s, sigma: sigma)
        let gain = exp(-2 * Double.pi * Double.pi * sigma * sigma * f * f)
        var worst: Float = 0
        for t in 10..<80 { worst = max(worst, abs(out[t * 3] - Float(gain) * sine[t * 3])) }
        #expect(worst < 2e-3, "slow sine: largest difference from the Gaussian gain \(gain) is \(worst)")
    }

    @Test func lowPassExtrapolatesOnlyTheSmoothDifference() {
        let s = PredictionShape(rows: 2, frames: 60, dim: 4)
        let u = Self.field(s) { b, t, d in sin(0.1 * Double(t) + Double(d + b)) }
        // c − u = a constant offset (kept by the filter) + alternating jitter (removed by it).
        let c = Self.field(s) { b, t, d in sin(0.1 * Double(t) + Double(d + b)) + 0.3 + (t % 2 == 0 ? 0.05 : -0.05) }
        let mixer = LowPassGuidance(weight: 2.5)
        let plan = mixer.plan(step: 0, of: 10)
        #expect(plan.branches == .both)
        let x0 = mixer.mix(plan, output: Self.output(c, u), shape: s).x0
        // Inside the window: x̂0 = c + 1.5 · 0.3 (the jitter keeps weight 1).
        var worst: Float = 0
        for b in 0..<2 { for t in 10..<50 { for d in 0..<4 {
            let i = (b * 60 + t) * 4 + d
            worst = max(worst, abs(x0[i] - (c[i] + 1.5 * 0.3)))
        } } }
        #expect(worst < 1e-3, "largest difference from c + (w − 1)·offset: \(worst)")
        // Plain CFG would have amplified the jitter to 2.5 × 0.05.
        let cfg = ClassifierFreeGuidance(weight: 2.5).mix(plan, output: Self.output(c, u), shape: s).x0
        #expect(SamplerFixtures.maxAbsDiff(cfg, x0) > 0.07, "lowpass must differ from cfg where the difference jitters")
    }

    @Test func weightsUpToOneAreClassifierFreeGuidance() {
        let s = PredictionShape(rows: 1, frames: 30, dim: 2)
        let c = Self.field(s) { _, t, d in cos(0.9 * Double(t * (d + 1))) }, u = Self.field(s) { _, t, _ in 0.2 * Double(t % 3) }
        for w: Float in [0, 0.5, 1] {
            let cfg = ClassifierFreeGuidance(weight: w)
            let reference = cfg.mix(cfg.plan(step: 0, of: 5), output: w == 0 ? u : w == 1 ? c : c + u, shape: s).x0
            for mixer in [LowPassGuidance(weight: w) as any GuidanceMixer, VelocityRescaledGuidance(weight: w)] {
                let plan = mixer.plan(step: 0, of: 5)
                #expect(plan == cfg.plan(step: 0, of: 5))
                let x0 = mixer.mix(plan, output: w == 0 ? u : w == 1 ? c : c + u, shape: s).x0
                #expect(x0 == reference, "\(type(of: mixer)) at w = \(w) must equal cfg")
            }
        }
    }

    /// Feature d of row b of a [2, 40, 3] array, over the frames.
    static func series(_ v: [Float], row b: Int, feature d: Int) -> [Double] {
        (0..<40).map { Double(v[(b * 40 + $0) * 3 + d]) }
    }

    /// ‖Δv‖: the root sum of squared frame-to-frame differences.
    static func speed(_ v: [Double]) -> Double {
        var total = 0.0
        for t in 1..<v.count { total += (v[t] - v[t - 1]) * (v[t] - v[t - 1]) }
        return total.squareRoot()
    }

    @Test func velocityRescaleKeepsTheMeanAndCapsTheSpeed() {
        let s = PredictionShape(rows: 2, frames: 40, dim: 3)
        let u = Self.field(s) { b, t, d in 0.5 * sin(0.2 * Double(t) + Double(d) + Double(b)) }
        let c = Self.field(s) { b, t, d in sin(0.2 * Double(t) + Double(d) + Double(b)) + 0.1 * Double(d) }
        let mixer = VelocityRescaledGuidance(weight: 2.5)
        let plan = mixer.plan(step: 3, of: 10)
        let x0 = mixer.mix(plan, output: Self.output(c, u), shape: s).x0
        let cfg = ClassifierFreeGuidance(weight: 2.5).mix(plan, output: Self.output(c, u), shape: s).x0
        for b in 0..<2 { for d in 0..<3 {
            let g = Self.series(x0, row: b, feature: d), k = Self.series(c, row: b, feature: d), r = Self.series(cfg, row: b, feature: d)
            let meanShift: Double = abs(g.reduce(0, +) - r.reduce(0, +)) / 40
            let (sg, sk, sr) = (Self.speed(g), Self.speed(k), Self.speed(r))
            #expect(meanShift < 1e-5, "row \(b) feature \(d): the guided mean pose must stay (moved \(meanShift))")
            #expect(abs(sg - sk) < 1e-4 * sk, "row \(b) feature \(d): speed \(sg), conditional \(sk)")
            #expect(sr > 1.2 * sk, "the test needs cfg to be faster than the conditional model")
        } }
        // A pure offset adds no speed: then the mixer is cfg.
        let shifted = c.map { $0 + 0.2 }
        let same = mixer.mix(plan, output: Self.output(shifted, c), shape: s).x0
        let cfgShift = ClassifierFreeGuidance(weight: 2.5).mix(plan, output: Self.output(shifted, c), shape: s).x0
        let offsetDiff = SamplerFixtures.maxAbsDiff(same, cfgShift)
        #expect(offsetDiff < Self.tolerance, "a pure offset: largest difference from cfg \(offsetDiff)")
    }

    /// Through `DenoisingLoop`: every step's x̂0 is c + (w − 1)·G(c − u) of the mock network's branches.
    @Test func lowPassInTheDenoisingLoop() throws {
        let w: Float = 2.5
        let sampler = try SamplerFixtures.makeSampler(MockDenoiser(), options: SamplerOptions(steps: 6, guidance: w, guidanceMethod: .lowpass, seed: 3))
        let audio = (0..<2).flatMap { SamplerFixtures.testAudio(frames: 0..<24, dim: 4, phase: Float($0)) }
        let shape = PredictionShape(rows: 2, frames: 24, dim: 6)
        for step in sampler {
            let (c, u) = try SamplerFixtures.branches(x: step.x, timestep: step.timestep, audio: audio, clips: 2, frames: 24)
            let smooth = LowPassGuidance.smooth(zip(c, u).map { $0 - $1 }, shape: shape, sigma: LowPassGuidance.defaultSigmaFrames)
            let want = zip(c, smooth).map { $0 + (w - 1) * $1 }
            let d = SamplerFixtures.maxAbsDiff(step.x0, want)
            #expect(d < Self.tolerance, "step \(step.index): max |x0 − (c + (w−1)·G(c − u))| = \(d)")
        }
        #expect(sampler.error == nil)
        let a = try SamplerFixtures.makeSampler(MockDenoiser(), options: SamplerOptions(steps: 6, guidance: w, guidanceMethod: .velocity, seed: 3)).finish()
        let b = try SamplerFixtures.makeSampler(MockDenoiser(), options: SamplerOptions(steps: 6, guidance: w, guidanceMethod: .velocity, seed: 3)).finish()
        #expect(a == b, "velocity guidance must be deterministic")
    }
}
