import ArgumentParser
import A2MKit
import Foundation

struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Write one self-contained HTML player (no network) for a motion, optionally with audio and other motions side by side.",
        discussion: """
        Controls: space play/pause, ←/→ one frame, drag to orbit, wheel to zoom, double-click to reset the camera.
        Append #t=SECONDS to the file's URL to open at a given time.
        """
    )

    @Argument(help: "Motion to show: a BVH file, an a2m motion JSON file or a recorded a2m stream (.jsonl).")
    var motion: String

    @Option(help: "Audio to embed and play in sync (WAV, FLAC, Ogg or MP3; the original bytes are embedded).")
    var audio: String?

    @Option(help: "Output HTML file (default: the motion's path with .html).")
    var out: String?

    @Option(parsing: .upToNextOption, help: "More motions shown side by side (e.g. another guidance, or ground truth).")
    var compare: [String] = []

    @Option(parsing: .upToNextOption, help: "Panel labels, in order: the motion, then each --compare (default: file names).")
    var label: [String] = []

    func validate() throws {
        if label.count > 1 + compare.count {
            throw ValidationError("--label: \(label.count) labels for \(1 + compare.count) motions")
        }
        if let out, !out.lowercased().hasSuffix(".html") {
            throw ValidationError("--out must end in .html, got '\(out)'")
        }
    }

    func run() throws {
        let paths = [motion] + compare
        let tracks = try paths.enumerated().map { i, p in
            try MotionFileLoader.track(path: p, label: i < label.count ? label[i] : nil)
        }
        let sound = try audio.map { try ViewerAudio.load(from: URL(fileURLWithPath: $0)) }
        let dest = URL(fileURLWithPath: out ?? (URL(fileURLWithPath: motion).deletingPathExtension().path + ".html"))
        try HTMLViewer.write(tracks: tracks, audio: sound, to: dest)
        print(dest.path)
    }
}
