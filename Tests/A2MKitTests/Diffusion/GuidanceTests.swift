import Testing
import Foundation
@testable import A2MNN

/// Forwards to a MockDenoiser but answers a 2B-row call with two separate B-row calls (the reference for
/// "one batch of 2B gives the same result as two passes").
final class SplitPasses: MotionDenoiser {
    let inner: MockDenoiser
    init(_ inner: MockDenoiser) { self.inner = inner }
    var motionDim: Int { inner.motionDim }
    var audioDim: Int { inner.audioDim }
    var trainingSteps: Int { inner.trainingSteps }
    var supportsGuidance: Bool { inner.supportsGuidance }
    func encodeAudio(_ audio: [Float], clips: Int, frames: Int) throws -> MockDenoiser.Context {
        try inner.encodeAudio(audio, clips: clips, frames: frames)
    }
    func predictX0(x: [Float], timesteps: [Int], rows: [DenoiserRow], context: MockDenoiser.Context, frames: Int) throws -> [Float] {
        let cond = rows.indices.filter { rows[$0].conditioned }, uncond = rows.indices.filter { !rows[$0].conditioned }
        let per = frames * motionDim
        var out = [Float](repeating: 0, count: x.count)
        for part in [cond, uncond] where !part.isEmpty {
            let xs = part.flatMap { x[$0 * per..<($0 + 1) * per] }
            let y = try inner.predictX0(x: xs, timesteps: part.map { timesteps[$0] }, rows: part.map { rows[$0] }, context: context, frames: frames)
            for (k, r) in part.enumerated() { out.replaceSubrange(r * per..<(r + 1) * per, with: y[k * per..<(k + 1) * per]) }
        }
        return out
    }
}

@Suite struct GuidanceTests {
    @Test func mixesConditionalAndUnconditionalOnX0() throws {
        let m = MockDenoiser()
        let w: Float = 2.5
        let sampler = try SamplerFixtures.makeSampler(m, options: SamplerOptions(steps: 8, guidance: w, seed: 2))
        let audio = (0..<2).flatMap { SamplerFixtures.testAudio(frames: 0..<24, dim: 4, phase: Float($0)) }
        for step in sampler {
            let (c, u) = try SamplerFixtures.branches(x: step.x, timestep: step.timestep, audio: audio, clips: 2, frames: 24)
            let want = zip(c, u).map { $0.1 + w * ($0.0 - $0.1) }
            let d = SamplerFixtures.maxAbsDiff(step.x0, want)
            #expect(d < 1e-6, "step \(step.index): max |x0 − (u + w(c − u))| = \(d)")
            #expect(SamplerFixtures.maxAbsDiff(c, u) > 0.1, "conditioned and unconditioned predictions should differ")
        }
        #expect(sampler.error == nil)
    }

    @Test func guidanceIsOneCallOf2BRowsPerStep() throws {
        let m = MockDenoiser()
        _ = try SamplerFixtures.makeSampler(m, options: SamplerOptions(steps: 7, guidance: 3), clips: 3).finish()
        #expect(m.calls == 7)
        let expected = (0..<3).map { DenoiserRow(clip: $0, conditioned: true) } + (0..<3).map { DenoiserRow(clip: $0, conditioned: false) }
        #expect(m.rowLog.allSatisfy { $0 == expected }, "rows: \(m.rowLog.first ?? [])")
    }

    @Test func batchOf2BEqualsTwoSeparatePasses() throws {
        for kind in SamplerKind.allCases {
            let opts = SamplerOptions(kind: kind, steps: 12, guidance: 1.7, seed: 8)
            let batched = try SamplerFixtures.makeSampler(MockDenoiser(), options: opts).finish()
            let split = SplitPasses(MockDenoiser())
            let ctx = try split.encodeAudio((0..<2).flatMap { SamplerFixtures.testAudio(frames: 0..<24, dim: 4, phase: Float($0)) }, clips: 2, frames: 24)
            let two = try DenoisingLoop(denoiser: split, schedule: DiffusionSchedule(), options: opts, context: ctx,
                                           clips: [0, 1], frames: 24).finish()
            #expect(split.inner.calls == 24 && split.inner.rowLog.allSatisfy { $0.count == 2 })
            let d = SamplerFixtures.maxAbsDiff(batched, two)
            #expect(d < SamplerFixtures.sampleTol, "\(kind): batched vs two passes: max diff \(d)")
        }
    }

    @Test func weightOneRunsTheNetworkOncePerStepWithBRows() throws {
        let m = MockDenoiser()
        _ = try SamplerFixtures.makeSampler(m, options: SamplerOptions(steps: 9, guidance: 1), clips: 3).finish()
        #expect(m.calls == 9)
        #expect(m.rowLog.allSatisfy { $0 == (0..<3).map { DenoiserRow(clip: $0, conditioned: true) } })
    }

    @Test func weightZeroIsTheUnconditionalModel() throws {
        let m = MockDenoiser()
        let opts = SamplerOptions(steps: 10, guidance: 0, seed: 4)
        let a = try SamplerFixtures.makeSampler(m, options: opts).finish()
        #expect(m.rowLog.allSatisfy { $0.count == 2 && $0.allSatisfy { !$0.conditioned } })
        let otherAudio = (0..<2).flatMap { SamplerFixtures.testAudio(frames: 0..<24, dim: 4, phase: 10 + Float($0)) }
        let b = try SamplerFixtures.makeSampler(MockDenoiser(), options: opts, audio: otherAudio).finish()
        #expect(SamplerFixtures.bits(a) == SamplerFixtures.bits(b), "w = 0 output depends on the audio")
        var cond = opts
        cond.guidance = 1
        let c1 = try SamplerFixtures.makeSampler(MockDenoiser(), options: cond).finish()
        let c2 = try SamplerFixtures.makeSampler(MockDenoiser(), options: cond, audio: otherAudio).finish()
        #expect(SamplerFixtures.maxAbsDiff(c1, c2) > 0.1, "w = 1 output should depend on the audio")
    }

    @Test func rampGoesFromZeroToWOverTheFirstHalf() throws {
        let ws = (0..<50).map { GuidanceSchedule.ramp.weight(3, step: $0, of: 50) }
        #expect(ws[0] == 0 && ws[49] == 3 && ws[25] == 3)
        #expect(abs(ws[12] - 3 * 12 / 24.5) < 1e-6)
        #expect(zip(ws, ws.dropFirst()).allSatisfy { $0 <= $1 })
        #expect((0..<50).allSatisfy { GuidanceSchedule.constant.weight(3, step: $0, of: 50) == 3 })
        let m = MockDenoiser()
        let sampler = try SamplerFixtures.makeSampler(m, options: SamplerOptions(steps: 11, guidance: 2, guidanceSchedule: .ramp))
        let used = sampler.map(\.guidance)
        #expect(used == (0..<11).map { GuidanceSchedule.ramp.weight(2, step: $0, of: 11) })
        // Weight 0 (first step) and 1 (quarter way) run B rows; the rest 2B.
        #expect(m.rowLog.map(\.count) == used.map { $0 == 0 || $0 == 1 ? 2 : 4 })
    }

    @Test func intervalGuidesTheNoisierStepsOnly() throws {
        let ws = (0..<50).map { GuidanceSchedule.interval.weight(2.5, step: $0, of: 50) }
        #expect(ws == [Float](repeating: 2.5, count: 30) + [Float](repeating: 1, count: 20))
        let m = MockDenoiser()
        let sampler = try SamplerFixtures.makeSampler(m, options: SamplerOptions(steps: 10, guidance: 2, guidanceSchedule: .interval))
        #expect(sampler.map(\.guidance) == [2, 2, 2, 2, 2, 2, 1, 1, 1, 1])
        // Guided steps run 2B rows in one call, the conditional tail B rows.
        #expect(m.rowLog.map(\.count) == [4, 4, 4, 4, 4, 4, 2, 2, 2, 2])
    }

    @Test func modelWithoutUnconditionalModeRefusesGuidance() throws {
        let m = MockDenoiser(supportsGuidance: false)
        for (w, sched) in [(Float(2.5), GuidanceSchedule.constant), (0, .constant), (1, .ramp)] {
            do {
                _ = try SamplerFixtures.makeSampler(m, options: SamplerOptions(guidance: w, guidanceSchedule: sched))
                Issue.record("guidance \(w) \(sched) accepted")
            } catch let e as SamplingError {
                #expect(e == .guidanceUnsupported(weight: w, schedule: sched, method: .cfg))
                #expect(e.description.contains("condDropProbability = 0"), "\(e)")
            }
        }
        _ = try SamplerFixtures.makeSampler(m, options: SamplerOptions(steps: 3, guidance: 1)).finish()
        #expect(m.calls == 3)
        // CFG++ needs the unconditional prediction at every weight, 1 included.
        do {
            _ = try SamplerFixtures.makeSampler(m, options: SamplerOptions(guidance: 1, guidanceMethod: .cfgpp))
            Issue.record("cfgpp accepted without an unconditional mode")
        } catch let e as SamplingError {
            #expect(e == .guidanceUnsupported(weight: 1, schedule: .constant, method: .cfgpp))
        }
    }
}

/// CFG++ (`GuidanceMethod.cfgpp`): the same guided x̂0, the noise estimate from the unconditional prediction.
@Suite struct CFGPlusPlusTests {
    static let audio = (0..<2).flatMap { SamplerFixtures.testAudio(frames: 0..<24, dim: 4, phase: Float($0)) }

    /// Every DDIM step (eta 0) against Chung et al.'s Algorithm 2 written out in Double from the schedule:
    /// x_{t'} = √ᾱ'·x̂0 + √(1−ᾱ')·(x_t − √ᾱ·û0)/√(1−ᾱ), x̂0 = û0 + λ(ĉ0 − û0); the last step returns x̂0.
    @Test func stepTakesItsNoiseEstimateFromTheUnconditionalPrediction() throws {
        let lambda: Float = 0.6
        let sampler = try SamplerFixtures.makeSampler(MockDenoiser(), options: SamplerOptions(steps: 10, guidance: lambda, guidanceMethod: .cfgpp, seed: 4))
        let schedule = DiffusionSchedule()
        var worst: Double = 0, worstX0: Float = 0, guidanceShift: Double = 0
        while let step = try sampler.step() {
            let (c, u) = try SamplerFixtures.branches(x: step.x, timestep: step.timestep, audio: Self.audio, clips: 2, frames: 24)
            worstX0 = max(worstX0, SamplerFixtures.maxAbsDiff(step.x0, zip(c, u).map { $0.1 + lambda * ($0.0 - $0.1) }))
            guard step.index + 1 < step.count else {
                #expect(sampler.current == step.x0)
                break
            }
            let ab = schedule.alphasCumprod64[step.timestep], abPrev = schedule.alphasCumprod64[sampler.timesteps[step.index + 1]]
            for i in 0..<step.x.count {
                let eps = (Double(step.x[i]) - ab.squareRoot() * Double(u[i])) / (1 - ab).squareRoot()
                let want = abPrev.squareRoot() * Double(step.x0[i]) + (1 - abPrev).squareRoot() * eps
                worst = max(worst, abs(Double(sampler.current[i]) - want))
                // What plain CFG's ε̂ (from x̂0) would have given instead: the term CFG++ changes must matter here.
                let epsCFG = (Double(step.x[i]) - ab.squareRoot() * Double(step.x0[i])) / (1 - ab).squareRoot()
                guidanceShift = max(guidanceShift, abs((1 - abPrev).squareRoot() * (eps - epsCFG)))
            }
        }
        #expect(worstX0 < 1e-6, "max |x̂0 − (û0 + λ(ĉ0 − û0))| = \(worstX0)")
        #expect(worst < 1e-4, "max |x_prev − (√ᾱ'x̂0 + √(1−ᾱ')ε̂(û0))| = \(worst)")
        #expect(guidanceShift > 0.01, "CFG++'s noise estimate should differ from CFG's: \(guidanceShift)")
    }

    /// b + r = √ᾱ' for both samplers, the identity that turns "ε̂ from û0" into the extra term r·(x̂0 − û0).
    @Test func coefficientsSplitTheNoiseEstimate() {
        let s = DiffusionSchedule()
        for kind in SamplerKind.allCases {
            let ts = TimestepSpacing.trailing(trainingSteps: 1000, steps: 25)
            let c = SamplerFixtures.coefficients(kind, schedule: s, timesteps: ts)
            var worst = 0.0
            for i in ts.indices {
                let abPrev = i + 1 < ts.count ? s.alphasCumprod64[ts[i + 1]] : 1
                worst = max(worst, abs(Double(c[i].b) + Double(c[i].r) - abPrev.squareRoot()),
                            abs(Double(c[i].r) - Double(c[i].a) * s.alphasCumprod64[ts[i]].squareRoot()))
            }
            #expect(worst < 1e-6, "\(kind): max |b + r − √ᾱ'| or |r − a√ᾱ| = \(worst)")
        }
    }

    @Test func weightZeroIsTheUnconditionalModel() throws {
        for kind in SamplerKind.allCases {
            let m = MockDenoiser()
            let pp = try SamplerFixtures.makeSampler(m, options: SamplerOptions(kind: kind, steps: 9, guidance: 0, guidanceMethod: .cfgpp, seed: 5)).finish()
            #expect(m.rowLog.allSatisfy { $0.count == 2 && $0.allSatisfy { !$0.conditioned } })
            let plain = try SamplerFixtures.makeSampler(MockDenoiser(), options: SamplerOptions(kind: kind, steps: 9, guidance: 0, seed: 5)).finish()
            #expect(SamplerFixtures.bits(pp) == SamplerFixtures.bits(plain), "\(kind)")
        }
    }

    /// λ = 1 still runs both branches and is not the plain conditional model (whose ε̂ comes from ĉ0).
    @Test func weightOneRunsBothBranchesAndDiffersFromTheConditionalModel() throws {
        let m = MockDenoiser()
        let pp = try SamplerFixtures.makeSampler(m, options: SamplerOptions(steps: 9, guidance: 1, guidanceMethod: .cfgpp, seed: 6)).finish()
        #expect(m.rowLog.count == 9 && m.rowLog.allSatisfy { $0.count == 4 })
        let plain = try SamplerFixtures.makeSampler(MockDenoiser(), options: SamplerOptions(steps: 9, guidance: 1, seed: 6)).finish()
        let d = SamplerFixtures.maxAbsDiff(pp, plain)
        #expect(d > 0.01, "cfgpp λ = 1 vs cfg w = 1: max difference \(d)")
    }

    @Test func seedGivesByteIdenticalSamplesWithNoise() throws {
        let o = SamplerOptions(kind: .ddpm, steps: 12, guidance: 0.7, guidanceMethod: .cfgpp, seed: 11)
        let a = try SamplerFixtures.makeSampler(MockDenoiser(), options: o).finish()
        let b = try SamplerFixtures.makeSampler(MockDenoiser(), options: o).finish()
        #expect(SamplerFixtures.bits(a) == SamplerFixtures.bits(b))
    }

    @Test func weightAboveOneAndSchedulesAreRefused() {
        let bad: [(SamplerOptions, String)] = [
            (SamplerOptions(guidance: 1.01, guidanceMethod: .cfgpp), "guidance = 1.01"),
            (SamplerOptions(guidance: 2.5, guidanceMethod: .cfgpp), "guidance = 2.5"),
            (SamplerOptions(guidance: 0.5, guidanceSchedule: .ramp, guidanceMethod: .cfgpp), "guidance schedule = ramp"),
            (SamplerOptions(guidance: 0.5, guidanceSchedule: .interval, guidanceMethod: .cfgpp), "guidance schedule = interval"),
        ]
        for (o, prefix) in bad {
            do {
                try o.validate(trainingSteps: 1000, supportsGuidance: true)
                Issue.record("accepted \(o)")
            } catch {
                #expect("\(error)".hasPrefix(prefix) && "\(error)".contains("cfgpp"), "\(error)")
            }
        }
        #expect(throws: Never.self) { try SamplerOptions(guidance: 1, guidanceMethod: .cfgpp).validate(trainingSteps: 1000, supportsGuidance: true) }
        #expect(throws: Never.self) { try SamplerOptions(guidance: 2.5, guidanceSchedule: .interval).validate(trainingSteps: 1000, supportsGuidance: true) }
    }
}
