import Testing
import Foundation
@testable import A2MCore
@testable import A2MMotion
@testable import A2MGeneration
@testable import A2MTraining
@testable import A2MAudio
@testable import A2MNN

@Suite(.serialized) struct TrainerTests {
    func prepare(data: URL, config: URL?, out: URL, resume: URL? = nil, steps: Int? = nil) throws -> Trainer {
        try TrainingSession.prepare(.init(data: data, config: config, out: out, resume: resume, steps: steps)).trainer
    }

    /// N steps straight vs. N/2, stop (the Ctrl-C path), resume N/2: every logged number and the final model file
    /// are bit-identical.
    @Test func resumeIsExact() throws {
        Threads.set(1)
        let dir = try ScratchDirectory("resume")
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 3)
        let cfg = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(dropout: 0.1, steps: 16), in: dir)

        let a = try prepare(data: data, config: cfg, out: dir.path("a"))
        #expect(try a.run() == .finished(step: 16))

        let b = try prepare(data: data, config: cfg, out: dir.path("b"))
        #expect(try b.run(shouldStop: { b.step >= 9 }) == .stopped(step: 9))
        let b2 = try prepare(data: data, config: nil, out: dir.path("b"), resume: dir.path("b/checkpoint.safetensors"))
        #expect(b2.step == 9 && b2.totalSteps == 16)
        #expect(try b2.run() == .finished(step: 16))

        let logA = try Trainer.readLog(a.logURL), logB = try Trainer.readLog(b2.logURL)
        #expect(logA.count == 16 && logB.count == 16)
        for (x, y) in zip(logA, logB) {
            #expect(x.step == y.step && x.loss.bitPattern == y.loss.bitPattern && x.lossX0.bitPattern == y.lossX0.bitPattern
                    && x.lossVelocity.bitPattern == y.lossVelocity.bitPattern && x.valLoss?.bitPattern == y.valLoss?.bitPattern
                    && x.valLossUncond?.bitPattern == y.valLossUncond?.bitPattern
                    && x.lr.bitPattern == y.lr.bitPattern && x.gradNorm.bitPattern == y.gradNorm.bitPattern
                    && x.condDropped == y.condDropped, "step \(x.step): \(x) vs \(y)")
        }
        #expect(logA.compactMap(\.valLoss).count == 4)   // steps 4, 8, 12, 16
        #expect(logA.compactMap(\.valLossUncond).count == 4)
        #expect(try Data(contentsOf: a.modelURL) == Data(contentsOf: b2.modelURL))

        // The model file carries what generation needs, and its weights are the EMA weights.
        let m = try GenerationModel.load(contentsOf: a.modelURL)
        #expect(m.skeleton == a.data.skeleton && m.fps == 30 && m.step == 16)
        #expect(m.motionStats == a.data.motionStats && m.audioStats == a.data.audioStats && m.audio == a.config.audio)
        #expect(Array(UnsafeBufferPointer(start: m.denoiser.parameters.base, count: m.denoiser.parameters.count))
                == Array(UnsafeBufferPointer(start: a.ema.weights.base, count: a.ema.weights.count)))
        // A bare denoiser checkpoint is not a model file.
        let bare = dir.path("bare.safetensors")
        try a.model.saveCheckpoint(to: bare)
        #expect { try GenerationModel.load(contentsOf: bare) } throws: { e in "\(e)".contains("bare.safetensors") && "\(e)".contains("a2m.format") }
    }

    /// The loss on a one-window corpus (the same batch every step) falls by at least 10×.
    @Test func overfitsOneBatch() throws {
        Threads.set(1)
        let dir = try ScratchDirectory("overfit")
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 0, name: "data")
        // 16 frames at 30 fps = one window.
        try TrainingFixtures.writePair("one", in: data, seconds: 15.0 / 30.0, fps: 30, seed: 4)
        let cfg = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(p: 0, batch: 2, steps: 300, validationFraction: 0,
                                                                               logInterval: 20, checkpointInterval: 1000), in: dir)
        let t = try prepare(data: data, config: cfg, out: dir.path("out"))
        #expect(t.data.trainingWindows.count == 1)
        _ = try t.run()
        let log = try Trainer.readLog(t.logURL)
        let first = log.first!.loss, last = log.last!.loss
        #expect(last * 10 <= first, "loss \(first) → \(last)")
    }

    /// The optional loss terms, each with its config key, a weight to train with and its log field.
    enum OptionalTerm: String, CaseIterable, Sendable {
        case foot, acceleration
        var key: String { self == .foot ? "footVelocityLossWeight" : "accelerationLossWeight" }
        var weight: Double { self == .foot ? 0.5 : 2 }
        func logged(_ e: Trainer.LogEntry) -> Double? { self == .foot ? e.lossFoot : e.lossAcceleration }
    }

    /// With an optional term on, every log line carries it, it falls on a one-window corpus as the other terms
    /// do, and the total is the weighted sum; with it off the field is absent.
    @Test(arguments: OptionalTerm.allCases) func optionalTermIsLoggedAndLearned(_ term: OptionalTerm) throws {
        Threads.set(1)
        let dir = try ScratchDirectory("term-\(term.rawValue)")
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 0, name: "data")
        try TrainingFixtures.writePair("one", in: data, seconds: 15.0 / 30.0, fps: 30, seed: 4)
        let base = TrainingFixtures.tinyConfig(p: 0, batch: 2, steps: 200, validationFraction: 0, logInterval: 20, checkpointInterval: 1000)
        let on = try TrainingFixtures.writeConfig(base.replacingOccurrences(of: "\"seed\": 3}", with: "\"seed\": 3, \"\(term.key)\": \(term.weight)}"),
                                                  in: dir, name: "on.json")
        let t = try prepare(data: data, config: on, out: dir.path("on"))
        _ = try t.run()
        let log = try Trainer.readLog(t.logURL)
        let values = log.compactMap(term.logged)
        #expect(values.count == log.count)
        #expect(values.last! * 10 <= values.first!, "\(term) term \(values.first!) → \(values.last!)")
        for e in log {
            let sum = e.lossX0 + e.lossVelocity + term.weight * term.logged(e)!
            #expect(abs(e.loss - sum) <= 1e-9 * sum, "step \(e.step): \(e.loss) vs \(sum)")
        }
        let off = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(p: 0, batch: 2, steps: 20, validationFraction: 0), in: dir, name: "off.json")
        let u = try prepare(data: data, config: off, out: dir.path("off"))
        _ = try u.run()
        #expect(try Trainer.readLog(u.logURL).allSatisfy { term.logged($0) == nil })
    }
}

@Suite(.serialized) struct TrainerConditionDropTests {
    /// Counts the samples the running trainer replaced by the null embeddings (logged per line) for p = 0, 1, 0.5.
    @Test func trainingDropsPerSampleWithTheConfiguredProbability() throws {
        Threads.set(1)
        let dir = try ScratchDirectory("drop")
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 2)
        let steps = 40, batch = 8
        for p in [Float(0), 1, 0.5] {
            let cfg = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(p: p, batch: batch, steps: steps, validationFraction: 0,
                                                                                   checkpointInterval: 1000), in: dir, name: "p\(p).json")
            let t = try TrainingSession.prepare(.init(data: data, config: cfg, out: dir.path("out\(p)"))).trainer
            _ = try t.run()
            let log = try Trainer.readLog(t.logURL)
            let dropped = log.map(\.condDropped).reduce(0, +), n = log.map(\.samples).reduce(0, +)
            #expect(n == steps * batch)
            switch p {
            case 0: #expect(dropped == 0)
            case 1: #expect(dropped == n)
            default:
                let sigma = (Double(n) * 0.25).squareRoot()
                #expect(abs(Double(dropped) - Double(n) / 2) <= ConditionDropTests.sigmas * sigma, "dropped \(dropped) of \(n)")
                // Per sample, not per batch: some steps drop only part of the batch.
                #expect(log.contains { $0.condDropped > 0 && $0.condDropped < batch })
            }
        }
    }
}

@Suite(.serialized) struct TrainerFailureTests {
    func makeData(_ dir: ScratchDirectory) throws -> URL { try TrainingFixtures.dataDirectory(in: dir, count: 2) }

    /// The run fails with `message` (all fragments present) and leaves no checkpoint, model or log behind.
    func expectFailure(_ dir: ScratchDirectory, data: URL, config: String, resume: URL? = nil, _ fragments: [String],
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let cfg = try TrainingFixtures.writeConfig(config, in: dir, name: "bad.json")
        let out = dir.path("out-bad")
        do {
            let t = try TrainingSession.prepare(.init(data: data, config: cfg, out: out, resume: resume)).trainer
            _ = try t.run()
            Issue.record("no error; expected \(fragments)", sourceLocation: sourceLocation)
        } catch {
            let text = "\(error)"
            for f in fragments { #expect(text.contains(f), "'\(f)' not in: \(text)", sourceLocation: sourceLocation) }
        }
        // Nothing but the feature cache of the files read so far (OUT/cache, which the next run reuses).
        let written = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
        #expect(written.allSatisfy { $0 == "cache" }, "wrote \(written)", sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("train.jsonl").path), sourceLocation: sourceLocation)
    }

    @Test func badDataIsAClearErrorAndWritesNothing() throws {
        let dir = try ScratchDirectory("bad")
        let tiny = TrainingFixtures.tinyConfig(validationFraction: 0)
        // Empty directory.
        let empty = try TrainingFixtures.dataDirectory(in: dir, count: 0, name: "empty")
        try expectFailure(dir, data: empty, config: tiny, [empty.path, "no training pairs"])
        // Audio without BVH, BVH without audio.
        let data = try makeData(dir)
        try FileManager.default.copyItem(at: data.appendingPathComponent("clip0.wav"), to: data.appendingPathComponent("lonely.wav"))
        try expectFailure(dir, data: data, config: tiny, ["lonely.wav", "lonely.bvh"])
        try FileManager.default.removeItem(at: data.appendingPathComponent("lonely.wav"))
        try FileManager.default.copyItem(at: data.appendingPathComponent("clip0.bvh"), to: data.appendingPathComponent("mute.bvh"))
        try expectFailure(dir, data: data, config: tiny, ["mute.bvh", "no audio"])
        try FileManager.default.removeItem(at: data.appendingPathComponent("mute.bvh"))
        // Malformed BVH: the reader's file:line passes through.
        let bvh = data.appendingPathComponent("clip1.bvh")
        var lines = try String(contentsOf: bvh, encoding: .utf8).components(separatedBy: "\n")
        let offsetLine = lines.firstIndex { $0.contains("OFFSET") }! + 1   // 1-based
        lines[offsetLine - 1] = "\tOFFSET 0 zero 0"
        try lines.joined(separator: "\n").write(to: bvh, atomically: true, encoding: .utf8)
        try expectFailure(dir, data: data, config: tiny, ["\(bvh.path):\(offsetLine)", "zero"])
        // A frame rate that cannot be resampled to 30 fps (one frame every 2 s).
        lines[offsetLine - 1] = lines[offsetLine - 1].replacingOccurrences(of: "zero", with: "0")
        let frameTime = lines.firstIndex { $0.hasPrefix("Frame Time") }!
        lines[frameTime] = "Frame Time: 2"
        try lines.joined(separator: "\n").write(to: bvh, atomically: true, encoding: .utf8)
        try expectFailure(dir, data: data, config: tiny, [bvh.path, "0.5 fps", "30"])
        // Mixed skeletons: the second file lacks the left hand.
        let mixed = try TrainingFixtures.dataDirectory(in: dir, count: 0, name: "mixed")
        try TrainingFixtures.writePair("a", in: mixed, seconds: 1, seed: 1)
        var joints = Skeleton.a2mDefault.joints
        let hand = joints.firstIndex { $0.name == "LeftHand" }!
        joints[hand].name = "LeftWrist"
        try TrainingFixtures.writePair("b", in: mixed, seconds: 1, seed: 2, skeleton: try Skeleton(joints: joints))
        try expectFailure(dir, data: mixed, config: tiny, ["b.bvh", "a.bvh", "'LeftWrist'", "'LeftHand'"])
        // One file cannot be split for validation.
        let single = try TrainingFixtures.dataDirectory(in: dir, count: 0, name: "single")
        try TrainingFixtures.writePair("a", in: single, seconds: 1, seed: 1)
        try expectFailure(dir, data: single, config: TrainingFixtures.tinyConfig(validationFraction: 0.2), ["validationFraction", "at least 2 files"])
    }

    @Test func badConfigIsAClearErrorAndWritesNothing() throws {
        let dir = try ScratchDirectory("badcfg")
        let data = try makeData(dir)
        let tiny = TrainingFixtures.tinyConfig(validationFraction: 0)
        try expectFailure(dir, data: data, config: tiny.replacingOccurrences(of: #""batchSize""#, with: #""batchsize""#),
                          ["bad.json", "'batchsize'", "training", "batchSize"])
        try expectFailure(dir, data: data, config: tiny.replacingOccurrences(of: #""diffusion": {"steps": 1000},"#, with: #""diffusion": {"steps": 1000}, "optimizer": {},"#),
                          ["bad.json", "'optimizer'"])
        try expectFailure(dir, data: data, config: tiny.replacingOccurrences(of: #""condDropProbability": 0.25"#, with: #""condDropProbability": 1.5"#),
                          ["bad.json", "model.condDropProbability", "1.5", "0.0...1.0"])
        try expectFailure(dir, data: data, config: tiny.replacingOccurrences(of: #""motionDim": 136"#, with: #""motionDim": 135"#),
                          ["model.motionDim", "136"])
        try expectFailure(dir, data: data, config: tiny.replacingOccurrences(of: #""windowStride": 8"#, with: #""windowStride": 8, "fps": 60"#),
                          ["training.fps", "15360 / 512"])
    }

    /// NaN in the loss stops the run before the weights change and keeps the last checkpoint byte for byte.
    @Test func divergenceStopsAndKeepsTheLastCheckpoint() throws {
        Threads.set(1)
        let dir = try ScratchDirectory("nan")
        let data = try makeData(dir)
        let cfg = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(steps: 20, validationFraction: 0), in: dir)
        let t = try TrainingSession.prepare(.init(data: data, config: cfg, out: dir.path("out"))).trainer
        #expect(try t.run(shouldStop: { t.step >= 6 }) == .stopped(step: 6))
        let ckpt = try Data(contentsOf: t.checkpointURL), model = try Data(contentsOf: t.modelURL)
        t.model.parameters.base[0] = .nan
        #expect { try t.run() } throws: { e in
            guard case TrainingError.nonFinite(step: 7, _, let last) = e else { return false }
            return last == t.checkpointURL.path && "\(e)".contains("NaN")
        }
        #expect(try Data(contentsOf: t.checkpointURL) == ckpt && Data(contentsOf: t.modelURL) == model)
        // The checkpoint still resumes.
        let r = try TrainingSession.prepare(.init(data: data, config: nil, out: dir.path("out"), resume: t.checkpointURL)).trainer
        #expect(r.step == 6)
        // A model file is not a training checkpoint.
        #expect { try TrainingSession.prepare(.init(data: data, config: nil, out: dir.path("out"), resume: t.modelURL)) } throws: { e in
            "\(e)".contains("model.safetensors") && "\(e)".contains("checkpoint")
        }
        // Another config cannot continue the run.
        let other = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(batch: 3, steps: 20, validationFraction: 0), in: dir, name: "other.json")
        #expect { try TrainingSession.prepare(.init(data: data, config: other, out: dir.path("out"), resume: t.checkpointURL)) } throws: { e in
            "\(e)".contains("\"training\" section differs")
        }
    }
}

@Suite(.serialized) struct TrainingSetTests {
    @Test func cacheIsReusedAndRebuiltWhenDamaged() throws {
        let dir = try ScratchDirectory("cache")
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 3)
        let cfg = try StrictJSON.decode(A2MConfig.self, from: Data(TrainingFixtures.tinyConfig().utf8), file: "tiny")
        let first = try TrainingSet.load(directory: data, audio: cfg.audio, training: cfg.training)
        #expect(first.cacheMisses == 3 && first.cacheHits == 0)
        let second = try TrainingSet.load(directory: data, audio: cfg.audio, training: cfg.training)
        #expect(second.cacheHits == 3 && second.cacheMisses == 0)
        #expect(second.fingerprint == first.fingerprint && second.skeletonBVH == first.skeletonBVH)
        #expect(first.files.indices.allSatisfy { first.motion(file: $0) == second.motion(file: $0) && first.audio(file: $0) == second.audio(file: $0) })
        // Damage one entry: it is rebuilt (and said so), the result is the same.
        let entry = data.appendingPathComponent(".a2m-cache/clip1.a2mc")
        var bytes = try Data(contentsOf: entry)
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: entry)
        let third = try TrainingSet.load(directory: data, audio: cfg.audio, training: cfg.training)
        #expect(third.cacheHits == 2 && third.cacheMisses == 1)
        #expect(third.notes.contains { $0.contains("clip1.a2mc") && $0.contains("checksum") })
        #expect(third.fingerprint == first.fingerprint)
        // Another audio config misses every entry.
        var audio = cfg.audio
        audio.fmin = 20
        #expect(try TrainingSet.load(directory: data, audio: audio, training: cfg.training).cacheMisses == 3)
    }

    @Test func motionIsResampledAndSplitByFile() throws {
        let dir = try ScratchDirectory("split")
        try TrainingFixtures.writePair("a60", in: dir.url, seconds: 2, fps: 60, seed: 1)
        try TrainingFixtures.writePair("b30", in: dir.url, seconds: 2, fps: 30, seed: 1)
        try TrainingFixtures.writePair("c120", in: dir.url, seconds: 2, fps: 120, seed: 1)
        var cfg = try StrictJSON.decode(A2MConfig.self, from: Data(TrainingFixtures.tinyConfig().utf8), file: "tiny")
        cfg.training.validationFraction = 0.34
        let set = try TrainingSet.load(directory: dir.url, audio: cfg.audio, training: cfg.training)
        // 2 s at any source rate → 61 motion frames at 30 fps, audio round(2 · 30) = 60: the shorter wins.
        #expect(set.files.map(\.frames) == [60, 60, 60])
        // The same motion at 60, 30 and 120 fps gives the same features after resampling (same seed).
        let a = set.motion(file: 0), b = set.motion(file: 1), c = set.motion(file: 2)
        #expect(zip(a, b).map { abs($0 - $1) }.max()! < 1e-3)
        #expect(zip(a, c).map { abs($0 - $1) }.max()! < 1e-3)
        #expect(set.validationFiles.count == 1 && set.trainingFiles.count == 2)
        #expect(set.validationWindows.allSatisfy { set.validationFiles.contains($0.file) })
        #expect(set.trainingWindows.allSatisfy { set.trainingFiles.contains($0.file) })
    }
}
