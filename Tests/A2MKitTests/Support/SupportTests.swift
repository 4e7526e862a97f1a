import Testing
import Foundation
import CKernels
@testable import A2MCore

@Suite struct RNGTests {
    /// Reference values of pcg32_random_r from the PCG C reference (pcg32-demo, seed 42, stream 54).
    @Test func matchesPCGReference() {
        var rng = PCG32(seed: 42, stream: 54)
        let got = (0..<6).map { _ in rng.next32() }
        #expect(got == [0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e])
    }

    @Test func sameSeedSameNumbersAndGaussianMoments() {
        var a = PCG32(seed: 7), b = PCG32(seed: 7)
        let xs = (0..<200_000).map { _ in a.gaussian() }
        let ys = (0..<200_000).map { _ in b.gaussian() }
        #expect(xs == ys)
        let mean = xs.reduce(0, +) / Float(xs.count)
        let varc = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(xs.count)
        #expect(abs(mean) < 0.01)
        #expect(abs(varc - 1) < 0.01)
    }

    @Test func derivedStreamsDiffer() {
        var a = PCG32.derived(seed: 1, purpose: .dataOrder), b = PCG32.derived(seed: 1, purpose: .conditionDrop)
        #expect((0..<8).map { _ in a.next32() } != (0..<8).map { _ in b.next32() })
    }
}

@Suite struct AtomicFileTests {
    @Test func writesAndReplacesWithoutLeavingTemporaries() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("a2m-atomic-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("out.txt")
        try AtomicFile.write("one", to: url)
        try AtomicFile.write("two", to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "two")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.txt"])
    }

    @Test func failedBodyKeepsPreviousFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("a2m-atomic-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("out.txt")
        try AtomicFile.write("good", to: url)
        struct Boom: Error {}
        #expect(throws: OutputError.self) {
            try AtomicFile.write(to: url) { h in try h.write(contentsOf: Data("partial".utf8)); throw Boom() }
        }
        #expect(try String(contentsOf: url, encoding: .utf8) == "good")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.txt"])
    }

    @Test func unwritableDirectoryIsAClearError() {
        let url = URL(fileURLWithPath: "/nonexistent-a2m-dir/out.bvh")
        #expect { try AtomicFile.write("x", to: url) } throws: { error in
            "\(error)".contains("/nonexistent-a2m-dir") && "\(error)".contains("does not exist")
        }
    }
}

@Suite struct StrictDecodingTests {
    struct Cfg: Decodable {
        var a: Int
        var b: Float
        enum CodingKeys: String, CodingKey, CaseIterable { case a, b }
        init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            a = try c.decodeIfPresent(Int.self, forKey: .a) ?? 1
            b = try c.decodeIfPresent(Float.self, forKey: .b) ?? 2
        }
    }

    @Test func unknownKeyIsNamed() {
        #expect { try StrictJSON.decode(Cfg.self, from: Data(#"{"a": 3, "bogus": 1}"#.utf8), file: "x.json") } throws: { e in
            "\(e)".contains("x.json") && "\(e)".contains("'bogus'")
        }
    }

    @Test func defaultsAndWrongTypes() throws {
        let c = try StrictJSON.decode(Cfg.self, from: Data(#"{"a": 3}"#.utf8), file: "x.json")
        #expect(c.a == 3 && c.b == 2)
        #expect { try StrictJSON.decode(Cfg.self, from: Data(#"{"a": "three"}"#.utf8), file: "x.json") } throws: { e in
            "\(e)".contains("'a'")
        }
        #expect(throws: ConfigError.self) { try StrictJSON.decode(Cfg.self, from: Data("{not json".utf8), file: "x.json") }
    }
}

@Suite struct ParallelTests {
    @Test func coversEveryIndexOnce() {
        var out = [Int32](repeating: 0, count: 10_000)
        Threads.withCount(2) {
            out.withUnsafeMutableBufferPointer { p in
                let buf = SendableBuffer(p)
                parallelFor(buf.count, minChunk: 100) { r in for i in r { buf[i] += Int32(i) } }
            }
        }
        #expect(out == (0..<10_000).map { Int32($0) })
    }

    /// `withCount` is the calling thread's alone: another thread keeps the process-wide count, and the
    /// override ends with the call; inside a `parallelParts` part the count is 1 whatever the override.
    @Test func withCountIsLocalToTheCallingThread() {
        let global = Threads.count
        Threads.withCount(global + 3) {
            #expect(Threads.count == global + 3)
            var seen = [0]
            seen.withUnsafeMutableBufferPointer { p in
                let buf = SendableBuffer(p)
                let done = DispatchSemaphore(value: 0)
                Thread { buf[0] = Threads.count; done.signal() }.start()
                done.wait()
            }
            #expect(seen[0] == global, "another thread saw \(seen[0])")
            var inside = [Int](repeating: 0, count: 2)
            inside.withUnsafeMutableBufferPointer { p in
                let buf = SendableBuffer(p)
                parallelParts(2) { k in buf[k] = Threads.count }
            }
            #expect(inside == [1, 1])
        }
        #expect(Threads.count == global)
    }
}

/// Bench tables name the OpenBLAS kernels they were measured with, and the name follows OPENBLAS_CORETYPE.
@Suite struct BenchBLASCoreTests {
    func firstLine(_ env: [String]) throws -> String {
        let bin = try AudioFixtures.a2mBinary().path
        let r = try AudioFixtures.run("env", env + [bin, "bench", "gemm", "--size", "64"])
        try #require(r.status == 0, "a2m bench gemm failed: \(r.stderr)")
        return String(r.stdout.split(separator: "\n").first ?? "")
    }

    @Test func benchNamesTheKernelsAndWhoChoseThem() throws {
        // Prescott (SSE3) exists in every x86-64 DYNAMIC_ARCH build, so forcing it is always possible, and a
        // core the user forces is kept even where a2m would replace OpenBLAS's own fallback to it.
        #expect(try firstLine(["OPENBLAS_CORETYPE=Prescott"]) == "OpenBLAS core: Prescott (OPENBLAS_CORETYPE=Prescott)")
        let own = try firstLine(["-u", "OPENBLAS_CORETYPE", "-u", "A2M_OPENBLAS_FALLBACK"])
        let level = a2m_cpu_vector_level()
        if let replaced = OpenBLASKernels.coreType(for: level),
           own == "OpenBLAS core: \(replaced) (chosen by a2m: OpenBLAS fell back to Prescott on this CPU)" {
            return  // a CPU this OpenBLAS does not know: a2m restarted with the kernels the CPU supports
        }
        #expect(own.hasPrefix("OpenBLAS core: ") && own.hasSuffix(" (OpenBLAS's own choice)") && !own.contains("unknown"), "\(own)")
        // OpenBLAS's own choice on a CPU with AVX or more is never its generic SSE3 fallback: a2m replaces that.
        #expect(level == 0 || !own.hasPrefix("OpenBLAS core: Prescott "), "\(own) on a CPU of vector level \(level)")
    }
}

/// a2m replaces OpenBLAS 0.3.21's generic Prescott fallback by the core later OpenBLAS releases pick from the
/// CPU's features, and nothing else.
@Suite struct OpenBLASKernelsTests {
    @Test func featureLevelsMapToOpenBLASsOwnFallbackOrder() {
        #expect([4, 3, 2, 1, 0].map { OpenBLASKernels.coreType(for: $0) } == ["Cooperlake", "SkylakeX", "Haswell", "Sandybridge", nil])
    }

    @Test func onlyAnUnchosenGenericFallbackIsReplaced() {
        #expect(OpenBLASKernels.replacement(chosen: "Prescott", environment: [:], level: 3) == "SkylakeX")
        #expect(OpenBLASKernels.replacement(chosen: "PRESCOTT", environment: [:], level: 2) == "Haswell")
        // The user's OPENBLAS_CORETYPE wins, even when it names the fallback.
        #expect(OpenBLASKernels.replacement(chosen: "Prescott", environment: ["OPENBLAS_CORETYPE": "Prescott"], level: 4) == nil)
        // Already restarted once: never a second time, whatever OpenBLAS did with the variable.
        #expect(OpenBLASKernels.replacement(chosen: "Prescott", environment: ["A2M_OPENBLAS_FALLBACK": "Prescott"], level: 4) == nil)
        // A core OpenBLAS recognised is its own business; a CPU with only SSE3 has nothing better.
        #expect(OpenBLASKernels.replacement(chosen: "Haswell", environment: [:], level: 4) == nil)
        #expect(OpenBLASKernels.replacement(chosen: "Zen", environment: [:], level: 2) == nil)
        #expect(OpenBLASKernels.replacement(chosen: "Prescott", environment: [:], level: 0) == nil)
    }
}
