import Foundation

/// A motion file format a2m writes: one type per format, writing a whole clip and a stream of chunks.
///
/// Contract (docs/architecture.md, "Adding an output format"):
/// - `write(_:to:)` writes the whole clip to `url` atomically (a temporary file beside it, renamed over it when
///   complete: `AtomicFile`, `AtomicFileWriter`); on error nothing is left at `url` or beside it.
/// - `makeStream` returns a `MotionFileStream` for a clip whose layout (skeleton, fps, frame count) is known
///   in advance; generation appends chunks in frame order and commits it (the file appears at `url`) or
///   discards it (nothing is left). Both paths give the same bytes for the same clip.
/// - Neither checks whether `url` may be written: `OutputPlan` does that, and an `OutputSet` hands the writer
///   a hidden staging URL in the destination directory, so a whole set of files appears together or not at all.
/// - Errors name the file (`OutputError`, or the format's own error type).
///
/// Adding a format: one file with a type conforming to `MotionFormat`, and one line in `MotionFormats.all`.
/// A library user may instead pass any conforming value in `GenerationConfiguration.formats`.
public protocol MotionFormat: Sendable {
    /// The name `a2m generate --format` takes: lowercase, no commas.
    var name: String { get }
    /// The file extension it writes, without the dot.
    var fileExtension: String { get }
    /// One line for `--help` and docs.
    var summary: String { get }

    /// Writes `clip` to `url`, atomically.
    func write(_ clip: MotionClip, to url: URL) throws

    /// A writer for a clip of `frameCount` frames of `skeleton` at `fps`, filled chunk by chunk.
    func makeStream(to url: URL, skeleton: Skeleton, fps: Double, frameCount: Int) throws -> any MotionFileStream

    /// File descriptors a stream of this format holds open while it is being filled (the open-file budget of
    /// `OutputPlan`). Default 1.
    func openFiles(skeleton: Skeleton) -> Int
}

extension MotionFormat {
    public func openFiles(skeleton: Skeleton) -> Int { 1 }
}

/// The formats a2m ships: `a2m generate --format` and `a2m convert --to` take their names and extensions from
/// here (one line per format).
public enum MotionFormats {
    public static let all: [any MotionFormat] = [
        BVHFormat(),
        A2MJSONFormat(),
        ThreeJSFormat(),
    ]

    /// What `a2m generate` writes by default: BVH and a2m JSON.
    public static let defaults: [any MotionFormat] = [BVHFormat(), A2MJSONFormat()]

    /// The registered format called `name` (case-insensitive).
    public static func named(_ name: String) -> (any MotionFormat)? {
        all.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// The first registered format that writes files ending in `.ext` (case-insensitive): the one a file name
    /// alone picks (`a2m convert --to OUT.ext`).
    public static func forExtension(_ ext: String) -> (any MotionFormat)? {
        all.first { $0.fileExtension.caseInsensitiveCompare(ext) == .orderedSame }
    }

    /// "bvh, json, threejs": the names, for help texts and errors.
    public static var names: String { all.map(\.name).joined(separator: ", ") }

    /// ".bvh, .json": the distinct extensions, for help texts and errors.
    public static var extensions: String {
        var seen = Set<String>()
        return all.map(\.fileExtension).filter { seen.insert($0).inserted }.map { "." + $0 }.joined(separator: ", ")
    }
}
