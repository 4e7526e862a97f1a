import ArgumentParser
import A2MKit
import Foundation

struct PreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Write a contact sheet of poses (evenly spaced frames, front and side views) as SVG or PNG."
    )

    @Argument(help: "Motion: a BVH file, an a2m motion JSON file or a recorded a2m stream (.jsonl).")
    var motion: String

    @Option(help: "Output file ending in .svg or .png.")
    var out: String

    @Option(help: "Number of evenly spaced frames, first and last included (1...1000).")
    var frames = ContactSheet.defaultFrames

    @Option(help: "Frames per row (1...100).")
    var columns = 6

    func validate() throws {
        guard (1...1000).contains(frames) else { throw ValidationError("--frames must be in 1...1000, got \(frames)") }
        guard (1...100).contains(columns) else { throw ValidationError("--columns must be in 1...100, got \(columns)") }
        let ext = URL(fileURLWithPath: out).pathExtension.lowercased()
        guard ext == "svg" || ext == "png" else { throw ValidationError("--out must end in .svg or .png, got '\(out)'") }
    }

    func run() throws {
        let track = try MotionFileLoader.track(path: motion, label: nil)
        let dest = URL(fileURLWithPath: out)
        try ContactSheet(track: track, frames: frames, columns: columns).write(to: dest)
        print(dest.path)
    }
}
