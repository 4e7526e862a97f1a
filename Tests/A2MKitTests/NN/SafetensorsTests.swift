import Testing
import Foundation
@testable import A2MCore
@testable import A2MNN

func tempURL(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("a2m-nn-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(name)")
}

@Suite struct SafetensorsTests {
    /// The tensors make_fixtures.py expects in ours_f32/ours_f16 (keep in sync with OURS there).
    static let ours: [(String, [Int], [Float])] = [("a", [2, 3], [0, 1, -2.5, 3.25, 65504, 1e-5]), ("b.c", [4], [-0.0, 0.333, 7, -1e-3]),
                                                   ("s", [], [42]), ("empty", [0], [])]
    static let oursMeta = ["a2m.test": "yes", "json": "{\"k\": [1, 2]}"]

    static func writeOurs(_ dtype: CheckpointDType, to url: URL) throws {
        let bufs = ours.map { Buf($0.2.isEmpty ? [0] : $0.2) }
        let entries = zip(ours, bufs).map { SafetensorsWriter.Entry(name: $0.0.0, shape: $0.0.1, values: UnsafeBufferPointer(start: $0.1.p, count: $0.0.2.count)) }
        // Entries hold raw pointers: keep their owners alive through the write (release builds end lifetimes early).
        try withExtendedLifetime(bufs) { try SafetensorsWriter.write(entries, metadata: oursMeta, dtype: dtype, to: url) }
    }

    @Test(arguments: CheckpointDType.allCases) func roundTrip(_ dtype: CheckpointDType) throws {
        var rng = PCG32(seed: 1)
        let vals = (0..<1000).map { _ in rng.gaussian() * 10 }
        let url = tempURL("rt.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try vals.withUnsafeBufferPointer { p in
            try SafetensorsWriter.write([.init(name: "w", shape: [10, 100], values: p), .init(name: "x", shape: [3], values: UnsafeBufferPointer(rebasing: p[0..<3]))],
                                        metadata: ["k": "v ü \"quoted\""], dtype: dtype, to: url)
        }
        let f = try SafetensorsFile(contentsOf: url)
        #expect(f.metadata == ["k": "v ü \"quoted\""])
        #expect(f.tensors["w"]?.shape == [10, 100] && f.tensors["w"]?.dtype.rawValue == dtype.rawValue)
        let got = try f.floats("w")
        if dtype == .f32 { #expect(got == vals) } else {
            #expect(got == vals.map { halfToFloat(floatToHalf($0)) })
            #expect(zip(got, vals).allSatisfy { abs($0 - $1) <= 1e-3 * abs($1) + 1e-6 })
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path).filter { $0.hasPrefix("." + url.lastPathComponent + ".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func halfConversionEdgeCases() {
        #expect(floatToHalf(65504) == 0x7BFF && floatToHalf(65520) == 0x7C00 && floatToHalf(-.infinity) == 0xFC00)
        #expect(halfToFloat(floatToHalf(.nan)).isNaN)
        #expect(halfToFloat(0x0001) == 0x1p-24 && floatToHalf(0x1p-24) == 0x0001 && floatToHalf(0x1p-26) == 0)
        #expect(floatToHalf(1 + 0x1p-11) == 0x3C00)          // tie → even
        #expect(floatToHalf(1 + 3 * 0x1p-11) == 0x3C02)      // tie → even (up)
        for h in UInt16(0)...UInt16(0x7BFF) { if floatToHalf(halfToFloat(h)) != h { Issue.record("half \(h) does not round-trip"); break } }
    }

    /// A file written by Python's safetensors (torch): F32, F16, BF16 read exactly; I64 refused as floats.
    @Test func readsFileWrittenByPython() throws {
        let f = try TorchParityTests.fixture("python_written")
        #expect(f.metadata == ["note": "written by safetensors.torch", "n": "3"])
        #expect(try f.floats("f32") == [1.5, -2.0, 3.25, 1e-3] && f.tensors["f32"]?.shape == [2, 2])
        #expect(try f.floats("f16") == [Float(0.1), -65504, 6e-8, 1].map { halfToFloat(floatToHalf($0)) })
        func bf16(_ x: Float) -> Float {
            let b = x.bitPattern
            return Float(bitPattern: (b &+ 0x7FFF &+ ((b >> 16) & 1)) & 0xFFFF_0000)
        }
        #expect(try f.floats("bf16") == [Float(0.1), -3.0e38, 1].map(bf16))
        #expect(f.tensors["i64"]?.dtype == .i64)
        #expect(throws: CheckpointError.unsupportedDType(path: f.path, tensor: "i64", dtype: "I64")) { _ = try f.floats("i64") }
    }

    /// Our writer's bytes equal the committed files that make_fixtures.py checked with Python's reader.
    @Test(arguments: CheckpointDType.allCases) func oursReadableByPython(_ dtype: CheckpointDType) throws {
        let url = tempURL("ours.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Self.writeOurs(dtype, to: url)
        let name = dtype == .f32 ? "ours_f32" : "ours_f16"
        // Regenerating the committed files: A2M_NN_FIXTURE_OUT=Tests/A2MKitTests/Fixtures/nn, then make_fixtures.py checks them.
        if let dir = ProcessInfo.processInfo.environment["A2M_NN_FIXTURE_OUT"] {
            try Self.writeOurs(dtype, to: URL(fileURLWithPath: dir).appendingPathComponent(name + ".safetensors"))
        }
        let committed = try #require(Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Fixtures/nn"))
        #expect(try Data(contentsOf: url) == Data(contentsOf: committed))
    }

    // MARK: hostile files

    static func bytes(header: String, data: [UInt8] = [], length: UInt64? = nil) -> Data {
        var d = Data()
        var n = (length ?? UInt64(header.utf8.count)).littleEndian
        d.append(Data(bytes: &n, count: 8))
        d.append(Data(header.utf8))
        d.append(contentsOf: data)
        return d
    }

    static func kind(_ e: CheckpointError) -> String {
        switch e {
        case .unreadable: return "unreadable"
        case .truncated: return "truncated"
        case .headerTooLarge: return "headerTooLarge"
        case .headerBeyondFile: return "headerBeyondFile"
        case .badHeader: return "badHeader"
        case .unknownDType: return "unknownDType"
        case .unsupportedDType: return "unsupportedDType"
        case .badShape: return "badShape"
        case .badOffsets: return "badOffsets"
        case .sizeMismatch: return "sizeMismatch"
        case .overlap: return "overlap"
        case .uncoveredData: return "uncoveredData"
        case .tensorMismatch: return "tensorMismatch"
        case .metadata: return "metadata"
        case .badValue: return "badValue"
        }
    }

    static let t8 = [UInt8](repeating: 0, count: 8)
    static let hostile: [(String, Data, String)] = [
        ("empty file", Data(), "truncated"),
        ("5 bytes", Data([1, 0, 0, 0, 0]), "truncated"),
        ("header length beyond file", bytes(header: "{}", length: 100), "headerBeyondFile"),
        ("header length UInt64.max", bytes(header: "{}", length: .max), "headerTooLarge"),
        ("header length 200 MB", bytes(header: "{}", length: 200_000_000), "headerTooLarge"),
        ("zero-length header", bytes(header: ""), "badHeader"),
        ("not JSON", bytes(header: "hello world"), "badHeader"),
        ("JSON array", bytes(header: "[1, 2]"), "badHeader"),
        ("truncated JSON", bytes(header: "{\"a\": {\"dtype\": \"F32\""), "badHeader"),
        ("invalid UTF-8", bytes(header: "{\"a\u{7F}\u{7F}\": 1}").map { $0 == 0x7F ? 0xFF : $0 }.data, "badHeader"),
        ("missing data_offsets", bytes(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", data: t8), "badHeader"),
        ("dtype not a string", bytes(header: "{\"a\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", data: t8), "badHeader"),
        ("shape not an array", bytes(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", data: t8), "badHeader"),
        ("fractional shape", bytes(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[1e30],\"data_offsets\":[0,8]}}", data: t8), "badHeader"),
        ("metadata not strings", bytes(header: "{\"__metadata__\":{\"k\":1}}"), "badHeader"),
        ("unknown dtype", bytes(header: "{\"a\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}", data: t8), "unknownDType"),
        ("negative shape", bytes(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1,2],\"data_offsets\":[0,8]}}", data: t8), "badShape"),
        ("overflowing shape", bytes(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", data: t8), "badShape"),
        ("overflowing byte size", bytes(header: "{\"a\":{\"dtype\":\"F64\",\"shape\":[2305843009213693952],\"data_offsets\":[0,8]}}", data: t8), "badShape"),
        ("offsets past the end", bytes(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[250],\"data_offsets\":[0,1000]}}", data: t8), "badOffsets"),
        ("decreasing offsets", bytes(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", data: t8), "badOffsets"),
        ("negative offset", bytes(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-4,4]}}", data: t8), "badOffsets"),
        ("three offsets", bytes(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}", data: t8), "badOffsets"),
        ("shape/bytes mismatch", bytes(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", data: t8), "sizeMismatch"),
        ("overlapping tensors", bytes(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                                      data: [UInt8](repeating: 0, count: 12)), "overlap"),
        ("gap between tensors", bytes(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
                                      data: [UInt8](repeating: 0, count: 12)), "uncoveredData"),
        ("trailing bytes", bytes(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", data: t8), "uncoveredData"),
    ]

    @Test(arguments: 0..<hostile.count) func hostileFileIsAClearError(_ i: Int) throws {
        let (what, data, want) = Self.hostile[i]
        do {
            _ = try SafetensorsFile(data: data, path: "hostile.safetensors")
            Issue.record("\(what): accepted")
        } catch let e as CheckpointError {
            #expect(Self.kind(e) == want, "\(what): got \(e)")
            #expect(e.description.hasPrefix("hostile.safetensors: "))
        }
    }

    @Test func truncatedRealCheckpointIsRejected() throws {
        let url = try #require(Bundle.module.url(forResource: "denoiser_weights", withExtension: "safetensors", subdirectory: "Fixtures/nn"))
        let data = try Data(contentsOf: url)
        #expect(throws: CheckpointError.self) { _ = try SafetensorsFile(data: data.prefix(data.count - 3), path: "cut") }
        #expect(throws: CheckpointError.self) { _ = try SafetensorsFile(data: data.prefix(100), path: "cut") }
    }
}

extension Array where Element == UInt8 {
    var data: Data { Data(self) }
}

@Suite struct DenoiserCheckpointTests {
    @Test(arguments: CheckpointDType.allCases) func saveLoadPredictsTheSame(_ dtype: CheckpointDType) throws {
        let c = tinyConfig()
        let m = try Denoiser(config: c, seed: 21)
        let url = tempURL("model.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try m.saveCheckpoint(to: url, metadata: ["a2m.features": "{\"nMels\":4}"], dtype: dtype)
        let (m2, file) = try Denoiser.load(contentsOf: url)
        #expect(m2.config == c && file.metadata["a2m.features"] == "{\"nMels\":4}")
        var rng = PCG32(seed: 3)
        let audio = (0..<(6 * 4)).map { _ in rng.gaussian() }, x = (0..<(6 * 5)).map { _ in rng.gaussian() }
        let rows = [DenoiserRow(clip: 0, conditioned: true), DenoiserRow(clip: 0, conditioned: false)]
        let a = try m.predictX0(x: x + x, timesteps: [5, 5], rows: rows, context: m.encodeAudio(audio, clips: 1, frames: 6), frames: 6)
        let b = try m2.predictX0(x: x + x, timesteps: [5, 5], rows: rows, context: m2.encodeAudio(audio, clips: 1, frames: 6), frames: 6)
        let diff = zip(a, b).map { abs($0 - $1) }.max()!
        #expect(dtype == .f32 ? diff == 0 : diff < 0.05, "max diff \(diff)")
    }

    @Test func trainingStateRoundTrips() throws {
        let m = try Denoiser(config: tinyConfig(), seed: 2)
        let opt = AdamW(model: m, schedule: LearningRateSchedule(peak: 1e-3, warmupSteps: 1, totalSteps: 5))
        _ = try m.trainStep(tinyBatch(m.config, rows: 2, keep: [true, false], mask: false))
        opt.update(params: m.parameters, grads: m.gradients)
        let url = tempURL("train.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try m.saveCheckpoint(to: url, metadata: ["a2m.step": "1"], extra: [("train.adam_m.", opt.m), ("train.adam_v.", opt.v)])
        let (m2, file) = try Denoiser.load(contentsOf: url)
        let opt2 = AdamW(model: m2, schedule: opt.schedule)
        try opt2.m.load(from: file, prefix: "train.adam_m.")
        try opt2.v.load(from: file, prefix: "train.adam_v.")
        #expect(Array(UnsafeBufferPointer(start: opt2.v.base, count: opt.v.count)) == Array(UnsafeBufferPointer(start: opt.v.base, count: opt.v.count)))
    }

    /// whisper.cpp-style report: every missing, extra and mis-shaped tensor with got/expected.
    @Test func mismatchedModelListsEveryProblem() throws {
        var other = tinyConfig()
        other.layers = 1; other.motionDim = 7
        let m = try Denoiser(config: other)
        let url = tempURL("other.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try m.saveCheckpoint(to: url)
        let target = try Denoiser(config: tinyConfig())
        let file = try SafetensorsFile(contentsOf: url)
        do {
            try target.parameters.load(from: file)
            Issue.record("loaded a mismatched checkpoint")
        } catch let CheckpointError.tensorMismatch(_, problems) {
            #expect(problems.contains("tensor 'inp.weight': got shape [16, 7], expected [16, 5]"))
            #expect(problems.contains("tensor 'out.bias': got shape [7], expected [5]"))
            #expect(problems.contains("missing tensor 'layers.1.ffn.0.weight': expected shape [24, 16]"))
            #expect(problems.count == 3 + 24)   // inp.weight, out.weight, out.bias mis-shaped; layer 1's 24 tensors missing
        }
    }

    @Test func configMetadataIsRequiredAndValidated() throws {
        let url = tempURL("nometa.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try [Float(1)].withUnsafeBufferPointer { try SafetensorsWriter.write([.init(name: "x", shape: [1], values: $0)], metadata: [:], to: url) }
        #expect(throws: CheckpointError.metadata(path: url.path, key: Denoiser.configMetadataKey, reason: "missing; not an a2m denoiser checkpoint")) {
            _ = try Denoiser.load(contentsOf: url)
        }
    }
}

@Suite struct DenoiserConfigTests {
    static func repoRoot() -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test(arguments: ["tiny", "small", "base"]) func shippedConfigsLoad(_ name: String) throws {
        let c = try DenoiserConfig.load(contentsOf: Self.repoRoot().appendingPathComponent("Configs/\(name).json"))
        #expect(c.width % c.heads == 0)
    }

    @Test func unknownKeysAndRangesAreRejected() throws {
        #expect(throws: ConfigError.self) { _ = try StrictJSON.decode(DenoiserConfig.self, from: Data("{\"widht\": 64}".utf8), file: "c.json") }
        var c = DenoiserConfig()
        c.width = 66; c.heads = 8
        #expect(throws: ConfigError.self) { try c.validate(file: "c.json") }
        c = DenoiserConfig(); c.condDropProbability = 1.5
        #expect(throws: ConfigError.outOfRange(file: "c.json", field: "model.condDropProbability", value: "1.5", expected: "0.0...1.0")) { try c.validate(file: "c.json") }
        let d = try StrictJSON.decode(DenoiserConfig.self, from: Data("{\"width\": 64}".utf8), file: "c.json")
        #expect(d.width == 64 && d.layers == DenoiserConfig().layers)
        c = DenoiserConfig(); c.alignedAudioSmoothing = 13
        #expect(throws: ConfigError.outOfRange(file: "c.json", field: "model.alignedAudioSmoothing", value: "13", expected: "0...12")) { try c.validate(file: "c.json") }
        // Checkpoints written before the key existed were all trained with the [1, 4, 6, 4, 1] kernel (radius 2).
        #expect(d.alignedAudioSmoothing == 2)
        // ...and their metadata has no such key, which the default recipe must keep writing byte for byte;
        // any other radius is written and read back.
        #expect(!String(decoding: try JSONEncoder().encode(DenoiserConfig()), as: UTF8.self).contains("alignedAudioSmoothing"))
        c = DenoiserConfig(); c.alignedAudioSmoothing = 8
        #expect { try c.validate(file: "c.json") } throws: { e in
            "\(e)".contains("c.json") && "\(e)".contains("model.alignedAudioSmoothing") && "\(e)".contains("model.frameAlignedAudio")
        }
        c.frameAlignedAudio = true
        try c.validate(file: "c.json")
        #expect(try JSONDecoder().decode(DenoiserConfig.self, from: JSONEncoder().encode(c)) == c)
    }
}
