import Testing
import Foundation
@testable import A2MCore
@testable import A2MAudio
@testable import A2MMotion
@testable import A2MNN
@testable import A2MGeneration

/// `GenerationPipeline.generate`: features streamed from the file and frames streamed into the writers give
/// the files the whole-clip path gives, byte for byte; a failure anywhere leaves no output.
@Suite struct GenerationStreamingTests {
    /// Two inputs (one shorter than a window, one of 11 rounds of 4 windows at the tiny model's 30-frame
    /// window), two samples each.
    @Test func streamedFilesEqualWholeClipFiles() throws {
        try TinyModel.withLoaded { model, dir throws in
            let wavs = [try TinyModel.wav(in: dir, name: "a.wav", seconds: 0.7), try TinyModel.wav(in: dir, name: "b.wav", seconds: 44)]
            var configuration = TinyModel.configuration(SamplerOptions(steps: 2, guidance: 2.5, seed: 4), samples: 2)

            let whole = GenerationPipeline(model: model)
            let clips = try whole.clips(try wavs.map { (name: $0.path, features: try whole.features($0)) }, configuration: configuration)

            let out = dir.appendingPathComponent("out")
            configuration.outputDirectory = out
            let streamed = GenerationPipeline(model: model)
            #expect(streamed.streams(configuration), "the default configuration streams")
            let files = try streamed.generate(files: wavs, configuration: configuration)
            #expect(files.map(\.frames) == [21, 21, 21, 21, 1320, 1320, 1320, 1320])
            for (i, stem) in ["a", "b"].enumerated() {
                for k in 0..<2 {
                    let bvh = try Data(contentsOf: out.appendingPathComponent("\(stem).\(k).bvh"))
                    let json = try Data(contentsOf: out.appendingPathComponent("\(stem).\(k).json"))
                    #expect(Array(bvh) == (try BVHWriter.bytes(clips[i][k])), "input \(i) sample \(k): BVH differs")
                    #expect(Array(json) == MotionJSON.bytes(clips[i][k], format: .a2m), "input \(i) sample \(k): JSON differs")
                }
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).count == 8, "temporary files left")
        }
    }

    /// A format whose stream fails at its third chunk.
    struct FailingFormat: MotionFormat {
        var name: String { "failing" }
        var fileExtension: String { "fail" }
        var summary: String { "fails" }
        struct Failure: Error {}
        func write(_ clip: MotionClip, layout: MotionLayout, to file: OutputFile) throws { throw Failure() }
        func makeStream(to file: OutputFile, layout: MotionLayout, fps: Double, frameCount: Int) throws -> any MotionFileStream { Stream() }
        final class Stream: MotionFileStream {
            var chunks = 0
            func append(_ chunk: MotionClip) throws { chunks += 1; if chunks == 3 { throw Failure() } }
            func commit() throws {}
            func discard() {}
        }
    }

    /// The BVH and JSON beside the failing file are discarded too, and the directory the run created is gone.
    @Test func aFailureMidwayLeavesNoFile() throws {
        try TinyModel.withLoaded { model, dir throws in
            let wav = try TinyModel.wav(in: dir, name: "a.wav", seconds: 10)
            let out = dir.appendingPathComponent("new/out")
            var configuration = TinyModel.configuration(SamplerOptions(steps: 1, guidance: 1))
            configuration.outputDirectory = out
            configuration.formats = [BVHFormat(), A2MJSONFormat(), FailingFormat()]
            for fps in [nil, 60] as [Double?] {
                configuration.fps = fps
                #expect(throws: FailingFormat.Failure.self) { try GenerationPipeline(model: model).generate(files: [wav], configuration: configuration) }
                #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("new").path), "fps \(String(describing: fps)): files left")
            }
        }
    }

    /// A progress handler that returns false cancels: nothing is written.
    @Test func cancellingLeavesNoFile() throws {
        try TinyModel.withLoaded { model, dir throws in
            let wav = try TinyModel.wav(in: dir, name: "a.wav", seconds: 10)
            var configuration = TinyModel.configuration(SamplerOptions(steps: 3))
            configuration.outputDirectory = dir.appendingPathComponent("out")
            var calls = 0
            #expect(throws: OutputError.cancelled) {
                try GenerationPipeline(model: model).generate(files: [wav], configuration: configuration) { p in
                    calls += 1
                    return p.step < 6
                }
            }
            #expect(calls > 2 && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
        }
    }
}
