import A2MKit
import ArgumentParser
import Foundation

/// `a2m eval --model CKPT --data DIR [--guidance 0,1,2.5,5]` (generate, then score; the guidance study) or
/// `a2m eval --data DIR --generated DIR` (score files made earlier): every metric of docs/evaluation.md against
/// a paired WAV+BVH dataset, with bootstrap intervals and the mismatched-audio control.
struct Eval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score a model (at several guidance weights) or generated BVH motion against a paired audio+BVH dataset.",
        discussion: """
            Ground truth: DIR/NAME.bvh with DIR/NAME.wav (or .flac/.ogg/.aiff); with DIR/corpus.json, --split picks \
            its clips. With --model, motion is generated for every clip at each --guidance weight (--samples per clip, \
            --sampler with --steps, eta 0) and each weight gets its own table. With --generated: GEN/NAME.bvh, or \
            GEN/NAME.0.bvh, GEN/NAME.1.bvh, ... for several samples per clip. \
            Prints a table (mean and 95% bootstrap interval over clips) and writes the full report as JSON with \
            --out. Metrics and references: docs/evaluation.md.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Dataset directory (paired NAME.wav + NAME.bvh).") var data: String
    @Option(help: "Directory of generated motion (NAME.bvh or NAME.K.bvh); or use --model.") var generated: String?
    @Option(help: "Model checkpoint to generate with (instead of --generated).") var model: String?
    // Generation-only options are optional so that "given" and "left at its default" differ: with --generated,
    // every one that is given is rejected, even when it names the default value. Defaults are GuidanceStudy.Defaults.
    @Option(help: "With --model: comma-separated guidance weights (default: \(Eval.defaultGuidance); a guidance-distilled model: its own weight, the only one it takes).") var guidance: String?
    @Option(help: "With --model: samples per clip (default: \(GuidanceStudy.Defaults.samples)).") var samples: Int?
    @Option(help: "With --model: sampler (\(SamplerKind.allCases.map(\.rawValue).joined(separator: ", ")); default: \(GuidanceStudy.Defaults.sampler.rawValue); ddim runs with eta 0).")
    var sampler: SamplerKind?
    @Option(help: "With --model: denoising steps (default: \(GuidanceStudy.Defaults.steps)).") var steps: Int?
    @Option(help: "With --model: timestep spacing (few-step, trailing, karras; default: \(GuidanceStudy.Defaults.spacing.rawValue)).") var spacing: TimestepSpacing?
    @Option(help: "With --model: guidance schedule (constant, ramp, interval; default: \(GuidanceStudy.Defaults.schedule.rawValue)).")
    var guidanceSchedule: GuidanceSchedule?
    @Option(help: "With --model: guidance method (cfg; cfgpp: CFG++, weights in 0...1, constant schedule; lowpass; velocity; default: \(GuidanceStudy.Defaults.method.rawValue)).")
    var guidanceMethod: GuidanceMethod?
    @Flag(inversion: .prefixedNo, help: "With --model: pass generated motion through the foot lock, as a2m generate does (default: \(GuidanceStudy.Defaults.footLock ? "on" : "off")).")
    var footLock: Bool?
    @Option(help: "Only clips of this split of DATA/corpus.json (train, val, test).") var split: String?
    @Option(help: "Frame rate the motion is resampled to and the audio analysed at.") var fps: Double = 30
    @Option(help: "Seed of the bootstrap and of the mismatched-audio pairing.") var seed: UInt64 = 0
    @Option(help: "Bootstrap resamples.") var bootstrap: Int = 2000
    @Option(help: "Write the report as JSON here.") var out: String?
    @Option(help: ArgumentHelp("Score gesture statistics against this: a folder of BVH motion, or a statistics JSON (default: the embedded real co-speech reference).",
                               discussion: "docs/evaluation.md, \"Gesture statistics\"; the embedded reference is docs/reference/real_gesture_stats.json."))
    var reference: String?

    /// `GuidanceStudy.Defaults.guidance` as --guidance spells it ("0,1,2.5,5").
    static let defaultGuidance = GuidanceStudy.Defaults.guidance.map { String(format: "%g", $0) }.joined(separator: ",")

    /// The parsed --guidance list.
    var guidanceWeights: [Float] {
        get throws {
            try (guidance ?? Self.defaultGuidance).split(separator: ",").map { part in
                guard let w = Float(part.trimmingCharacters(in: .whitespaces)), w.isFinite, w >= 0 else {
                    throw ValidationError("--guidance takes comma-separated weights ≥ 0, got '\(part)'")
                }
                return w
            }
        }
    }

    /// The generation-only options given on the command line, by flag.
    var generationOptionsGiven: [String] {
        [("--guidance", guidance != nil), ("--samples", samples != nil), ("--sampler", sampler != nil), ("--steps", steps != nil), ("--spacing", spacing != nil),
         ("--guidance-schedule", guidanceSchedule != nil), ("--guidance-method", guidanceMethod != nil),
         (footLock == false ? "--no-foot-lock" : "--foot-lock", footLock != nil)].filter(\.1).map(\.0)
    }

    /// The study these options describe, on a loaded model: GuidanceStudy's defaults, overridden by what was given.
    func study(model: GenerationModel, settings: EvaluationSettings) -> GuidanceStudy {
        var study = GuidanceStudy(model: model, settings: settings)
        study.seed = seed
        if let samples { study.samples = samples }
        if let sampler { study.sampler = sampler }
        if let steps { study.steps = steps }
        if let spacing { study.spacing = spacing }
        if let guidanceSchedule { study.schedule = guidanceSchedule }
        if let guidanceMethod { study.method = guidanceMethod }
        if let footLock { study.footLock = footLock }
        return study
    }

    func validate() throws {
        guard (model == nil) != (generated == nil) else { throw ValidationError("give exactly one of --model and --generated") }
        let given = generationOptionsGiven
        if model == nil, !given.isEmpty {
            // Motion given with --generated is already made; these would be parsed and then ignored.
            throw ValidationError("\(given.joined(separator: ", ")) \(given.count == 1 ? "applies" : "apply") only with --model: "
                                  + "\(given.count == 1 ? "it chooses" : "they choose") how motion is generated, and --generated motion is scored as it is")
        }
        if let samples, !(1...64).contains(samples) { throw ValidationError("--samples must be in 1...64, got \(samples)") }
        if let steps, !(1...1000).contains(steps) { throw ValidationError("--steps must be in 1...1000, got \(steps)") }
        let weights = try guidanceWeights
        guard !weights.isEmpty else { throw ValidationError("--guidance needs at least one weight") }
        // Checked here too, so a weight the method refuses fails before the weights before it are generated.
        for w in weights {
            let options = SamplerOptions(guidance: w, guidanceSchedule: guidanceSchedule ?? GuidanceStudy.Defaults.schedule,
                                         guidanceMethod: guidanceMethod ?? GuidanceStudy.Defaults.method)
            try options.validateGuidanceOptions()
        }
        guard fps.isFinite, (1...240).contains(fps) else { throw ValidationError("--fps must be in 1...240, got \(fps)") }
        guard (100...100_000).contains(bootstrap) else { throw ValidationError("--bootstrap must be in 100...100000, got \(bootstrap)") }
        if let split, !["train", "val", "test"].contains(split) { throw ValidationError("--split must be train, val or test, got '\(split)'") }
    }

    /// The gesture statistics reference: --reference measured or read (before anything long starts), or the embedded one.
    func gestureReference() throws -> (statistics: GestureStatistics, name: String) {
        guard let reference else { return (GestureReference.embedded, GestureReference.embeddedName) }
        var line: ProgressLine?
        defer { line?.finish() }
        let statistics = try GestureReference.load(reference) { done, total in
            if line == nil { line = ProgressLine(total: total, label: "reference", unit: "takes", quiet: global.quiet) }
            line?.update(done)
        }
        return (statistics, reference)
    }

    static func gestureTable(_ g: GestureReport) -> String {
        "gesture statistics (docs/evaluation.md); reference: \(g.referenceName)\n"
            + GestureTable.statistics([("generated", g.generated), ("ground truth", g.groundTruth), ("reference", g.reference)]) + "\n\n"
            + GestureTable.distances([("generated", g.generatedDistances), ("ground truth", g.groundTruthDistances)])
    }

    func run() async throws {
        global.apply()
        let gesture = try gestureReference()
        let dataURL = URL(fileURLWithPath: data)
        let truth = try EvaluationData.groundTruthFiles(in: dataURL, split: split)
        if let model { return try runStudy(model: model, truth: truth, gesture: gesture) }
        let genURL = URL(fileURLWithPath: generated!)
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
        (settings.gestureReference, settings.gestureReferenceName) = gesture
        let report = try MotionEvaluation.evaluate(clips, settings: settings)
        print(Self.table(report))
        if let g = report.gesture { print("\n" + Self.gestureTable(g)) }
        let seedSpeech = try Self.seedSpeech(gen)
        if let seedSpeech { print("\n" + seedSpeech.table) }
        if let out {
            let document = EvalDocument(data: data, generated: generated!, split: split, fps: fps, seed: seed,
                                        clipNames: clips.map(\.name), report: report, seedSpeech: seedSpeech)
            try Self.write(document, to: out)
        }
    }

    /// --model: the guidance study, one table per weight and a summary across weights.
    func runStudy(model path: String, truth: [(name: String, audio: URL, motion: URL)],
                  gesture: (statistics: GestureStatistics, name: String)) throws {
        let loaded = try GenerationModel.load(contentsOf: URL(fileURLWithPath: path))
        guard var settings = EvaluationSettings(jointNames: loaded.skeleton.names) else {
            throw ValidationError("\(path): the skeleton needs joints LeftHand, RightHand and Head for the alignment metrics")
        }
        settings.seed = seed
        settings.bootstrapResamples = bootstrap
        (settings.gestureReference, settings.gestureReferenceName) = gesture
        var study = study(model: loaded, settings: settings)
        var weights = try guidanceWeights
        if let d = loaded.denoiser.distilledGuidance {
            // A guidance-distilled model samples at its own guidance only: the study's default is that weight.
            if guidance == nil { weights = [d.weight] }
            if guidanceMethod == nil { study.method = d.method }
        }
        let line = ProgressLine(total: truth.count * weights.count, label: "eval", unit: "clips", quiet: global.quiet)
        let rows = try study.run(truth, guidance: weights) { w, done, _ in
            line.update((weights.firstIndex(of: w) ?? 0) * truth.count + done)
        }
        line.finish()
        for row in rows {
            print("\nguidance w = \(row.guidance)\n" + Self.table(row.report))
            if let g = row.report.gesture { print("\n" + Self.gestureTable(g)) }
        }
        print("\n" + Self.summary(rows))
        if let out {
            let document = StudyDocument(model: path, data: data, split: split, samples: study.samples, sampler: study.sampler, steps: study.steps, spacing: study.spacing,
                                         guidanceSchedule: study.schedule, guidanceMethod: study.method, footLock: study.footLock, seed: seed,
                                         clipNames: truth.map(\.name), rows: rows)
            try Self.write(document, to: out)
        }
    }

    struct StudyDocument: Codable {
        var format = "a2m-guidance-study"
        var version = 1
        var model: String
        var data: String
        var split: String?
        var samples: Int
        var sampler: SamplerKind
        var steps: Int
        var spacing: TimestepSpacing
        var guidanceSchedule: GuidanceSchedule
        var guidanceMethod: GuidanceMethod
        var footLock: Bool
        var seed: UInt64
        var clipNames: [String]
        var rows: [GuidanceStudy.Row]
    }

    /// Pretty-printed JSON, atomically.
    static func write<T: Encodable>(_ document: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(document) + Data("\n".utf8), to: URL(fileURLWithPath: path))
    }

    static func ci(_ i: Bootstrap.Interval) -> String { String(format: "%.3f [%.3f, %.3f]", i.mean, i.lower, i.upper) }

    /// FID_k with its clip-bootstrap interval when the report has one.
    static func fid(_ r: EvaluationReport) -> String {
        r.kineticFIDInterval.map { String(format: "%.4g [%.4g, %.4g]", $0.mean, $0.lower, $0.upper) } ?? String(format: "%.4g", r.kinetic.fid)
    }

    /// A smoothness ratio with its interval when the report has one; "–" when the ground truth does not move.
    static func jerkRatio(_ s: EvaluationReport.Smoothness) -> String {
        guard let ratio = s.ratio else { return "–" }
        return s.ratioInterval.map(ci) ?? String(format: "%.3f", ratio)
    }

    static func summary(_ rows: [GuidanceStudy.Row]) -> String {
        var lines = ["| w | beat consistency ↑ | mismatched | correlation ↑ | mismatched | rest in silence ↑ | mismatched | FID_k ↓ | Diversity_k | jerk ratio |",
                     "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in rows {
            let b = r.report.beatConsistency, c = r.report.audioMotionCorrelation, s = r.report.restContrast
            lines.append("| \(r.guidance) | \(ci(b.generated)) | \(ci(b.mismatched)) | \(ci(c.generated)) | \(ci(c.mismatched)) | "
                         + "\(s.map { ci($0.generated) } ?? "–") | \(s.map { ci($0.mismatched) } ?? "–") | "
                         + "\(fid(r.report)) | " + String(format: "%.3f", r.report.kinetic.diversityGenerated) + " | \(jerkRatio(r.report.jerk)) |")
        }
        if let first = rows.first {
            let c = first.report.audioMotionCorrelation.groundTruth, b = first.report.beatConsistency.groundTruth
            let s = first.report.restContrast.map { ci($0.groundTruth) } ?? "–"
            lines.append("| ground truth | \(ci(b)) | | \(ci(c)) | | \(s) | | 0 | \(String(format: "%.3f", first.report.kinetic.diversityGroundTruth)) | 1 |")
        }
        return lines.joined(separator: "\n")
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
        /// With at least 2 clips × 2 samples: does the seed or the speech decide the gesture (sample k of every
        /// clip counts as one seed, as `a2m generate --samples K` draws them).
        var seedSpeech: SeedSpeechDecisiveness?
    }

    /// The seed-vs-speech comparison of the generated files (`files[clip][sample]`), from their own frames
    /// (not resampled); nil with fewer than 2 clips or 2 samples per clip.
    static func seedSpeech(_ files: [[URL]]) throws -> SeedSpeechDecisiveness? {
        guard files.count >= 2, (files.first?.count ?? 0) >= 2 else { return nil }
        let flat = files.flatMap { $0 }
        let paths = try orderedParallelMap(flat.count) { i in try WristPath(clip: BVHReader.read(flat[i]).clip, file: flat[i].path) }
        let k = files[0].count
        return try SeedSpeechDecisiveness.measure((0..<files.count).map { Array(paths[($0 * k)..<(($0 + 1) * k)]) })
    }

    static func table(_ r: EvaluationReport) -> String {
        func num(_ x: Double) -> String { String(format: "%.4g", x) }
        var rows = ["| metric (\(r.clips) clips × \(r.samplesPerClip) samples) | generated | ground truth | mismatched audio |", "|---|---:|---:|---:|"]
        rows.append("| beat consistency ↑ | \(ci(r.beatConsistency.generated)) | \(ci(r.beatConsistency.groundTruth)) | \(ci(r.beatConsistency.mismatched)) |")
        rows.append("| audio–motion correlation ↑ | \(ci(r.audioMotionCorrelation.generated)) | \(ci(r.audioMotionCorrelation.groundTruth)) | \(ci(r.audioMotionCorrelation.mismatched)) |")
        if let s = r.restContrast {
            rows.append("| rest in silence ↑ | \(ci(s.generated)) | \(ci(s.groundTruth)) | \(ci(s.mismatched)) |")
        } else {
            rows.append("| rest in silence ↑ | – (no clip has both a silent and a speech half-second) | | |")
        }
        rows.append("| FID_k ↓ | \(fid(r)) | 0 | |")
        rows.append("| Diversity_k | \(num(r.kinetic.diversityGenerated)) | \(num(r.kinetic.diversityGroundTruth)) | |")
        rows.append("| mean jerk (cm/s³) | \(num(r.jerk.generated)) | \(num(r.jerk.groundTruth)) | ratio \(jerkRatio(r.jerk)) |")
        rows.append("| mean acceleration (cm/s²) | \(num(r.acceleration.generated)) | \(num(r.acceleration.groundTruth)) | ratio \(jerkRatio(r.acceleration)) |")
        return rows.joined(separator: "\n")
    }
}
