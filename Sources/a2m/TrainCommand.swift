import A2MKit
import ArgumentParser
import Foundation

/// `a2m train --data DIR --config FILE`: trains the denoiser on paired audio + BVH files (docs/training.md); under
/// `mpirun -n N` (a binary built with Open MPI), N ranks train data-parallel.
struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model on paired audio + BVH files (NAME.wav + NAME.bvh).",
        discussion: """
            Writes OUT/train.jsonl (one line per logged step), OUT/checkpoint.safetensors (resumable: EMA weights + \
            the full training state) and OUT/model.safetensors (what `a2m generate` needs), both atomically at every \
            checkpoint interval and at the end. Ctrl-C (SIGINT) or SIGTERM saves a resumable checkpoint at the next \
            step boundary and exits with status 128 + signal; a second signal kills the run at once. \
            Resume with --resume OUT/checkpoint.safetensors: the continued run is bit-identical to an uninterrupted one. \
            Under `mpirun -n N a2m train ...` every rank trains on its share of each batch and rank 0 writes; \
            `kill -USR1` to mpirun stops all ranks at a step boundary with a checkpoint. See docs/training.md.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Data folder: paired files NAME.wav (or .flac, .ogg, .mp3, .aiff, ...) and NAME.bvh, anywhere below it, or a dataset as it unpacks (see --layout).")
    var data: String

    @Option(help: "How the data folder is organized: auto (detect, and say which), recursive, flat, zeggs, beat, genea or trinity.")
    var layout: DatasetLayout = .auto

    @Option(help: "Split file: lines 'STEM train|val|test' (or a CSV such as BEAT2's train_test_split.csv). Overrides the dataset's own split.")
    var split: String?

    @Option(help: "Config file (e.g. Configs/small.json). Optional with --resume, which carries its config; if given, it must match.")
    var config: String?

    @Option(help: "Output directory.")
    var out: String = "a2m-run"

    @Option(help: "Feature cache directory (default: OUT/cache).")
    var cache: String?

    @Option(help: "Continue from OUT/checkpoint.safetensors of an earlier run.")
    var resume: String?

    @Option(help: "Total optimizer steps of the run (overrides training.totalSteps).")
    var steps: Int?

    @Option(help: "Seed of every training random stream (overrides training.seed).")
    var seed: UInt64?

    @Option(help: "End this sitting with a checkpoint once the run has done this many steps (exit 0); --resume continues it exactly, as after Ctrl-C, but at a step you chose.")
    var stopAfter: Int?

    @Option(help: "Distil guidance from this model: with a config whose model.distilledGuidance names the weight and method (e.g. Configs/distill_small_prosody.json), the student learns the teacher's guided prediction and samples at that guidance in one pass per step. Required again with --resume.")
    var teacher: String?

    @Option(name: .customLong("init"), help: "Fine-tune this model (e.g. Motions/default_model.safetensors) instead of starting from random weights: the run takes its weights and normalization statistics; the config's model, diffusion and audio sections and the data's skeleton and fps must be the model's (Configs/small_prosody.json for the default model). Required again with --resume.")
    var initial: String?

    @Flag(inversion: .prefixedNo, help: "Under mpirun: sum each part of the gradient over the ranks while backward computes the rest (default), or all of it after backward (--no-overlap-allreduce). Same numbers either way; docs/benchmarks.md measures both.")
    var overlapAllreduce: Bool?

    @Flag(help: "Start a new run in an --out that already holds one, replacing its checkpoint, model and log.")
    var overwrite = false

    func validate() throws {
        if overwrite && resume != nil { throw ValidationError("--overwrite starts a new run; it cannot be combined with --resume") }
        if let steps, !(1...1_000_000_000).contains(steps) { throw ValidationError("--steps must be in 1...1000000000, got \(steps)") }
        if let stopAfter, !(1...1_000_000_000).contains(stopAfter) { throw ValidationError("--stop-after must be in 1...1000000000, got \(stopAfter)") }
        if config == nil && resume == nil { throw ValidationError("pass --config FILE (or --resume CKPT, which carries its config)") }
    }

    func run() async throws {
        let collective = try RunCollective.make()
        global.apply()
        if global.threads == nil && collective.size > 1 {
            // Ranks on one host share its cores.
            Threads.set(max(1, ProcessInfo.processInfo.activeProcessorCount / RunCollective.localRanks))
        }
        do {
            try train(collective)
        } catch let e as ExitCode {
            throw e
        } catch where collective.size > 1 {
            // A rank that cannot go on must not leave the others waiting in the next allreduce.
            collective.abort("a2m train, rank \(collective.rank) of \(collective.size) on \(collective.processorName): \(error)", code: 1)
        }
    }

    func train(_ collective: Collective) throws {
        if let overlapAllreduce, collective.size == 1 {
            // Before the data is read: one process has no allreduce to overlap.
            throw ValidationError("--\(overlapAllreduce ? "" : "no-")overlap-allreduce applies to data-parallel runs under mpirun; this run has one process")
        }
        let url = { (p: String) in URL(fileURLWithPath: p) }
        let root = collective.isRoot
        let quiet = global.quiet || !root
        let stderr = FileHandle.standardError
        func say(_ s: String) { if root { stderr.write(Data((s + "\n").utf8)) } }
        // Watching from the start: Ctrl-C during preprocessing stops between two cache files, so none is left half-written.
        if collective.size > 1 {
            // mpirun tears the job down on SIGINT/SIGTERM: say what is left and go; SIGUSR1/2 (forwarded) stop cleanly.
            let checkpoint = url(out).appendingPathComponent("checkpoint.safetensors").path, rank = collective.rank
            StopSignal.install(stopOn: [SIGUSR1, SIGUSR2], endOn: [SIGINT, SIGTERM]) { sig in
                let last = FileManager.default.fileExists(atPath: checkpoint) ? "the last checkpoint, \(checkpoint), stays valid" : "no checkpoint was written yet"
                FileHandle.standardError.write(Data("a2m train, rank \(rank): ended by \(StopSignal.name(sig)) (mpirun stops every rank when one fails or is interrupted); \(last)\n".utf8))
                _exit(128 + sig)
            }
        } else {
            StopSignal.install()
        }
        defer { StopSignal.uninstall() }
        let (trainer, notes): (Trainer, [String])
        do {
            (trainer, notes) = try TrainingSession.prepare(.init(
                data: url(data), config: config.map(url), out: url(out), cache: cache.map(url), resume: resume.map(url),
                steps: steps, seed: seed, layout: layout, split: split.map(url), collective: collective, quiet: quiet,
                overwrite: overwrite, shouldStop: { StopSignal.requested != nil }, teacher: teacher.map(url), initial: initial.map(url)))
        } catch let e as TrainingError {
            guard case .stopped = e else { throw e }
            let sig = StopSignal.requested ?? SIGINT
            say("stopped by \(StopSignal.name(sig)): \(e)")
            throw ExitCode(128 + sig)
        }
        for n in notes { say("note: " + n) }
        if let overlapAllreduce { trainer.overlapAllreduce = overlapAllreduce }
        let d = trainer.data
        if !global.quiet {
            say("data: \(d.files.count) files (\(d.trainingFiles.count) training, \(d.validationFiles.count) validation), "
                + "\(d.trainingWindows.count) training windows of \(trainer.config.training.windowFrames) frames at \(d.fps) fps, "
                + "\(d.cacheHits) from cache in \(cache ?? TrainingSession.Options.defaultCache(out: url(out)).path)")
            say("model: motionDim \(trainer.config.model.motionDim) (\(d.skeleton.jointCount) joints), audioDim \(trainer.config.model.audioDim)")
            if let f = trainer.derivativeFactorSummary { say("derivative factors: " + f) }
            if let g = trainer.config.model.distilledGuidance, let teacher {
                say("distilling guidance \(g.weight) (\(g.method.rawValue)) from \(teacher): the student starts from its weights and statistics")
            }
            if let initial { say("fine-tuning \(initial): the run starts from its weights and normalization statistics") }
            if collective.size > 1 {
                say("data-parallel: \(collective.size) ranks × \(trainer.config.training.batchSize / collective.size) windows of the batch of \(trainer.config.training.batchSize), \(Threads.count) thread(s) each")
            }
            say("training steps \(trainer.step + 1)...\(trainer.totalSteps) -> \(out)")
        }
        let progress = ProgressLine(total: trainer.totalSteps - trainer.step, label: "train", unit: "steps", quiet: quiet)
        let first = trainer.step
        let started = DispatchTime.now().uptimeNanoseconds
        var lastVal = ""
        if let stopAfter, stopAfter <= trainer.step {
            throw ValidationError("--stop-after \(stopAfter): the run is already at step \(trainer.step)")
        }
        let stopAfter = self.stopAfter
        let outcome = try trainer.run(shouldStop: { StopSignal.requested != nil || stopAfter.map { trainer.step >= $0 } == true }, onLog: { e in
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
        case .stopped(let step) where StopSignal.requested == nil && stopAfter.map({ step >= $0 }) == true:
            let launcher = collective.size > 1 ? "mpirun -n \(collective.size) " : ""
            say("stopped after step \(step) (--stop-after); continue with: \(launcher)a2m train --data \(data) --out \(out) --resume \(trainer.checkpointURL.path)\(resumeArguments)")
        case .stopped(let step):
            // Under mpirun every rank stops at the step where any rank had a request (mpirun forwards SIGUSR1 to all,
            // but they may see it a step apart).
            let local = StopSignal.requested
            let sig = local ?? (collective.size > 1 ? SIGUSR1 : SIGINT)
            let launcher = collective.size > 1 ? "mpirun -n \(collective.size) " : ""
            let by = local.map { "by \(StopSignal.name($0))" } ?? "at another rank's request"
            say("stopped \(by) at step \(step); resume with: \(launcher)a2m train --data \(data) --out \(out) --resume \(trainer.checkpointURL.path)\(resumeArguments)")
            throw ExitCode(128 + sig)
        }
    }
}

extension Train {
    /// What a resume command must repeat: the teacher and the starting model.
    var resumeArguments: String { (teacher.map { " --teacher \($0)" } ?? "") + (initial.map { " --init \($0)" } ?? "") }
}

extension DatasetLayout: ExpressibleByArgument {}
