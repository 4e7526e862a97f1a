import Testing
import Foundation
@testable import A2MCore
@testable import A2MView

@Suite struct HTMLViewerTests {
    @Test func isSelfContainedAndDeterministic() throws {
        let tracks = [try ViewerFixtures.figure(name: "a"), try ViewerFixtures.figure(name: "b", phase: 1)]
        let audio = ViewerAudio(name: "x.wav", mimeType: "audio/wav", bytes: ViewerFixtures.sineWAV(seconds: 0.5))
        let html = try HTMLViewer.html(tracks: tracks, audio: audio)
        #expect(try html == HTMLViewer.html(tracks: tracks, audio: audio))
        // No network: nothing loads from a URL, the only external-looking string is the SVG-free data: URI.
        for needle in ["http://", "https://", "src=\"//", "<link", "import("] { #expect(!html.contains(needle), "found \(needle)") }
        #expect(html.contains("src=\"data:audio/wav;base64,\(audio.bytes.base64EncodedString())\""))
    }

    @Test func embedsExactFloat32Positions() throws {
        let t = try ViewerFixtures.figure(frames: 5)
        let html = try HTMLViewer.html(tracks: [t])
        let start = try #require(html.range(of: "<script id=\"a2m-data\" type=\"application/json\">"))
        let end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        struct P: Decodable { struct T: Decodable { var positions: String; var names: [String]; var fps: Double }; var tracks: [T] }
        let p = try JSONDecoder().decode(P.self, from: Data(html[start.upperBound..<end.lowerBound].utf8))
        let bytes = try #require(Data(base64Encoded: p.tracks[0].positions))
        let b = [UInt8](bytes)
        var floats = [Float]()
        for o in stride(from: 0, to: b.count, by: 4) {
            var bits = UInt32(b[o]) | UInt32(b[o + 1]) << 8
            bits |= UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
            floats.append(Float(bitPattern: bits))
        }
        #expect(floats == t.positions)
        #expect(p.tracks[0].names == t.pointNames && p.tracks[0].fps == 30)
    }

    @Test func namesCannotCloseTheScriptElement() throws {
        var t = try ViewerFixtures.figure(frames: 3)
        t.name = "</script><script>alert(1)</script>"
        t.metadata["note"] = "<b>&"
        let html = try HTMLViewer.html(tracks: [t])
        #expect(html.components(separatedBy: "</script>").count - 1 == 3)   // error trap, data, main
        #expect(html.contains("<title>a2m — &lt;/script&gt;"))
    }

    @Test func rejectsBadTracks() throws {
        #expect(throws: ViewerError.noTracks) { try HTMLViewer.html(tracks: []) }
        #expect(throws: ViewerError.self) { try ViewerTrack(name: "x", fps: 30, pointNames: ["a", "b"], parents: [-1, 1], positions: [Float](repeating: 0, count: 6)) }
        #expect(throws: ViewerError.self) { try ViewerTrack(name: "x", fps: 0, pointNames: ["a"], parents: [-1], positions: [0, 0, 0]) }
        #expect(throws: ViewerError.self) { try ViewerTrack(name: "x", fps: 30, pointNames: ["a"], parents: [-1], positions: [0, 0]) }
        #expect(throws: ViewerError.self) { try ViewerTrack(name: "x", fps: 30, pointNames: ["a"], parents: [-1], positions: [0, .nan, 0]) }
        let e = try #require(throws: ViewerError.self) { try ViewerTrack(name: "clip", fps: 30, pointNames: ["a", "b"], parents: [-1, 5], positions: [Float](repeating: 0, count: 6)) }
        #expect(e.description == "motion 'clip': joint 1 'b' has parent 5; expected -1 or an earlier joint")
    }

    @Test func frameAtTimeIsTheLastStartedFrame() throws {
        let t = try ViewerFixtures.figure(fps: 30, frames: 10)
        #expect(t.frame(at: 0) == 0)
        #expect(t.frame(at: 1.0 / 30) == 1)            // exactly on a frame boundary
        #expect(t.frame(at: 0.999 / 30) == 0)
        #expect(t.frame(at: 100) == 9 && t.frame(at: -1) == 0)
    }

    @Test func audioTypeComesFromTheBytes() throws {
        let dir = try ViewerFixtures.tempDir("audio")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, [UInt8], String?)] = [
            ("a.wav", Array(ViewerFixtures.sineWAV(seconds: 0.01)), "audio/wav"),
            ("a.flac", Array("fLaC".utf8) + [0, 0, 0, 34], "audio/flac"),
            ("a.ogg", Array("OggS".utf8) + [0, 2], "audio/ogg"),
            ("a.mp3", Array("ID3".utf8) + [4, 0, 0], "audio/mpeg"),
            ("b.mp3", [0xFF, 0xFB, 0x90, 0x64], "audio/mpeg"),
            ("fake.wav", Array("hello world, not audio".utf8), nil),
        ]
        for (name, bytes, mime) in cases {
            let url = dir.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            if let mime {
                let a = try ViewerAudio.load(from: url)
                #expect(a.mimeType == mime && a.bytes == Data(bytes) && a.name == name)
            } else {
                let e = try #require(throws: ViewerError.self) { try ViewerAudio.load(from: url) }
                #expect(e.description.hasPrefix(url.path))
            }
        }
        #expect(throws: ViewerError.self) { try ViewerAudio.load(from: dir.appendingPathComponent("missing.wav")) }
    }

    @Test func writeIsAtomicAndFailsCleanly() throws {
        let dir = try ViewerFixtures.tempDir("html")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("v.html")
        try HTMLViewer.write(tracks: [try ViewerFixtures.figure(frames: 4)], to: url)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["v.html"])
        #expect(throws: OutputError.self) { try HTMLViewer.write(tracks: [try ViewerFixtures.figure(frames: 4)], to: dir.appendingPathComponent("no/such/v.html")) }
    }
}
