import Foundation

/// three.js `AnimationClip` JSON (`MotionJSON`, layout `.threejs`; docs/formats.md, "three.js JSON"), lengths in
/// `units`.
public struct ThreeJSFormat: MotionFormat {
    public var units: LengthUnit

    public init(units: LengthUnit = .cm) { self.units = units }
    public var name: String { "threejs" }
    public var fileExtension: String { "json" }
    public var summary: String { "three.js AnimationClip JSON (THREE.AnimationClip.parse)" }

    public func write(_ clip: MotionClip, layout: MotionLayout, to file: OutputFile) throws {
        try MotionJSON.write(clip.scaled(by: layout.unit.factor(to: units)), format: .threejs, to: file.url, units: units.jsonLabel)
    }

    public func makeStream(to file: OutputFile, layout: MotionLayout, fps: Double, frameCount: Int) throws -> any MotionFileStream {
        try MotionJSON.stream(format: .threejs, self, to: file, layout: layout, units: units, fps: fps, frameCount: frameCount)
    }

    /// One spool file per joint's quaternion track (`MotionJSONStreamWriter`).
    public func openFiles(layout: MotionLayout) -> Int { layout.skeleton.jointCount }
}
