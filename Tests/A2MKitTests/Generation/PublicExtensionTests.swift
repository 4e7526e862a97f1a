import Foundation
import Testing
import A2MKit

// Only the public API: a library user adds an output format and a post-processing step, and runs generate
// with them (issue 37, "Must show").

/// A toy format: one line per frame with the root position, "x y z".
struct RootTrackFormat: MotionFormat {
    var name: String { "roottrack" }
    var fileExtension: String { "roots" }
    var summary: String { "root positions, one frame per line" }

    static func line(_ p: SIMD3<Float>) -> String { "\(p.x) \(p.y) \(p.z)\n" }

    func write(_ clip: MotionClip, to url: URL) throws {
        try AtomicFile.write(clip.rootPositions.map(Self.line).joined(), to: url)
    }

    func makeStream(to url: URL, skeleton: Skeleton, fps: Double, frameCount: Int) throws -> any MotionFileStream {
        try Stream(url: url, frameCount: frameCount)
    }

    final class Stream: MotionFileStream {
        let file: AtomicFileWriter
        let frameCount: Int
        var written = 0
        init(url: URL, frameCount: Int) throws {
            file = try AtomicFileWriter(url)
            self.frameCount = frameCount
        }
        func append(_ chunk: MotionClip) throws {
            try file.write(Array(chunk.rootPositions.map(RootTrackFormat.line).joined().utf8))
            written += chunk.frameCount
        }
        func commit() throws {
            guard written == frameCount else { throw OutputError.cannotWrite(path: file.url.path, reason: "short") }
            try file.commit()
        }
        func discard() { file.discard() }
    }
}

/// A toy post-process: lifts the root by `height` and renames the root joint (so the skeleton changes, as
/// a retarget's would), counting the frames it saw.
struct LiftRoot: MotionPostProcess {
    var height: Float
    var name: String { "lift root" }

    func outputSkeleton(for skeleton: Skeleton) throws -> Skeleton {
        var joints = skeleton.joints
        joints[0].name = "LiftedHips"
        return try Skeleton(joints: joints)
    }

    func makeProcessor(skeleton: Skeleton, fps: Double) throws -> any MotionChunkProcessor {
        Processor(height: height, output: try outputSkeleton(for: skeleton))
    }

    final class Processor: MotionChunkProcessor {
        let height: Float
        let output: Skeleton
        init(height: Float, output: Skeleton) {
            self.height = height
            self.output = output
        }
        func process(_ chunk: inout MotionClip) throws {
            chunk = MotionClip(skeleton: output, fps: chunk.fps, rootPositions: chunk.rootPositions.map { $0 + SIMD3(0, height, 0) },
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
        }
        // The streamed toy file, the BVH and the post-process agree.
        let a = try Self.roots(dir.appendingPathComponent("plain/talk.roots")), b = try Self.roots(dir.appendingPathComponent("lifted/talk.roots"))
        #expect(a.count == 75 && b.count == 75)
        let lift = zip(a, b).map { $1 - $0 }
        #expect(lift.allSatisfy { abs($0.y - 100) < 1e-3 && $0.x == 0 && $0.z == 0 }, "lift: \(lift.prefix(3))")
        let bvh = try BVHReader.read(dir.appendingPathComponent("lifted/talk.bvh")).clip
        #expect(bvh.skeleton.joints[0].name == "LiftedHips")
        #expect(zip(bvh.rootPositions, b).allSatisfy { Swift.abs(($0 - $1).y) < 1e-3 })
        // Whole clips (another frame rate) go through the same steps and writers.
        var resampled = lifted
        resampled.fps = 60
        resampled.outputDirectory = dir.appendingPathComponent("resampled")
        try pipeline.generate(files: [wav], configuration: resampled)
        #expect(try Self.roots(dir.appendingPathComponent("resampled/talk.roots")).count == 149)
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
