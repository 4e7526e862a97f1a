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

/// design.md §9, "validate before you allocate": sizes from a file are checked against the file's tensor table,
/// the file's size and the memory budget before any arena exists. Each probe runs the binary under a 1.5 GB
/// address-space limit, so an allocation that slipped through shows as a crash, not as a slow test.
@Suite struct ValidateBeforeAllocateTests {
    static let memoryKB = 1_500_000

    /// A safetensors file with one 4-byte tensor and `config` as its `a2m.model`.
    static func hostileModel(_ config: [String: Any], in dir: URL, name: String = "hostile.safetensors") throws -> URL {
        let meta = String(decoding: try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]), as: UTF8.self)
        let header = try JSONSerialization.data(withJSONObject: ["__metadata__": [Denoiser.configMetadataKey: meta],
                                                                 "x": ["dtype": "F32", "shape": [1], "data_offsets": [0, 4]]])
        var d = Data()
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { d.append(contentsOf: $0) }
        d.append(header)
        d.append(Data(count: 4))
        let url = dir.appendingPathComponent(name)
        try d.write(to: url)
        return url
    }

    /// Every value inside `DenoiserConfig.validate`'s ranges; 51 billion weights.
    static var hugeButValid: [String: Any] { ["width": 4096, "layers": 64, "heads": 8, "ffn": 65536, "windowFrames": 120,
                                              "motionDim": 135, "audioDim": 80] }

    @Test func aTinyFileAskingForAHugeModelIsRefusedFromItsHeader() throws {
        let dir = try ScratchDirectory("hostile-model")
        let model = try Self.hostileModel(Self.hugeButValid, in: dir.url)
        let wav = try TinyModel.wav(in: dir.url, name: "talk.wav", seconds: 1)
        for args in [["generate", wav.path, "--model", model.path, "--out", dir.path("out").path, "--quiet", "--threads", "1"],
                     ["export", model.path, "--out", dir.path("x.safetensors").path]] {
            let r = try Probe.a2m(args, memoryKB: Self.memoryKB)
            #expect(r.status == 1 && !r.crashed, "\(args[0]): status \(r.status): \(r.stderr.prefix(400))")
            #expect(r.stderr.contains(model.path) && r.stderr.contains("asks for 50,913,968,263 weights") && r.stderr.contains("4 bytes"),
                    "\(args[0]): \(r.stderr.prefix(400))")
        }
        #expect(Probe.listing(dir.url) == ["hostile.safetensors", "talk.wav"])
    }

    /// A model whose tensors all match its config, but whose config (4096-frame windows, 64 heads) needs gigabytes of
    /// attention activations: refused against the budget with what it would need.
    @Test func aModelOverTheMemoryBudgetIsRefusedWithWhatItNeeds() throws {
        let dir = try ScratchDirectory("budget")
        var c = TinyModel.config()
        c.windowFrames = 4096
        c.heads = 8
        let url = dir.path("wide.safetensors")
        let model = try Denoiser(config: c, seed: 1)
        try model.saveCheckpoint(to: url, metadata: try GenerationModel.metadata(
            diffusion: DiffusionConfig(), audio: .model, skeleton: .a2mDefault, fps: 30, motionStats: try SamplerFixtures.plausibleStats(.a2mDefault),
            audioStats: try NormalizationStats(mean: [Float](repeating: -40, count: 80), std: [Float](repeating: 20, count: 80)), step: 0))
        let need = Denoiser.generationBytes(c)
        #expect(need > Double(1 << 30), "the probe model needs only \(MemoryBudget.format(need))")
        let wav = try TinyModel.wav(in: dir.url, name: "talk.wav", seconds: 1)
        let r = try Probe.a2m(["generate", wav.path, "--model", url.path, "--out", dir.path("out").path, "--quiet", "--memory-budget", "1G"],
                              memoryKB: Self.memoryKB)
        #expect(r.status == 1 && r.stderr.contains(url.path) && r.stderr.contains("would need about \(MemoryBudget.format(need))")
                && r.stderr.contains("memory budget of 1.0 GiB"), "status \(r.status): \(r.stderr.prefix(400))")
        #expect(!FileManager.default.fileExists(atPath: dir.path("out").path))
        // The library refuses the same file under the same budget.
        MemoryBudget.set(1 << 30)
        defer { MemoryBudget.set(nil) }
        #expect(throws: MemoryBudgetError.self) { try GenerationModel.load(contentsOf: url) }
    }

    /// A training config inside every documented range (docs/training.md) that needs terabytes: one error naming the
    /// config before the data is read, and no output directory (it used to die in the allocator after creating
    /// train.jsonl).
    @Test func aTrainingConfigInsideTheRangesButOverTheBudgetWritesNothing() throws {
        let dir = try ScratchDirectory("budget-train")
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 2)
        let text = TrainingFixtures.tinyConfig(validationFraction: 0)
            .replacingOccurrences(of: #""width": 32, "layers": 1, "heads": 2, "ffn": 64"#, with: #""width": 4096, "layers": 64, "heads": 2, "ffn": 65536"#)
        #expect(text.contains("65536"))
        let cfg = try TrainingFixtures.writeConfig(text, in: dir, name: "huge.json")
        let out = dir.path("out")
        let r = try Probe.a2m(["train", "--data", data.path, "--config", cfg.path, "--out", out.path, "--quiet", "--threads", "1"],
                              memoryKB: Self.memoryKB)
        #expect(r.status == 1 && r.stderr.contains(cfg.path) && r.stderr.contains("training with this config would need about")
                && r.stderr.contains("TiB"), "status \(r.status): \(r.stderr.prefix(400))")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    /// 300,000 tensor problems are one screen of message, not 300,000 lines.
    @Test func longProblemListsAreCapped() {
        let problems = (0..<300_000).map { "unexpected tensor 'junk.\($0)' with shape [0]" }
        let text = CheckpointError.tensorMismatch(path: "m.safetensors", problems: problems).description
        let lines = text.split(separator: "\n")
        #expect(lines.count == ErrorList.limit + 2, "\(lines.count) lines")
        #expect(text.contains("300000 problems") && text.hasSuffix("… and 299,980 more"), "\(text.suffix(200))")
    }

    @Test func memoryBudgetSizesParse() {
        #expect(MemoryBudget.parse("8G") == 8 << 30 && MemoryBudget.parse("512M") == 512 << 20 && MemoryBudget.parse("1.5GiB") == 3 << 29)
        #expect(MemoryBudget.parse("1000") == 1000 && MemoryBudget.parse("0") == nil && MemoryBudget.parse("-1G") == nil
                && MemoryBudget.parse("lots") == nil && MemoryBudget.parse("1e300G") == nil)
    }
}
