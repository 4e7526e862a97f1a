import Testing
import Foundation
@testable import A2MAudio
@testable import A2MMotion
@testable import A2MNN
@testable import A2MGeneration

/// `GenerationPipeline.write`: features streamed from the file and frames streamed into the writers give
/// the files the whole-clip path gives, byte for byte; a failure anywhere leaves no output.
@Suite struct GenerationStreamingTests {
    /// Writers for input `i`, sample `k` of `model` into `dir`.
    static func writers(_ dir: URL, _ model: GenerationModel, frames: [Int], samples: Int) throws -> [[[any MotionFileStream]]] {
        try frames.enumerated().map { i, n in
            try (0..<samples).map { k in
                [try BVHStreamWriter(url: dir.appendingPathComponent("\(i)_\(k).bvh"), skeleton: model.skeleton, fps: model.fps, frameCount: n),
                 try MotionJSONStreamWriter(url: dir.appendingPathComponent("\(i)_\(k).json"), format: .a2m, skeleton: model.skeleton,
                                            fps: model.fps, frameCount: n)]
            }
        }
    }

    /// Two inputs (one shorter than a window, one of 11 rounds of 4 windows at the tiny model's 30-frame
    /// window), two samples each.
    @Test func streamedFilesEqualWholeClipFiles() throws {
        try TinyModel.withLoaded { model, dir throws in
            let wavs = [try TinyModel.wav(in: dir, name: "a.wav", seconds: 0.7), try TinyModel.wav(in: dir, name: "b.wav", seconds: 44)]
            let options = SamplerOptions(steps: 2, guidance: 2.5, seed: 4)

            let whole = GenerationPipeline(model: model)
            let clips = try whole.run(try wavs.map { (name: $0.path, features: try whole.features($0)) }, samples: 2, options: options)

            let out = dir.appendingPathComponent("out")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            let streamed = GenerationPipeline(model: model)
            let sources = try wavs.map { try streamed.featureStream($0) }
            #expect(sources.map(\.frames) == [21, 1320])
            try streamed.write(wavs.indices.map { (name: wavs[$0].path, source: sources[$0] as any FeatureSource) }, samples: 2,
                               options: options, writers: try Self.writers(out, model, frames: sources.map(\.frames), samples: 2))
            for i in 0..<2 {
                for k in 0..<2 {
                    let bvh = try Data(contentsOf: out.appendingPathComponent("\(i)_\(k).bvh"))
                    let json = try Data(contentsOf: out.appendingPathComponent("\(i)_\(k).json"))
                    #expect(Array(bvh) == (try BVHWriter.bytes(clips[i][k])), "input \(i) sample \(k): BVH differs")
                    #expect(Array(json) == MotionJSON.bytes(clips[i][k], format: .a2m), "input \(i) sample \(k): JSON differs")
                }
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).count == 8, "temporary files left")
        }
    }

    /// A writer that fails at its third chunk.
    final class FailingWriter: MotionFileStream {
        var chunks = 0
        struct Failure: Error {}
        func append(_ chunk: MotionClip) throws { chunks += 1; if chunks == 3 { throw Failure() } }
        func commit() throws {}
        func discard() {}
    }

    @Test func aFailureMidwayLeavesNoFile() throws {
        try TinyModel.withLoaded { model, dir throws in
            let wav = try TinyModel.wav(in: dir, name: "a.wav", seconds: 10)
            let out = dir.appendingPathComponent("out")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            let p = GenerationPipeline(model: model)
            let source = try p.featureStream(wav)
            var writers = try Self.writers(out, model, frames: [source.frames], samples: 1)
            writers[0][0].append(FailingWriter())
            #expect(throws: FailingWriter.Failure.self) {
                try p.write([(name: wav.path, source: source)], samples: 1, options: SamplerOptions(steps: 1, guidance: 1), writers: writers)
            }
            writers = []
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty, "files left after a failed run")
        }
    }
}
