import Foundation
import A2MCore
import A2MMotion

/// glTF 2.0 (`GLTFExport`; docs/formats.md, "glTF"): `glb` writes one binary file, `gltf` the JSON with its
/// buffer in NAME.bin beside it. Always metres, whatever the clip's unit; a retargeted rig's rest rotations
/// are its bind pose. The file needs the whole clip (accessors carry their counts and bounds), so a stream
/// holds the frames until it is committed (`BufferedMotionStream`).
public struct GLTFFormat: MotionFormat {
    /// GLB (one file) or .gltf + .bin.
    public var binary: Bool

    public init(binary: Bool = true) { self.binary = binary }
    public var name: String { binary ? "glb" : "gltf" }
    public var fileExtension: String { binary ? "glb" : "gltf" }
    public var companionExtensions: [String] { binary ? [] : ["bin"] }
    public var summary: String {
        binary ? "binary glTF 2.0: skeleton, skin, capsule body and animation in metres (Blender, Unity glTFast, Unreal, Godot, three.js)"
            : "glTF 2.0 JSON with its buffer in NAME.bin (the same content as glb)"
    }

    public func write(_ clip: MotionClip, layout: MotionLayout, to file: OutputFile) throws {
        let options = GLTFExport.Options(unit: layout.unit, restRotations: layout.restRotations,
                                         name: file.destination.deletingPathExtension().lastPathComponent)
        let document = try GLTFExport.document(clip, options: options, file: file.destination.path)
        if binary {
            try document.writeGLB(to: file.url)
        } else {
            try document.writeGLTF(to: file.url, buffer: file.companions[0],
                                   bufferURI: OutputFile.companion(of: file.destination, extension: "bin").lastPathComponent)
        }
    }

    public func makeStream(to file: OutputFile, layout: MotionLayout, fps: Double, frameCount: Int) throws -> any MotionFileStream {
        BufferedMotionStream(layout: layout, fps: fps, frameCount: frameCount, path: file.destination.path) {
            try write($0, layout: layout, to: file)
        }
    }

    /// Nothing is open while the frames are gathered.
    public func openFiles(layout: MotionLayout) -> Int { 0 }
}
