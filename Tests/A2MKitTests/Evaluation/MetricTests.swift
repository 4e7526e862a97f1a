import Testing
import Foundation
@testable import A2MCore
@testable import A2MAudio
@testable import A2MEvaluation

/// Tolerances for closed-form checks.
private let exactTolerance = 1e-9
private let eigenTolerance = 1e-8

/// One joint moving along x with position x(t) for t = f / fps.
private func track(fps: Double, frames: Int, _ x: (Double) -> Double) throws -> JointPositions {
    try JointPositions(fps: fps, frameCount: frames, jointCount: 1,
                       values: (0..<frames).flatMap { f in [Float(x(Double(f) / fps)), 0, 0] })
}

@Suite struct BeatConsistencyTests {
    /// x = cos(2πt): speed minima every 0.5 s, exactly on frames at 30 fps.
    @Test func coincidentBeatsScoreOneAndShiftedBeatsScoreTheFormula() throws {
        let p = try track(fps: 30, frames: 300) { cos(2 * .pi * $0) }
        let beats = BeatConsistency.motionBeats(speed: p.speed(joint: 0), fps: 30)
        let expectedBeats = (1...19).map { Double($0) * 0.5 }
        #expect(beats.count == expectedBeats.count)
        for (a, b) in zip(beats, expectedBeats) { #expect(abs(a - b) < exactTolerance) }

        let aligned = try #require(BeatConsistency.clipScore(positions: p, joints: [0], audioBeats: expectedBeats))
        #expect(abs(aligned - 1) < exactTolerance, "aligned score \(aligned)")

        let shift = 0.1
        let shifted = try #require(BeatConsistency.clipScore(positions: p, joints: [0], audioBeats: expectedBeats.map { $0 + shift }))
        let formula = exp(-shift * shift / (2 * 0.3 * 0.3))
        #expect(abs(shifted - formula) < exactTolerance, "shifted score \(shifted), formula \(formula), diff \(abs(shifted - formula))")
        #expect(shifted < aligned)
    }

    @Test func noBeatsGiveNoScore() {
        #expect(BeatConsistency.score(audioBeats: [], motionBeats: [1]) == nil)
        #expect(BeatConsistency.score(audioBeats: [1], motionBeats: []) == nil)
    }
}

@Suite struct AudioMotionCorrelationTests {
    @Test func findsAKnownLag() {
        var rng = PCG32(seed: 3)
        // A smoothed random envelope, and a copy delayed by 7 frames.
        var raw = (0..<400).map { _ in rng.uniformFloat() }
        for _ in 0..<3 { raw = raw.indices.map { i in (raw[max(0, i - 1)] + raw[i] + raw[min(raw.count - 1, i + 1)]) / 3 } }
        let lag = 7
        let delayed = raw.indices.map { $0 >= lag ? raw[$0 - lag] : raw[0] }
        let r = AudioMotionCorrelation.maxCrossCorrelation(raw, delayed, maxLag: 15)!
        #expect(r.lag == lag)
        #expect(abs(r.value - 1) < 1e-6, "max correlation \(r.value)")
        // The same pair seen from the other side has the opposite lag.
        #expect(AudioMotionCorrelation.maxCrossCorrelation(delayed, raw, maxLag: 15)!.lag == -lag)
    }

    @Test func constantSignalHasNoCorrelation() {
        #expect(AudioMotionCorrelation.correlation([1, 1, 1, 1], [1, 2, 3, 4], lag: 0) == nil)
    }

    /// A library caller's nonsense lag is no score, not a trap converting NaN or 1e300 to Int; a lag longer than the
    /// clip searches every overlap there is.
    @Test func invalidOrHugeMaximumLags() throws {
        let p = try track(fps: 30, frames: 90) { sin(7 * $0) }
        let loudness = p.speed(joint: 0)
        for lag in [Double.nan, .infinity, -0.5] {
            #expect(AudioMotionCorrelation.score(positions: p, joints: [0], loudness: loudness, maxLagSeconds: lag) == nil, "max lag \(lag)")
        }
        let r = try #require(AudioMotionCorrelation.score(positions: p, joints: [0], loudness: loudness, maxLagSeconds: 1e300))
        #expect(abs(r.value - 1) < 1e-9 && r.lagSeconds == 0, "\(r)")
    }
}

@Suite struct RestContrastTests {
    /// Float positions differenced at 30 fps: about 1e-6 relative, times a few.
    private let floatTolerance = 1e-5

    /// Joint 0 the root, joint 1 a wrist. The wrist is still relative to the root for 1 s, then moves along x at
    /// `speed` cm/s; the root drifts along z the whole time (a weight shift, which must not count).
    private func stillThenMoving(speed b: Double) throws -> JointPositions {
        let fps = 30.0
        let values = (0..<60).flatMap { f -> [Float] in
            let root = 3 * sin(Double(f) / 10)
            let wrist = f < 30 ? 0 : b * Double(f - 29) / fps
            return [0, 90, Float(root), Float(wrist), 120, Float(root)]
        }
        return try JointPositions(fps: fps, frameCount: 60, jointCount: 2, values: values)
    }

    @Test func windowsAreLabelledByTheirShareOfActiveFrames() {
        // Shares 2/15 (silent), 3/15 = 0.2 (mixed: not below), 12/15 = 0.8 (mixed: not above), 13/15 (speech).
        let active = [2, 3, 12, 13].flatMap { k in (0..<15).map { $0 < k } } + [true, true]   // a partial window is dropped
        let w = RestContrast.windows(active: active, frames: active.count, windowFrames: 15)
        #expect(w.map(\.label) == [.silent, .mixed, .mixed, .speech])
        #expect(w.map(\.start) == [0, 15, 30, 45])
    }

    /// Silent windows [0, 15) and [15, 30), speech windows [30, 45) and [45, 60). Central differences give the
    /// wrist speed b from frame 30 on and b/2 at frame 29, so s = (0 + b/30) / 2 = b/60, v = b, and the contrast
    /// is (1 − 1/60) / (1 + 1/60) = 59/61. Scored against the opposite activity, it is −59/61.
    @Test func stillInSilenceScoresTheClosedForm() throws {
        let p = try stillThenMoving(speed: 12)
        let active = (0..<60).map { $0 >= 30 }
        let score = try #require(RestContrast.score(positions: p, joints: [1], root: 0, active: active))
        #expect(abs(score - 59.0 / 61) < floatTolerance, "score \(score), expected \(59.0 / 61), diff \(abs(score - 59.0 / 61))")
        let reversed = try #require(RestContrast.score(positions: p, joints: [1], root: 0, active: active.map { !$0 }))
        #expect(abs(reversed + 59.0 / 61) < floatTolerance, "reversed \(reversed)")
        // The closed form holds only because the root's drift is subtracted; a joint relative to itself never moves.
        #expect(RestContrast.score(positions: p, joints: [1], root: 1, active: active) == nil)
    }

    @Test func noScoreWithoutBothKindsOfWindowOrWithoutMotion() throws {
        let p = try stillThenMoving(speed: 12)
        #expect(RestContrast.score(positions: p, joints: [1], root: 0, active: [Bool](repeating: true, count: 60)) == nil)
        #expect(RestContrast.score(positions: p, joints: [1], root: 0, active: [Bool](repeating: false, count: 60)) == nil)
        let still = try stillThenMoving(speed: 0)
        #expect(RestContrast.score(positions: still, joints: [1], root: 0, active: (0..<60).map { $0 >= 30 }) == nil)
        // A window that is not a positive finite length, or longer than the clip, gives no score (and no trap).
        for seconds in [Double.nan, .infinity, 0, -1, 1e300] {
            #expect(RestContrast.score(positions: p, joints: [1], root: 0, active: (0..<60).map { $0 >= 30 }, windowSeconds: seconds) == nil,
                    "window \(seconds) s")
        }
    }
}

@Suite struct FrechetDistanceTests {
    @Test func identicalSetsAreAtDistanceZero() throws {
        var rng = PCG32(seed: 11)
        let set = (0..<40).map { _ in (0..<6).map { _ in Double(rng.gaussian()) } }
        let d = try FrechetDistance.distance(set, set)
        #expect(abs(d) < eigenTolerance, "distance \(d)")
    }

    @Test func oneDimensionalGaussiansMatchTheClosedForm() throws {
        // Sample sets with known mean and unbiased variance.
        let a: [[Double]] = [[1], [3]]           // mean 2, var 2
        let b: [[Double]] = [[-1], [5], [2]]     // mean 2, var 9
        let d = try FrechetDistance.distance(a, b)
        let expected = 0.0 + 2 + 9 - 2 * (2.0 * 9).squareRoot()
        #expect(abs(d - expected) < eigenTolerance, "got \(d) expected \(expected)")
    }

    @Test func diagonalGaussiansMatchTheClosedFormAlsoWhenRotated() throws {
        let m1 = [1.0, -2, 0.5], m2 = [0.0, 1, 2]
        let v1 = [4.0, 1, 0.25], v2 = [1.0, 9, 0.5]
        let diag = { (v: [Double]) -> [Double] in (0..<9).map { $0 % 4 == 0 ? v[$0 / 4] : 0 } }
        var expected = 0.0
        for i in 0..<3 { expected += (m1[i] - m2[i]) * (m1[i] - m2[i]) + (v1[i].squareRoot() - v2[i].squareRoot()) * (v1[i].squareRoot() - v2[i].squareRoot()) }
        let d = try FrechetDistance.distance(mean1: m1, covariance1: diag(v1), mean2: m2, covariance2: diag(v2))
        #expect(abs(d - expected) < eigenTolerance, "diagonal: got \(d) expected \(expected)")

        // Rotating both Gaussians by one orthogonal matrix leaves the distance unchanged and makes the
        // covariances non-diagonal, which exercises the general eigen path.
        let c = cos(0.7), s = sin(0.7), c2 = cos(-0.4), s2 = sin(-0.4)
        let rz: [Double] = [c, -s, 0, s, c, 0, 0, 0, 1]
        let rx: [Double] = [1, 0, 0, 0, c2, -s2, 0, s2, c2]
        let r = SymmetricEigen.multiply(rz, rx, n: 3)
        let rt = (0..<9).map { r[($0 % 3) * 3 + $0 / 3] }
        let rot = { (m: [Double]) in SymmetricEigen.multiply(SymmetricEigen.multiply(r, m, n: 3), rt, n: 3) }
        let rv = { (v: [Double]) in (0..<3).map { i in (0..<3).reduce(0.0) { $0 + r[i * 3 + $1] * v[$1] } } }
        let dr = try FrechetDistance.distance(mean1: rv(m1), covariance1: rot(diag(v1)), mean2: rv(m2), covariance2: rot(diag(v2)))
        #expect(abs(dr - expected) < eigenTolerance, "rotated: got \(dr) expected \(expected)")
    }

    @Test func singularCovariancesAreRegularizedNotRejected() throws {
        // 2 samples in 4 dimensions: rank-1 covariances.
        let a: [[Double]] = [[0, 0, 0, 0], [1, 1, 1, 1]], b: [[Double]] = [[0, 1, 0, 1], [1, 0, 1, 0]]
        let d = try FrechetDistance.distance(a, b)
        #expect(d.isFinite && d >= 0)
    }

    @Test func jacobiReconstructsTheMatrix() {
        let m: [Double] = [4, 1, -2, 1, 3, 0.5, -2, 0.5, 5]
        let (values, vectors) = SymmetricEigen.decompose(m, n: 3)
        for i in 0..<3 {
            for j in 0..<3 {
                let back = (0..<3).reduce(0.0) { $0 + vectors[i * 3 + $1] * values[$1] * vectors[j * 3 + $1] }
                #expect(abs(back - m[i * 3 + j]) < eigenTolerance, "(\(i),\(j)) \(back) vs \(m[i * 3 + j])")
            }
        }
    }
}

@Suite struct KineticFIDTests {
    @Test func diversityOfIdenticalVectorsIsZeroAndOfAPairIsTheirDistance() {
        #expect(KineticFID.diversity(Array(repeating: [1.0, 2, 3], count: 5)) == 0)
        #expect(abs(KineticFID.diversity([[0, 0], [3, 4]]) - 5) < exactTolerance)
    }

    @Test func kineticFeaturesOfUniformMotion() throws {
        // Constant velocity (3, 4, 0) cm/frame at 10 fps: horizontal speed² = (30² ) ... all frames see the
        // same windowed velocity, so KE_h = 30² + 0² (x and z), KE_v = 40², and no acceleration.
        let p = try JointPositions(fps: 10, frameCount: 20, jointCount: 1,
                                   values: (0..<20).flatMap { f in [Float(3 * f), Float(4 * f), 0] })
        let v = KineticFeatures.vector(p)
        #expect(v.count == 3)
        #expect(abs(v[0] - 900) < 1e-6 && abs(v[1] - 1600) < 1e-6 && abs(v[2]) < 1e-6, "\(v)")
    }

    @Test func generatedEqualToGroundTruthHasZeroFID() throws {
        var rng = PCG32(seed: 5)
        let gt = (0..<30).map { _ in (0..<4).map { _ in Double(rng.gaussian()) * 10 + 50 } }
        let r = try KineticFID.evaluate(generated: gt, groundTruth: gt)
        #expect(abs(r.fid) < eigenTolerance, "FID \(r.fid)")
        #expect(abs(r.diversityGenerated - r.diversityGroundTruth) < exactTolerance)
    }

    /// A dimension the ground truth never varies (planted feet) is left out: without that, generated motion 1e-4
    /// off it would count (1e-4 / 1e-10)² ≈ 1e12 in FID_k.
    @Test func dimensionsTheGroundTruthNeverVariesAreLeftOut() throws {
        var rng = PCG32(seed: 6)
        let gt = (0..<30).map { _ in (0..<4).map { _ in Double(rng.gaussian()) * 10 + 50 } + [0] }
        let gen = gt.enumerated().map { i, v in Array(v.dropLast()) + [i % 2 == 0 ? 1e-4 : -1e-4] }
        #expect(KineticFID.varying(gt) == [0, 1, 2, 3])
        let r = try KineticFID.evaluate(generated: gen, groundTruth: gt)
        #expect(abs(r.fid) < eigenTolerance, "FID \(r.fid)")
    }
}

@Suite struct MotionSmoothnessTests {
    @Test func jerkOfACubicIsItsConstant() throws {
        let c = 2.5  // x = c t³ → jerk 6c, acceleration 6c t
        let fps = 30.0, frames = 61
        let p = try JointPositions(fps: fps, frameCount: frames, jointCount: 1,
                                   values: (0..<frames).flatMap { f -> [Float] in let t = Double(f) / fps; return [Float(c * t * t * t), 0, 0] })
        let jerk = MotionSmoothness.meanJerk(p)
        #expect(abs(jerk - 6 * c) < 1e-2 * 6 * c, "mean jerk \(jerk), expected \(6 * c)")
        // np.diff(n=2)[f] ≈ 6c(t_f + Δt): mean over f = 0..<59 is 6c·(mean t + Δt) = 6c·(29/30 + 1/30).
        let acc = MotionSmoothness.meanAcceleration(p)
        #expect(abs(acc - 6 * c * 1.0) < 1e-2 * 6 * c, "mean acceleration \(acc)")
        #expect(MotionSmoothness.ratio(jerk, to: jerk) == 1)
    }
}

@Suite struct BootstrapAndControlTests {
    @Test func intervalIsSeededAndBracketsTheMean() throws {
        let values = (0..<50).map { Double($0 % 7) }
        let a = try Bootstrap.meanInterval(values, resamples: 500, seed: 9)
        let b = try Bootstrap.meanInterval(values, resamples: 500, seed: 9)
        #expect(a == b)
        #expect(a.lower < a.mean && a.mean < a.upper)
        // Constant data have a zero-width interval.
        let c = try Bootstrap.meanInterval([2, 2, 2], seed: 1)
        #expect(c.lower == 2 && c.upper == 2)
    }

    /// The percentile bootstrap written out as a plain loop (the estimator of Efron & Tibshirani §13.3 that
    /// `scipy.stats.bootstrap(method='percentile')` implements), drawing indices from the same seeded stream.
    static func referenceInterval(_ values: [Double], resamples: Int, seed: UInt64,
                                  statistic: ([Int]) -> Double) -> (lower: Double, upper: Double) {
        var rng = PCG32.derived(seed: seed, purpose: .sampling, rank: 0xB007)
        var stats = (0..<resamples).map { _ in statistic((0..<values.count).map { _ in rng.int(below: values.count) }) }
        stats.sort()
        func q(_ p: Double) -> Double {
            let pos = p * Double(stats.count - 1), i = Int(pos.rounded(.down))
            return i + 1 < stats.count ? stats[i] + (pos - Double(i)) * (stats[i + 1] - stats[i]) : stats[i]
        }
        return (q(0.025), q(0.975))
    }

    /// `meanInterval` and the recomputing `resampledInterval` against that loop: the mean, and a statistic that is
    /// not a mean (a ratio of sums, as the jerk ratio's interval uses); the interval's centre is the caller's value.
    @Test func intervalsMatchAPlainPercentileBootstrap() throws {
        let values = (0..<40).map { Double(($0 * 37) % 11) / 3 }, other = (0..<40).map { 1 + Double(($0 * 13) % 7) }
        let mean = { (idx: [Int]) in idx.reduce(0) { $0 + values[$1] } / Double(idx.count) }
        let ratio = { (idx: [Int]) in idx.reduce(0) { $0 + values[$1] } / idx.reduce(0) { $0 + other[$1] } }
        let m = try Bootstrap.meanInterval(values, resamples: 300, seed: 5), mRef = Self.referenceInterval(values, resamples: 300, seed: 5, statistic: mean)
        #expect(abs(m.lower - mRef.lower) <= 1e-12 && abs(m.upper - mRef.upper) <= 1e-12, "meanInterval \(m) vs loop \(mRef)")
        #expect(m.mean == values.reduce(0, +) / Double(values.count))
        let r = try Bootstrap.resampledInterval(count: values.count, point: 0.5, resamples: 300, seed: 6) { ratio($0) }
        let rRef = Self.referenceInterval(values, resamples: 300, seed: 6, statistic: ratio)
        #expect(abs(r.lower - rRef.lower) <= 1e-12 && abs(r.upper - rRef.upper) <= 1e-12 && r.mean == 0.5, "ratio \(r) vs loop \(rRef)")
        // A statistic with no value on any resample is an error, not an empty interval.
        #expect(throws: AnalysisError.self) { try Bootstrap.resampledInterval(count: 3, point: 0, seed: 1) { _ in nil } }
    }

    @Test func pairingIsADerangement() throws {
        for n in [2, 3, 10] {
            let p = try MismatchedAudio.pairing(count: n, seed: 4)
            #expect(Set(p) == Set(0..<n))
            #expect(p.enumerated().allSatisfy { $0.offset != $0.element })
        }
        #expect(throws: AnalysisError.self) { try MismatchedAudio.pairing(count: 1, seed: 0) }
    }
}

@Suite struct FrechetDistanceScipyTests {
    struct Reference: Decodable { let a: [[Double]]; let b: [[Double]]; let distance: Double }

    /// Against scipy.linalg.sqrtm (pytorch-fid's formula) on correlated 8-D sets: the eigen route agrees to
    /// round-off relative to the distance.
    @Test func matchesScipySqrtm() throws {
        let url = try #require(Bundle.module.url(forResource: "frechet", withExtension: "json", subdirectory: "Fixtures/evaluation"))
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        let d = try FrechetDistance.distance(ref.a, ref.b)
        #expect(abs(d - ref.distance) < 1e-9 * ref.distance, "a2m \(d), scipy \(ref.distance), diff \(abs(d - ref.distance))")
    }
}

@Suite struct KineticFeaturesReferenceTests {
    struct Reference: Decodable { let fps: Double; let frames: Int; let joints: Int; let positions: [Double]; let features: [Double] }

    /// Against the reference loops (fairmotion/Bailando, acceleration parenthesis fixed) on a random walk.
    @Test func matchesTheReferenceLoops() throws {
        let url = try #require(Bundle.module.url(forResource: "kinetic", withExtension: "json", subdirectory: "Fixtures/evaluation"))
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        // Positions are stored as Float in JointPositions: compare with a tolerance for that rounding.
        let p = try JointPositions(fps: ref.fps, frameCount: ref.frames, jointCount: ref.joints, values: ref.positions.map { Float($0) })
        let got = KineticFeatures.vector(p)
        #expect(got.count == ref.features.count)
        for (g, r) in zip(got, ref.features) { #expect(abs(g - r) < 1e-4 * abs(r), "a2m \(g), reference \(r)") }
    }
}

@Suite struct BeatConsistencyReferenceTests {
    struct Reference: Decodable { let speed: [Double]; let audioBeats: [Double]; let motionBeats: [Double]; let score: Double }

    /// Against scipy argrelextrema(np.less, order=7) and PantoMatrix's GAHR on a speed curve with plateaus.
    @Test func matchesArgrelextremaAndGAHR() throws {
        let url = try #require(Bundle.module.url(forResource: "beat", withExtension: "json", subdirectory: "Fixtures/evaluation"))
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        let beats = BeatConsistency.motionBeats(speed: ref.speed.map { Float($0) }, fps: 30)
        #expect(beats.count == ref.motionBeats.count)
        for (a, b) in zip(beats, ref.motionBeats) { #expect(abs(a - b) < exactTolerance, "\(a) vs \(b)") }
        let score = try #require(BeatConsistency.score(audioBeats: ref.audioBeats, motionBeats: beats))
        #expect(abs(score - ref.score) < exactTolerance, "a2m \(score), reference \(ref.score)")
    }
}

@Suite struct MotionSmoothnessReferenceTests {
    struct Reference: Decodable { let fps: Double; let frames: Int; let joints: Int; let positions: [Double]; let jerk: Double; let acceleration: Double }

    /// Against GENEA's calc_jerk_acc.py loops at its hard-coded 20 fps, on a random walk.
    @Test func matchesGENEAJerkAndAcceleration() throws {
        let url = try #require(Bundle.module.url(forResource: "jerk", withExtension: "json", subdirectory: "Fixtures/evaluation"))
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        let p = try JointPositions(fps: ref.fps, frameCount: ref.frames, jointCount: ref.joints, values: ref.positions.map { Float($0) })
        // Float storage of positions (|x| ≲ 20) limits agreement to about 1e-6 relative.
        #expect(abs(MotionSmoothness.meanJerk(p) - ref.jerk) < 1e-5 * ref.jerk, "jerk \(MotionSmoothness.meanJerk(p)) vs \(ref.jerk)")
        #expect(abs(MotionSmoothness.meanAcceleration(p) - ref.acceleration) < 1e-5 * ref.acceleration,
                "acceleration \(MotionSmoothness.meanAcceleration(p)) vs \(ref.acceleration)")
    }
}
