import A2MKit
import ArgumentParser
import Foundation

/// `a2m train --data DIR --config FILE`: trains the denoiser on paired audio + BVH files (docs/training.md).
struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model on paired audio + BVH files (NAME.wav + NAME.bvh).",
        discussion: """
            Writes OUT/train.jsonl (one line per logged step), OUT/checkpoint.safetensors (resumable: EMA weights + \
            the full training state) and OUT/model.safetensors (what `a2m generate` needs), both atomically at every \
            checkpoint interval and at the end. Ctrl-C (SIGINT) or SIGTERM saves a resumable checkpoint at the next \
            step boundary and exits with status 128 + signal; a second signal kills the run at once. \
            Resume with --resume OUT/checkpoint.safetensors: the continued run is bit-identical to an uninterrupted one. \
            See docs/training.md.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Directory of paired files: NAME.wav (or .flac, .ogg, .mp3, .aiff, ...) next to NAME.bvh.")
    var data: String

    @Option(help: "Config file (e.g. Configs/small.json). Optional with --resume, which carries its config; if given, it must match.")
    var config: String?

    @Option(help: "Output directory.")
    var out: String = "a2m-run"

    @Option(help: "Feature cache directory (default: DATA/.a2m-cache).")
    var cache: String?

    @Option(help: "Continue from OUT/checkpoint.safetensors of an earlier run.")
    var resume: String?

    @Option(help: "Total optimizer steps of the run (overrides training.totalSteps).")
    var steps: Int?

    @Option(help: "Seed of every training random stream (overrides training.seed).")
    var seed: UInt64?

    @Flag(help: "Start a new run in an --out that already holds one, replacing its checkpoint, model and log.")
    var overwrite = false

    func validate() throws {
        if overwrite && resume != nil { throw ValidationError("--overwrite starts a new run; it cannot be combined with --resume") }
        if let steps, !(1...1_000_000_000).contains(steps) { throw ValidationError("--steps must be in 1...1000000000, got \(steps)") }
        if config == nil && resume == nil { throw ValidationError("pass --config FILE (or --resume CKPT, which carries its config)") }
    }

    func run() async throws {
        global.apply()
        let url = { (p: String) in URL(fileURLWithPath: p) }
        let stderr = FileHandle.standardError
        func say(_ s: String) { stderr.write(Data((s + "\n").utf8)) }
        // Watching from the start: Ctrl-C during preprocessing stops between two cache files, so none is left half-written.
        StopSignal.install()
        defer { StopSignal.uninstall() }
        let (trainer, notes): (Trainer, [String])
        do {
            (trainer, notes) = try TrainingSession.prepare(.init(
                data: url(data), config: config.map(url), out: url(out), cache: cache.map(url), resume: resume.map(url),
                steps: steps, seed: seed, quiet: global.quiet, overwrite: overwrite, shouldStop: { StopSignal.requested != nil }))
        } catch let e as TrainingError {
            guard case .stopped = e else { throw e }
            let sig = StopSignal.requested ?? SIGINT
            say("stopped by \(StopSignal.name(sig)): \(e)")
            throw ExitCode(128 + sig)
        }
        for n in notes { say("note: " + n) }
        let d = trainer.data
        if !global.quiet {
            say("data: \(d.files.count) files (\(d.trainingFiles.count) training, \(d.validationFiles.count) validation), "
                + "\(d.trainingWindows.count) training windows of \(trainer.config.training.windowFrames) frames at \(d.fps) fps, "
                + "\(d.cacheHits) from cache")
            if let f = trainer.derivativeFactorSummary { say("derivative factors: " + f) }
            say("training steps \(trainer.step + 1)...\(trainer.totalSteps) -> \(out)")
        }
        let progress = ProgressLine(total: trainer.totalSteps - trainer.step, label: "train", unit: "steps", quiet: global.quiet)
        let first = trainer.step
        let started = DispatchTime.now().uptimeNanoseconds
        var lastVal = ""
        let outcome = try trainer.run(shouldStop: { StopSignal.requested != nil }, onLog: { e in
            if let v = e.valLoss {
                // The unconditional loss beside it shows whether the model is using the audio at all.
                lastVal = String(format: "  val %.4f", v) + (e.valLossUncond.map { String(format: " (no audio %.4f)", $0) } ?? "")
            }
            progress.update(e.step - first, extra: String(format: "step %d  loss %.4f", e.step, e.loss) + lastVal)
        })
        progress.finish()
        switch outcome {
        case .finished(let step):
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let frames = Double((step - first) * trainer.config.training.batchSize * trainer.config.training.windowFrames)
            if !global.quiet {
                say("finished at step \(step): \(trainer.modelURL.path)")
                say(String(format: "%.1f s, %.2f steps/s, %.0f training frames/s (including validation and checkpoints)",
                           seconds, Double(step - first) / seconds, frames / seconds))
            }
        case .stopped(let step):
            let sig = StopSignal.requested ?? SIGINT
            say("stopped by \(StopSignal.name(sig)) at step \(step); resume with: a2m train --data \(data) --out \(out) --resume \(trainer.checkpointURL.path)")
            throw ExitCode(128 + sig)
        }
    }
}
