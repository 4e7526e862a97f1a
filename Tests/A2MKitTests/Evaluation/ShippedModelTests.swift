import Foundation
import Testing
@testable import A2MKit

/// Issue 7's CI check of the shipped default model (Motions/default_model.safetensors): guidance moves the
/// motion toward the audio, and at w = 0 the audio does not matter. Speech comes from espeak-ng through the
/// corpus builder (seed 7777, not the training corpus's seed), which CI installs.
@Suite(.serialized) struct ShippedModelTests {
    static let modelURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Motions/default_model.safetensors")
    /// Clips of new speech, and samples per clip and weight.
    static let clips = 12, samples = 2
    /// Minimum rise of the mean audio–motion correlation from w = 0 to w = 2.5: the expected direction with a
    /// margin. Measured: +0.072 on the 60 held-out clips of docs/results.md (0.158 → 0.230, intervals disjoint),
    /// +0.038 on 6 clips of this test's speech. The shipped model's audio use is still weak (issue 7 is open), so
    /// this checks the direction, not a strength.
    static let minimumCorrelationGain = 0.02
    /// |Welch t| below which two sets of per-sample statistics count as alike (about p > 0.003).
    static let alikeT = 3.0

    static func speech() throws -> (dir: URL, files: [URL]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("a2m-shipped-\(UUID())")
        let builder = try CorpusBuilder(options: CorpusOptions(count: clips, seed: 7777, minSeconds: 6, maxSeconds: 9))
        let manifest = try builder.build(into: dir)
        return (dir, manifest.clips.map { dir.appendingPathComponent($0.name + ".wav") })
    }

    static func study() throws -> GuidanceStudy {
        let model = try GenerationModel.load(contentsOf: modelURL)
        var study = GuidanceStudy(model: model, settings: EvaluationSettings(jointNames: model.skeleton.names)!)
        study.samples = samples
        study.seed = 1
        return study
    }

    /// Mean over clips and samples of the wrist/head speed ↔ loudness correlation (lag search ±0.5 s).
    static func correlation(_ motion: [[JointPositions]], _ audio: [URL], _ study: GuidanceStudy) throws -> Double {
        var total = 0.0, n = 0
        for (clip, url) in zip(motion, audio) {
            let signal = try AudioFile.load(url)
            let rms = try SpeechFeatures.analyze(samples: signal.samples, sampleRate: signal.sampleRate, fps: study.model.fps).rms
            for p in clip {
                if let c = AudioMotionCorrelation.score(positions: p, joints: study.settings.correlationJoints, loudness: rms)?.value {
                    total += c; n += 1
                }
            }
        }
        return total / Double(max(n, 1))
    }

    @Test func guidanceRaisesAudioCorrelation() throws {
        let study = try Self.study()
        let (dir, files) = try Self.speech()
        defer { try? FileManager.default.removeItem(at: dir) }
        let c0 = try Self.correlation(try study.generate(files, guidance: 0), files, study)
        let c25 = try Self.correlation(try study.generate(files, guidance: 2.5), files, study)
        #expect(c25 - c0 >= Self.minimumCorrelationGain, "correlation w=0 \(c0), w=2.5 \(c25)")
    }

    @Test func unconditionalMotionDoesNotDependOnTheAudio() throws {
        var study = try Self.study()
        study.samples = 6
        let (dir, files) = try Self.speech()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pair = Array(files.prefix(2))
        let motion = try study.generate(pair, guidance: 0)
        // Per-sample mean speed of the wrists and head: the statistic the alignment metrics are built on.
        func speeds(_ clip: [JointPositions]) -> [Double] {
            clip.map { p in
                let s = p.speed(joints: study.settings.correlationJoints)
                return s.reduce(0) { $0 + Double($1) } / Double(s.count)
            }
        }
        let a = speeds(motion[0]), b = speeds(motion[1])
        func meanVar(_ x: [Double]) -> (Double, Double) {
            let m = x.reduce(0, +) / Double(x.count)
            return (m, x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(x.count - 1))
        }
        let (ma, va) = meanVar(a), (mb, vb) = meanVar(b)
        let t = (ma - mb) / ((va / Double(a.count) + vb / Double(b.count)).squareRoot() + 1e-12)
        #expect(abs(t) < Self.alikeT, "w=0 mean speeds \(ma) vs \(mb) cm/s, Welch t = \(t)")
    }
}
