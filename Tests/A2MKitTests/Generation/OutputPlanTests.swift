import Foundation
import Testing
@testable import A2MCore
@testable import A2MGeneration

@Suite struct OutputPlanTests {
    @Test func namesSamplesTheWayEvalFindsThem() throws {
        let a = URL(fileURLWithPath: "/data/a.wav"), b = URL(fileURLWithPath: "/data/take.v2.flac")
        let one = try OutputPlan(inputs: [a, b], samples: 1, sampleExtensions: ["bvh", "json"], directory: nil)
        #expect(one.files.map(\.path) == ["/data/a.bvh", "/data/a.json", "/data/take.v2.bvh", "/data/take.v2.json"])
        let three = try OutputPlan(inputs: [a], samples: 3, sampleExtensions: ["bvh"], inputExtensions: ["html"],
                                   directory: URL(fileURLWithPath: "/out"))
        #expect(three.files.map(\.lastPathComponent) == ["a.0.bvh", "a.1.bvh", "a.2.bvh", "a.html"])
        // `a2m eval --generated` finds exactly these, in sample order.
        let listing = Set(three.files.map(\.lastPathComponent) + ["a.10.bvh", "ab.0.bvh", "a.json"])
        #expect(OutputNaming.sampleFiles("a", extension: "bvh", in: listing) == ["a.0.bvh", "a.1.bvh", "a.2.bvh"])
        #expect(OutputNaming.sampleFiles("a", extension: "bvh", in: ["a.bvh"]) == ["a.bvh"])
    }

    @Test func twoInputsWritingOneFileAreRefused() {
        let out = URL(fileURLWithPath: "/out")
        #expect(throws: OutputError.sameOutput(path: "/out/a.bvh", inputs: ["/x/a.wav", "/y/a.flac"])) {
            try OutputPlan(inputs: [URL(fileURLWithPath: "/x/a.wav"), URL(fileURLWithPath: "/y/a.flac")], samples: 1, sampleExtensions: ["bvh"], directory: out)
        }
        // Two formats with one extension.
        #expect(throws: OutputError.self) {
            try OutputPlan(inputs: [URL(fileURLWithPath: "/x/a.wav")], samples: 1, sampleExtensions: ["json", "json"], directory: out)
        }
        let twice = OutputError.sameOutput(path: "/out/a.bvh", inputs: ["/x/a.wav", "/x/a.wav"])
        #expect(twice.description.contains("given twice"))
    }
}

@Suite struct OutputSetTests {
    static func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }
    static func listing(_ dir: URL) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() }

    @Test func commitReplacesEveryFileOrNone() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.bvh"), b = dir.appendingPathComponent("a.json")
        try "old a".write(to: a, atomically: true, encoding: .utf8)
        try "old b".write(to: b, atomically: true, encoding: .utf8)
        // The second rename fails: the first file is put back as it was.
        let failing = OutputSet(overwrite: true)
        try AtomicFile.write("new a", to: failing.stage(a))
        try AtomicFile.write("new b", to: failing.stage(b))
        failing.beforeRename = { i in if i == 1 { throw OutputError.cannotWrite(path: b.path, reason: "injected") } }
        #expect(throws: OutputError.cannotWrite(path: b.path, reason: "injected")) { try failing.commit() }
        #expect(try Self.read(a) == "old a" && (try Self.read(b)) == "old b")
        let left = try Self.listing(dir)
        #expect(left == ["a.bvh", "a.json"], "left behind: \(left)")
        // Without the fault both are replaced and nothing hidden stays.
        let set = OutputSet(overwrite: true)
        try AtomicFile.write("new a", to: set.stage(a))
        try AtomicFile.write("new b", to: set.stage(b))
        try set.commit()
        #expect(try Self.read(a) == "new a" && (try Self.read(b)) == "new b")
        #expect(try Self.listing(dir) == ["a.bvh", "a.json"])
    }

    /// Without overwrite, a file that appears after the plan was checked is not replaced, and what the set
    /// already renamed is removed again.
    @Test func aFileThatAppearsMeanwhileIsKept() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.bvh"), b = dir.appendingPathComponent("a.json")
        let set = OutputSet(overwrite: false)
        try AtomicFile.write("new a", to: set.stage(a))
        try AtomicFile.write("new b", to: set.stage(b))
        try "someone else's".write(to: b, atomically: true, encoding: .utf8)
        #expect(throws: OutputError.exists(path: b.path)) { try set.commit() }
        #expect(try Self.listing(dir) == ["a.json"] && (try Self.read(b)) == "someone else's")
    }

    @Test func discardRemovesStagedFilesAndCreatedDirectories() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let deep = dir.appendingPathComponent("x/y/z")
        let set = OutputSet(overwrite: false)
        try set.createDirectory(deep)
        try AtomicFile.write("a", to: set.stage(deep.appendingPathComponent("a.bvh")))
        #expect(try Self.listing(deep).count == 1)
        set.discard()
        #expect(try Self.listing(dir).isEmpty)
    }

    /// Hidden names stay within 255 bytes for the longest legal output names.
    @Test func longNamesStayLegal() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let name = String(repeating: "é", count: 120) + ".json"   // 245 bytes
        let set = OutputSet(overwrite: false)
        let url = dir.appendingPathComponent(name)
        try AtomicFile.write("x", to: set.stage(url))
        try set.commit()
        #expect(try Self.read(url) == "x")
        let dead: pid_t = 2_000_000_000
        let staged = OutputSet.hiddenName(for: url).lastPathComponent.replacingOccurrences(of: "\(getpid())", with: "\(dead)")
        #expect(staged.utf8.count + ".tmp-4294967295-4294967295".utf8.count + 1 <= 255)
        #expect(OutputSet.leftoverProcess(staged, names: [name]) == dead)
    }
}
