import A2MKit
import ArgumentParser
import Foundation

/// `a2m eval --data DIR --generated DIR`: every metric of docs/evaluation.md for generated motion against a
/// paired WAV+BVH dataset, with bootstrap intervals and the mismatched-audio control.
struct Eval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score generated BVH motion against a paired audio+BVH dataset.",
        discussion: """
            Ground truth: DIR/NAME.bvh with DIR/NAME.wav (or .flac/.ogg/.aiff); with DIR/corpus.json, --split picks \
            its clips. Generated: GEN/NAME.bvh, or GEN/NAME.0.bvh, GEN/NAME.1.bvh, ... for several samples per clip. \
            Prints a table (mean and 95% bootstrap interval over clips) and writes the full report as JSON with \
            --out. Metrics and references: docs/evaluation.md.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Dataset directory (paired NAME.wav + NAME.bvh).") var data: String
    @Option(help: "Directory of generated motion (NAME.bvh or NAME.K.bvh).") var generated: String
    @Option(help: "Only clips of this split of DATA/corpus.json (train, val, test).") var split: String?
    @Option(help: "Frame rate the motion is resampled to and the audio analysed at.") var fps: Double = 30
    @Option(help: "Seed of the bootstrap and of the mismatched-audio pairing.") var seed: UInt64 = 0
    @Option(help: "Bootstrap resamples.") var bootstrap: Int = 2000
    @Option(help: "Write the report as JSON here.") var out: String?

    func validate() throws {
        guard fps.isFinite, (1...240).contains(fps) else { throw ValidationError("--fps must be in 1...240, got \(fps)") }
        guard (100...100_000).contains(bootstrap) else { throw ValidationError("--bootstrap must be in 100...100000, got \(bootstrap)") }
        if let split, !["train", "val", "test"].contains(split) { throw ValidationError("--split must be train, val or test, got '\(split)'") }
    }

    func run() async throws {
        global.apply()
        let dataURL = URL(fileURLWithPath: data), genURL = URL(fileURLWithPath: generated)
        let truth = try EvaluationData.groundTruthFiles(in: dataURL, split: split)
        let gen = try EvaluationData.generatedFiles(in: genURL, names: truth.map(\.name))
        let progress = ProgressLine(total: truth.count, label: "eval", unit: "clips", quiet: global.quiet)
        let fps = self.fps
        let clips = try orderedParallelMap(truth.count, progress: { progress.update($0) }) { i in
            try EvaluationData.loadClip(name: truth[i].name, audio: truth[i].audio, groundTruth: truth[i].motion, generated: gen[i], fps: fps)
        }
        progress.finish()
        guard var settings = EvaluationSettings(jointNames: try BVHReader.read(truth[0].motion).clip.skeleton.names) else {
            throw ValidationError("\(truth[0].motion.path): the skeleton needs joints LeftHand, RightHand and Head for the alignment metrics")
        }
        settings.seed = seed
        settings.bootstrapResamples = bootstrap
        let report = try MotionEvaluation.evaluate(clips, settings: settings)
        print(Self.table(report))
        if let out {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let document = EvalDocument(data: data, generated: generated, split: split, fps: fps, seed: seed,
                                        clipNames: clips.map(\.name), report: report)
            try AtomicFile.write(try encoder.encode(document) + Data("\n".utf8), to: URL(fileURLWithPath: out))
        }
    }

    struct EvalDocument: Codable {
        var format = "a2m-eval"
        var version = 1
        var data: String
        var generated: String
        var split: String?
        var fps: Double
        var seed: UInt64
        var clipNames: [String]
        var report: EvaluationReport
    }

    static func table(_ r: EvaluationReport) -> String {
        func ci(_ i: Bootstrap.Interval) -> String { String(format: "%.3f [%.3f, %.3f]", i.mean, i.lower, i.upper) }
        func num(_ x: Double) -> String { String(format: "%.4g", x) }
        var rows = ["| metric (\(r.clips) clips × \(r.samplesPerClip) samples) | generated | ground truth | mismatched audio |", "|---|---:|---:|---:|"]
        rows.append("| beat consistency ↑ | \(ci(r.beatConsistency.generated)) | \(ci(r.beatConsistency.groundTruth)) | \(ci(r.beatConsistency.mismatched)) |")
        rows.append("| audio–motion correlation ↑ | \(ci(r.audioMotionCorrelation.generated)) | \(ci(r.audioMotionCorrelation.groundTruth)) | \(ci(r.audioMotionCorrelation.mismatched)) |")
        rows.append("| FID_k ↓ | \(num(r.kinetic.fid)) | 0 | |")
        rows.append("| Diversity_k | \(num(r.kinetic.diversityGenerated)) | \(num(r.kinetic.diversityGroundTruth)) | |")
        rows.append("| mean jerk (cm/s³) | \(num(r.jerk.generated)) | \(num(r.jerk.groundTruth)) | ratio \(r.jerk.ratio.map(num) ?? "-") |")
        rows.append("| mean acceleration (cm/s²) | \(num(r.acceleration.generated)) | \(num(r.acceleration.groundTruth)) | ratio \(r.acceleration.ratio.map(num) ?? "-") |")
        return rows.joined(separator: "\n")
    }
}
