import Testing
import Foundation
@testable import A2MCore
@testable import A2MNN

extension SamplerFixtures {
    /// Float tolerance between two computations of the same sample that differ only in rounding.
    static let sampleTol: Float = 1e-4
}

extension SamplerFixtures {
    static func makeSampler(_ m: MockDenoiser, options: SamplerOptions, clips: Int = 2, frames: Int = 24,
                     audio: [Float]? = nil, initialNoise: [Float]? = nil, generators: [PCG32]? = nil) throws -> DenoisingLoop<MockDenoiser> {
        let a = audio ?? (0..<clips).flatMap { SamplerFixtures.testAudio(frames: 0..<frames, dim: m.audioDim, phase: Float($0)) }
        let ctx = try m.encodeAudio(a, clips: clips, frames: frames)
        return try DenoisingLoop(denoiser: m, schedule: DiffusionSchedule(steps: m.trainingSteps), options: options,
                                    context: ctx, clips: Array(0..<clips), frames: frames,
                                    generators: generators, initialNoise: initialNoise)
    }
}

extension SamplerFixtures {
    static func bits(_ a: [Float]) -> [UInt32] { a.map(\.bitPattern) }

    /// The per-step coefficients of a DDIM (eta 0) or DDPM sampler on `timesteps`.
    static func coefficients(_ kind: SamplerKind, schedule: DiffusionSchedule, timesteps: [Int]) -> [LinearStepCoefficients] {
        (kind.makeSampler(schedule: schedule, timesteps: timesteps, eta: 0) as! any LinearStepSampler).coefficients
    }
}

@Suite struct SamplerTests {
    @Test func ddpmOnTheFullChainUsesThePosterior() {
        let s = DiffusionSchedule()
        let ts = TimestepSpacing.trailing(trainingSteps: 1000, steps: 1000)
        let c = SamplerFixtures.coefficients(.ddpm, schedule: s, timesteps: ts)
        var worst: Float = 0
        for (i, t) in ts.enumerated() {
            worst = max(worst, abs(c[i].a - s.posteriorMeanCoef2[t]), abs(c[i].b - s.posteriorMeanCoef1[t]),
                        abs(c[i].s * c[i].s - s.posteriorVariance[t]))
        }
        #expect(worst < 1e-5, "max difference to the schedule's posterior: \(worst)")
    }

    @Test(arguments: TimestepSpacing.allCases) func ddimStepMatchesTheEpsilonForm(spacing: TimestepSpacing) throws {
        let m = MockDenoiser()
        let sampler = try SamplerFixtures.makeSampler(m, options: SamplerOptions(steps: 10, spacing: spacing))
        let schedule = DiffusionSchedule()
        #expect(sampler.timesteps == spacing.timesteps(schedule: schedule, steps: 10))
        var worst: Double = 0
        for _ in 0..<9 {
            let step = try #require(try sampler.step())
            let ab = Double(schedule.alphasCumprod[step.timestep])
            let abPrev = Double(schedule.alphasCumprod[sampler.timesteps[step.index + 1]])
            for i in 0..<step.x.count {
                let eps = (Double(step.x[i]) - ab.squareRoot() * Double(step.x0[i])) / (1 - ab).squareRoot()
                let want = abPrev.squareRoot() * Double(step.x0[i]) + (1 - abPrev).squareRoot() * eps
                worst = max(worst, abs(Double(sampler.current[i]) - want))
            }
        }
        #expect(worst < 1e-4, "max |x_prev − (√ᾱ'x̂0 + √(1−ᾱ')ε̂)| = \(worst)")
        let last = try #require(try sampler.step())
        #expect(sampler.current == last.x0)
        #expect(try sampler.step() == nil)
    }

    @Test func ddpmEqualsDDIMWithEtaOne() throws {
        let a = try SamplerFixtures.makeSampler(MockDenoiser(), options: SamplerOptions(kind: .ddpm, steps: 20, seed: 3)).finish()
        let b = try SamplerFixtures.makeSampler(MockDenoiser(), options: SamplerOptions(kind: .ddim, steps: 20, eta: 1, seed: 3)).finish()
        let d = SamplerFixtures.maxAbsDiff(a, b)
        #expect(d < SamplerFixtures.sampleTol, "ddpm vs ddim(eta=1): max diff \(d)")
        let c = try SamplerFixtures.makeSampler(MockDenoiser(), options: SamplerOptions(kind: .ddim, steps: 20, eta: 0, seed: 3)).finish()
        #expect(SamplerFixtures.maxAbsDiff(a, c) > 1e-2, "eta 0 should differ from eta 1")
    }

    @Test func etaZeroIsDeterministicGivenXT() throws {
        let m = MockDenoiser()
        var g = PCG32(seed: 99)
        let xT = (0..<(2 * 24 * m.motionDim)).map { _ in g.gaussian() }
        let gens1 = [PCG32(seed: 1), PCG32(seed: 2)], gens2 = [PCG32(seed: 3), PCG32(seed: 4)]
        let a = try SamplerFixtures.makeSampler(m, options: SamplerOptions(steps: 25), initialNoise: xT, generators: gens1).finish()
        let b = try SamplerFixtures.makeSampler(m, options: SamplerOptions(steps: 25), initialNoise: xT, generators: gens2).finish()
        #expect(SamplerFixtures.bits(a) == SamplerFixtures.bits(b), "eta = 0 must not consume per-step noise")
        let c = try SamplerFixtures.makeSampler(m, options: SamplerOptions(steps: 25, eta: 0.5), initialNoise: xT, generators: gens1).finish()
        let d = try SamplerFixtures.makeSampler(m, options: SamplerOptions(steps: 25, eta: 0.5), initialNoise: xT, generators: gens2).finish()
        #expect(SamplerFixtures.maxAbsDiff(c, d) > 1e-3, "eta > 0 must depend on the per-step noise")
    }

    @Test func seedGivesByteIdenticalSamples() throws {
        for kind in SamplerKind.allCases {
            let opts = SamplerOptions(kind: kind, steps: 15, guidance: 2.5, seed: 1234)
            let a = try SamplerFixtures.makeSampler(MockDenoiser(), options: opts).finish()
            let b = try SamplerFixtures.makeSampler(MockDenoiser(), options: opts).finish()
            #expect(SamplerFixtures.bits(a) == SamplerFixtures.bits(b), "\(kind): same seed, different bytes")
            var other = opts
            other.seed = 1235
            #expect(SamplerFixtures.maxAbsDiff(a, try SamplerFixtures.makeSampler(MockDenoiser(), options: other).finish()) > 1e-2, "\(kind): seed ignored")
        }
    }

    @Test func rowsDrawFromTheirOwnStreams() throws {
        // Row 1 of a two-row batch equals the same clip sampled alone with row 1's stream.
        let m = MockDenoiser()
        let opts = SamplerOptions(kind: .ddpm, steps: 12, guidance: 2, seed: 5)
        let audio = (0..<2).flatMap { SamplerFixtures.testAudio(frames: 0..<24, dim: m.audioDim, phase: Float($0)) }
        let both = try SamplerFixtures.makeSampler(m, options: opts, audio: audio).finish()
        let alone = try SamplerFixtures.makeSampler(m, options: opts, clips: 1, audio: Array(audio[(24 * m.audioDim)...]),
                                    generators: [PCG32.derived(seed: 5, purpose: .sampling, rank: 1)]).finish()
        #expect(SamplerFixtures.bits(Array(both[(24 * m.motionDim)...])) == SamplerFixtures.bits(alone))
    }

    /// EDGE's concurrent long-form tie: the tied frames of row 1 equal row 0's frames in x_t at every network call;
    /// the sample keeps each row's own prediction (the stitcher crossfades the shared frames).
    @Test func tiedFramesFollowTheirSourceAtEveryStep() throws {
        let m = MockDenoiser()
        let F = 24, D = m.motionDim, tie = FrameTie(row: 1, source: 0, sourceStart: 12, count: 12)
        let audio = (0..<2).flatMap { SamplerFixtures.testAudio(frames: 0..<F, dim: m.audioDim, phase: Float($0)) }
        let s = try DenoisingLoop(denoiser: m, schedule: DiffusionSchedule(steps: m.trainingSteps),
                                     options: SamplerOptions(kind: .ddpm, steps: 8, guidance: 2, seed: 3),
                                     context: m.encodeAudio(audio, clips: 2, frames: F), clips: [0, 1], frames: F,
                                     constraint: PrefixConstraint(lengths: [0, 0], x0: [Float](repeating: 0, count: 2 * F * D), ties: [tie]))
        func shared(_ x: [Float]) -> ([Float], [Float]) { (Array(x[(12 * D)..<(F * D)]), Array(x[(F * D)..<(F * D + 12 * D)])) }
        var steps = 0
        for step in s {
            let (a, b) = shared(step.x)
            #expect(SamplerFixtures.bits(a) == SamplerFixtures.bits(b), "step \(step.index): x_t not tied")
            steps += 1
        }
        #expect(steps == 8)
        let x0 = try s.finish()
        #expect(SamplerFixtures.maxAbsDiff(Array(x0[(F * D + 12 * D)...]), Array(x0[(12 * D)..<(F * D)])) > 1e-3, "untied frames copied too")
        // A tie must point back to an earlier row, inside the window.
        for bad in [FrameTie(row: 0, source: 1, sourceStart: 0, count: 4), FrameTie(row: 1, source: 0, sourceStart: 20, count: 8)] {
            #expect(throws: SamplingError.self) {
                _ = try DenoisingLoop(denoiser: m, schedule: DiffusionSchedule(steps: m.trainingSteps), options: SamplerOptions(steps: 2),
                                         context: m.encodeAudio(audio, clips: 2, frames: F), clips: [0, 1], frames: F,
                                         constraint: PrefixConstraint(lengths: [0, 0], x0: [Float](repeating: 0, count: 2 * F * D), ties: [bad]))
            }
        }
    }

    @Test func sequenceStopsOnDenoiserErrorAndFinishRethrows() throws {
        final class Failing: MotionDenoiser {
            let motionDim = 2, audioDim = 1, trainingSteps = 1000, supportsGuidance = true
            func encodeAudio(_ audio: [Float], clips: Int, frames: Int) throws {}
            func predictX0(x: [Float], timesteps: [Int], rows: [DenoiserRow], context: Void, frames: Int) throws -> [Float] {
                [0]  // wrong size
            }
        }
        let f = Failing()
        let s = try DenoisingLoop(denoiser: f, schedule: DiffusionSchedule(), options: SamplerOptions(steps: 5),
                                     context: (), clips: [0], frames: 3)
        var seen = 0
        for _ in s { seen += 1 }
        #expect(seen == 0)
        #expect(throws: SamplingError.denoiserOutput(got: 1, expected: 6)) { try s.finish() }
    }

    @Test func optionsAreRangeChecked() {
        let bad: [(SamplerOptions, String)] = [
            (SamplerOptions(steps: 0), "steps"), (SamplerOptions(steps: 1001), "steps"),
            (SamplerOptions(eta: -0.1), "eta"), (SamplerOptions(eta: .nan), "eta"), (SamplerOptions(eta: 1.5), "eta"),
            (SamplerOptions(kind: .ddpm, eta: 0.5), "eta"),
            (SamplerOptions(guidance: -1), "guidance"), (SamplerOptions(guidance: .nan), "guidance"),
            (SamplerOptions(guidance: .infinity), "guidance"),
        ]
        for (o, field) in bad {
            do {
                try o.validate(trainingSteps: 1000, supportsGuidance: true)
                Issue.record("accepted \(o)")
            } catch {
                #expect("\(error)".hasPrefix(field), "\(error)")
            }
        }
    }
}
