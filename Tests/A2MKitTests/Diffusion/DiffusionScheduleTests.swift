import Testing
import Foundation
@testable import A2MCore
@testable import A2MNN

@Suite struct DiffusionScheduleTests {
    /// Relative tolerance against the float64 reference (values are stored as Float).
    static let relTol: Double = 2e-6

    /// From Fixtures/diffusion/make_schedule_reference.py: t, β, ᾱ, posterior variance, coef1, coef2.
    static let cosineRef: [(Int, [Double])] = [
        (0, [4.12842248e-05, 0.999958716, 0, 1, 0]),
        (1, [4.61417527e-05, 0.999912576, 2.17894961e-05, 0.527781409, 0.47221859]),
        (499, [0.00314588623, 0.49384359, 0.0031361999, 0.00437458823, 0.995351619]),
        (998, [0.749999393, 2.42876691e-06, 0.749993928, 0.00233767619, 0.499996964]),
        (999, [0.999, 2.42876691e-09, 0.998997576, 0.00155689172, 0.0316226999]),
    ]
    static let linearRef: [(Int, [Double])] = [
        (0, [0.0001, 0.9999, 0, 1, 0]),
        (1, [0.00011991992, 0.999780092, 5.45318766e-05, 0.5452915, 0.454708499]),
        (499, [0.01004004, 0.0785872429, 0.0100313554, 0.00307007111, 0.99410667]),
        (998, [0.0199800801, 4.11819364e-05, 0.0199800633, 0.000129524236, 0.989958723]),
        (999, [0.02, 4.03582977e-05, 0.0199999835, 0.000128351487, 0.989948678]),
    ]

    func check(_ s: DiffusionSchedule, _ ref: [(Int, [Double])]) {
        for (t, want) in ref {
            let got = [s.betas[t], s.alphasCumprod[t], s.posteriorVariance[t], s.posteriorMeanCoef1[t], s.posteriorMeanCoef2[t]].map(Double.init)
            for (g, w) in zip(got, want) {
                let err = abs(g - w) / max(abs(w), 1e-12)
                #expect(err < Self.relTol || abs(g - w) < 1e-12, "\(s.kind) t=\(t): got \(g), want \(w), rel err \(err)")
            }
            #expect(abs(Double(s.sqrtAlphasCumprod[t]) - want[1].squareRoot()) < 1e-7)
            #expect(abs(Double(s.sqrtOneMinusAlphasCumprod[t]) - (1 - want[1]).squareRoot()) < 1e-7)
        }
    }

    @Test func cosineMatchesImprovedDiffusion() { check(DiffusionSchedule(steps: 1000, kind: .cosine), Self.cosineRef) }
    @Test func linearMatchesImprovedDiffusion() { check(DiffusionSchedule(steps: 1000, kind: .linear), Self.linearRef) }

    @Test func qSampleMixesPerRowTimestep() {
        let s = DiffusionSchedule()
        let x0: [Float] = [1, 2, 3, -1, -2, -3], noise: [Float] = [0.5, -0.5, 0.25, 1, 0, -1]
        let out = s.qSample(x0: x0, timesteps: [10, 900], noise: noise)
        for i in 0..<6 {
            let t = i < 3 ? 10 : 900
            let want = Double(s.alphasCumprod[t]).squareRoot() * Double(x0[i]) + (1 - Double(s.alphasCumprod[t])).squareRoot() * Double(noise[i])
            #expect(abs(Double(out[i]) - want) < 1e-6, "element \(i): got \(out[i]) want \(want)")
        }
    }

    @Test func configDefaultsAndStrictKeys() throws {
        let empty = try StrictJSON.decode(DiffusionConfig.self, from: Data("{}".utf8), file: "c.json")
        #expect(empty == DiffusionConfig(steps: 1000, schedule: .cosine))
        let lin = try StrictJSON.decode(DiffusionConfig.self, from: Data(#"{"steps": 500, "schedule": "linear"}"#.utf8), file: "c.json")
        #expect(lin == DiffusionConfig(steps: 500, schedule: .linear))
        #expect(throws: ConfigError.self) {
            try StrictJSON.decode(DiffusionConfig.self, from: Data(#"{"stepz": 500}"#.utf8), file: "c.json")
        }
        #expect(throws: ConfigError.self) {
            try StrictJSON.decode(DiffusionConfig.self, from: Data(#"{"schedule": "sigmoid"}"#.utf8), file: "c.json")
        }
        do {
            try DiffusionConfig(steps: 1).validate(file: "c.json")
            Issue.record("steps = 1 accepted")
        } catch let e as ConfigError {
            #expect(e.description.contains("diffusion.steps"), "\(e)")
        }
    }
}

@Suite struct TimestepSpacingTests {
    @Test func trailingMatchesEDGELinspace() {
        // EDGE: torch.linspace(-1, 999, 51).int() reversed, minus the final -1.
        #expect(TimestepSpacing.trailing(trainingSteps: 1000, steps: 50) == stride(from: 999, through: 19, by: -20).map { $0 })
        #expect(TimestepSpacing.trailing(trainingSteps: 1000, steps: 1000) == Array((0..<1000).reversed()))
        #expect(TimestepSpacing.trailing(trainingSteps: 1000, steps: 1) == [999])
        for steps in [3, 7, 33, 999] {
            let ts = TimestepSpacing.trailing(trainingSteps: 1000, steps: steps)
            #expect(ts.count == steps && ts[0] == 999 && ts.last! >= 0)
            #expect(zip(ts, ts.dropFirst()).allSatisfy { $0 > $1 }, "steps \(steps) not strictly decreasing: \(ts)")
        }
    }

    /// EDM's levels by brute force: for each σ_i (eq. 5, written out here from the paper), the training timestep
    /// whose log σ is nearest, searched over every t, wherever the strictly-decreasing rule did not move it.
    @Test func karrasVisitsTheNearestLevelsToEDMs() {
        for kind in BetaSchedule.allCases {
            let s = DiffusionSchedule(steps: 1000, kind: kind)
            let logSigma = s.alphasCumprod64.map { 0.5 * log((1 - $0) / $0) }
            let steps = 50, rho = 7.0
            let hi = min(80, exp(logSigma[998])), lo = exp(logSigma[0])
            let ts = TimestepSpacing.karras(schedule: s, steps: steps)
            #expect(ts.count == steps && ts[0] == 999 && ts.last == 0, "\(kind): \(ts)")
            var matched = 0
            for i in 0..<(steps - 1) {
                let sigma = pow(pow(hi, 1 / rho) + Double(i) / Double(steps - 2) * (pow(lo, 1 / rho) - pow(hi, 1 / rho)), rho)
                let nearest = (0..<1000).min { abs(logSigma[$0] - log(sigma)) < abs(logSigma[$1] - log(sigma)) }!
                if nearest < ts[i] { matched += 1; #expect(ts[i + 1] == nearest, "\(kind) step \(i + 1): σ \(sigma) → t \(ts[i + 1]), nearest \(nearest)") }
            }
            // The rule moves only levels that round onto the previous timestep; with the cosine schedule none do.
            #expect(matched >= steps - 3, "\(kind): only \(matched) of \(steps - 1) levels unmoved: \(ts)")
        }
    }

    /// What the spacing is for (docs/sampling.md, "Respacing: karras"): with the cosine schedule, 21 of 50 steps
    /// at t ≥ 900 (σ ≥ 6.4), where trailing spends 5.
    @Test func karrasSpendsItsStepsAtHighNoise() {
        let s = DiffusionSchedule()
        #expect(TimestepSpacing.karras(schedule: s, steps: 50).filter { $0 >= 900 }.count == 21)
        #expect(TimestepSpacing.trailing(trainingSteps: 1000, steps: 50).filter { $0 >= 900 }.count == 5)
    }

    @Test func karrasIsStrictlyDecreasingAtEveryStepCount() {
        let s = DiffusionSchedule()
        #expect(TimestepSpacing.karras(schedule: s, steps: 1) == [999])
        #expect(TimestepSpacing.karras(schedule: s, steps: 2) == [999, 0])
        #expect(TimestepSpacing.karras(schedule: s, steps: 1000) == Array((0..<1000).reversed()))
        for steps in [3, 7, 33, 200, 999] {
            let ts = TimestepSpacing.karras(schedule: s, steps: steps)
            #expect(ts.count == steps && ts[0] == 999 && ts.last == 0, "steps \(steps): \(ts.prefix(5))…\(ts.suffix(3))")
            #expect(zip(ts, ts.dropFirst()).allSatisfy { $0 > $1 }, "steps \(steps) not strictly decreasing: \(ts)")
        }
        let short = DiffusionSchedule(steps: 10)
        #expect(TimestepSpacing.karras(schedule: short, steps: 10) == Array((0..<10).reversed()))
    }

    /// The few-step spacing: Karras's interpolation from σ 20 to σ(19). The 10-step list is the one docs/sampling.md's
    /// "Few steps" table was measured with (computed there by an independent numpy script); every step count gives
    /// distinct, decreasing timesteps from T − 1, ending at 19 while there is room.
    @Test func fewStepSpacingIsTheMeasuredList() {
        let s = DiffusionSchedule()
        #expect(TimestepSpacing.fewStep.timesteps(schedule: s, steps: 10) == [999, 967, 944, 903, 822, 669, 433, 206, 75, 19])
        for steps in [2, 3, 5, 20, 50, 200, 1000] {
            let ts = TimestepSpacing.fewStep.timesteps(schedule: s, steps: steps)
            #expect(ts.count == steps && ts[0] == 999, "steps \(steps): \(ts.prefix(5))")
            #expect(zip(ts, ts.dropFirst()).allSatisfy { $0 > $1 }, "steps \(steps) not strictly decreasing: \(ts)")
            if steps <= 200 { #expect(ts.last == 19, "steps \(steps) ends at \(ts.last ?? -1)") }
        }
        #expect(TimestepSpacing.fewStep.timesteps(schedule: DiffusionSchedule(steps: 10), steps: 10) == Array((0..<10).reversed()))
    }
}
