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

/// "Bad input gets one clear error": messages name the file, the field and what was expected, in a2m's words
/// (not Foundation's dumps), and blame the right file.
@Suite(.serialized) struct MessageTests {
    /// A small tmpfs at `dir` (removed by the caller), or nil when this machine does not allow mounting.
    static func tmpfs(_ dir: URL, size: String) -> Bool {
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let r = try? AudioFixtures.run("mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", dir.path])
        return r?.status == 0
    }

    static func unmount(_ dir: URL) { _ = try? AudioFixtures.run("umount", [dir.path]) }

    /// A full disk and a read-only file system are named as such, with the file, instead of
    /// "Error Domain=NSCocoaErrorDomain Code=640 ...".
    @Test func fullAndReadOnlyLocationsAreNamedInA2MsWords() throws {
        let dir = try ScratchDirectory("full")
        let mnt = dir.path("mnt")
        guard Self.tmpfs(mnt, size: "64k") else {
            print("skipped: mounting a 64 KiB tmpfs is not allowed here (needs root or CAP_SYS_ADMIN)")
            return
        }
        defer { Self.unmount(mnt) }
        let motion = MotionTestSupport.repoRoot.appendingPathComponent("Motions/wave.bvh")
        let full = try Probe.a2m(["convert", motion.path, "--fps", "1000", "--to", mnt.appendingPathComponent("w.json").path, "--quiet"])
        #expect(full.status == 1 && full.stderr.contains(mnt.appendingPathComponent("w.json").path) && full.stderr.contains("no space left on device")
                && !full.stderr.contains("NSCocoaErrorDomain") && !full.stderr.contains("Domain="), "\(full.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: mnt.path).isEmpty, "a partial file was left")
        _ = try AudioFixtures.run("mount", ["-o", "remount,ro", mnt.path])
        let ro = try Probe.a2m(["convert", motion.path, "--to", mnt.appendingPathComponent("w.json").path, "--quiet"])
        #expect(ro.status == 1 && ro.stderr.contains("read-only file system") && !ro.stderr.contains("Domain="), "\(ro.stderr)")
    }

    @Test func foundationErrorsMapToShortReasons() {
        let enospc = NSError(domain: NSCocoaErrorDomain, code: NSFileWriteOutOfSpaceError,
                             userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))])
        #expect(FileProblem.describe(enospc) == "no space left on device")
        #expect(FileProblem.describe(NSError(domain: NSCocoaErrorDomain, code: NSFileWriteVolumeReadOnlyError)) == "read-only file system")
        #expect(FileProblem.describe(NSError(domain: NSCocoaErrorDomain, code: NSFileReadNoPermissionError), path: "/dev/zero")
                == "it is a character device, not a regular file")
    }

    /// A model with a NaN weight: the error names the model and the tensor, not line 1 of the output BVH.
    @Test func nonFiniteWeightsNameTheModel() throws {
        let dir = try ScratchDirectory("nan-model")
        let model = try Denoiser(config: TinyModel.config(), seed: 3)
        model.parameters.base[model.layout.spec("out.bias")!.offset] = .nan
        let url = dir.path("nan.safetensors")
        try model.saveCheckpoint(to: url, metadata: try GenerationModel.metadata(
            diffusion: DiffusionConfig(), audio: .model, skeleton: .a2mBody, fps: 30, motionStats: try SamplerFixtures.plausibleStats(.a2mBody),
            audioStats: try NormalizationStats(mean: [Float](repeating: -40, count: 80), std: [Float](repeating: 20, count: 80)), step: 0))
        let wav = try TinyModel.wav(in: dir.url, name: "talk.wav", seconds: 1)
        let r = try Probe.a2m(["generate", wav.path, "--model", url.path, "--out", dir.path("out").path, "--steps", "2", "--quiet"])
        #expect(r.status == 1 && r.stderr.contains(url.path) && r.stderr.contains("out.bias") && r.stderr.contains("nan"), "\(r.stderr)")
        #expect(!r.stderr.contains("talk.bvh"), "the output file is blamed: \(r.stderr)")
    }

    /// Statistics that overflow the decoded motion: the model is named, with the input, as the cause.
    @Test func unusableModelOutputNamesModelAndInput() throws {
        let dir = try ScratchDirectory("overflow-model")
        var std = try SamplerFixtures.plausibleStats(.a2mBody).std
        for i in 0..<3 { std[i] = 3e38 }
        let stats = try NormalizationStats(mean: [Float](repeating: 0, count: std.count), std: std)
        let model = try TinyModel.write(to: dir.url) { meta in
            meta[GenerationModel.Key.motionStats] = String(decoding: try! JSONEncoder().encode(stats), as: UTF8.self)
        }
        let wav = try TinyModel.wav(in: dir.url, name: "talk.wav", seconds: 1)
        // 3e38 × a normalized value overflows only where |value| > 1.13: the tiny model's 2-step DDIM output has such
        // values in those columns (its 2-step DPM-Solver++ output, which ends at t = 19, need not), so DDIM is named.
        let r = try Probe.a2m(["generate", wav.path, "--model", model.path, "--out", dir.path("out").path, "--steps", "2",
                               "--sampler", "ddim", "--spacing", "trailing", "--quiet"])
        #expect(r.status == 1 && r.stderr.contains(model.path) && r.stderr.contains(wav.path) && r.stderr.contains("not usable motion"), "status \(r.status): \(r.stderr)")
    }

    /// A model's bad frame rate is the model's fault: "need at least −9223372036854775808 samples" blamed the audio.
    @Test func aModelsBadFrameRateIsNotBlamedOnTheAudio() throws {
        let dir = try ScratchDirectory("model-fps")
        let wav = try TinyModel.wav(in: dir.url, name: "talk.wav", seconds: 1)
        for fps in ["1e-300", "0.0001", "1e300", "nan"] {
            let model = try TinyModel.write(to: dir.url, name: "fps.safetensors") { $0[GenerationModel.Key.fps] = fps }
            let r = try Probe.a2m(["generate", wav.path, "--model", model.path, "--out", dir.path("out").path, "--steps", "2", "--quiet"])
            #expect(r.status == 1 && r.stderr.contains(model.path) && r.stderr.contains("a2m.fps") && !r.stderr.contains(wav.path)
                    && !r.stderr.contains("samples"), "fps \(fps): \(r.stderr)")
        }
    }

    /// A size that does not fit the data is reported with the config file it came from. (`{}` itself now trains:
    /// its default motionDim, 136, is the default skeleton's, as `A2MConfigTests` checks.)
    @Test func configSizeIsReportedWithItsFileName() throws {
        let dir = try ScratchDirectory("size-config")
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 2)
        let cfg = try TrainingFixtures.writeConfig(#"{"model": {"motionDim": 135}}"#, in: dir, name: "sizes.json")
        let r = try Probe.a2m(["train", "--data", data.path, "--config", cfg.path, "--out", dir.path("out").path, "--quiet"])
        #expect(r.status == 1 && r.stderr.contains(cfg.path) && r.stderr.contains("model.motionDim"), "\(r.stderr)")
    }

    /// A UTF-8 byte order mark, as Windows editors write it, is skipped.
    @Test func byteOrderMarkInABVHIsAccepted() throws {
        let text = try String(contentsOf: MotionTestSupport.repoRoot.appendingPathComponent("Motions/wave.bvh"), encoding: .utf8)
        let plain = try BVHReader.read(string: text, name: "plain.bvh").clip
        let withBOM = try BVHReader.read(bytes: [0xEF, 0xBB, 0xBF] + Array(text.utf8), name: "bom.bvh").clip
        #expect(withBOM == plain)
        let dir = try ScratchDirectory("bom")
        let url = dir.path("bom.bvh")
        try Data([0xEF, 0xBB, 0xBF] + Array(text.utf8)).write(to: url)
        #expect(try BVHReader.read(url).clip == plain)
    }

    /// Duplicate keys: the safetensors reference library rejects them, Python's json keeps the last, Foundation the
    /// first; a2m rejects them with the key and where it is.
    @Test func duplicateJSONKeysAreRejected() throws {
        #expect { try StrictJSON.decode(A2MConfig.self, from: Data(#"{"training": {"batchSize": 4, "seed": 1, "batchSize": 8}}"#.utf8), file: "dup.json") } throws: { e in
            "\(e)".contains("dup.json") && "\(e)".contains("training.batchSize") && "\(e)".contains("more than once")
        }
        let nested = JSONDuplicateKeys.first(in: Array(#"{"a": {"b": 1, "c": [{"d": 1, "d": 2}]}}"#.utf8))
        #expect(nested?.path == "a.c[0]" && nested?.key == "d", "\(String(describing: nested))")
        let escaped = JSONDuplicateKeys.first(in: Array(#"{"a": 1, "\u0061": 2}"#.utf8))
        #expect(escaped?.path == "" && escaped?.key == "a", "\(String(describing: escaped))")
        #expect(JSONDuplicateKeys.first(in: Array(#"{"a": {"x": 1}, "b": {"x": 1}, "c": [], "d": {}}"#.utf8)) == nil)
        #expect(JSONDuplicateKeys.first(in: Array(#"{"a": [1, {"#.utf8)) == nil)
        // A tensor named twice in a safetensors header.
        let header = Data(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#.utf8)
        var file = Data()
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(header)
        file.append(Data(count: 8))
        #expect { try SafetensorsFile(data: file, path: "dup.safetensors") } throws: { e in
            "\(e)".contains("dup.safetensors") && "\(e)".contains("'w' appears more than once")
        }
    }

    /// Finite samples of 1e30 made an all-+inf .npy with exit 0.
    @Test func hugeFiniteSamplesAreAClearError() throws {
        let dir = try ScratchDirectory("loud")
        var samples = [Float](repeating: 0, count: 16000)
        for i in stride(from: 0, to: samples.count, by: 7) { samples[i] = 1e30 }
        let wav = dir.path("loud.wav")
        try AudioFixtures.wavBytes(float32: samples, sampleRate: 16000).write(to: wav)
        let r = try Probe.a2m(["features", wav.path, "--out", dir.path("loud.npy").path, "--quiet"])
        #expect(r.status == 1 && r.stderr.contains(wav.path) && r.stderr.contains("sample 0") && r.stderr.contains("1e+30"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("loud.npy").path))
        // Loud but real float audio (±8) still works, and its features are finite.
        let ok = dir.path("ok.wav")
        try AudioFixtures.wavBytes(float32: AudioFixtures.sine(sampleRate: 16000, amplitude: 8), sampleRate: 16000).write(to: ok)
        let m = try LogMelExtractor(.model).logMel(try AudioFile.load(ok))
        #expect(m.values.allSatisfy { $0.isFinite })
    }

    /// A legal 240-character output name works (the temporary file's name used to exceed 255 bytes, reported as
    /// "directory not writable").
    @Test func aLongLegalFileNameIsWritten() throws {
        let dir = try ScratchDirectory("long-name")
        let name = String(repeating: "m", count: 235) + ".json"
        #expect(name.utf8.count == 240)
        let motion = MotionTestSupport.repoRoot.appendingPathComponent("Motions/wave.bvh")
        let r = try Probe.a2m(["convert", motion.path, "--to", dir.path(name).path, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try MotionJSON.read(dir.path(name)).frameCount == 121)
        #expect(AtomicFileWriter.temporaryName(for: String(repeating: "é", count: 200)).utf8.count <= 255)
    }

    /// Two inputs with the same name: the error, without ArgumentParser's "a2m <subcommand>" usage line.
    @Test func sameNamedInputsSayWhatCollides() throws {
        let dir = try ScratchDirectory("same-name")
        for sub in ["a", "b"] { try FileManager.default.createDirectory(at: dir.path(sub), withIntermediateDirectories: true) }
        let a = try TinyModel.wav(in: dir.path("a"), name: "x.wav", seconds: 1), b = try TinyModel.wav(in: dir.path("b"), name: "x.wav", seconds: 1)
        let r = try Probe.a2m(["generate", a.path, b.path, "--out", dir.path("out").path, "--quiet"])
        #expect(r.status == 1 && r.stderr.contains(a.path) && r.stderr.contains(b.path) && r.stderr.contains("x.bvh")
                && !r.stderr.contains("<subcommand>"), "\(r.stderr)")
    }

    /// A three.js JSON given to convert says to use the a2m format (it said "unknown key 'a2m'").
    @Test func threeJSJSONSaysToUseTheA2MFormat() throws {
        let clip = MotionClip(restPoseOf: .a2mDefault, fps: 30, frames: 3)
        let text = MotionJSON.bytes(clip, format: .threejs)
        #expect { try MotionJSON.read(data: Data(text), name: "clip.json") } throws: { e in
            "\(e)".contains("clip.json") && "\(e)".contains("three.js") && "\(e)".contains("a2m format")
        }
    }

    /// An MP3 written by SoX: libsndfile's frame count is an estimate from the bitrate (887,743 for 883,584 decoded
    /// frames), which made it "truncated"; it is read to the end of its data, as soundfile does.
    @Test func mp3FromSoxIsReadCompletely() throws {
        let dir = try ScratchDirectory("mp3")
        let mp3 = dir.path("tone.mp3")
        let r = try AudioFixtures.run("sox", ["-n", "-r", "22050", "-c", "1", mp3.path, "synth", "40", "sine", "300"])
        guard r.status == 0 else {
            print("skipped: sox cannot write MP3 here (apt-get install libsox-fmt-mp3): \(r.stderr)")
            return
        }
        let signal = try AudioFile.load(mp3)
        #expect(abs(signal.duration - 40) < 0.1, "\(signal.samples.count) samples")
        let f = try Probe.a2m(["features", mp3.path, "--out", dir.path("t.npy").path, "--quiet"])
        #expect(f.status == 0, "\(f.stderr)")
        let help = try Probe.a2m(["generate", "--help"])
        #expect(help.stdout.contains("MP3"))
    }

    /// The progress line on a TTY: the first rate shown is "--" until a second has passed (it showed 396904 step/s),
    /// and the line reaching the total ends with a newline, so the next output does not run into it.
    @Test func progressLineEndsAndStartsSanely() throws {
        #expect(ProgressLine.text(label: "generate", unit: "step", done: 1, total: 100, elapsed: 2e-6, extra: "").contains("-- step/s ETA --:--"))
        #expect(ProgressLine.text(label: "generate", unit: "step", done: 10, total: 100, elapsed: 2, extra: "").contains("5.00 step/s ETA 00:18"))
        let dir = try ScratchDirectory("tty")
        let model = try TinyModel.write(to: dir.url)
        let wav = try TinyModel.wav(in: dir.url, name: "talk.wav", seconds: 1.5)
        // script(1) gives the command a pseudo-terminal, so stderr is a TTY and the progress line is drawn.
        let cmd = [try AudioFixtures.a2mBinary().path, "generate", wav.path, "--model", model.path, "--steps", "3", "--format", "bvh"].joined(separator: " ")
        let r = try AudioFixtures.run("script", ["-qfec", cmd, "/dev/null"])
        guard r.status == 0 else {
            print("skipped: script(1) could not run a pseudo-terminal: \(r.stderr)")
            return
        }
        let text = r.stdout.replacingOccurrences(of: "\r\n", with: "\n")
        let report = dir.path("talk.bvh").path + ": 45 frames"
        #expect(text.contains("generate ") && text.contains(report), "\(text.debugDescription)")
        if let range = text.range(of: report) {
            #expect(text[..<range.lowerBound].hasSuffix("\n"), "the report runs into the progress line: \(text.debugDescription)")
        }
    }
}
