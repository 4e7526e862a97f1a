import Foundation
import Testing
@testable import A2MCore
@testable import A2MNN
@testable import A2MGeneration

/// A sampler written against the `Sampler` protocol alone, unlike DDIM and DDPM: the state is the clean
/// estimate itself (marginal scale 1, sigma `sigma`), and each step re-noises the guided x̂0 by `sigma` with
/// fresh noise. It records every state it is handed.
final class RenoiseSampler: Sampler {
    let timesteps: [Int]
    let sigma: Float
    private(set) var seen: [[Float]] = []

    init(timesteps: [Int], sigma: Float) {
        self.timesteps = timesteps
        self.sigma = sigma
    }

    func marginal(step index: Int) -> (scale: Float, sigma: Float) { (1, sigma) }

    func step(_ index: Int, x: [Float], prediction: GuidedPrediction, noise: RowNoise) throws -> [Float] {
        seen.append(x)
        guard index + 1 < timesteps.count, sigma > 0 else { return prediction.x0 }
        var z = [Float](repeating: 0, count: x.count)
        noise.fill(&z)
        return zip(prediction.x0, z).map { $0 + sigma * $1 }
    }
}

@Suite struct SamplerProtocolTests {
    static let F = 24

    static func loop(_ m: MockDenoiser, sampler: any Sampler, guidance: any GuidanceMixer = ClassifierFreeGuidance(weight: 2),
                     constraint: PrefixConstraint?) throws -> DenoisingLoop<MockDenoiser> {
        let audio = (0..<2).flatMap { SamplerFixtures.testAudio(frames: 0..<F, dim: m.audioDim, phase: Float($0)) }
        return try DenoisingLoop(denoiser: m, schedule: DiffusionSchedule(steps: m.trainingSteps), options: SamplerOptions(steps: 4, guidance: 2, seed: 3),
                                 context: m.encodeAudio(audio, clips: 2, frames: F), clips: [0, 1], frames: F,
                                 constraint: constraint, sampler: sampler, guidance: guidance)
    }

    /// The frame constraints of long-form generation use the sampler's own noise level: with a sampler whose
    /// state is clean (sigma 0) the known frames are imposed exactly, and tied frames follow their source.
    @Test func constraintsWorkWithAnySampler() throws {
        let m = MockDenoiser()
        let D = m.motionDim, F = Self.F
        let known = (0..<(2 * F * D)).map { Float(sin(0.1 * Double($0))) }
        let tie = FrameTie(row: 1, source: 0, sourceStart: 12, count: 12)
        let sampler = RenoiseSampler(timesteps: [999, 600, 300, 50], sigma: 0)
        let loop = try Self.loop(m, sampler: sampler, constraint: PrefixConstraint(lengths: [6, 0], x0: known, ties: [tie]))
        _ = try loop.finish()
        #expect(sampler.seen.count == 4)
        for (i, x) in sampler.seen.enumerated() {
            #expect(Array(x[0..<(6 * D)]) == Array(known[0..<(6 * D)]), "step \(i): prefix not imposed at the sampler's level")
            #expect(Array(x[(12 * D)..<(F * D)]) == Array(x[(F * D)..<(F * D + 12 * D)]), "step \(i): tie not applied")
        }
        // The network saw the sampler's timesteps, and the mixer's plan (2B rows at w = 2).
        #expect(m.rowLog.count == 4 && m.rowLog.allSatisfy { $0.count == 4 })
    }

    /// With noise in the state, the known frames carry fresh noise of the sampler's sigma around x0.
    @Test func knownFramesAreNoisedToTheSamplersLevel() throws {
        let m = MockDenoiser()
        let D = m.motionDim
        let known = [Float](repeating: 0.5, count: 2 * Self.F * D)
        let sampler = RenoiseSampler(timesteps: [999, 500], sigma: 0.25)
        _ = try Self.loop(m, sampler: sampler, constraint: PrefixConstraint(lengths: [12, 12], x0: known)).finish()
        let deviations = sampler.seen[1][0..<(12 * D)].map { Double($0 - 0.5) }
        let rms = (deviations.map { $0 * $0 }.reduce(0, +) / Double(deviations.count)).squareRoot()
        #expect(abs(rms - 0.25) < 0.06, "rms of the imposed noise \(rms), sampler sigma 0.25")
    }

    /// Long-form generation with the protocol sampler: every window of a clip several rounds long runs.
    @Test func longFormRunsWithAnySampler() throws {
        let m = MockDenoiser()
        let generator = try LongFormGenerator(denoiser: m, schedule: DiffusionSchedule(), windowFrames: 24, options: SamplerOptions(steps: 3, seed: 2),
                                              makeSampler: { _, _ in RenoiseSampler(timesteps: [999, 500, 100], sigma: 0.1) })
        var frames: [Float] = []
        let stitcher = FeatureCrossfadeStitcher(featureDim: m.motionDim) { first, chunk in
            #expect(first * m.motionDim == frames.count)
            frames += chunk
        }
        let total = 200
        try generator.generate([LongFormClip(name: "c", frameCount: total, audioFeatures: { SamplerFixtures.testAudio(frames: $0, dim: m.audioDim) },
                                             stitcher: stitcher)])
        #expect(frames.count == total * m.motionDim && frames.allSatisfy(\.isFinite))
        // Rounds of up to 4 windows, 3 steps each.
        #expect(m.calls == (WindowPlan(totalFrames: total, windowFrames: 24).count + 3) / 4 * 3)
    }

    /// DDIM and DDPM are `Sampler` types; the `SamplerKind` registry makes them.
    @Test func kindsMakeTheirTypes() {
        let s = DiffusionSchedule(), ts = TimestepSpacing.trailing(trainingSteps: 1000, steps: 10)
        #expect(SamplerKind.ddim.makeSampler(schedule: s, timesteps: ts, eta: 0) is DDIMSampler)
        #expect(SamplerKind.ddpm.makeSampler(schedule: s, timesteps: ts, eta: 0) is DDPMSampler)
        #expect(GuidanceMethod.cfg.mixer(weight: 2, schedule: .ramp) is ClassifierFreeGuidance)
        #expect(GuidanceMethod.cfgpp.mixer(weight: 0.5, schedule: .constant) is CFGPlusPlus)
    }
}
