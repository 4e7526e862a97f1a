import Testing
import Foundation
@testable import A2MEvaluation
@testable import A2MMotion

/// `SeedSpeechDecisiveness`: known answers on synthetic paths, and parity with docs/scripts/seed_study.py on
/// BVH files both read.
@Suite struct SeedSpeechDecisivenessTests {
    /// Round-off of sums over a few hundred frames in Double.
    static let tolerance = 1e-9
    /// Parity with the script: both read the same BVH text; the FK differs (scipy vs a2m's Float quaternions).
    static let parityTolerance = 1e-4

    /// Six channels all equal to amplitude · sin(phase + 2π·t/period), over whole periods.
    static func sinePath(phase: Double, amplitude: Double = 10, frames: Int = 120, period: Int = 30, shoulder: Double = 50) throws -> WristPath {
        var v = [Double]()
        for t in 0..<frames { v += [Double](repeating: amplitude * sin(phase + 2 * Double.pi * Double(t) / Double(period)), count: 6) }
        return try WristPath(values: v, frameCount: frames, shoulderHeight: shoulder)
    }

    /// A model where the seed decides everything: speech i with seed s has phase s·π/2 whatever i is.
    @Test func seedDecidedPathsGiveTheKnownAnswer() throws {
        let speeches = 3, seeds = 4
        let paths = try (0..<speeches).map { i in try (0..<seeds).map { s in try Self.sinePath(phase: Double(s) * .pi / 2, shoulder: 40 + Double(i) * 10) } }
        let r = try SeedSpeechDecisiveness.measure(paths)
        #expect(r.differentSpeechSameSeed.pairs == seeds * speeches * (speeches - 1) / 2)
        #expect(r.sameSpeechDifferentSeed.pairs == speeches * seeds * (seeds - 1) / 2)
        // Same seed: identical paths (the shoulder heights differ, which the correlation ignores).
        #expect(abs(r.differentSpeechSameSeed.medianCorrelation - 1) < Self.tolerance, "\(r.differentSpeechSameSeed)")
        #expect(abs(r.differentSpeechSameSeed.meanDistance) < Self.tolerance)
        // Same speech: seed pairs 1 and 3 quarter periods apart correlate cos(π/2) = 0, 2 apart cos(π) = −1:
        // per speech [0, −1, 0, 0, −1, 0], median 0, 10th percentile −1.
        let g = r.sameSpeechDifferentSeed
        #expect(abs(g.medianCorrelation) < Self.tolerance && abs(g.correlationP10 + 1) < Self.tolerance && abs(g.correlationP90) < Self.tolerance, "\(g)")
        // Distance per wrist: |a − b| = A·√3·|sin(θ + φa) − sin(θ + φb)|, averaged over the frames and the 6 seed pairs.
        func meanGap(_ pa: Double, _ pb: Double) -> Double {
            (0..<120).map { t in let th = 2 * Double.pi * Double(t) / 30; return 10 * 3.0.squareRoot() * abs(sin(th + pa) - sin(th + pb)) }.reduce(0, +) / 120
        }
        var pairs = [Double]()
        for k in 0..<seeds { for l in (k + 1)..<seeds { pairs.append(meanGap(Double(k) * .pi / 2, Double(l) * .pi / 2)) } }
        let want = pairs.reduce(0, +) / Double(pairs.count)
        #expect(abs(g.meanDistance - want) < 1e-6, "mean distance \(g.meanDistance), expected \(want)")
    }

    @Test func differentLengthsCompareTheirCommonFrames() throws {
        let a = try Self.sinePath(phase: 0, frames: 120), b = try Self.sinePath(phase: 0, frames: 90)
        let r = SeedSpeechDecisiveness.compare(a, b)
        #expect(abs(r.correlation - 1) < Self.tolerance && abs(r.distance) < Self.tolerance)
    }

    @Test func tooFewSpeechesOrSeedsIsOneClearError() throws {
        let p = try Self.sinePath(phase: 0)
        #expect(throws: (any Error).self) { try SeedSpeechDecisiveness.measure([[p, p]]) }
        #expect(throws: (any Error).self) { try SeedSpeechDecisiveness.measure([[p], [p]]) }
        #expect(throws: (any Error).self) { try SeedSpeechDecisiveness.measure([[p, p], [p]]) }
    }

    @Test func wristPathIsRelativeToTheHips() throws {
        var clip = MotionClip(restPoseOf: Skeleton.a2mDefault, fps: 30, frames: 2)
        clip.rootPositions[1] += SIMD3(30, 5, -7)
        let path = try WristPath(clip: clip, file: "rest.bvh")
        for c in 0..<6 { #expect(abs(path.values[c] - path.values[6 + c]) < 1e-4, "moving the hips must not move the path (channel \(c))") }
        #expect(path.shoulderHeight > 10)
        var broken = Skeleton.a2mDefault
        broken.joints[broken.index(of: "LeftHand")!].name = "Palm"
        #expect(throws: (any Error).self) { try WristPath(clip: MotionClip(restPoseOf: broken, fps: 30, frames: 1), file: "x.bvh") }
    }

    /// Smooth arm motion whose pattern depends on both the speech i and the seed s.
    static func armClip(speech i: Int, seed s: Int, frames: Int) -> MotionClip {
        let sk = Skeleton.a2mDefault
        var clip = MotionClip(restPoseOf: sk, fps: 30, frames: frames - 5 * i)
        let joints = ["LeftArm", "LeftForeArm", "RightArm", "RightForeArm", "Spine"].compactMap { sk.index(of: $0) }
        for f in 0..<clip.frameCount {
            for (k, j) in joints.enumerated() {
                let angle = 0.6 * sin(0.11 * Double(f) * Double(1 + s % 3) + Double(k)) + 0.4 * sin(0.07 * Double(f) * Double(1 + i) + Double(s))
                let raw = SIMD3<Double>(Double(k % 2), 1, Double(s + i) * 0.3)
                let axis = raw / (raw * raw).sum().squareRoot()
                let h = angle / 2
                let q = SIMD4<Float>(Float(axis.x * sin(h)), Float(axis.y * sin(h)), Float(axis.z * sin(h)), Float(cos(h)))
                clip.rotations[f * sk.jointCount + j] = q
            }
            clip.rootPositions[f] += SIMD3(Float(f) * 0.1, 0, 0)
        }
        return clip
    }

    static var scriptURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/scripts/seed_study.py")
    }

    /// Whether python3 can import numpy and scipy (docs/scripts/motion_diagnosis.py's FK needs both).
    static let pythonReady: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import numpy, scipy.spatial.transform"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    @Test(.enabled(if: pythonReady, "python3 with numpy and scipy is not installed: docs/scripts/seed_study.py cannot run"))
    func matchesTheReferenceScript() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("a2m-seedspeech-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let speeches = 3, seeds = 3
        var paths = [[WristPath]]()
        for i in 0..<speeches {
            var row = [WristPath]()
            for s in 0..<seeds {
                let url = dir.appendingPathComponent("speech\(i).\(s).bvh")
                try BVHWriter.write(Self.armClip(speech: i, seed: s, frames: 150), to: url)
                row.append(try WristPath(clip: BVHReader.read(url).clip, file: url.path))
            }
            paths.append(row)
        }
        let swift = try SeedSpeechDecisiveness.measure(paths)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Self.scriptURL.path, dir.path, "--json"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let python = try JSONDecoder().decode(SeedSpeechDecisiveness.self, from: data)
        #expect(python.speeches == speeches && python.seeds == seeds)
        for (name, a, b) in [("different speech, same seed", swift.differentSpeechSameSeed, python.differentSpeechSameSeed),
                             ("same speech, different seeds", swift.sameSpeechDifferentSeed, python.sameSpeechDifferentSeed)] {
            #expect(a.pairs == b.pairs)
            let diffs = [a.medianCorrelation - b.medianCorrelation, a.correlationP10 - b.correlationP10, a.correlationP90 - b.correlationP90,
                         (a.meanDistance - b.meanDistance) / max(1, b.meanDistance)].map(abs)
            #expect(diffs.max()! < Self.parityTolerance, "\(name): largest difference \(diffs.max()!) (swift \(a), python \(b))")
        }
        // The comparison must be able to fail: the pairs' correlations spread on this data.
        let spread = swift.differentSpeechSameSeed.correlationP90 - swift.differentSpeechSameSeed.correlationP10
        #expect(spread > 0.05, "different-speech correlations should spread; p10…p90 = \(spread)")
    }
}
