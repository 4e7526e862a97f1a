import Foundation
import Testing
@testable import A2MCore
@testable import A2MAudio
@testable import A2MMotion
@testable import A2MNN
@testable import A2MGeneration
@testable import A2MTraining
@testable import A2MCorpus
@testable import A2MEvaluation
@testable import A2MView
import A2MKit

/// design.md §9: a resumed training state is checked against the data and the config, field by field, and a resume
/// that fails leaves the log and the checkpoint byte for byte as they were.
///
/// Before these checks, a permutation entry past the end of the training windows was an out-of-bounds read in the
/// release build (-Ounchecked: SIGSEGV, or for an entry one past the end a different outcome on every run), a shorter
/// permutation or a drop probability of 5 trained silently on the wrong thing, and a step of −5 emptied train.jsonl.
@Suite(.serialized) struct HostileStateTests {
    /// A checkpoint's safetensors header rewritten with `edit` applied to its `a2m.state` JSON object; the data
    /// section is kept as it is.
    static func editState(_ url: URL, _ edit: (inout [String: Any]) -> Void) throws {
        let bytes = try Data(contentsOf: url)
        let n = Int(bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian })
        var header = try #require(try JSONSerialization.jsonObject(with: bytes[8..<(8 + n)]) as? [String: Any])
        var meta = try #require(header["__metadata__"] as? [String: String])
        var state = try #require(try JSONSerialization.jsonObject(with: Data(meta[TrainingState.metadataKey]!.utf8)) as? [String: Any])
        edit(&state)
        meta[TrainingState.metadataKey] = String(decoding: try JSONSerialization.data(withJSONObject: state, options: [.sortedKeys]), as: UTF8.self)
        header["__metadata__"] = meta
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        out.append(bytes[(8 + n)...])
        try out.write(to: url)
    }

    static func order(_ s: [String: Any]) -> [String: Any] { s["dataOrder"] as! [String: Any] }

    /// Hostile edits of a real checkpoint's state, each with the field its error must name.
    static let cases: [(name: String, field: String, edit: @Sendable (inout [String: Any]) -> Void)] = [
        ("permutation entry far past the end", "dataOrder.permutation", { s in
            var o = HostileStateTests.order(s); var p = o["permutation"] as! [Int]; p[0] = 1_000_000_000; o["permutation"] = p; s["dataOrder"] = o }),
        ("permutation entry one past the end", "dataOrder.permutation", { s in
            var o = HostileStateTests.order(s); var p = o["permutation"] as! [Int]; p[p.count - 1] = p.count; o["permutation"] = p; s["dataOrder"] = o }),
        ("shorter permutation", "dataOrder.permutation", { s in
            var o = HostileStateTests.order(s); o["permutation"] = Array((o["permutation"] as! [Int]).dropLast()); s["dataOrder"] = o }),
        ("repeated permutation entry", "dataOrder.permutation", { s in
            var o = HostileStateTests.order(s); var p = o["permutation"] as! [Int]; p[1] = p[0]; o["permutation"] = p; s["dataOrder"] = o }),
        ("position past the end", "dataOrder.position", { s in
            var o = HostileStateTests.order(s); o["position"] = 1_000_000; s["dataOrder"] = o }),
        ("condition-drop probability 5", "conditionDrop.probability", { s in
            var c = s["conditionDrop"] as! [String: Any]; c["probability"] = 5; s["conditionDrop"] = c }),
        ("condition-drop probability other than the config's", "conditionDrop.probability", { s in
            var c = s["conditionDrop"] as! [String: Any]; c["probability"] = 0.5; s["conditionDrop"] = c }),
        ("negative step", "step", { s in s["step"] = -5 }),
        ("step other than the file's", "step", { s in s["step"] = (s["step"] as! Int) + 1 }),
        ("no interval sums", "intervalSums", { s in s["intervalSums"] = [Int]() }),
        ("interval steps past the log interval", "intervalSteps", { s in s["intervalSteps"] = 1_000_000 }),
        ("negative elapsed time", "elapsed", { s in s["elapsed"] = -1 }),
        ("even PCG increment", "noise", { s in var r = s["noise"] as! [String: Any]; r["inc"] = 2; s["noise"] = r }),
    ]

    @Test func everyHostileFieldIsRefusedAndNothingIsTouched() throws {
        let dir = try ScratchDirectory("hostile-state")
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 3)
        let cfg = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(steps: 40, validationFraction: 0, logInterval: 2), in: dir)
        let out = dir.path("out")
        let first = try Probe.a2m(["train", "--data", data.path, "--config", cfg.path, "--out", out.path, "--steps", "7", "--threads", "1", "--quiet"])
        try #require(first.status == 0, "a2m train failed: \(first.stderr)")
        let ckpt = out.appendingPathComponent("checkpoint.safetensors"), log = out.appendingPathComponent("train.jsonl")
        let model = out.appendingPathComponent("model.safetensors")
        let good = try Data(contentsOf: ckpt)
        for c in Self.cases {
            try good.write(to: ckpt)
            try Self.editState(ckpt, c.edit)
            let before = (try Data(contentsOf: ckpt), try Data(contentsOf: log), try Data(contentsOf: model))
            let r = try Probe.a2m(["train", "--data", data.path, "--out", out.path, "--resume", ckpt.path, "--steps", "12", "--threads", "1", "--quiet"])
            #expect(r.status == 1 && !r.crashed && !r.timedOut, "\(c.name): status \(r.status): \(r.stderr.prefix(600))")
            #expect(r.stderr.contains(ckpt.path) && r.stderr.contains("a2m.state.\(c.field)"), "\(c.name): \(r.stderr.prefix(600))")
            #expect(try Data(contentsOf: ckpt) == before.0 && Data(contentsOf: log) == before.1 && Data(contentsOf: model) == before.2,
                    "\(c.name): a failed resume changed the checkpoint, the log or the model")
        }
        // The untouched checkpoint still resumes.
        try good.write(to: ckpt)
        let r = try Probe.a2m(["train", "--data", data.path, "--out", out.path, "--resume", ckpt.path, "--steps", "9", "--threads", "1", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Trainer.readLog(log).map(\.step) == [2, 4, 6, 7, 8, 9])
    }

    /// Weights and Adam moments are checked too: a NaN weight or a negative second moment would otherwise surface
    /// steps later as a "divergence".
    @Test func nonFiniteOrNegativeTensorsAreRefused() throws {
        Threads.set(1)
        let dir = try ScratchDirectory("hostile-tensors")
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 2)
        let cfg = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(steps: 4, validationFraction: 0), in: dir)
        let t = try TrainingSession.prepare(.init(data: data, config: cfg, out: dir.path("out"))).trainer
        #expect(try t.run() == .finished(step: 4))
        t.adam.v.base[3] = -1
        try t.saveCheckpoint()
        #expect { try TrainingSession.prepare(.init(data: data, config: nil, out: dir.path("out"), resume: t.checkpointURL, steps: 8)) } throws: { e in
            "\(e)".contains("train.adam_v.") && "\(e)".contains("≥ 0")
        }
        t.adam.v.base[3] = 0
        t.model.parameters.base[0] = .infinity
        try t.saveCheckpoint()
        #expect { try TrainingSession.prepare(.init(data: data, config: nil, out: dir.path("out"), resume: t.checkpointURL, steps: 8)) } throws: { e in
            "\(e)".contains("train.params.") && "\(e)".contains("inf")
        }
    }

    /// The checkpoint is written before the model file: when the second write fails, model.safetensors is never at a
    /// later step than checkpoint.safetensors.
    @Test func theModelIsNeverNewerThanTheCheckpoint() throws {
        Threads.set(1)
        let dir = try ScratchDirectory("ckpt-order")
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 2)
        let cfg = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(steps: 20, validationFraction: 0, checkpointInterval: 4), in: dir)
        let t = try TrainingSession.prepare(.init(data: data, config: cfg, out: dir.path("out"))).trainer
        #expect(try t.run(shouldStop: { t.step >= 4 }) == .stopped(step: 4))
        // A directory where the checkpoint goes: its rename fails at the next checkpoint (step 8).
        try FileManager.default.removeItem(at: t.checkpointURL)
        try FileManager.default.createDirectory(at: t.checkpointURL.appendingPathComponent("blocker"), withIntermediateDirectories: true)
        #expect(throws: OutputError.self) { try t.run() }
        #expect(try GenerationModel.load(contentsOf: t.modelURL).step == 4, "model.safetensors moved past the checkpoint it cannot be resumed from")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: t.outDirectory.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }
}
