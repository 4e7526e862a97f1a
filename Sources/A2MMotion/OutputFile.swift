import A2MCore
import Foundation

/// Where a format writes one output: `url` for the main file (a hidden staging file, or the destination
/// itself), the name the output will have (`destination`: files that refer to each other, such as a .gltf and
/// its buffer, refer by final name), and `companions[e]` for `MotionFormat.companionExtensions[e]`.
public struct OutputFile: Sendable, Equatable {
    public var url: URL
    public var destination: URL
    public var companions: [URL]

    public init(url: URL, destination: URL, companions: [URL]) {
        self.url = url
        self.destination = destination
        self.companions = companions
    }

    /// Straight to `url`, companions beside it with its name (`NAME.gltf`, `NAME.bin`).
    public init(_ url: URL, companionExtensions: [String] = []) {
        self.init(url: url, destination: url, companions: companionExtensions.map { Self.companion(of: url, extension: $0) })
    }

    /// `destination`'s companion of extension `ext`: the same name with that extension.
    public static func companion(of destination: URL, extension ext: String) -> URL {
        destination.deletingPathExtension().appendingPathExtension(ext)
    }
}

extension OutputSet {
    /// Stages `destination` and its companion files (`MotionFormat.companionExtensions`): a format writes all of
    /// them, and `commit` renames them into place together.
    public func stage(_ destination: URL, companionExtensions: [String]) -> OutputFile {
        OutputFile(url: stage(destination), destination: destination,
                   companions: companionExtensions.map { stage(OutputFile.companion(of: destination, extension: $0)) })
    }
}
