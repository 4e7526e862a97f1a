import Testing
import Foundation
@testable import A2MView

/// `a2m view` and `a2m preview`, run as the built binary: every flag reaches the output, bad input fails cleanly.
@Suite struct ViewCommandTests {
    @Test func viewWritesWhatTheLibraryWrites() throws {
        let dir = try ViewerFixtures.tempDir("view-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bvh = try ViewerFixtures.fixture("wave.bvh"), wav = dir.appendingPathComponent("tone.wav")
        try ViewerFixtures.sineWAV(seconds: 0.5).write(to: wav)
        let out = dir.appendingPathComponent("v.html")
        let r = try AudioFixtures.run(try AudioFixtures.a2mBinary().path, ["view", bvh.path, "--compare", bvh.path, "--label", "generated", "ground truth",
                                            "--audio", wav.path, "--out", out.path])
        try #require(r.status == 0, "a2m view failed: \(r.stderr)")
        var a = try ViewerTrack.load(from: bvh).track, b = a
        a.name = "generated"; b.name = "ground truth"
        let want = try HTMLViewer.html(tracks: [a, b], audio: try ViewerAudio.load(from: wav))
        #expect(try String(contentsOf: out, encoding: .utf8) == want)
    }

    @Test func previewWritesWhatTheLibraryWrites() throws {
        let dir = try ViewerFixtures.tempDir("preview-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bvh = try ViewerFixtures.fixture("wave.bvh")
        let track = try ViewerTrack.load(from: bvh).track
        for (name, frames, columns) in [("s.png", 4, 2), ("s.svg", 12, 6)] {
            let out = dir.appendingPathComponent(name)
            let r = try AudioFixtures.run(try AudioFixtures.a2mBinary().path, ["preview", bvh.path, "--out", out.path, "--frames", "\(frames)", "--columns", "\(columns)"])
            try #require(r.status == 0, "a2m preview failed: \(r.stderr)")
            let sheet = try ContactSheet(track: track, frames: frames, columns: columns)
            #expect(try Data(contentsOf: out) == (name.hasSuffix("png") ? try sheet.png() : Data(sheet.svg().utf8)))
        }
    }

    @Test func badInputExitsNonZeroNamingTheProblemAndWritesNothing() throws {
        let dir = try ViewerFixtures.tempDir("view-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("broken.bvh")
        try Data("HIERARCHY\nROOT Hips\n{\n  OFFSET 0 0 zero\n".utf8).write(to: bad)
        let notAudio = dir.appendingPathComponent("notes.wav")
        try Data("not audio at all".utf8).write(to: notAudio)
        let badJSON = dir.appendingPathComponent("broken.json")
        try Data(#"{"format": "a2m-motion", "version": 1, "colour": "red"}"#.utf8).write(to: badJSON)
        let bvh = try ViewerFixtures.fixture("wave.bvh").path
        let cases: [([String], String)] = [
            (["view", bad.path, "--out", dir.appendingPathComponent("a.html").path], "broken.bvh"),
            (["preview", badJSON.path, "--out", dir.appendingPathComponent("j.svg").path], "broken.json"),
            (["view", dir.appendingPathComponent("missing.bvh").path, "--out", dir.appendingPathComponent("b.html").path], "missing.bvh"),
            (["view", bvh, "--audio", notAudio.path, "--out", dir.appendingPathComponent("c.html").path], "notes.wav"),
            (["view", bvh, "--out", dir.appendingPathComponent("d.txt").path], "--out"),
            (["view", bvh, "--label", "a", "b", "--out", dir.appendingPathComponent("e.html").path], "--label"),
            (["preview", bvh, "--out", dir.appendingPathComponent("f.jpg").path], "--out"),
            (["preview", bvh, "--frames", "0", "--out", dir.appendingPathComponent("g.png").path], "--frames"),
        ]
        for (args, mention) in cases {
            let r = try AudioFixtures.run(try AudioFixtures.a2mBinary().path, args)
            #expect(r.status != 0, "\(args) succeeded")
            #expect(r.stderr.contains(mention), "\(args): stderr does not mention \(mention): \(r.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["broken.bvh", "broken.json", "notes.wav"])
    }
}
