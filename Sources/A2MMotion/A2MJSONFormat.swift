import Foundation

/// a2m's self-describing JSON (`MotionJSON`, layout `.a2m`; docs/formats.md, "a2m JSON"): the one
/// `a2m convert` reads back. Lengths in `units`, which the file names.
public struct A2MJSONFormat: MotionFormat {
    public var units: LengthUnit

    public init(units: LengthUnit = .cm) { self.units = units }
    public var name: String { "json" }
    public var fileExtension: String { "json" }
    public var summary: String { "a2m JSON: skeleton, root positions, quaternions (readable by a2m convert)" }

    public func write(_ clip: MotionClip, layout: MotionLayout, to file: OutputFile) throws {
        try MotionJSON.write(clip.scaled(by: layout.unit.factor(to: units)), format: .a2m, to: file.url, units: units.jsonLabel)
    }

    public func makeStream(to file: OutputFile, layout: MotionLayout, fps: Double, frameCount: Int) throws -> any MotionFileStream {
        try MotionJSON.stream(format: .a2m, self, to: file, layout: layout, units: units, fps: fps, frameCount: frameCount)
    }
}

extension MotionJSON {
    /// The streaming writer for `format` in `units`, or, for frames it cannot stream (translations below the
    /// root), `format`'s whole-clip writer at commit.
    static func stream(format layout: MotionJSONFormat, _ owner: any MotionFormat, to file: OutputFile, layout l: MotionLayout,
                       units: LengthUnit, fps: Double, frameCount: Int) throws -> any MotionFileStream {
        guard l.translatedJoints.isEmpty else {
            return BufferedMotionStream(layout: l, fps: fps, frameCount: frameCount, path: file.url.path) { try owner.write($0, layout: l, to: file) }
        }
        let factor = l.unit.factor(to: units)
        return ScaledMotionStream(try MotionJSONStreamWriter(url: file.url, format: layout, skeleton: l.skeleton.scaled(by: factor), fps: fps,
                                                             frameCount: frameCount, units: units.jsonLabel), factor: factor)
    }
}
