import Testing
import Foundation
@testable import A2MAudio
@testable import A2MMotion
@testable import A2MGeneration
@testable import A2MEvaluation

/// `a2m generate`, run as the built binary next to the test bundle, with a tiny untrained checkpoint.
@Suite struct GenerateCommandTests {
    func generate(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try AudioFixtures.run(try AudioFixtures.a2mBinary().path, ["generate"] + args + ["--quiet", "--steps", "3"])
    }

    func files(_ dir: URL) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() }

    @Test func writesBVHAndJSONNextToTheInputByteIdenticallyPerSeed() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TinyModel.write(to: dir)
        let wav = try TinyModel.wav(in: dir, name: "talk.wav", seconds: 1.5)
        let r = try generate([wav.path, "--model", model.path, "--guidance", "2.5", "--seed", "4"])
        try #require(r.status == 0, "a2m generate failed: \(r.stderr)")
        let bvh = dir.appendingPathComponent("talk.bvh"), json = dir.appendingPathComponent("talk.json")
        let clip = try BVHReader.read(bvh).clip
        #expect(clip.frameCount == 45 && clip.fps == 30 && clip.skeleton.names == Skeleton.a2mBody.names)
        #expect(try MotionJSON.read(json).frameCount == 45)
        let first = try Data(contentsOf: bvh), firstJSON = try Data(contentsOf: json)
        // --out is created when missing (nested, like mkdir -p).
        let out = dir.appendingPathComponent("again/nested")
        let r2 = try generate([wav.path, "--model", model.path, "--guidance", "2.5", "--seed", "4", "--out", out.path])
        try #require(r2.status == 0, "a2m generate failed: \(r2.stderr)")
        #expect(try Data(contentsOf: out.appendingPathComponent("talk.bvh")) == first)
        #expect(try Data(contentsOf: out.appendingPathComponent("talk.json")) == firstJSON)
        // A second run replaces the first's files only with --overwrite (OutputSafetyTests).
        let r3 = try generate([wav.path, "--model", model.path, "--guidance", "2.5", "--seed", "5", "--out", out.path, "--overwrite"])
        try #require(r3.status == 0, "a2m generate failed: \(r3.stderr)")
        #expect(try Data(contentsOf: out.appendingPathComponent("talk.bvh")) != first, "--seed ignored")
        let r4 = try generate([wav.path, "--model", model.path, "--guidance", "2.5", "--seed", "4", "--spacing", "karras", "--out", out.path, "--overwrite"])
        try #require(r4.status == 0, "a2m generate failed: \(r4.stderr)")
        #expect(try Data(contentsOf: out.appendingPathComponent("talk.bvh")) != first, "--spacing ignored")
    }

    /// No --model and no $A2M_MODEL, run from a directory that has no Motions/: the default model is found
    /// through the executable's location (the repository's Motions/, as README's first command uses it).
    @Test func findsTheDefaultModelFromAnyWorkingDirectory() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TinyModel.wav(in: dir, name: "talk.wav", seconds: 1.5)
        let p = Process()
        p.executableURL = try AudioFixtures.a2mBinary()
        p.arguments = ["generate", "talk.wav", "--quiet", "--steps", "3", "--format", "bvh"]
        p.currentDirectoryURL = dir
        p.environment = ProcessInfo.processInfo.environment.filter { $0.key != "A2M_MODEL" }
        let err = Pipe()
        p.standardError = err
        try p.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "a2m generate without --model failed: \(stderr)")
        #expect(try BVHReader.read(dir.appendingPathComponent("talk.bvh")).clip.frameCount == 45)
        // A missing explicit model is reported as that file, not as a search.
        let r = try generate([wav.path, "--model", dir.appendingPathComponent("none.safetensors").path])
        #expect(r.status != 0 && r.stderr.contains("none.safetensors") && !r.stderr.contains("looked for"), "\(r.stderr)")
    }

    @Test func samplesFormatsAndFPS() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TinyModel.write(to: dir)
        let a = try TinyModel.wav(in: dir, name: "a.wav", seconds: 1.2), b = try TinyModel.wav(in: dir, name: "b.wav", seconds: 0.7)
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let r = try generate([a.path, b.path, "--model", model.path, "--samples", "2", "--format", "bvh", "--fps", "60", "--guidance", "2.5", "--out", out.path])
        try #require(r.status == 0, "a2m generate failed: \(r.stderr)")
        // Samples are NAME.0, NAME.1, … (OutputNaming), the names a2m eval --generated reads.
        #expect(try files(out) == ["a.0.bvh", "a.1.bvh", "b.0.bvh", "b.1.bvh"])
        #expect(try EvaluationData.generatedFiles(in: out, names: ["a", "b"]).map { $0.map(\.lastPathComponent) } == [["a.0.bvh", "a.1.bvh"], ["b.0.bvh", "b.1.bvh"]])
        let a1 = try BVHReader.read(out.appendingPathComponent("a.0.bvh")).clip, a2 = try BVHReader.read(out.appendingPathComponent("a.1.bvh")).clip
        #expect(a1.fps == 60 && a1.frameCount == 72)  // 1.2 s: 36 frames at 30 fps, 72 at 60
        #expect(a1.rootPositions != a2.rootPositions)
        let r2 = try generate([a.path, "--model", model.path, "--format", "json", "--json-format", "threejs", "--out", out.path])
        try #require(r2.status == 0, "a2m generate failed: \(r2.stderr)")
        #expect(try String(contentsOf: out.appendingPathComponent("a.json"), encoding: .utf8).contains("\"tracks\""))
    }

    /// --view writes one player per input with every sample as a panel and the input audio embedded; an input
    /// browsers cannot play from a data URI (AIFF) is embedded as the decoded 16-bit WAV.
    @Test func viewWritesOnePlayerPerInput() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TinyModel.write(to: dir)
        let a = try TinyModel.wav(in: dir, name: "a.wav", seconds: 1.2)
        let b = dir.appendingPathComponent("b.aiff")
        try AudioFixtures.sox([a.path, "-b", "16", b.path])
        let out = dir.appendingPathComponent("out")
        let r = try generate([a.path, b.path, "--model", model.path, "--samples", "2", "--view", "--format", "bvh", "--out", out.path])
        try #require(r.status == 0, "a2m generate failed: \(r.stderr)")
        #expect(try files(out) == ["a.0.bvh", "a.1.bvh", "a.html", "b.0.bvh", "b.1.bvh", "b.html"])
        let html = try String(contentsOf: out.appendingPathComponent("a.html"), encoding: .utf8)
        let wavBase64 = try Data(contentsOf: a).base64EncodedString()
        #expect(html.contains("data:audio/wav;base64,\(wavBase64)"), "the input's own bytes are embedded")
        #expect(html.contains("\"a.0\"") && html.contains("\"a.1\"") && html.contains("\"seed\""))
        let aiffPage = try String(contentsOf: out.appendingPathComponent("b.html"), encoding: .utf8)
        #expect(aiffPage.contains("data:audio/wav;base64,UklGR"), "AIFF is re-encoded as WAV (RIFF)")
        // Without --view no page is written.
        let out2 = dir.appendingPathComponent("out2")
        #expect(try generate([a.path, "--model", model.path, "--format", "bvh", "--out", out2.path]).status == 0)
        #expect(try files(out2) == ["a.bvh"])
    }

    @Test func badInputFailsClearlyAndWritesNothing() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TinyModel.write(to: dir)
        let plain = try TinyModel.write(to: dir, name: "plain.safetensors", condDrop: 0)
        var audio = AudioFeatureConfig.model
        audio.nMels = 40
        let mismatched = try TinyModel.write(to: dir, name: "mismatch.safetensors") { meta in
            meta[GenerationModel.Key.audio] = String(decoding: try! JSONEncoder().encode(audio), as: UTF8.self)
        }
        let garbage = dir.appendingPathComponent("garbage.safetensors")
        try Data("not a checkpoint at all".utf8).write(to: garbage)
        let wav = try TinyModel.wav(in: dir, name: "ok.wav", seconds: 1)
        let empty = dir.appendingPathComponent("empty.wav")
        try AudioFixtures.wavBytes(int16: [], sampleRate: 16000).write(to: empty)
        let tiny = dir.appendingPathComponent("tiny.wav")
        try AudioFixtures.wavBytes(int16: [Int16](repeating: 100, count: 200), sampleRate: 16000).write(to: tiny)
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let readOnly = dir.appendingPathComponent("ro")
        try FileManager.default.createDirectory(at: readOnly, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: readOnly.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: readOnly.path) }
        let writableByUs = access(readOnly.path, W_OK) == 0  // root ignores permissions

        var cases: [(args: [String], mentions: [String])] = []
        cases.append(([empty.path, "--model", model.path], [empty.path]))
        cases.append(([tiny.path, "--model", model.path], [tiny.path]))
        cases.append(([wav.path, "--model", dir.appendingPathComponent("missing.safetensors").path], ["missing.safetensors"]))
        cases.append(([wav.path, "--model", garbage.path], [garbage.path]))
        cases.append(([wav.path, "--model", mismatched.path], [mismatched.path, "nMels 40"]))
        cases.append(([wav.path, "--model", model.path, "--guidance", "-1"], ["--guidance"]))
        cases.append(([wav.path, "--model", model.path, "--guidance", "nan"], ["--guidance"]))
        cases.append(([wav.path, "--model", plain.path, "--guidance", "2"], [plain.path, "condDropProbability = 0"]))
        cases.append(([wav.path, "--model", model.path, "--out", wav.appendingPathComponent("sub").path], [wav.path, "is not a directory"]))
        if !writableByUs { cases.append(([wav.path, "--model", model.path, "--out", readOnly.path], [readOnly.path, "not writable"])) }
        for c in cases {
            let before = try files(dir), beforeOut = try files(out)
            let r = try generate(c.args + (c.args.contains("--out") ? [] : ["--out", out.path]))
            #expect(r.status != 0, "\(c.args) succeeded")
            for m in c.mentions { #expect(r.stderr.contains(m), "\(c.args): stderr lacks '\(m)': \(r.stderr)") }
            #expect(try files(dir) == before && (try files(out)) == beforeOut, "\(c.args) left files behind")
        }
    }

    @Test func generatesFromAModelThatATrainRunWrote() throws {
        // End to end through both binaries' file contract: `a2m train` writes OUT/model.safetensors, `a2m generate`
        // reads it (skeleton, fps, statistics from the file) and writes a clip of the model's skeleton.
        let dir = try ScratchDirectory("generate")
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 2)
        let cfg = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(steps: 3, validationFraction: 0), in: dir)
        let out = dir.path("out")
        let t = try AudioFixtures.run(try AudioFixtures.a2mBinary().path, ["train", "--data", data.path, "--config", cfg.path, "--out", out.path,
                                                               "--threads", "1", "--quiet"])
        try #require(t.status == 0, "a2m train failed: \(t.stderr)")
        let modelURL = out.appendingPathComponent("model.safetensors")
        let trained = try GenerationModel.load(contentsOf: modelURL)
        let wav = try TinyModel.wav(in: dir.url, name: "speech.wav", seconds: 2)
        let r = try generate([wav.path, "--model", modelURL.path, "--guidance", "2"])
        try #require(r.status == 0, "a2m generate failed: \(r.stderr)")
        let clip = try BVHReader.read(dir.path("speech.bvh")).clip
        // The model runs at its training fps (30) and remembers the data's own rate (the fixtures' 60 fps BVH), which
        // `a2m generate` writes at by default (issue 39: "the output frame rate defaults to the data's own").
        let dataFPS = try #require(trained.sourceFPS)
        #expect(trained.fps == 30 && dataFPS == 60)
        #expect(clip.skeleton.names == trained.skeleton.names && clip.fps == dataFPS)
        #expect(clip.frameCount == MotionAlignment.frameCount(duration: 2, fps: dataFPS))
    }
}
