import Testing
import Foundation
@testable import A2MView

/// Opens the generated player in headless Chromium with `#selftest`, which plays, seeks and reports what it drew.
/// The Swift side recomputes every drawn joint with `OrbitCamera` from the track's own positions.
@Suite(.serialized) struct ViewerChromiumTests {
    /// Float32 positions through two independent double-precision projections: far below a pixel.
    static let pixelTolerance = 0.5
    /// Joint centres are painted last, in this light grey; a pixel there must be at least this bright.
    static let jointBrightness = 200
    static let camera = (yaw: 0.7, pitch: 0.25, zoom: 1.3)
    static let seekTime = 1.2345
    /// The selftest plays until its clock reaches this many seconds.
    static let playUntil = 0.5
    static let window = (width: 1000, height: 600)

    struct Report: Decodable {
        struct Play: Decodable { var time: Double; var clockSource: String; var frames: [Int]; var playing: Bool }
        struct Seek: Decodable {
            var time: Double; var clockSource: String; var frames: [Int]; var audioTime: Double?
            var projected: [[[Double]?]]; var viewports: [[Double]]; var pixels: [[[Int]?]]
        }
        var errors: [String]; var hasAudio: Bool; var done: Bool; var audioFailed: Bool?; var play: Play?; var seek: Seek?
    }

    static func selftest(_ html: URL) throws -> Report {
        let frag = "#selftest&yaw=\(camera.yaw)&pitch=\(camera.pitch)&zoom=\(camera.zoom)&t=\(seekTime)&play=\(playUntil)"
        let (text, _) = try Chromium.poll(url: html.absoluteString + frag, expression: "document.getElementById('a2m-selftest').textContent",
                                          width: window.width, height: window.height)
        return try JSONDecoder().decode(Report.self, from: Data(text.utf8))
    }

    /// Checks one report against the tracks; returns the largest projection error in pixels.
    static func check(_ r: Report, tracks: [ViewerTrack], audio: Bool, expectedErrors: [String] = []) throws -> Double {
        #expect(r.errors == expectedErrors, "JavaScript errors: \(r.errors)")
        #expect(r.done)
        let play = try #require(r.play), seek = try #require(r.seek)
        // Playing: time moved, and every panel showed the frame its track has at that time.
        #expect(play.playing)
        #expect(play.time >= playUntil, "clock did not reach \(playUntil) s while playing: \(play.time) s")
        #expect(play.clockSource == (audio ? "audio" : "wall"))
        #expect(play.frames == tracks.map { $0.frame(at: play.time) }, "frames \(play.frames) at t = \(play.time)")
        // Seeking: the audio element's time is the clock, and the frame follows it.
        #expect(seek.clockSource == (audio ? "audio" : "wall"))
        if audio {
            let at = try #require(seek.audioTime)
            #expect(abs(at - seekTime) < 0.01, "audio.currentTime \(at) after seeking to \(seekTime)")
            #expect(seek.time == at)
        }
        #expect(seek.frames == tracks.map { $0.frame(at: seek.time) }, "frames \(seek.frames) at t = \(seek.time)")
        var maxErr = 0.0
        for (i, track) in tracks.enumerated() {
            let f = track.frame(at: seek.time), vp = seek.viewports[i]
            #expect(vp[2] > 100 && vp[3] > 100, "panel \(i) is \(vp[2])×\(vp[3]) px")
            let cam = OrbitCamera.following(track, frame: f, yaw: camera.yaw, pitch: camera.pitch, zoom: camera.zoom)
            for j in 0..<track.pointCount {
                let p = track.point(frame: f, j)
                let want = cam.project(SIMD3(Double(p.x), Double(p.y), Double(p.z)), viewport: (vp[0], vp[1], vp[2], vp[3]))
                let got = seek.projected[i][j]
                guard let want, let got else { Issue.record("joint \(j) of track \(i): expected \(String(describing: want)), drew \(String(describing: got))"); continue }
                // On screen, inside its panel.
                #expect(want.x > vp[0] && want.x < vp[0] + vp[2] && want.y > vp[1] && want.y < vp[1] + vp[3])
                maxErr = max(maxErr, abs(got[0] - want.x), abs(got[1] - want.y))
                if !track.isEndSite[j] {
                    let px = try #require(seek.pixels[i][j])
                    #expect(px.allSatisfy { $0 >= jointBrightness }, "track \(i) joint \(j) '\(track.pointNames[j])': pixel \(px) is not a drawn joint")
                }
            }
        }
        #expect(maxErr < pixelTolerance, "max projection difference \(maxErr) px")
        return maxErr
    }

    @Test(.enabled(if: Chromium.available, "chromium is not installed (apt-get install chromium); .ci/run installs it"))
    func playsInSyncWithAudioAndDrawsForwardKinematics() throws {
        let dir = try ViewerFixtures.tempDir("viewer-chromium")
        defer { try? FileManager.default.removeItem(at: dir) }
        // A real BVH through BVHReader and Motion's forward kinematics (22 joints + 5 end sites), next to the
        // synthetic figure at another fps, so frame selection is checked for two rates at once.
        let wave = try ViewerTrack.load(from: try ViewerFixtures.fixture("wave.bvh"), name: "wave").track
        let tracks = [wave, try ViewerFixtures.figure(name: "guidance 2.5", fps: 25, frames: 70, phase: 1)]
        let audio = ViewerAudio(name: "tone.wav", mimeType: "audio/wav", bytes: ViewerFixtures.sineWAV(seconds: 3.5))
        let html = dir.appendingPathComponent("view.html")
        try HTMLViewer.write(tracks: tracks, audio: audio, to: html)
        let r = try Self.selftest(html)
        #expect(r.hasAudio)
        let err = try Self.check(r, tracks: tracks, audio: true)
        print("viewer selftest with audio: max projection difference \(err) px, played to \(r.play?.time ?? -1) s")
    }

    @Test(.enabled(if: Chromium.available, "chromium is not installed (apt-get install chromium); .ci/run installs it"))
    func playsOnWallClockWithoutAudio() throws {
        let dir = try ViewerFixtures.tempDir("viewer-chromium")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tracks = [try ViewerFixtures.figure()]
        let html = dir.appendingPathComponent("view.html")
        try HTMLViewer.write(tracks: tracks, to: html)
        let r = try Self.selftest(html)
        #expect(!r.hasAudio)
        _ = try Self.check(r, tracks: tracks, audio: false)
    }

    @Test(.enabled(if: Chromium.available, "chromium is not installed (apt-get install chromium); .ci/run installs it"))
    func undecodableAudioFallsBackToTheWallClockAndSaysSo() throws {
        let dir = try ViewerFixtures.tempDir("viewer-chromium")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tracks = [try ViewerFixtures.figure()]
        // Passes the magic-byte check (RIFF....WAVE) but has no fmt/data chunks a decoder can use.
        var bytes = Data("RIFF".utf8) + Data([200, 0, 0, 0]) + Data("WAVE".utf8)
        bytes += Data((0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37) })
        let html = dir.appendingPathComponent("view.html")
        try HTMLViewer.write(tracks: tracks, audio: ViewerAudio(name: "broken.wav", mimeType: "audio/wav", bytes: bytes), to: html)
        let r = try Self.selftest(html)
        #expect(r.audioFailed == true)
        _ = try Self.check(r, tracks: tracks, audio: false, expectedErrors: ["audio could not be loaded (code 4)"])
    }
}
