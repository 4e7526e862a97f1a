import A2MCore
import Foundation

/// Writes the self-contained HTML player: one file with the motions (Float32 positions, base64), the audio
/// (original bytes as a data: URI), and a hand-written Canvas 2D script. Nothing is fetched from the network.
public enum HTMLViewer {
    /// Writes the player for `tracks` (shown side by side, first one drives the frame counter) and optional
    /// `audio` (the playback clock when present) to `url`, atomically. Same inputs → byte-identical file.
    public static func write(tracks: [ViewerTrack], audio: ViewerAudio? = nil, to url: URL) throws {
        try AtomicFile.write(try html(tracks: tracks, audio: audio), to: url)
    }

    static func html(tracks: [ViewerTrack], audio: ViewerAudio? = nil) throws -> String {
        guard !tracks.isEmpty else { throw ViewerError.noTracks }
        for t in tracks { try t.validate() }
        let payload = Payload(version: 1, tracks: tracks.map(Payload.Track.init), audio: audio.map { Payload.Audio(name: $0.name, mime: $0.mimeType) })
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // "<" only appears inside JSON strings, where \u003c is equivalent; it keeps "</script>" out of the element.
        let json = String(decoding: try enc.encode(payload), as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
        let title = escape("a2m — " + tracks.map(\.name).joined(separator: " vs "))
        var audioTag = ""
        if let a = audio {
            audioTag = "<audio id=\"audio\" preload=\"auto\" src=\"data:\(escape(a.mimeType));base64,\(a.bytes.base64EncodedString())\"></audio>\n"
        }
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width,initial-scale=1">
        <meta name="generator" content="a2m \(A2MKitVersion.string)">
        <title>\(title)</title>
        <style>\(ViewerScript.css)</style>
        <script>\(ViewerScript.errorTrap)</script>
        </head><body>
        <div id="bar"><button id="play" title="play/pause (space)">&#9654;</button>
        <input id="scrub" type="range" min="0" max="1" step="0.001" value="0" title="time (←/→ step one frame)">
        <label>speed <select id="speed"><option value="0.25">0.25×</option><option value="0.5">0.5×</option><option value="1" selected>1×</option><option value="1.5">1.5×</option><option value="2">2×</option></select></label>
        <label><input id="loop" type="checkbox" checked> loop</label><span id="time"></span></div>
        <canvas id="view" title="drag: orbit · wheel: zoom · double-click: reset"></canvas>
        <div id="info"></div>
        <pre id="a2m-selftest"></pre>
        \(audioTag)<script id="a2m-data" type="application/json">\(json)</script>
        <script>\(ViewerScript.main)</script>
        </body></html>

        """
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// What the script reads from `#a2m-data`.
    struct Payload: Encodable {
        struct Track: Encodable {
            var name: String
            var fps: Double
            var names: [String]
            var parents: [Int]
            var endSite: [Bool]
            /// Little-endian Float32, frames × points × 3, base64: exact values, a third of the size of JSON text.
            var positions: String
            var meta: [String: String]

            init(_ t: ViewerTrack) {
                name = t.name; fps = t.fps; names = t.pointNames; parents = t.parents; endSite = t.isEndSite; meta = t.metadata
                var le = t.positions.map { $0.bitPattern.littleEndian }
                positions = Data(bytes: &le, count: le.count * 4).base64EncodedString()
            }
        }
        struct Audio: Encodable { var name: String; var mime: String }
        var version: Int
        var tracks: [Track]
        var audio: Audio?
    }
}
