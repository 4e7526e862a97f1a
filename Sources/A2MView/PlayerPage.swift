import A2MMotion
import Foundation

/// `a2m generate --view`: the self-contained HTML player (`HTMLViewer`, docs/viewer.md) of one input, with
/// every sample side by side and the input's audio embedded (`ViewerAudio.playable`).
public struct PlayerPage: SampleSetFormat {
    public init() {}

    public var fileExtension: String { "html" }

    public func check(input: URL) throws {
        _ = try ViewerAudio.playable(from: input)
    }

    public func write(input: URL, samples: [MotionClip], names: [String], metadata: [[String: String]], to url: URL) throws {
        let tracks = try samples.indices.map { try ViewerTrack(clip: samples[$0], name: names[$0], metadata: metadata[$0]) }
        try HTMLViewer.write(tracks: tracks, audio: try ViewerAudio.playable(from: input), to: url)
    }
}
