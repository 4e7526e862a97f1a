import A2MKit
import ArgumentParser
import Dispatch
import Foundation

/// `a2m bench corpus`: speed of corpus generation by stage, and of the evaluation metrics, single-threaded.
struct BenchCorpus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Time corpus generation (espeak-ng, audio analysis, gesture models 2 and 1, file encoding) and the evaluation metrics."
    )

    @Option(help: "Clips to generate.") var count = 20
    @Option(help: "Corpus seed.") var seed: UInt64 = 1
    @Option(help: "Timed repetitions of the in-process stages; the best is reported.") var repeats = 5

    func validate() throws {
        guard (2...1000).contains(count) else { throw ValidationError("--count must be in 2...1000") }
        guard (1...100).contains(repeats) else { throw ValidationError("--repeats must be in 1...100") }
    }

    func run() async throws {
        Threads.set(1)
        func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let r = try body()
            return (r, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        let builder = try CorpusBuilder(options: CorpusOptions(count: count, seed: seed))
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("a2m-bench-corpus-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (clips, tMake) = try time { try (0..<count).map { try builder.makeClip($0, scratch: scratch) } }
        let seconds = clips.reduce(0) { $0 + Double($1.record.frames) / 30 }

        var best = (analysis: Double.infinity, gesture: Double.infinity, gesture1: Double.infinity, encode: Double.infinity,
                    fk: Double.infinity, eval: Double.infinity)
        var settings = EvaluationSettings(jointNames: builder.skeleton.names)!
        settings.bootstrapResamples = 2000
        for _ in 0..<repeats {
            let (features, tA) = try time { try clips.map { try SpeechFeatures.analyze(samples: $0.samples, sampleRate: $0.sampleRate, fps: 30, frames: $0.record.frames) } }
            let (_, tG) = try time {
                try zip(clips, features).map { c, f in
                    var rng = PCG32(seed: seed)
                    return try CoSpeechGesture.generate(features: f, style: c.record.speaker!, skeleton: builder.skeleton, rng: &rng)
                }
            }
            let (_, tG1) = try time {
                try features.map { f in
                    var rng = PCG32(seed: seed)
                    return try ProceduralGesture.generate(features: f, style: GestureStyle.random(using: &rng), skeleton: .a2mBody, rng: &rng)
                }
            }
            let (_, tE) = try time { try clips.map { try BVHWriter.bytes($0.motion).count } }
            let (positions, tF) = time { clips.map { JointPositions(clip: $0.motion) } }
            let evalClips = zip(clips, positions).map { EvaluationClip(name: $0.record.name, audio: $0.features, groundTruth: $1, generated: [$1]) }
            let (_, tV) = try time { try MotionEvaluation.evaluate(evalClips, settings: settings) }
            best = (min(best.analysis, tA), min(best.gesture, tG), min(best.gesture1, tG1), min(best.encode, tE), min(best.fk, tF), min(best.eval, tV))
        }
        print("\(count) clips, \(String(format: "%.1f", seconds)) s of audio at 30 fps, 1 thread; in-process stages best of \(repeats)")
        print("| stage | ms | × real time |")
        print("|---|---:|---:|")
        for (name, t) in [("make clips end to end (espeak-ng processes + assembly + analysis + gesture), once", tMake),
                          ("audio analysis (RMS, activity, flux onsets, YIN)", best.analysis),
                          ("gesture model 2 (CoSpeechGesture, \(builder.skeleton.jointCount) joints)", best.gesture),
                          ("gesture model 1 (ProceduralGesture, 22 joints)", best.gesture1),
                          ("BVH encoding (model 2's motion)", best.encode),
                          ("forward kinematics (JointPositions)", best.fk),
                          ("all metrics + 2000-resample bootstraps + mismatched control", best.eval)] {
            print("| \(name) | \(String(format: "%.1f", t * 1000)) | \(String(format: "%.0f", seconds / t)) |")
        }
    }
}
