import Testing
import Foundation
import A2MKit

/// `a2m eval`, run as the built binary, on a three-clip dataset whose "ground truth" is the tiny model's own
/// motion (the metrics only need paired WAV + BVH on a skeleton with hands and a head).
@Suite struct EvalCommandTests {
    func a2m(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try AudioFixtures.run(try AudioFixtures.a2mBinary().path, args + ["--quiet"])
    }

    /// Tone bursts, one per `period` seconds (on for 60 % of it), 16-bit WAV at 16 kHz: onsets for beat consistency
    /// and an envelope for the correlation.
    func syllables(in dir: URL, name: String, seconds: Double, period: Double) throws -> URL {
        let sr = 16000
        let samples = (0..<Int(seconds * Double(sr))).map { i -> Int16 in
            let t = Double(i) / Double(sr)
            let on = t.truncatingRemainder(dividingBy: period) < 0.6 * period
            return on ? Int16(12000 * sin(2 * .pi * 220 * t)) : 0
        }
        let url = dir.appendingPathComponent(name)
        try AudioFixtures.wavBytes(int16: samples, sampleRate: sr).write(to: url)
        return url
    }

    /// DIR/data/clip_K.{wav,bvh} (three lengths) and DIR/gen/clip_K.bvh from another seed; returns (model, data, gen).
    func dataset(in dir: URL) throws -> (model: URL, data: URL, gen: URL) {
        let model = try TinyModel.write(to: dir)
        let data = dir.appendingPathComponent("data"), gen = dir.appendingPathComponent("gen")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for (k, seconds) in [1.5, 2.0, 2.5].enumerated() {
            let wav = try syllables(in: data, name: "clip_\(k).wav", seconds: seconds, period: 0.2 + 0.05 * Double(k))
            for (out, seed) in [(data, "1"), (gen, "2")] {
                let r = try a2m(["generate", wav.path, "--model", model.path, "--guidance", "2.5", "--steps", "3",
                                 "--seed", seed, "--format", "bvh", "--out", out.path])
                try #require(r.status == 0, "a2m generate failed: \(r.stderr)")
            }
        }
        return (model, data, gen)
    }

    /// With --generated, every generation-only option is refused by name, also when it spells out its default:
    /// the motion is already made, so accepting it would parse a flag and ignore it.
    @Test func generationOptionsWithoutAModelAreRefusedEvenAtTheirDefaults() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, data, gen) = try dataset(in: dir)
        let base = ["eval", "--data", data.path, "--generated", gen.path]
        let scored = try a2m(base)
        try #require(scored.status == 0, "a2m eval --generated failed: \(scored.stderr)")
        #expect(scored.stdout.contains("FID_k"))
        // Tone bursts with gaps of about 0.1 s have no half-second pause: rest in silence is left out, and said so.
        #expect(scored.stdout.contains("| rest in silence ↑ | – (no clip has both a silent and a speech half-second)"))
        for (args, named) in [(["--steps", "50"], "--steps"), (["--spacing", "trailing"], "--spacing"), (["--samples", "1"], "--samples"),
                              (["--guidance", "0,1,2.5,5"], "--guidance"), (["--guidance-schedule", "constant"], "--guidance-schedule"),
                              (["--guidance-method", "cfg"], "--guidance-method"), (["--foot-lock"], "--foot-lock"),
                              (["--no-foot-lock"], "--no-foot-lock")] {
            let r = try a2m(base + args)
            #expect(r.status == 64 && r.stderr.contains("\(named) applies only with --model"), "\(args): status \(r.status), \(r.stderr)")
        }
        let two = try a2m(base + ["--steps", "50", "--no-foot-lock"])
        #expect(two.status == 64 && two.stderr.contains("--steps, --no-foot-lock apply only with --model"), "\(two.stderr)")
    }

    /// Out-of-range study options fail in validation, before any clip is generated (the model is never opened).
    @Test func outOfRangeStudyOptionsAreRefusedBeforeGenerating() throws {
        let base = ["eval", "--model", "/nonexistent/model.safetensors", "--data", "/nonexistent/data"]
        for (args, message) in [(["--samples", "0"], "--samples must be in 1...64"), (["--steps", "1001"], "--steps must be in 1...1000"),
                                (["--guidance", "0,-1"], "--guidance takes comma-separated weights ≥ 0, got '-1'"),
                                (["--guidance", "0,2.5", "--guidance-method", "cfgpp"], "--guidance 2.5 with --guidance-method cfgpp")] {
            let r = try a2m(base + args)
            #expect(r.status == 64 && r.stderr.contains(message), "\(args): status \(r.status), \(r.stderr)")
        }
    }

    /// With --model, omitted options take GuidanceStudy's defaults: the study written with every default spelled
    /// out is byte-identical to the one without them, and a changed option changes the study and its record.
    @Test func studyDefaultsAreTheStudysAndGivenOptionsAreUsed() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (model, data, _) = try dataset(in: dir)
        func study(_ name: String, _ extra: [String]) throws -> (json: Data, document: [String: Any]) {
            let out = dir.appendingPathComponent(name)
            let r = try a2m(["eval", "--model", model.path, "--data", data.path, "--guidance", "0,2.5", "--steps", "3",
                             "--bootstrap", "100", "--out", out.path] + extra)
            try #require(r.status == 0, "a2m eval --model \(extra) failed: \(r.stderr)")
            let json = try Data(contentsOf: out)
            return (json, try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any]))
        }
        let plain = try study("plain.json", [])
        #expect(plain.document["samples"] as? Int == 1 && plain.document["spacing"] as? String == "few-step"
                && plain.document["sampler"] as? String == "dpmpp-2m"
                && plain.document["footLock"] as? Bool == true && plain.document["guidanceSchedule"] as? String == "constant"
                && plain.document["guidanceMethod"] as? String == "lowpass" && plain.document["steps"] as? Int == 3)
        let spelled = try study("spelled.json", ["--samples", "1", "--sampler", "dpmpp-2m", "--spacing", "few-step", "--foot-lock",
                                                 "--guidance-schedule", "constant", "--guidance-method", "lowpass"])
        #expect(spelled.json == plain.json, "explicit defaults changed the study")
        let plainRows = try #require(plain.document["rows"] as? [[String: Any]])
        #expect(plainRows.count == 2)
        // The untrained model's feet never rest, so the lock has nothing to hold here and --no-foot-lock can only be
        // checked in the record; ShippedModelTests.footLockHoldsTheShippedModelsFeet checks GuidanceStudy.footLock.
        let changes: [(args: [String], recorded: ([String: Any]) -> Bool, changesScores: Bool)] = [
            (["--spacing", "karras"], { $0["spacing"] as? String == "karras" }, true),
            (["--no-foot-lock"], { $0["footLock"] as? Bool == false }, false),
            (["--samples", "2"], { $0["samples"] as? Int == 2 }, true),
            (["--guidance-schedule", "interval"], { $0["guidanceSchedule"] as? String == "interval" }, true),
            (["--guidance-method", "cfg"], { $0["guidanceMethod"] as? String == "cfg" }, true)]
        for (k, (args, recorded, changesScores)) in changes.enumerated() {
            let changed = try study("changed-\(k).json", args)
            #expect(recorded(changed.document), "\(args) not recorded")
            let rows = try #require(changed.document["rows"] as? [[String: Any]])
            #expect(rows.count == 2)
            if changesScores { #expect(!NSDictionary(dictionary: plainRows[1]).isEqual(to: rows[1]), "\(args) ignored") }
        }
    }

    /// Gesture statistics: against the embedded real reference by default, against any folder of BVH with
    /// --reference; a folder with no BVH, a rig without wrists, or a missing path fails with the file and what is
    /// missing, before any clip is scored.
    @Test func gestureStatisticsAgainstTheEmbeddedOrAnyReference() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, data, gen) = try dataset(in: dir)
        let base = ["eval", "--data", data.path, "--generated", gen.path, "--bootstrap", "100"]
        func report(_ name: String, _ extra: [String]) throws -> (stdout: String, gesture: [String: Any]) {
            let out = dir.appendingPathComponent(name)
            let r = try a2m(base + ["--out", out.path] + extra)
            try #require(r.status == 0, "a2m eval \(extra) failed: \(r.stderr)")
            let doc = try #require(try JSONSerialization.jsonObject(with: try Data(contentsOf: out)) as? [String: Any])
            let rep = try #require(doc["report"] as? [String: Any])
            return (r.stdout, try #require(rep["gesture"] as? [String: Any]))
        }
        let embedded = try report("embedded.json", [])
        #expect(embedded.stdout.contains("reference: \(GestureReference.embeddedName)"))
        #expect(embedded.stdout.contains("| gesture-space occupancy (either wrist >= mid-torso) |"))
        #expect(embedded.stdout.contains("| wrist_speed_hellinger | ≤ 0.1 |"))
        let reference = try #require(embedded.gesture["reference"] as? [String: Any])
        let space = try #require(reference["gesture_space"] as? [String: Any])
        // JSONSerialization may read the last digit differently from JSONDecoder.
        #expect(abs((space["occupancy"] as? Double ?? 0) - GestureReference.embedded.gestureSpace.occupancy) < 1e-12)
        #expect((embedded.gesture["generated"] as? [String: Any])?["takes"] as? Int == 3)

        let rigs = GestureStatisticsTests.fixtures.appendingPathComponent("rigs")
        let other = try report("rigs.json", ["--reference", rigs.path])
        #expect(other.stdout.contains("reference: \(rigs.path)"))
        #expect((other.gesture["reference"] as? [String: Any])?["takes"] as? Int == 2)
        #expect(other.gesture["referenceName"] as? String == rigs.path)

        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let bad = GestureStatisticsTests.fixtures.appendingPathComponent("bad")
        for (path, message) in [(empty.path, "\(empty.path): no .bvh files in this folder"),
                                (bad.path, "\(bad.path)/no_wrists.bvh: no left wrist: expected a joint named like LeftHand"),
                                (dir.appendingPathComponent("missing").path, "missing: no such file or folder")] {
            let r = try a2m(base + ["--reference", path])
            #expect(r.status != 0 && r.stderr.contains(message) && r.stdout.isEmpty, "--reference \(path): status \(r.status), \(r.stderr)")
        }
    }
}
