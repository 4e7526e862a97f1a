import Foundation
import Testing
import A2MKit

// Only the public API: a library user adds an output format and a post-processing step, and runs generate
// with them (issue 37, "Must show").

/// A toy format: one line per frame with the root position, "x y z", in metres whatever the frames' unit, and a
/// companion file NAME.names with the joint names (a two-file format, as .gltf + .bin).
struct RootTrackFormat: MotionFormat {
    var name: String { "roottrack" }
    var fileExtension: String { "roots" }
    var companionExtensions: [String] { ["names"] }
    var summary: String { "root positions in metres, one frame per line; joint names beside" }

    static func line(_ p: SIMD3<Float>) -> String { "\(p.x) \(p.y) \(p.z)\n" }

    func write(_ clip: MotionClip, layout: MotionLayout, to file: OutputFile) throws {
        let m = Float(layout.unit.metres)
        try AtomicFile.write(layout.skeleton.names.joined(separator: "\n"), to: file.companions[0])
        try AtomicFile.write(clip.rootPositions.map { Self.line($0 * m) }.joined(), to: file.url)
    }

    func makeStream(to file: OutputFile, layout: MotionLayout, fps: Double, frameCount: Int) throws -> any MotionFileStream {
        try AtomicFile.write(layout.skeleton.names.joined(separator: "\n"), to: file.companions[0])
        return try Stream(url: file.url, frameCount: frameCount, metres: Float(layout.unit.metres))
    }

    final class Stream: MotionFileStream {
        let file: AtomicFileWriter
        let frameCount: Int
        let metres: Float
        var written = 0
        init(url: URL, frameCount: Int, metres: Float) throws {
            file = try AtomicFileWriter(url)
            self.frameCount = frameCount
            self.metres = metres
        }
        func append(_ chunk: MotionClip) throws {
            try file.write(Array(chunk.rootPositions.map { RootTrackFormat.line($0 * metres) }.joined().utf8))
            written += chunk.frameCount
        }
        func commit() throws {
            guard written == frameCount else { throw OutputError.cannotWrite(path: file.url.path, reason: "short") }
            try file.commit()
        }
        func discard() { file.discard() }
    }
}

/// A toy post-process: lifts the root by `height` (in the incoming unit), renames the root joint and turns the
/// lengths into metres (so the layout changes, as a retarget's would).
struct LiftRoot: MotionPostProcess {
    var height: Float
    var name: String { "lift root" }

    func outputLayout(for layout: MotionLayout) throws -> MotionLayout {
        var joints = layout.skeleton.joints
        joints[0].name = "LiftedHips"
        return MotionLayout(skeleton: try Skeleton(joints: joints).scaled(by: layout.unit.metres), unit: .m)
    }

    func makeProcessor(layout: MotionLayout, fps: Double) throws -> any MotionChunkProcessor {
        Processor(height: height, scale: Float(layout.unit.metres), output: try outputLayout(for: layout).skeleton)
    }

    final class Processor: MotionChunkProcessor {
        let height: Float, scale: Float
        let output: Skeleton
        init(height: Float, scale: Float, output: Skeleton) {
            self.height = height
            self.scale = scale
            self.output = output
        }
        func process(_ chunk: inout MotionClip) throws {
            chunk = MotionClip(skeleton: output, fps: chunk.fps, rootPositions: chunk.rootPositions.map { ($0 + SIMD3(0, height, 0)) * scale },
                               rotations: chunk.rotations)
        }
    }
}

@Suite struct PublicExtensionTests {
    /// The root track of every frame, read back.
    static func roots(_ url: URL) throws -> [SIMD3<Float>] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { line in
            let v = line.split(separator: " ").map { Float(String($0))! }
            return SIMD3(v[0], v[1], v[2])
        }
    }

    @Test func aToyFormatAndPostProcessRunThroughGenerate() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("a2m-public-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try GenerationModel.load(contentsOf: try TinyModel.write(to: dir))
        let wav = try TinyModel.wav(in: dir, name: "talk.wav", seconds: 2.5)
        let pipeline = GenerationPipeline(model: model)
        var plain = GenerationConfiguration()
        plain.sampling = SamplerOptions(steps: 3, guidance: 2.5, seed: 4)
        plain.formats = [RootTrackFormat(), BVHFormat()]
        plain.outputDirectory = dir.appendingPathComponent("plain")
        var lifted = plain
        lifted.postProcessing.append(LiftRoot(height: 100))
        lifted.outputDirectory = dir.appendingPathComponent("lifted")
        for c in [plain, lifted] {
            let files = try pipeline.generate(files: [wav], configuration: c)
            #expect(files.map(\.url.lastPathComponent) == ["talk.roots", "talk.bvh"])
            #expect(try String(contentsOf: c.outputDirectory!.appendingPathComponent("talk.names"), encoding: .utf8).hasPrefix(
                c.postProcessing.count == 1 ? "Hips" : "LiftedHips"))
        }
        // The streamed toy file, the BVH and the post-process agree.
        let a = try Self.roots(dir.appendingPathComponent("plain/talk.roots")), b = try Self.roots(dir.appendingPathComponent("lifted/talk.roots"))
        #expect(a.count == 75 && b.count == 75)
        let lift = zip(a, b).map { $1 - $0 }
        // The toy writes metres: 100 cm of lift is 1 m, and the BVH (in cm, the default) converts back.
        #expect(lift.allSatisfy { abs($0.y - 1) < 1e-5 && abs($0.x) < 1e-6 && abs($0.z) < 1e-6 }, "lift: \(lift.prefix(3))")
        let bvh = try BVHReader.read(dir.appendingPathComponent("lifted/talk.bvh")).clip
        #expect(bvh.skeleton.joints[0].name == "LiftedHips")
        #expect(zip(bvh.rootPositions, b).allSatisfy { Swift.abs($0.y - 100 * $1.y) < 1e-3 })
        // Whole clips (another frame rate) go through the same steps and writers.
        var resampled = lifted
        resampled.fps = 60
        resampled.outputDirectory = dir.appendingPathComponent("resampled")
        try pipeline.generate(files: [wav], configuration: resampled)
        #expect(try Self.roots(dir.appendingPathComponent("resampled/talk.roots")).count == 150)
    }

    /// The toy format registered nowhere is still checked like the shipped ones: its file may not replace an
    /// existing one, and a failure leaves nothing.
    @Test func theToyFormatGetsTheSameOutputSafety() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("a2m-public-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try GenerationModel.load(contentsOf: try TinyModel.write(to: dir))
        let wav = try TinyModel.wav(in: dir, name: "talk.wav", seconds: 1.2)
        try Data("mine".utf8).write(to: dir.appendingPathComponent("talk.roots"))
        var c = GenerationConfiguration()
        c.sampling = SamplerOptions(steps: 2)
        c.formats = [BVHFormat(), RootTrackFormat()]
        #expect(throws: OutputError.exists(path: dir.appendingPathComponent("talk.roots").path)) {
            try GenerationPipeline(model: model).generate(files: [wav], configuration: c)
        }
        #expect(try String(contentsOf: dir.appendingPathComponent("talk.roots"), encoding: .utf8) == "mine")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("talk.bvh").path))
    }
}
