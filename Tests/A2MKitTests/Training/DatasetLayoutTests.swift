import Testing
import Foundation
@testable import A2MCore
@testable import A2MMotion
@testable import A2MAudio
@testable import A2MNN
@testable import A2MGeneration
@testable import A2MTraining

/// Every layout preset pairs the committed miniature tree of its dataset (Fixtures/datasets/, the folder trees the
/// official archives unpack to, with empty files), explicitly and by detection, with the dataset's own split.
@Suite struct DatasetLayoutTests {
    static func tree(_ name: String) throws -> URL {
        let root = try #require(Bundle.module.url(forResource: "datasets", withExtension: nil, subdirectory: "Fixtures"))
        return root.appendingPathComponent(name)
    }

    struct Case: Sendable, CustomStringConvertible {
        var tree: String
        var layout: DatasetLayout
        /// stem → subset ("-" for none: the split is decided by duration).
        var expected: [String: String]
        var description: String { tree }
    }

    static let cases: [Case] = [
        Case(tree: "zeggs", layout: .zeggs, expected: [
            "001_Neutral_0_x_1_0": "train", "001_Neutral_0_mirror_x_1_0": "train", "005_Neutral_4_x_1_0": "validation",
            "067_Speech_2_x_1_0": "-",   // not in info.csv
        ]),
        Case(tree: "beat", layout: .beat, expected: ["1_wayne_0_1_1": "-", "1_wayne_0_2_2": "-", "2_scott_0_1_1": "-"]),
        Case(tree: "beat2", layout: .beat, expected: [
            "1_wayne_0_1_1": "train", "1_wayne_0_2_2": "validation", "2_scott_0_1_1": "test", "2_scott_0_3_3": "train",
        ]),
        Case(tree: "genea2022", layout: .genea, expected: ["trn_2022_v1_000": "train", "trn_2022_v1_001": "train", "val_2022_v1_000": "validation"]),
        Case(tree: "genea2023", layout: .genea, expected: [
            "trn_2023_v0_000_main-agent": "train", "trn_2023_v0_001_main-agent": "train", "val_2023_v0_000_main-agent": "validation",
        ]),
        Case(tree: "trinity", layout: .trinity, expected: ["Recording_001": "-", "Recording_002": "-"]),
    ]

    static func summary(_ index: DatasetIndex) -> [String: String] {
        Dictionary(uniqueKeysWithValues: index.pairs.map { ($0.stem, $0.subset?.rawValue ?? "-") })
    }

    @Test(arguments: cases) func presetPairsItsTree(_ c: Case) throws {
        let dir = try Self.tree(c.tree)
        let explicit = try c.layout.scan(dir)
        #expect(Self.summary(explicit) == c.expected, "\(explicit.pairs.map { ($0.stem, $0.subset) }) notes \(explicit.notes)")
        // Every pair's audio and BVH share the stem and exist.
        for p in explicit.pairs {
            #expect(p.audio.deletingPathExtension().lastPathComponent == p.stem && p.bvh.deletingPathExtension().lastPathComponent == p.stem)
            #expect(FileManager.default.fileExists(atPath: p.audio.path) && FileManager.default.fileExists(atPath: p.bvh.path))
        }
        // Detection finds the same layout and says so.
        let detected = try DatasetLayout.auto.scan(dir)
        #expect(detected.layout == c.layout)
        #expect(detected.notes.first?.hasPrefix("layout: \(c.layout.rawValue) (") == true, "\(detected.notes)")
        #expect(Self.summary(detected) == c.expected)
    }

    @Test func geneaLeavesOutTheTestInputsAndTheInterlocutor() throws {
        let index = try DatasetLayout.genea.scan(try Self.tree("genea2023"))
        #expect(!index.pairs.contains { $0.stem.contains("interloctr") || $0.stem.hasPrefix("tst") })
        #expect(index.notes.contains { $0.contains("tst/") })
    }

    @Test func recursivePairsByStemAnywhereAndFlatOnlyAtTheTop() throws {
        let d = try ScratchDirectory("layout")
        try FileManager.default.createDirectory(at: d.path("wav"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: d.path("bvh/deep"), withIntermediateDirectories: true)
        try d.touch("wav/a.wav"); try d.touch("bvh/deep/a.bvh"); try d.touch("b.flac"); try d.touch("b.bvh")
        let r = try DatasetLayout.recursive.scan(d.url)
        #expect(r.pairs.map(\.stem) == ["a", "b"])
        #expect(r.pairs[0].audio.path.hasSuffix("wav/a.wav") && r.pairs[0].bvh.path.hasSuffix("bvh/deep/a.bvh"))
        // flat sees the top level only.
        #expect(try DatasetLayout.flat.scan(d.url).pairs.map(\.stem) == ["b"])
        // A folder to exclude (the run's output inside the data) is never entered.
        try FileManager.default.createDirectory(at: d.path("out"), withIntermediateDirectories: true)
        try d.touch("out/c.bvh")
        #expect(try DatasetLayout.recursive.scan(d.url, excluding: [d.path("out")]).pairs.map(\.stem) == ["a", "b"])
    }

    // MARK: - Bad input

    @Test func emptyOrUnpairedLayoutIsOneClearError() throws {
        let d = try ScratchDirectory("layout")
        try FileManager.default.createDirectory(at: d.path("clean"), withIntermediateDirectories: true)
        try d.touch("clean/readme.txt")
        // An empty layout: no pairs, the folder named.
        #expect { try DatasetLayout.zeggs.scan(d.url) } throws: { e in "\(e)".contains(d.path("clean").path) && "\(e)".contains("no training pairs") }
        // Unpaired files: every one named, with what was expected.
        try d.touch("clean/a.wav"); try d.touch("clean/a.bvh"); try d.touch("clean/b.wav"); try d.touch("clean/c.wav"); try d.touch("clean/d.bvh")
        #expect { try DatasetLayout.zeggs.scan(d.url) } throws: { e in
            let m = "\(e)"
            return m.contains("2 audio file(s) have no motion") && m.contains("b.wav (no b.bvh)") && m.contains("c.wav (no c.bvh)")
                && m.contains("1 BVH file(s) have no audio") && m.contains("d.bvh")
        }
        // A preset whose folders are missing says what it expected.
        #expect { try DatasetLayout.genea.scan(d.url) } throws: { e in "\(e)".contains("trn/ and val/") && "\(e)".contains("not the genea layout") }
        #expect { try DatasetLayout.trinity.scan(d.url) } throws: { e in "\(e)".contains("Training_data/Audio") }
        // BEAT2 without BVH: why, and what to do.
        let b = try ScratchDirectory("layout")
        try FileManager.default.createDirectory(at: b.path("wave16k"), withIntermediateDirectories: true)
        try b.touch("wave16k/1_wayne_0_1_1.wav")
        #expect { try DatasetLayout.beat.scan(b.url) } throws: { e in "\(e)".contains("SMPL-X") && "\(e)".contains("BVH") }
    }

    @Test func splitFileNamingMissingStemsIsOneClearError() throws {
        let d = try ScratchDirectory("split")
        for n in ["a", "b", "c"] { try d.touch(n + ".wav"); try d.touch(n + ".bvh") }
        try d.touch("split.txt", "# my split\na train\nb val\nghost1 train\nc test\nghost2 test\n")
        var notes: [String] = []
        let pairs = try DatasetLayout.recursive.scan(d.url, excluding: []).pairs
        #expect { try SplitFile.read(d.path("split.txt")).apply(to: pairs, file: "split.txt", notes: &notes) } throws: { e in
            let m = "\(e)"
            return m.contains("split.txt") && m.contains("2 stem(s)") && m.contains("ghost1") && m.contains("ghost2") && !m.contains("c,")
        }
        // Without the ghosts it applies; a header row (BEAT2's "id,type") is skipped; an unknown subset is refused with its line.
        try d.touch("split.csv", "id,type\na,train\nb,val\n")
        let applied = try SplitFile.read(d.path("split.csv")).apply(to: pairs, file: "split.csv", notes: &notes)
        #expect(applied.map(\.stem) == ["a", "b"] && applied.map(\.subset) == [.train, .validation])
        #expect(notes.last?.contains("1 pairs it does not name are left out") == true, "\(notes)")
        try d.touch("bad.txt", "a train\nb valdation\n")
        #expect { try SplitFile.read(d.path("bad.txt")) } throws: { e in "\(e)".contains("bad.txt:2") && "\(e)".contains("valdation") }
        try d.touch("twice.txt", "a train\na val\n")
        #expect { try SplitFile.read(d.path("twice.txt")) } throws: { e in "\(e)".contains("twice.txt:2") && "\(e)".contains("listed twice") }
    }

    @Test func zeggsTakeStripsOnlyTheTimeStretchSuffix() {
        #expect(ZeggsInfo.take(of: "001_Neutral_0_x_1_0") == "001_Neutral_0")
        #expect(ZeggsInfo.take(of: "001_Neutral_0_mirror_x_0_9") == "001_Neutral_0_mirror")
        #expect(ZeggsInfo.take(of: "067_Speech_2") == "067_Speech_2")
        #expect(ZeggsInfo.take(of: "my_x_take") == "my_x_take")
    }
}
