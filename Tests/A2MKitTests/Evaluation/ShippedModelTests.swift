import Foundation
import Testing
@testable import A2MAudio
@testable import A2MMotion
@testable import A2MNN
@testable import A2MGeneration
@testable import A2MCorpus
@testable import A2MEvaluation

/// Issue 7's CI check of the shipped default model (Motions/default_model.safetensors): guidance moves the
/// motion toward the audio, and at w = 0 the audio does not matter. Speech comes from espeak-ng through the
/// corpus builder (seed 7777, not the training corpus's seed), which CI installs.
@Suite(.serialized) struct ShippedModelTests {
    static let modelURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Motions/default_model.safetensors")
    /// Clips of new speech, and samples per clip and weight.
    static let clips = 12, samples = 2
    /// Minimum rise of the mean audio–motion correlation from w = 0 to w = 2.5 (the default method, lowpass), and to
    /// CFG++ at λ = 0.75: about half the smaller measured gain. Measured for the default model (fine-tuned, shipped
    /// 2026-12-07 evening) on this test's 12 clips with the commands' default sampler (DPM-Solver++(2M), 10 few-step
    /// steps): 0.182 → 0.247 (+0.065, lowpass) and 0.236 (+0.054, CFG++); the 6000-step model before it +0.054 and
    /// +0.032. On the 60 held-out clips of docs/model_card.md 0.161 → 0.259 with `cfg`, intervals disjoint. Corpus
    /// v2 couples wrist speed to loudness less than corpus v1 did (ground truth 0.29 against 0.51), so the gains are
    /// a fifth of the model of 2026-11-23's (+0.319 here); the margin still fails a model that ignores the audio
    /// (gain ≈ 0).
    static let minimumCorrelationGain = 0.025
    /// Minimum rise of the mean rest in silence (`RestContrast`) from w = 0 to w = 2.5, and to CFG++ at λ = 0.75,
    /// about half the smaller measured gain. Measured for the default model on this test's 12 clips with the default
    /// sampler: 0.012 → 0.072 (+0.060, lowpass) and 0.067 (+0.055, CFG++); the 6000-step model +0.088 and +0.072.
    /// Not checked on the flite utterances: they have almost no half-second pause, so the few windows they give
    /// decide nothing.
    static let minimumRestGain = 0.025
    /// The same check on flite speech, which the model never heard (`guidanceRaisesAudioCorrelationOnFliteSpeech`),
    /// about half the smaller measured gain. Measured for the default model on 6 utterances × 2 samples with the
    /// default sampler: 0.223 → 0.249 (+0.027, lowpass) and 0.240 (+0.018, CFG++ at λ = 0.75, held to it too); the
    /// 6000-step model +0.025 and +0.016.
    static let minimumFliteCorrelationGain = 0.008
    /// |Welch t| below which two sets of per-sample statistics count as alike (about p > 0.003).
    static let alikeT = 3.0
    /// Largest mean horizontal ankle speed with the foot lock, as a fraction of the speed without it. Measured for the
    /// default model with the commands' default sampler: 0.117 against 1.374 cm/s (0.09), knees 0.919 against 1.247
    /// (0.74×); the 6000-step model 0.409 against 2.038 (0.20; 0.269 against 1.889 with 50-step DDIM), its feet
    /// sliding more than the model of 2026-11-23's (0.867 cm/s, locked 0.006): the lock holds only feet the network
    /// leaves nearly still, so faster slides stay. A lock that does nothing scores 1.
    static let lockedAnkleSpeedRatioLimit = 0.3
    /// Largest mean knee speed with the foot lock, as a multiple of the knees' speed without it.
    static let kneeSpeedRatioLimit = 1.35

    static func speech() throws -> (dir: URL, files: [URL]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("a2m-shipped-\(UUID())")
        let builder = try CorpusBuilder(options: CorpusOptions(count: clips, seed: 7777, minSeconds: 6, maxSeconds: 9))
        let manifest = try builder.build(into: dir)
        return (dir, manifest.clips.map { dir.appendingPathComponent($0.name + ".wav") })
    }

    /// `body` on the first two clips of `speech()`, whose files are removed afterwards.
    static func withSpeechPair<R>(_ body: ([URL]) throws -> R) throws -> R {
        let (dir, files) = try speech()
        defer { try? FileManager.default.removeItem(at: dir) }
        return try body(Array(files.prefix(2)))
    }

    static func study() throws -> GuidanceStudy {
        let model = try GenerationModel.load(contentsOf: modelURL)
        var study = GuidanceStudy(model: model, settings: EvaluationSettings(jointNames: model.skeleton.names)!)
        study.samples = samples
        study.seed = 1
        return study
    }

    /// Means over clips and samples of the wrist/head speed ↔ loudness correlation (lag search ±0.5 s) and of rest
    /// in silence (`RestContrast`; nil when no clip has both a half-second pause and a half-second of speech).
    static func alignment(_ motion: [[JointPositions]], _ audio: [URL], _ study: GuidanceStudy) throws -> (correlation: Double, rest: Double?) {
        var correlations = [Double](), rests = [Double]()
        for (clip, url) in zip(motion, audio) {
            let signal = try AudioFile.load(url)
            let features = try SpeechFeatures.analyze(samples: signal.samples, sampleRate: signal.sampleRate, fps: study.model.fps)
            for p in clip {
                if let c = AudioMotionCorrelation.score(positions: p, joints: study.settings.correlationJoints, loudness: features.rms)?.value {
                    correlations.append(c)
                }
                if let r = RestContrast.score(positions: p, joints: study.settings.restJoints, root: study.settings.rootJoint, active: features.active) {
                    rests.append(r)
                }
            }
        }
        let mean = { (x: [Double]) in x.reduce(0, +) / Double(max(x.count, 1)) }
        return (mean(correlations), rests.isEmpty ? nil : mean(rests))
    }

    /// The shipped model's alignment for `speech` at w = 0, at w = 2.5, and with CFG++ at λ = 0.75.
    static func alignments(_ speech: () throws -> (dir: URL, files: [URL])) throws
        -> (w0: (correlation: Double, rest: Double?), w25: (correlation: Double, rest: Double?), cfgpp: (correlation: Double, rest: Double?)) {
        var study = try study()
        let (dir, files) = try speech()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a0 = try alignment(try study.generate(files, guidance: 0), files, study)
        let a25 = try alignment(try study.generate(files, guidance: 2.5), files, study)
        study.method = .cfgpp
        return (a0, a25, try alignment(try study.generate(files, guidance: 0.75), files, study))
    }

    /// CFG++ at λ = 0.75 is held to the same margin as w = 2.5: docs/sampling.md says it follows the audio about
    /// as closely. Measured on this test's 12 clips for the default model: +0.054 against +0.065 (the model of
    /// 2026-11-23: +0.320 against +0.319). The hands' rest in the audio's silences is held to its own margin from the
    /// same motion.
    @Test(.needsEspeak) func guidanceRaisesAudioCorrelation() throws {
        let (a0, a25, pp) = try Self.alignments(Self.speech)
        let (c0, c25, c) = (a0.correlation, a25.correlation, pp.correlation)
        #expect(c25 - c0 >= Self.minimumCorrelationGain, "correlation w=0 \(c0), w=2.5 \(c25)")
        #expect(c - c0 >= Self.minimumCorrelationGain, "correlation w=0 \(c0), cfgpp λ=0.75 \(c)")
        let r0 = try #require(a0.rest, "no clip has a half-second pause"), r25 = try #require(a25.rest), r = try #require(pp.rest)
        print("guidanceRaisesAudioCorrelation: correlation w=0 \(c0), w=2.5 \(c25), cfgpp \(c); rest in silence w=0 \(r0), w=2.5 \(r25), cfgpp \(r)")
        #expect(r25 - r0 >= Self.minimumRestGain, "rest in silence w=0 \(r0), w=2.5 \(r25)")
        #expect(r - r0 >= Self.minimumRestGain, "rest in silence w=0 \(r0), cfgpp λ=0.75 \(r)")
    }

    /// Speech espeak-ng did not make: Debian's flite (CMU Flite, a different synthesizer and different voices),
    /// which CI installs. One utterance per voice, two or three sentences each.
    static let fliteUtterances: [(voice: String, text: String)] = [
        ("slt", "I never said that we should leave early. But if the train is late again, we will have to walk home."),
        ("rms", "Look at this number here. It doubled in one year, and nobody in the room could tell me why."),
        ("awb", "First you open the box, then you check every part. If anything is missing, call us right away."),
        ("kal16", "The weather was terrible all week. Still, we went out every morning, and we loved every minute."),
        ("kal", "Please listen carefully. The meeting moves to Thursday, and the room is on the second floor."),
        ("awb_time", "It is a quarter past three. The next bus leaves in ten minutes, so we really should hurry up."),
    ]

    static func fliteSpeech() throws -> (dir: URL, files: [URL]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("a2m-flite-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var files: [URL] = []
        for (i, u) in fliteUtterances.enumerated() {
            let url = dir.appendingPathComponent("flite_\(i)_\(u.voice).wav")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["flite", "-voice", u.voice, "-t", u.text, "-o", url.path]
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "flite exited with \(p.terminationStatus) (apt-get install flite)"])
            }
            files.append(url)
        }
        return (dir, files)
    }

    @Test(.needsFlite) func guidanceRaisesAudioCorrelationOnFliteSpeech() throws {
        let (a0, a25, pp) = try Self.alignments(Self.fliteSpeech)
        let (c0, c25, c) = (a0.correlation, a25.correlation, pp.correlation)
        print("guidanceRaisesAudioCorrelationOnFliteSpeech: correlation w=0 \(c0), w=2.5 \(c25), cfgpp \(c)")
        #expect(c25 - c0 >= Self.minimumFliteCorrelationGain, "flite speech: correlation w=0 \(c0), w=2.5 \(c25)")
        #expect(c - c0 >= Self.minimumFliteCorrelationGain, "flite speech: correlation w=0 \(c0), cfgpp λ=0.75 \(c)")
    }

    /// Issue 36's properties of the default command (`a2m generate speech.wav --guidance 2.5`, the default guidance
    /// method), on this test's 12 espeak-ng clips × 2 noise streams (sample k of every clip draws noise stream k:
    /// "the same seed"): the hands in gesture space, a wrist-speed histogram near the real reference's, no tremor
    /// beyond it, and different speeches with the same seed that move differently. Bounds: `GestureBounds`.
    @Test(.needsEspeak) func defaultGuidanceLooksLikeTalking() throws {
        let model = try GenerationModel.load(contentsOf: Self.modelURL)
        let pipeline = GenerationPipeline(model: model)
        var c = GenerationConfiguration()
        c.sampling = SamplerOptions.commandDefault
        (c.sampling.guidance, c.sampling.guidanceMethod, c.sampling.seed) = (2.5, .commandDefault, 1)
        c.samples = 2
        let (dir, files) = try Self.speech()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clips = try pipeline.clips(try files.map { (name: $0.lastPathComponent, features: try pipeline.features($0)) }, configuration: c)
        let takes = try clips.enumerated().flatMap { i, samples in
            try samples.enumerated().map { k, clip in try GestureTake(clip: clip, file: "\(files[i].lastPathComponent) sample \(k)") }
        }
        let stats = GestureMeasurement.statistics(takes)
        let d = GestureDistances(stats, reference: GestureReference.embedded)
        let seeds = try SeedSpeechDecisiveness.measure(try clips.enumerated().map { i, samples in
            try samples.map { try WristPath(clip: $0, file: files[i].lastPathComponent) }
        })
        let summary = "occupancy \(stats.gestureSpace.occupancy), Hellinger \(d.wristSpeedHellinger ?? .nan), share > 6 Hz ratio "
            + "\(d.shareAbove6HzRatio ?? .nan), different speeches same seed \(seeds.differentSpeechSameSeed.medianCorrelation), "
            + "same speech different seeds \(seeds.sameSpeechDifferentSeed.medianCorrelation)"
        print("defaultGuidanceLooksLikeTalking: \(summary)")
        #expect(stats.gestureSpace.occupancy >= GestureBounds.minimumOccupancy, "\(summary)")
        #expect((d.wristSpeedHellinger ?? 1) <= GestureBounds.maximumHellinger, "\(summary)")
        #expect((d.shareAbove6HzRatio ?? 99) <= GestureBounds.maximumShareRatio, "\(summary)")
        #expect(seeds.differentSpeechSameSeed.medianCorrelation <= GestureBounds.maximumSameSeedCorrelation, "\(summary)")
    }

    @Test(.needsEspeak) func unconditionalMotionDoesNotDependOnTheAudio() throws {
        var study = try Self.study()
        study.samples = 6
        // The two clips' 6 + 6 samples are independent draws (`GuidanceStudy` gives each its own noise stream;
        // with shared streams the two sets would be near copies and the test could not fail). Measured: t = 1.70.
        let motion = try Self.withSpeechPair { try study.generate($0, guidance: 0) }
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

    /// The foot lock (on by default) holds the shipped model's sliding feet in place on the ground plane at
    /// w = 2.5, without making the knees move more, and leaves every joint above the legs where the network put
    /// it. Measured on these 2 clips (cm/s) for the default model: the ankles' horizontal speed is 1.374 without the
    /// lock and 0.117 with it (`lockedAnkleSpeedRatioLimit`); for the model of 2026-11-23 0.867 and 0.006,
    /// with the knees at 0.740 without and 0.537 with it (0.73×: the swing takes the knees' share of the sliding
    /// away). The first lock, which held the ankles' height too, moved the knees at 1.136 (1.54×:
    /// `FootLock`'s doc comment), which `kneeSpeedRatioLimit` catches; the two-bone IK lock at 0.857 (1.16×). The
    /// two-bone lock's knee kicks are sudden but small, so they show in acceleration, not speed, and this model's
    /// own knee tremor hides them: `FootLockTests.swayingHipsOverAHeldFootDoNotKickTheKnees` holds that line.
    @Test(.needsEspeak) func footLockHoldsTheShippedModelsFeet() throws {
        var study = try Self.study()
        study.samples = 1
        let (locked, free) = try Self.withSpeechPair { pair in
            let locked = try study.generate(pair, guidance: 2.5)
            study.footLock = false
            return (locked, try study.generate(pair, guidance: 2.5))
        }
        let sk = study.model.skeleton
        let legJoints = Set(sk.legs.flatMap { [$0.hip, $0.knee, $0.ankle, $0.ankle + 1] })
        /// Mean speed over frames and legs of the joint `joint(leg)`, in the ground plane only if `horizontal`.
        func meanSpeed(_ motion: [[JointPositions]], horizontal: Bool, _ joint: (Skeleton.Leg) -> Int) -> Double {
            var total = 0.0, n = 0
            for p in motion.flatMap({ $0 }) {
                for leg in sk.legs {
                    for f in 1..<p.frameCount {
                        var d = p.position(frame: f, joint: joint(leg)) - p.position(frame: f - 1, joint: joint(leg))
                        if horizontal { d.y = 0 }
                        total += d.length * p.fps
                        n += 1
                    }
                }
            }
            return total / Double(max(n, 1))
        }
        let (l, f) = (meanSpeed(locked, horizontal: true, \.ankle), meanSpeed(free, horizontal: true, \.ankle))
        let (kl, kf) = (meanSpeed(locked, horizontal: false, \.knee), meanSpeed(free, horizontal: false, \.knee))
        #expect(f > 0.3 && l < Self.lockedAnkleSpeedRatioLimit * f, "mean horizontal ankle speed: \(l) cm/s locked, \(f) cm/s free")
        print("footLockHoldsTheShippedModelsFeet: ankles \(l) locked, \(f) free; knees \(kl) locked, \(kf) free (cm/s)")
        #expect(kl < Self.kneeSpeedRatioLimit * kf, "mean knee speed: \(kl) cm/s locked, \(kf) cm/s free")
        for (a, b) in zip(locked.flatMap { $0 }, free.flatMap { $0 }) {
            for frame in 0..<a.frameCount {
                for j in 0..<sk.jointCount where !legJoints.contains(j) {
                    #expect(a.position(frame: frame, joint: j) == b.position(frame: frame, joint: j))
                }
            }
        }
    }
}

/// `ShippedModelTests.defaultGuidanceLooksLikeTalking`'s bounds. Measured on those 12 espeak-ng clips × 2 noise
/// streams, w = 2.5 with the default method and the default sampler (DPM-Solver++(2M), 10 few-step steps;
/// docs/model_card.md has the real-speech numbers behind issue 36's targets): for the default model occupancy 0.724,
/// Hellinger 0.209, share above 6 Hz 1.28× the reference's, different speeches with one seed 0.360 (same speech, two
/// seeds 0.430); for the 6000-step model before it 0.668, 0.215, 0.89×, 0.455 (0.466). The model of 2026-11-23 had
/// occupancy 0.000–0.006 and 0.55–0.85 for the seed on real speech.
enum GestureBounds {
    /// Issue 36's target is ≥ 0.4; 0.5 leaves a margin under the measured 0.724.
    static let minimumOccupancy = 0.5
    /// Issue 36's target (0.15) is not met (0.209; model card, "Limits"); 0.3 fails a return to the model of
    /// 2026-11-23's 0.38.
    static let maximumHellinger = 0.3
    /// Issue 36's target: at most 1.5× the reference's share of wrist-speed power above 6 Hz.
    static let maximumShareRatio = 1.5
    /// Issue 36's target (0.3) is met on real speech (0.220) but not on these shorter synthetic clips (0.360); 0.6
    /// fails a collapse onto the seed like the model of 2026-11-23's at w = 1 (0.85 on real speech).
    static let maximumSameSeedCorrelation = 0.6
}
