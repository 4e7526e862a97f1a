import Foundation
import Testing
@testable import A2MCore
@testable import A2MNN

/// The analytic x0 predictor of Fixtures/diffusion/make_dpmpp_reference.py, element-wise over one row of N values:
/// cond = 0.7·tanh(1.3·x)·(1 − 0.4·t/T) + 0.5·sin(0.37·i + 0.2), uncond the same with 0.2·cos(0.11·i).
final class AnalyticDenoiser: MotionDenoiser {
    let motionDim: Int
    let audioDim = 1
    let trainingSteps = 1000
    let supportsGuidance = true

    init(motionDim: Int) { self.motionDim = motionDim }

    func encodeAudio(_ audio: [Float], clips: Int, frames: Int) throws -> Int { clips }

    func predictX0(x: [Float], timesteps: [Int], rows: [DenoiserRow], context: Int, frames: Int) throws -> [Float] {
        let n = frames * motionDim
        var out = [Float](repeating: 0, count: x.count)
        for (r, row) in rows.enumerated() {
            let scale = 1 - 0.4 * Double(timesteps[r]) / Double(trainingSteps)
            for i in 0..<n {
                let base = 0.7 * tanh(1.3 * Double(x[r * n + i])) * scale
                out[r * n + i] = Float(base + (row.conditioned ? 0.5 * sin(0.37 * Double(i) + 0.2) : 0.2 * cos(0.11 * Double(i))))
            }
        }
        return out
    }
}

@Suite struct DPMSolverTests {
    /// Float32 sampling against the float64 reference: a few steps of O(1) values.
    static let referenceTol: Float = 2e-4
    /// Coefficients (Float) against the reference (Double).
    static let coefficientTol: Double = 1e-5

    struct Reference: Decodable {
        struct Case: Decodable {
            let steps: Int
            let guidance: Float
            let timesteps: [Int]
            let coefficients: [[Double]]
            let sample: [Float]
        }
        let trainingSteps: Int
        let xT: [Float]
        let cases: [Case]
    }

    static func reference() throws -> Reference {
        let url = try #require(Bundle.module.url(forResource: "dpmpp_reference", withExtension: "json", subdirectory: "Fixtures/diffusion"))
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    /// The update formula against an independent numpy implementation (coefficients and final sample), with and
    /// without classifier-free guidance.
    @Test func matchesTheNumpyReference() throws {
        let ref = try Self.reference()
        let m = AnalyticDenoiser(motionDim: ref.xT.count)
        let schedule = DiffusionSchedule(steps: ref.trainingSteps)
        for c in ref.cases {
            let options = SamplerOptions(kind: .dpmpp2m, steps: c.steps, guidance: c.guidance)
            let loop = try DenoisingLoop(denoiser: m, schedule: schedule, options: options, context: 1, clips: [0], frames: 1,
                                         initialNoise: ref.xT)
            let sampler = try #require(loop.sampler as? DPMSolverPlusPlusSampler)
            #expect(sampler.timesteps == c.timesteps, "steps \(c.steps): timesteps")
            var worstC = 0.0
            for (k, want) in zip(sampler.coefficients, c.coefficients) {
                worstC = max(worstC, abs(Double(k.a) - want[0]) / max(1, abs(want[0])), abs(Double(k.b) - want[1]) / max(1, abs(want[1])),
                             abs(Double(k.c) - want[2]))
            }
            #expect(worstC < Self.coefficientTol, "steps \(c.steps): largest coefficient difference \(worstC)")
            let sample = try loop.finish()
            let d = SamplerFixtures.maxAbsDiff(sample, c.sample)
            #expect(d < Self.referenceTol, "steps \(c.steps) w \(c.guidance): largest difference to numpy \(d)")
        }
    }

    /// The first step has no history, so DPM-Solver++(2M) with 2 steps (one update, then x̂0) is DDIM η = 0.
    @Test func firstStepIsDDIM() throws {
        let m = MockDenoiser()
        let a = try SamplerFixtures.makeSampler(m, options: SamplerOptions(kind: .dpmpp2m, steps: 2, guidance: 2, seed: 4)).finish()
        let b = try SamplerFixtures.makeSampler(m, options: SamplerOptions(kind: .ddim, steps: 2, guidance: 2, seed: 4)).finish()
        let d = SamplerFixtures.maxAbsDiff(a, b)
        #expect(d < SamplerFixtures.sampleTol, "2-step dpmpp-2m vs ddim: largest difference \(d)")
        let c = try SamplerFixtures.makeSampler(m, options: SamplerOptions(kind: .dpmpp2m, steps: 6, guidance: 2, seed: 4)).finish()
        let e = try SamplerFixtures.makeSampler(m, options: SamplerOptions(kind: .ddim, steps: 6, guidance: 2, seed: 4)).finish()
        #expect(SamplerFixtures.maxAbsDiff(c, e) > 1e-3, "6 steps: the second-order correction should change the sample")
    }

    /// With CFG++ the first update is CFG++'s DDIM step (noise estimate from û0).
    @Test func cfgPlusPlusFirstStepIsDDIM() throws {
        let m = MockDenoiser()
        let opts = { (k: SamplerKind) in SamplerOptions(kind: k, steps: 2, guidance: 0.6, guidanceMethod: .cfgpp, seed: 2) }
        let a = try SamplerFixtures.makeSampler(m, options: opts(.dpmpp2m)).finish()
        let b = try SamplerFixtures.makeSampler(m, options: opts(.ddim)).finish()
        let d = SamplerFixtures.maxAbsDiff(a, b)
        #expect(d < SamplerFixtures.sampleTol, "CFG++ 2-step dpmpp-2m vs ddim: largest difference \(d)")
    }

    /// Deterministic: the seed fixes x_T and nothing else is drawn, so η ≠ 0 is refused.
    @Test func deterministicAndRejectsEta() throws {
        let a = try SamplerFixtures.makeSampler(MockDenoiser(), options: SamplerOptions(kind: .dpmpp2m, steps: 7, guidance: 2, seed: 9)).finish()
        let b = try SamplerFixtures.makeSampler(MockDenoiser(), options: SamplerOptions(kind: .dpmpp2m, steps: 7, guidance: 2, seed: 9)).finish()
        #expect(SamplerFixtures.bits(a) == SamplerFixtures.bits(b))
        #expect(throws: SamplingError.self) {
            try SamplerOptions(kind: .dpmpp2m, eta: 0.5).validate(trainingSteps: 1000, supportsGuidance: true)
        }
    }

    /// Errors of the samples of `MockDenoiser` (a smooth nonlinear network: tanh of a temporal box filter, audio
    /// conditioning, two guidance branches) at w = 2 against DDIM with 1000 steps (the probability-flow ODE
    /// solved finely), for each step count. A randomly initialized FiLM transformer is no test of an ODE solver:
    /// its x0 prediction jumps with t, and DDIM and DPM-Solver++ both stay 0.2 away from the 1000-step solution
    /// at 50 steps (measured while writing this test).
    static func odeErrors(kind: SamplerKind, steps: [Int]) throws -> (errors: [Float], reference: [Float], samples: [[Float]]) {
        let m = MockDenoiser()
        var g = PCG32(seed: 5)
        let xT = (0..<(2 * 24 * m.motionDim)).map { _ in g.gaussian() }
        func run(_ k: SamplerKind, _ n: Int) throws -> [Float] {
            try SamplerFixtures.makeSampler(m, options: SamplerOptions(kind: k, steps: n, guidance: 2), initialNoise: xT).finish()
        }
        let reference = try run(.ddim, 1000)
        let samples = try steps.map { try run(kind, $0) }
        return (samples.map { SamplerFixtures.maxAbsDiff($0, reference) }, reference, samples)
    }

    /// As the steps grow, DPM-Solver++(2M) converges to the ODE solution DDIM approximates, faster than DDIM:
    /// its error falls with the step count and is below DDIM's at equal steps (10 and more), and its sample
    /// approaches DDIM's own 50-step sample.
    @Test func convergesOnASmallModel() throws {
        let steps = [5, 10, 20, 50]
        let dpm = try Self.odeErrors(kind: .dpmpp2m, steps: steps)
        let ddim = try Self.odeErrors(kind: .ddim, steps: steps)
        for i in 1..<steps.count {
            #expect(dpm.errors[i] < dpm.errors[i - 1], "dpmpp-2m error did not fall from \(steps[i - 1]) to \(steps[i]) steps: \(dpm.errors)")
        }
        for i in steps.indices.dropFirst() {
            #expect(dpm.errors[i] < ddim.errors[i], "at \(steps[i]) steps dpmpp-2m error \(dpm.errors[i]) ≥ ddim's \(ddim.errors[i])")
        }
        // Toward DDIM's own 50-step sample too: the gap shrinks until it reaches DDIM-50's own error.
        let gaps = dpm.samples.map { SamplerFixtures.maxAbsDiff($0, ddim.samples[3]) }
        for i in 1..<steps.count where gaps[i - 1] > 2 * ddim.errors[3] {
            #expect(gaps[i] < gaps[i - 1], "gap to ddim-50 did not fall from \(steps[i - 1]) to \(steps[i]) steps: \(gaps)")
        }
        #expect(gaps[3] <= 1.5 * ddim.errors[3], "50 steps: gap to ddim-50 \(gaps[3]), ddim-50's own error \(ddim.errors[3])")
        print("ODE errors vs ddim-1000 at steps \(steps): dpmpp-2m \(dpm.errors), ddim \(ddim.errors); gaps to ddim-50 \(gaps)")
    }
}
