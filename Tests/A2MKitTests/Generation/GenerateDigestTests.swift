import CKernels
import Foundation
import Testing
@testable import A2MCore
@testable import A2MAudio
@testable import A2MGeneration

/// Every `a2m generate` option, run as the built binary on small inputs, against SHA-256 digests of its output
/// files committed in Fixtures/generate/digests.json. The digests were recorded before the generation code was
/// restructured into the library pipeline (sampler protocol, guidance mixers, format registry, post-processing
/// chain, output planning), and every later change must keep the files byte-identical. A new shipped model changes
/// the `shipped-*` cases' files and nothing else; they were re-recorded when the fine-tuned model replaced the
/// 6000-step one (2026-12-07 evening), every other case's digests unchanged.
///
/// Bytes are reproducible only with the same float arithmetic, so each run pins what decides it: one thread,
/// OpenBLAS kernels (`OPENBLAS_CORETYPE`), and inputs at the model's sample rate (no resampler). FFTW still picks
/// its SIMD codelets from the CPU, so the digests are stored per fingerprint (architecture, vector level,
/// OpenBLAS core). On a machine whose fingerprint has no digests the suite is disabled and says so; record them
/// there (from a commit known to be good) with `A2M_RECORD_DIGESTS=1 swift test ... --filter GenerateDigestTests`.
@Suite(.serialized, .enabled(if: DigestMachine.known, DigestMachine.disabledReason))
struct GenerateDigestTests {
    /// One `a2m generate` invocation: its arguments after the inputs.
    struct Case {
        let name: String
        let args: [String]
        /// Use the shipped default model instead of the tiny one.
        var shipped = false
        /// Leave out `--out`: the files go next to the inputs.
        var besideInputs = false
    }

    /// Few steps keep it fast; every case has both inputs, so every case also runs the long-form path
    /// (`long.wav` is 14 windows of the tiny model, four rounds) and batches two inputs. The cases recorded before the
    /// command's default sampler became DPM-Solver++(2M) with few-step spacing (2026-12-07) name the DDIM defaults
    /// they were recorded with (`ddimUnlessNamed`), so their digests did not change; "defaults" and
    /// "shipped-defaults-dpmpp" hold the command's defaults now.
    static let cases: [Case] = ([
        Case(name: "defaults-50-steps", args: ["--steps", "50"]),
        Case(name: "w0", args: ["--steps", "6", "--guidance", "0"]),
        Case(name: "w1", args: ["--steps", "6", "--guidance", "1"]),
        Case(name: "w2.5", args: ["--steps", "6", "--guidance", "2.5", "--guidance-method", "cfg"]),
        // No method: `GuidanceMethod.commandDefault` (lowpass) since 2026-12-07.
        Case(name: "w2.5-default-method", args: ["--steps", "6", "--guidance", "2.5"]),
        Case(name: "w2.5-ramp", args: ["--steps", "6", "--guidance", "2.5", "--guidance-schedule", "ramp", "--guidance-method", "cfg"]),
        Case(name: "w2.5-interval", args: ["--steps", "6", "--guidance", "2.5", "--guidance-schedule", "interval", "--guidance-method", "cfg"]),
        Case(name: "w0-ramp", args: ["--steps", "6", "--guidance", "0", "--guidance-schedule", "ramp"]),
        Case(name: "cfgpp-0.75", args: ["--steps", "6", "--guidance", "0.75", "--guidance-method", "cfgpp"]),
        Case(name: "cfgpp-1", args: ["--steps", "6", "--guidance", "1", "--guidance-method", "cfgpp"]),
        Case(name: "cfgpp-0", args: ["--steps", "6", "--guidance", "0", "--guidance-method", "cfgpp"]),
        Case(name: "ddpm-w2.5", args: ["--steps", "6", "--guidance", "2.5", "--sampler", "ddpm", "--guidance-method", "cfg"]),
        Case(name: "ddpm-cfgpp", args: ["--steps", "6", "--guidance", "0.5", "--guidance-method", "cfgpp", "--sampler", "ddpm"]),
        Case(name: "ddim-eta0.5", args: ["--steps", "6", "--guidance", "2.5", "--eta", "0.5", "--guidance-method", "cfg"]),
        Case(name: "ddim-eta1-interval", args: ["--steps", "6", "--guidance", "2", "--eta", "1", "--guidance-schedule", "interval"]),
        Case(name: "karras", args: ["--steps", "6", "--guidance", "2.5", "--spacing", "karras"]),
        Case(name: "karras-ddpm", args: ["--steps", "5", "--spacing", "karras", "--sampler", "ddpm"]),
        Case(name: "seed7", args: ["--steps", "6", "--guidance", "2.5", "--seed", "7"]),
        Case(name: "samples3", args: ["--steps", "4", "--guidance", "2.5", "--samples", "3"]),
        Case(name: "fps60", args: ["--steps", "4", "--guidance", "2.5", "--fps", "60"]),
        Case(name: "fps24-samples2", args: ["--steps", "4", "--fps", "24", "--samples", "2"]),
        Case(name: "no-foot-lock", args: ["--steps", "6", "--guidance", "2.5", "--no-foot-lock"]),
        Case(name: "threejs", args: ["--steps", "4", "--guidance", "2.5", "--format", "json", "--json-format", "threejs"]),
        Case(name: "bvh-only", args: ["--steps", "4", "--format", "bvh"]),
        Case(name: "json-bvh", args: ["--steps", "4", "--format", "json,bvh"]),
        Case(name: "view-samples2", args: ["--steps", "3", "--guidance", "2.5", "--view", "--samples", "2"]),
        Case(name: "beside-inputs", args: ["--steps", "4"], besideInputs: true),
        Case(name: "shipped-defaults", args: ["--steps", "8"], shipped: true),
        // The tiny untrained network's feet never rest, so the foot lock only acts on the shipped model.
        Case(name: "shipped-no-foot-lock", args: ["--steps", "8", "--no-foot-lock"], shipped: true),
        Case(name: "shipped-w2.5-interval-karras", args: ["--steps", "8", "--guidance", "2.5", "--guidance-schedule", "interval",
                                                         "--spacing", "karras"], shipped: true),
        Case(name: "shipped-cfgpp-ddpm", args: ["--steps", "8", "--guidance", "0.75", "--guidance-method", "cfgpp", "--sampler", "ddpm"],
             shipped: true),
    ].map(ddimUnlessNamed)) + [
        Case(name: "defaults", args: []),
        Case(name: "shipped-defaults-dpmpp", args: [], shipped: true),
        Case(name: "shipped-w2.5-dpmpp", args: ["--guidance", "2.5"], shipped: true),
    ]

    /// The case with `--sampler ddim` and `--spacing trailing` added where it does not name them.
    static func ddimUnlessNamed(_ c: Case) -> Case {
        var c = c
        var args = c.args
        if !args.contains("--sampler") { args = ["--sampler", "ddim"] + args }
        if !args.contains("--spacing") { args += ["--spacing", "trailing"] }
        c = Case(name: c.name, args: args, shipped: c.shipped, besideInputs: c.besideInputs)
        return c
    }

    /// The inputs: (name, seconds). At the model's 15360 Hz, so no resampler runs.
    static let inputs: [(name: String, seconds: Double)] = [("short.wav", 1.2), ("long.wav", 7.0)]
    /// Shorter inputs for the shipped model (window 120 frames): one window and three.
    static let shippedInputs: [(name: String, seconds: Double)] = [("short.wav", 2.0), ("long.wav", 7.0)]

    // MARK: running

    static func sha256(_ files: [URL]) throws -> [String] {
        let r = try AudioFixtures.run("sha256sum", files.map(\.path))
        try #require(r.status == 0, "sha256sum failed: \(r.stderr)")
        return r.stdout.split(separator: "\n").map { String($0.prefix(64)) }
    }

    /// 15360 Hz 16-bit speech-like tone: a 220 Hz carrier with two slow wobbles, different per input.
    static func wav(in dir: URL, name: String, seconds: Double, phase: Double) throws -> URL {
        let sr = AudioFeatureConfig.model.sampleRate
        let samples = (0..<Int(seconds * Double(sr))).map { i -> Int16 in
            let t = Double(i) / Double(sr)
            let envelope = 0.55 + 0.35 * sin(2 * .pi * 1.3 * t + phase) + 0.1 * sin(2 * .pi * 4.1 * t)
            return Int16(12000 * envelope * sin(2 * .pi * (220 + 30 * phase) * t))
        }
        let url = dir.appendingPathComponent(name)
        try AudioFixtures.wavBytes(int16: samples, sampleRate: sr).write(to: url)
        return url
    }

    /// Runs one case in a fresh directory and returns its output files' digests.
    static func run(_ c: Case, tinyModel: URL) throws -> [String: String] {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sources = c.shipped ? shippedInputs : inputs
        let audio = try sources.enumerated().map { try wav(in: dir, name: $1.name, seconds: $1.seconds, phase: Double($0)) }
        let out = c.besideInputs ? dir : dir.appendingPathComponent("out")
        let model = c.shipped ? ShippedModelTests.modelURL : tinyModel
        let p = Process()
        p.executableURL = try AudioFixtures.a2mBinary()
        p.arguments = ["generate"] + audio.map(\.path) + ["--model", model.path, "--threads", "1", "--quiet"] + c.args
            + (c.besideInputs ? [] : ["--out", out.path])
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_CORETYPE"] = DigestMachine.pinnedCore
        env["A2M_OPENBLAS_FALLBACK"] = nil
        p.environment = env
        let err = Pipe()
        p.standardError = err
        try p.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "\(c.name): a2m generate failed: \(stderr)")
        let inputNames = Set(sources.map(\.name))
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { !inputNames.contains($0) }.sorted()
        let digests = try sha256(names.map { out.appendingPathComponent($0) })
        return Dictionary(uniqueKeysWithValues: zip(names, digests))
    }

    @Test func everyGenerateOptionGivesTheCommittedBytes() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tiny = try TinyModel.write(to: dir)
        var document = try DigestMachine.committed()
        let expected = document.machines[DigestMachine.fingerprint] ?? [:]
        var got: [String: DigestMachine.Recorded] = [:]
        for c in Self.cases {
            got[c.name] = DigestMachine.Recorded(args: c.args, files: try Self.run(c, tinyModel: tiny))
        }
        if DigestMachine.recording {
            document.note = "SHA-256 of `a2m generate` outputs per case (GenerateDigestTests); keys: OS architecture, CPU vector level, pinned OpenBLAS core"
            document.machines[DigestMachine.fingerprint] = got
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try FileManager.default.createDirectory(at: DigestMachine.sourceFile.deletingLastPathComponent(), withIntermediateDirectories: true)
            try (enc.encode(document) + Data("\n".utf8)).write(to: DigestMachine.sourceFile)
            return
        }
        #expect(Set(got.keys) == Set(expected.keys), "cases run vs recorded: \(Set(got.keys).symmetricDifference(expected.keys).sorted())")
        var differing: [String] = []
        for c in Self.cases {
            guard let want = expected[c.name], let have = got[c.name] else { continue }
            #expect(have.args == want.args, "\(c.name): arguments changed since the digests were recorded")
            #expect(have.files.keys.sorted() == want.files.keys.sorted(), "\(c.name): files \(have.files.keys.sorted()), recorded \(want.files.keys.sorted())")
            for (file, digest) in have.files where want.files[file] != nil && want.files[file] != digest { differing.append("\(c.name)/\(file)") }
        }
        #expect(differing.isEmpty, "\(differing.count) files differ from the committed digests: \(differing)")
    }
}

/// What the digests depend on besides the code (see `GenerateDigestTests`).
enum DigestMachine {
    /// OpenBLAS kernels every run is pinned to: Haswell (AVX2) where the CPU has it, so AVX2 and AVX-512
    /// machines share them; else OpenBLAS's own choice for that level.
    static var pinnedCore: String {
        a2m_cpu_vector_level() >= 2 ? "Haswell" : (OpenBLASKernels.coreType(for: a2m_cpu_vector_level()) ?? "Prescott")
    }

    static var fingerprint: String {
        var u = utsname()
        uname(&u)
        let machine = withUnsafeBytes(of: &u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return "\(machine) vector-level \(a2m_cpu_vector_level()) openblas \(pinnedCore)"
    }

    static var recording: Bool { ProcessInfo.processInfo.environment["A2M_RECORD_DIGESTS"] == "1" }

    /// The committed digests file, in the source tree (the bundle's copy is the same file).
    static let sourceFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/generate/digests.json")

    struct Document: Codable {
        var note: String
        /// fingerprint → case name → recorded case.
        var machines: [String: [String: Recorded]]
    }

    struct Recorded: Codable, Equatable {
        var args: [String]
        /// File name (relative to the output directory) → SHA-256.
        var files: [String: String]
    }

    static func committed() throws -> Document {
        guard let url = Bundle.module.url(forResource: "digests", withExtension: "json", subdirectory: "Fixtures/generate") else {
            return Document(note: "", machines: [:])
        }
        return try JSONDecoder().decode(Document.self, from: Data(contentsOf: url))
    }

    static var known: Bool {
        recording || ((try? committed().machines[fingerprint]) != nil)
    }

    static var disabledReason: Comment {
        Comment(rawValue: "no committed digests for this machine (\(fingerprint)); record them with A2M_RECORD_DIGESTS=1")
    }
}
