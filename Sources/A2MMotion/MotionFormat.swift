import Foundation

/// A motion file format a2m writes: one type per format, writing a whole clip and a stream of chunks.
///
/// Contract (docs/architecture.md, "Adding an output format"):
/// - `write(_:layout:to:)` writes the whole clip to `file.url` (and its companions) atomically (a temporary
///   file beside it, renamed over it when complete: `AtomicFile`, `AtomicFileWriter`); on error nothing is left.
/// - `makeStream` returns a `MotionFileStream` for a clip whose layout and frame count are known in advance;
///   generation appends chunks in frame order and commits it (the file appears) or discards it (nothing is
///   left). Both paths give the same bytes for the same clip. A format that needs the whole clip (glTF's
///   accessors) returns a `BufferedMotionStream`.
/// - `check(_:)` refuses, before any generation, a layout the format cannot write (VRMA: no humanoid).
/// - Neither checks whether the destination may be written: `OutputPlan` does that, and an `OutputSet` hands the
///   writer hidden staging URLs in the destination directory, so a whole set of files appears together or not
///   at all.
/// - Errors name the file (`OutputError`, or the format's own error type).
///
/// Adding a format: one file with a type conforming to `MotionFormat`, and one line in `MotionFormats.all`.
/// A library user may instead pass any conforming value in `GenerationConfiguration.formats`.
public protocol MotionFormat: Sendable {
    /// The name `a2m generate --format` takes: lowercase, no commas.
    var name: String { get }
    /// The file extension it writes, without the dot.
    var fileExtension: String { get }
    /// Extensions of further files written beside NAME.fileExtension (a .gltf's NAME.bin buffer). They are
    /// named, checked and committed with it. Default: none.
    var companionExtensions: [String] { get }
    /// One line for `--help` and docs.
    var summary: String { get }

    /// Throws when frames of `layout` cannot be written in this format. Default: any layout.
    func check(_ layout: MotionLayout) throws

    /// Writes `clip` (on `layout.skeleton`, lengths in `layout.unit`) to `file`, atomically.
    func write(_ clip: MotionClip, layout: MotionLayout, to file: OutputFile) throws

    /// A writer for a clip of `frameCount` frames of `layout` at `fps`, filled chunk by chunk.
    func makeStream(to file: OutputFile, layout: MotionLayout, fps: Double, frameCount: Int) throws -> any MotionFileStream

    /// File descriptors a stream of this format holds open while it is being filled (the open-file budget of
    /// `OutputPlan`). Default 1.
    func openFiles(layout: MotionLayout) -> Int
}

extension MotionFormat {
    public var companionExtensions: [String] { [] }
    public func check(_ layout: MotionLayout) throws {}
    public func openFiles(layout: MotionLayout) -> Int { 1 }

    /// Writes `clip` straight to `url` (companions beside it): `a2m convert`, and library users writing one file.
    public func write(_ clip: MotionClip, layout: MotionLayout, to url: URL) throws {
        try check(layout)
        try write(clip, layout: layout, to: OutputFile(url, companionExtensions: companionExtensions))
    }
}

/// What a format needs to know about frames besides the frames: their skeleton, the unit of their lengths, the
/// joints' rest rotations and which joints below the root move by translation. A generation run's layout is
/// the model's (a2m's skeletons: centimetres, zero-rotation rest) as each post-processing step changes it
/// (`MotionPostProcess.outputLayout`: a retarget puts out the rig's).
public struct MotionLayout: Sendable, Equatable {
    public var skeleton: Skeleton
    /// Unit of the skeleton's offsets and of the frames' root positions and translations.
    public var unit: LengthUnit
    /// Local rest rotation of every joint (x, y, z, w); nil: zero rotation (BVH's rest pose). A glTF rig rests
    /// at its nodes' rotations, and glTF output keeps them as its bind pose.
    public var restRotations: [SIMD4<Float>]?
    /// Joints below the root with per-frame translations (`MotionClip.translations`), sorted.
    public var translatedJoints: [Int]

    public init(skeleton: Skeleton, unit: LengthUnit = .cm, restRotations: [SIMD4<Float>]? = nil, translatedJoints: [Int] = []) {
        self.skeleton = skeleton
        self.unit = unit
        self.restRotations = restRotations
        self.translatedJoints = translatedJoints
    }

    /// The layout of `clip`, with lengths in `unit`.
    public init(of clip: MotionClip, unit: LengthUnit = .cm, restRotations: [SIMD4<Float>]? = nil) {
        self.init(skeleton: clip.skeleton, unit: unit, restRotations: restRotations, translatedJoints: clip.translations.keys.sorted())
    }
}
