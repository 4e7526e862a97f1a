import Testing
import Foundation
@testable import A2MNN
@testable import A2MTraining

@Suite struct DerivativeWeightingTests {
    /// Three features: a slow sine (the torso's lean), a fast one (a hand at syllable rate) and a constant (a
    /// joint the data never rotates about that axis). A sine of amplitude A at f Hz has mean-square k-th frame
    /// differences A²/2 · |2 sin(πf/fps)|^(2k), so the weights have closed forms.
    @Test func inverseVarianceMatchesClosedForm() throws {
        let fps = 30.0, frames = 3000, slow = 0.25, fast = 4.0, a0 = 1.0, a1 = 0.6
        var clip = [Float]()
        for f in 0..<frames {
            let t = Double(f) / fps
            clip += [Float(a0 * sin(2 * .pi * slow * t)), Float(a1 * sin(2 * .pi * fast * t + 1)), 0.7]
        }
        // Split in two clips: differences never cross a clip boundary.
        let clips = [Array(clip[0..<(1500 * 3)]), Array(clip[(1500 * 3)...])]
        let w = try #require(DerivativeChannelWeights.make(.inverseVariance, clips: clips, d: 3))
        for (order, got) in [(1, w.velocity), (2, w.acceleration)] {
            func v(_ amp: Double, _ hz: Double) -> Double { amp * amp / 2 * pow(2 * sin(.pi * hz / fps), Double(2 * order)) }
            let v0 = v(a0, slow), v1 = v(a1, fast), mean = (v0 + v1) / 3
            let want = [mean / v0, mean / v1, 1 / DerivativeChannelWeights.floorRatio]
            for j in 0..<3 {
                #expect(abs(Double(got[j]) - want[j]) <= LossTolerance.frequencyWeighting * want[j],
                        "order \(order), feature \(j): \(got[j]), want \(want[j])")
            }
        }
        // Second differences separate slow from fast features far more than first differences (240× more here).
        #expect(w.acceleration[0] / w.acceleration[1] > 100 * (w.velocity[0] / w.velocity[1]), "\(w)")
        #expect(DerivativeChannelWeights.make(.uniform, clips: clips, d: 3) == nil)
    }

    /// `derivativeFactorFloor` raises the factors below it and leaves the others bit for bit.
    @Test func floorRaisesOnlySmallFactors() throws {
        let clips: [[Float]] = [(0..<600).flatMap { f -> [Float] in
            let t = Float(f) / 30
            return [sin(2 * .pi * 0.25 * t), 0.6 * sin(2 * .pi * 4 * t), 0.3 * sin(2 * .pi * 2 * t)]
        }]
        let plain = try #require(DerivativeChannelWeights.make(.inverseVariance, clips: clips, d: 3))
        let floor: Float = 2
        let floored = try #require(DerivativeChannelWeights.make(.inverseVariance, floor: floor, clips: clips, d: 3))
        for (p, q) in [(plain.velocity, floored.velocity), (plain.acceleration, floored.acceleration)] {
            // The slow sine's factor is above the floor, the fast one's below it: the floor is a real case here.
            #expect(p[0] > floor && p[1] < floor, "\(p)")
            for j in 0..<3 { #expect(q[j] == max(p[j], floor), "feature \(j): \(q[j]) from \(p[j])") }
        }
        #expect(try #require(DerivativeChannelWeights.make(.inverseVariance, floor: 0, clips: clips, d: 3)) == plain)
        #expect(DerivativeChannelWeights.make(.uniform, floor: 0, clips: clips, d: 3) == nil)
    }

    /// Clips too short for a difference, or data that never moves, leave every factor at 1.
    @Test func degenerateDataGivesOnes() {
        #expect(DerivativeChannelWeights.inverseVariance(clips: [[1, 2]], d: 2, order: 1) == [1, 1])
        #expect(DerivativeChannelWeights.inverseVariance(clips: [[1, 2, 1, 2, 1, 2]], d: 2, order: 2) == [1, 1])
    }

    /// The trainer takes the factors from its training files (not the validation files), and `uniform` gives none.
    @Test func trainerUsesTrainingFiles() throws {
        let dir = try ScratchDirectory("derivative-weighting")
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 3)
        let base = TrainingFixtures.tinyConfig(steps: 2)
        let iv = try TrainingFixtures.writeConfig(base.replacingOccurrences(of: "\"seed\": 3}", with: "\"seed\": 3, \"derivativeWeighting\": \"inverseVariance\"}"),
                                                  in: dir, name: "iv.json")
        let t = try TrainingSession.prepare(.init(data: data, config: iv, out: dir.path("iv"))).trainer
        #expect(!t.data.validationFiles.isEmpty)
        let want = try #require(DerivativeChannelWeights.make(.inverseVariance, clips: t.data.trainingFiles.map { t.data.motion(file: $0) },
                                                              d: t.data.motionDim))
        #expect(t.lossWeights.derivativeChannels == want)
        let everyFile = try #require(DerivativeChannelWeights.make(.inverseVariance, clips: t.data.files.indices.map { t.data.motion(file: $0) }, d: t.data.motionDim))
        #expect(everyFile.velocity != want.velocity)
        // The config's floor reaches the factors.
        let fl = try TrainingFixtures.writeConfig(base.replacingOccurrences(of: "\"seed\": 3}",
            with: "\"seed\": 3, \"derivativeWeighting\": \"inverseVariance\", \"derivativeFactorFloor\": 50}"), in: dir, name: "fl.json")
        let tf = try TrainingSession.prepare(.init(data: data, config: fl, out: dir.path("fl"))).trainer
        let wantFloored = try #require(DerivativeChannelWeights.make(.inverseVariance, floor: 50,
                                                                     clips: t.data.trainingFiles.map { t.data.motion(file: $0) }, d: t.data.motionDim))
        #expect(tf.lossWeights.derivativeChannels == wantFloored && wantFloored != want)
        // The CLI's line: the floor is the smallest factor.
        let line = try #require(tf.derivativeFactorSummary)
        #expect(line.hasPrefix("velocity 50–") && line.contains(", acceleration 50–") && line.contains(" of \(t.data.motionDim) at the cap)"), "\(line)")
        let u = try TrainingSession.prepare(.init(data: data, config: TrainingFixtures.writeConfig(base, in: dir), out: dir.path("u"))).trainer
        #expect(u.lossWeights.derivativeChannels == nil && u.derivativeFactorSummary == nil)
    }
}
