import A2MCore
import A2MGeneration
import A2MMotion
import A2MNN
import Foundation

/// The training loop: diffusion loss on x0 with per-sample CFG dropout, AdamW, EMA, validation, JSONL log and
/// exactly resumable checkpoints.
///
/// Per step, with B = batch size, L = window frames, D = motion features:
/// 1. the next B windows in the data order (a fresh permutation per epoch);
/// 2. t ~ U{0..<T} per sample (stream `.diffusionTime`), ε ~ N(0, I) (stream `.diffusionNoise`),
///    x_t = √ᾱ_t·x0 + √(1−ᾱ_t)·ε (`DiffusionSchedule.qSample`);
/// 3. keep mask per sample with P(drop) = model.condDropProbability (stream `.conditionDrop`); dropped samples use
///    the learned null embeddings;
/// 4. the network predicts x0; loss = w_x0·MSE(x0) + w_vel·MSE(velocity) + w_acc·MSE(acceleration) (+ the foot
///    term) over real (unpadded) frames;
/// 5. NaN/Inf in the loss or the gradient norm stops the run before the weights change;
/// 6. AdamW (global-norm clip, warm-up + cosine LR) and the EMA update (decay warmed up, see `emaDecay`).
///
/// Data-parallel (`collective.size` N > 1, docs/training.md "Data-parallel training"): every rank draws the whole
/// batch's windows, timesteps, noise and keep mask from the same streams and runs rows r·B/N ..< (r+1)·B/N of it
/// (`BatchShard`), so the run does not depend on N; the gradients (and the step's loss terms and stop flag,
/// in the arena's spare floats) are summed over the ranks, span by span while backward runs (`overlapAllreduce`);
/// every rank then takes the same AdamW and EMA step.
/// Rank 0 alone writes the log and the checkpoints.
public final class Trainer {
    public let config: A2MConfig
    public let data: TrainingSet
    let outDirectory: URL
    public let totalSteps: Int
    public private(set) var step: Int

    let model: Denoiser
    let evalModel: Denoiser
    let adam: AdamW
    let ema: ExponentialMovingAverage
    let schedule: DiffusionSchedule
    var state: TrainingState
    let lossWeights: LossWeights
    /// The per-feature derivative factors' range (`training.derivativeWeighting`), nil with `uniform`.
    public var derivativeFactorSummary: String? { lossWeights.derivativeChannels?.summary }
    /// The foot term's kinematics (nil when `footVelocityLossWeight` is 0).
    let feet: FootVelocityLoss?
    var lastCheckpoint: String?
    /// The ranks of the run (one process without MPI).
    public let collective: Collective
    /// Guidance distillation's teacher (`model.distilledGuidance`): its guided x0 is the target; nil for training.
    let teacher: GuidanceTeacher?
    /// The model a fine-tuning run (`a2m train --init`) started from; nil for fresh weights.
    let initial: StartingModel?

    public var checkpointURL: URL { outDirectory.appendingPathComponent("checkpoint.safetensors") }
    public var modelURL: URL { outDirectory.appendingPathComponent("model.safetensors") }
    var logURL: URL { outDirectory.appendingPathComponent("train.jsonl") }

    /// How a run ended.
    public enum Outcome: Equatable, Sendable {
        case finished(step: Int)
        case stopped(step: Int)
    }

    /// A line of the JSONL log.
    public struct LogEntry: Codable, Equatable, Sendable {
        public var step: Int
        /// Mean training loss over the steps since the previous line.
        public var loss: Double
        var lossX0: Double
        var lossVelocity: Double
        /// The foot velocity term (unweighted); absent when `footVelocityLossWeight` is 0.
        var lossFoot: Double?
        /// The acceleration term (unweighted); absent when `accelerationLossWeight` is 0.
        var lossAcceleration: Double?
        public var valLoss: Double?
        /// The same validation loss with every sample's audio replaced by the null embeddings (nil when the model has
        /// no unconditional mode). valLossUncond − valLoss is how much the model gets from the audio.
        public var valLossUncond: Double?
        var lr: Double
        var gradNorm: Double
        /// Samples whose audio was replaced by the null embeddings (CFG dropout) since the previous line, of `samples`.
        var condDropped: Int
        var samples: Int
        /// Training seconds since the run started (summed over resumed segments).
        var elapsed: Double
    }

    /// Prepares a run: a fresh model from `training.seed`, or the state of `resume`. `steps` overrides
    /// `training.totalSteps` (on resume the checkpoint's run length is kept unless `steps` is given).
    /// Nothing is written until `run`.
    /// `teacher`: the model to distil guidance from, required exactly when `config.model.distilledGuidance` is set;
    /// the student then starts from its weights and uses its normalization statistics.
    /// `initial`: fine-tune this model (`a2m train --init`): the run starts from its weights and uses its
    /// statistics; required again with `resume`, which checks that it is the same model.
    package init(config: A2MConfig, data: TrainingSet, outDirectory: URL, steps: Int? = nil, resume: URL? = nil,
                 collective: Collective = SingleProcess(), teacher teacherURL: URL? = nil, initial initialURL: URL? = nil) throws {
        var cfg = config
        self.collective = collective
        guard cfg.training.batchSize % collective.size == 0 else {
            throw TrainingError.modelMismatch(reason: "training.batchSize \(cfg.training.batchSize) cannot be split over \(collective.size) ranks; run a number of ranks that divides it")
        }
        guard data.motionDim == cfg.model.motionDim else {
            throw TrainingError.modelMismatch(reason: "model.motionDim is \(cfg.model.motionDim) but the data's skeleton (\(data.skeleton.jointCount) joints) gives \(data.motionDim) motion features per frame; set model.motionDim to \(data.motionDim)")
        }
        guard data.audioDim == cfg.model.audioDim else {
            throw TrainingError.modelMismatch(reason: "model.audioDim \(cfg.model.audioDim) differs from the data's \(data.audioDim) audio features")
        }
        switch (cfg.model.distilledGuidance, teacherURL) {
        case (nil, nil):
            teacher = nil
        case let (g?, url?):
            let tch = try GuidanceTeacher(url: url, guidance: g)
            let problems = tch.problems(student: cfg, data: data)
            guard problems.isEmpty else {
                throw TrainingError.modelMismatch(reason: "cannot distil from \(url.path): " + ErrorList.capped(problems).joined(separator: "; "))
            }
            try data.useStatistics(motion: tch.model.motionStats, audio: tch.model.audioStats)
            teacher = tch
        case (_?, nil):
            throw TrainingError.modelMismatch(reason: "model.distilledGuidance is set, so this config distils guidance; pass --teacher MODEL, the model to distil it from")
        case (nil, let url?):
            throw TrainingError.modelMismatch(reason: "--teacher \(url.path) needs a config whose model.distilledGuidance names the guidance to distil, e.g. {\"weight\": 2.5, \"method\": \"lowpass\"}")
        }
        if let url = initialURL {
            guard teacher == nil else {
                throw TrainingError.modelMismatch(reason: "--init \(url.path) with --teacher: a distilled student already starts from its teacher's weights; drop --init")
            }
            let start = try StartingModel(url: url)
            guard start.model.denoiser.distilledGuidance == nil else {
                throw TrainingError.modelMismatch(reason: "--init \(url.path) is a guidance-distilled student; fine-tuning it would train its conditioned pass toward the data, not the guided prediction it was distilled to")
            }
            let problems = start.problems(config: cfg, data: data, role: "the --init model")
            guard problems.isEmpty else {
                throw TrainingError.modelMismatch(reason: "cannot fine-tune \(url.path): " + ErrorList.capped(problems).joined(separator: "; "))
            }
            try data.useStatistics(motion: start.model.motionStats, audio: start.model.audioStats)
            initial = start
        } else {
            initial = nil
        }
        self.data = data
        self.outDirectory = outDirectory
        let t = cfg.training
        var weights = LossWeights(mse: t.x0LossWeight, velocity: t.velocityLossWeight, footVelocity: t.footVelocityLossWeight,
                                  acceleration: t.accelerationLossWeight)
        weights.derivativeChannels = DerivativeChannelWeights.make(t.derivativeWeighting, floor: t.derivativeFactorFloor, count: data.trainingFiles.count,
                                                                   d: data.motionDim) { data.motion(file: data.trainingFiles[$0]) }
        lossWeights = weights
        feet = t.footVelocityLossWeight > 0 ? try FootVelocityLoss(skeleton: data.skeleton, stats: data.motionStats, fps: data.fps) : nil
        schedule = DiffusionSchedule(cfg.diffusion)
        model = try Denoiser(config: cfg.model, seed: t.seed)
        evalModel = try Denoiser(config: cfg.model, seed: t.seed)
        var total = steps ?? t.totalSteps
        var restored: (TrainingState, SafetensorsFile)?
        if let resume {
            // Before the data check: a run resumed with another starting model or teacher sees other statistics, so
            // "the data differs" would name the wrong cause.
            let opened = try SafetensorsFile(contentsOf: resume)
            let metadata = opened.metadata
            if let teacher, metadata[GuidanceTeacher.metadataKey] != teacher.fingerprint {
                throw TrainingError.cannotResume(checkpoint: resume.path, reason: "it was distilled from another teacher (weights \(metadata[GuidanceTeacher.metadataKey] ?? "unknown"); --teacher has \(teacher.fingerprint))")
            }
            let startedFrom = metadata[StartingModel.initMetadataKey]
            if startedFrom != initial?.fingerprint {
                let reason: String
                switch (startedFrom, initial) {
                case let (f?, nil): reason = "it fine-tunes a model (weights \(f)); pass the same --init MODEL again"
                case let (nil, i?): reason = "it did not start from a model, so --init \(i.url.path) cannot apply; drop --init"
                default: reason = "it fine-tunes another model (weights \(startedFrom ?? "?"); --init has \(initial?.fingerprint ?? "?"))"
                }
                throw TrainingError.cannotResume(checkpoint: resume.path, reason: reason)
            }
            let s = try Trainer.readState(opened, url: resume, config: cfg, data: data), file = opened
            if steps == nil { total = s.totalSteps }
            guard total > s.step else {
                throw TrainingError.cannotResume(checkpoint: resume.path, reason: "it is at step \(s.step) and the run has \(total) steps; pass a larger --steps to continue")
            }
            restored = (s, file)
        }
        cfg.training.totalSteps = total
        self.config = cfg
        totalSteps = total
        adam = AdamW(model: model, schedule: LearningRateSchedule(peak: Double(t.learningRate), warmupSteps: t.warmupSteps, totalSteps: total))
        adam.weightDecay = Double(t.weightDecay)
        adam.maxGradNorm = t.gradClip > 0 ? Double(t.gradClip) : nil
        if let (s, file) = restored {
            try model.parameters.load(from: file, prefix: "train.params.")
            try adam.m.load(from: file, prefix: "train.adam_m.")
            try adam.v.load(from: file, prefix: "train.adam_v.")
            adam.step = s.step
            ema = ExponentialMovingAverage(copying: model.parameters, decay: t.emaDecay)
            try ema.weights.load(from: file)
            // Values, too: a NaN weight or a negative second moment would only show up steps later as a "divergence".
            for (name, arena, nonNegative) in [("train.params.", model.parameters, false), ("train.adam_m.", adam.m, false),
                                               ("train.adam_v.", adam.v, true), ("", ema.weights, false)] {
                if let bad = arena.firstBadValue(nonNegative: nonNegative) {
                    throw CheckpointError.badValue(path: file.path, tensor: name + bad.tensor, value: bad.value,
                                                   expected: nonNegative ? "finite values ≥ 0 (Adam's second moment)" : "finite values")
                }
            }
            model.setDropoutStream(s.dropout)
            var s2 = s
            s2.totalSteps = total
            state = s2
            lastCheckpoint = resume?.path
        } else {
            if let start = teacher?.start ?? initial { model.parameters.copy(from: start.model.denoiser.parameters) }
            ema = ExponentialMovingAverage(copying: model.parameters, decay: t.emaDecay)
            state = TrainingState(
                step: 0, totalSteps: total,
                dataOrder: DataOrder(windowCount: data.trainingWindows.count, seed: t.seed),
                timesteps: PCG32.derived(seed: t.seed, purpose: .diffusionTime),
                noise: PCG32.derived(seed: t.seed, purpose: .diffusionNoise),
                conditionDrop: ConditionDropSampler(probability: cfg.model.condDropProbability, seed: t.seed),
                dropout: model.dropoutStream, intervalSums: [UInt64](repeating: 0, count: 5), intervalSteps: 0, intervalDropped: 0,
                elapsed: 0, dataFingerprint: data.fingerprint)
        }
        step = state.step
    }

    /// Reads and checks the training state of a checkpoint against this config and data.
    static func readState(_ url: URL, config: A2MConfig, data: TrainingSet) throws -> (TrainingState, SafetensorsFile) {
        let file = try SafetensorsFile(contentsOf: url)
        return (try readState(file, url: url, config: config, data: data), file)
    }

    /// `readState` of a checkpoint already opened.
    static func readState(_ file: SafetensorsFile, url: URL, config: A2MConfig, data: TrainingSet) throws -> TrainingState {
        guard let json = file.metadata[TrainingState.metadataKey], let cfgJSON = file.metadata[TrainingState.configKey] else {
            throw TrainingError.cannotResume(checkpoint: url.path, reason: "no training state in its metadata (a model file, not OUT/checkpoint.safetensors?)")
        }
        let saved: A2MConfig
        do {
            saved = try StrictJSON.decode(A2MConfig.self, from: Data(cfgJSON.utf8), file: url.path + " [__metadata__.\(TrainingState.configKey)]")
        } catch {
            throw TrainingError.cannotResume(checkpoint: url.path, reason: "unreadable training config: \(error)")
        }
        var a = saved, b = config
        a.training.totalSteps = 0
        b.training.totalSteps = 0
        if a != b {
            let section = a.audio != b.audio ? "audio" : a.model != b.model ? "model" : a.diffusion != b.diffusion ? "diffusion" : "training"
            throw TrainingError.cannotResume(checkpoint: url.path, reason: "the config's \"\(section)\" section differs from the one the checkpoint was trained with; resume with the same config (only --steps may change)")
        }
        let state = try checkedState(json: json, metadataStep: file.metadata[GenerationModel.Key.step], config: config, data: data,
                                     file: url.path, fingerprint: true)
        return state
    }

    /// Decodes a checkpoint's `a2m.state` JSON and checks every field against `config` and `data`
    /// (`TrainingState.problems`); with `fingerprint`, also that the data is the run's. What the fuzzer drives.
    static func checkedState(json: String, metadataStep: String?, config: A2MConfig, data: TrainingSet, file: String,
                             fingerprint: Bool = false) throws -> TrainingState {
        let state: TrainingState
        do {
            try StrictJSON.rejectDuplicateKeys(Data(json.utf8), file: file + " [__metadata__.\(TrainingState.metadataKey)]")
            state = try JSONDecoder().decode(TrainingState.self, from: Data(json.utf8))
        } catch {
            throw TrainingError.cannotResume(checkpoint: file, reason: "unreadable training state: \(error)")
        }
        if fingerprint && state.dataFingerprint != data.fingerprint {
            throw TrainingError.cannotResume(checkpoint: file, reason: "the data differs from the run's (checkpoint: \(state.dataFingerprint); now: \(data.fingerprint))")
        }
        let problems = state.problems(config: config, data: data, metadataStep: metadataStep)
        guard problems.isEmpty else {
            throw TrainingError.cannotResume(checkpoint: file, reason: "its training state is not one a2m writes: "
                                                + ErrorList.capped(problems).joined(separator: "; "))
        }
        return state
    }

    /// Trains until `totalSteps` or until `shouldStop` (checked before every step; with several ranks, any rank's
    /// request stops every rank after the same step) returns true; then writes a checkpoint and returns. `onLog`
    /// sees every log line (the CLI's progress line).
    public func run(shouldStop: () -> Bool = { false }, onLog: (LogEntry) -> Void = { _ in }) throws -> Outcome {
        let root = collective.isRoot
        if root {
            do { try FileManager.default.createDirectory(at: outDirectory, withIntermediateDirectories: true) } catch {
                throw OutputError.cannotWrite(path: outDirectory.path, reason: "cannot create the directory (\(FileProblem.describe(error)))")
            }
            try prepareLog()
        }
        let t = config.training
        let B = t.batchSize, L = t.windowFrames, D = data.motionDim
        let ranks = collective.size, rows = B / ranks, first = collective.rank * rows
        let started = DispatchTime.now().uptimeNanoseconds
        let elapsedBefore = state.elapsed
        func elapsed() -> Double { elapsedBefore + Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }
        var motion: [Float] = [], audio: [Float] = [], mask: [Float] = []
        var noise = [Float](repeating: 0, count: B * L * D)
        while step < totalSteps {
            let stopHere = shouldStop()
            if ranks == 1 && stopHere {
                state.elapsed = elapsed()
                try saveCheckpoint()
                return .stopped(step: step)
            }
            // The whole batch's draws, on every rank, in the order one process makes them.
            let windows = state.dataOrder.next(B).map { data.trainingWindows[$0] }
            let timesteps = (0..<B).map { _ in state.timesteps.int(below: schedule.steps) }
            noise.withUnsafeMutableBufferPointer { state.noise.fillGaussian($0) }
            let drawnKeep = state.conditionDrop.keepMask(batch: B)
            // A student learns the guided prediction of conditioned rows only (drawn all the same: one stream layout).
            let keep = teacher == nil ? drawnKeep : [Bool](repeating: true, count: B)
            // This rank's rows.
            let mine = first..<(first + rows)
            data.fillBatch(Array(windows[mine]), length: L, motion: &motion, audio: &audio, mask: &mask)
            let noisy = schedule.qSample(x0: motion, timesteps: Array(timesteps[mine]),
                                         noise: ranks == 1 ? noise : Array(noise[(first * L * D)..<((first + rows) * L * D)]))
            let shard = ranks == 1 ? nil : BatchShard(rowOffset: first, keptRowOffset: keep[..<first].filter { $0 }.count,
                                                      counts: Trainer.maskedCounts(windows, length: L))
            let target = try teacher?.targets(noisy: noisy, timesteps: Array(timesteps[mine]), audio: audio, rows: rows, frames: L) ?? motion
            var batch = DenoiserBatch(rows: rows, frames: L, noisy: noisy, timesteps: Array(timesteps[mine]), audio: audio, keep: Array(keep[mine]),
                                      target: target, frameMask: mask.contains(0) ? mask : nil)
            batch.shard = shard
            var loss: LossParts
            var stopAfter = false
            if ranks > 1 {
                // The gradient, then the loss terms and the stop flag in the arena's spare floats, summed over the ranks.
                model.zeroGradients()
                loss = try model.forward(batch, lossWeights: lossWeights, feet: feet, training: true)
                let spare = model.gradients.base + model.gradients.count
                for (i, x) in [loss.total, loss.mse, loss.velocity, loss.foot, loss.acceleration, stopHere ? 1 : 0].enumerated() { spare[i] = Float(x) }
                try backwardSummingGradients(spare: 6)
                loss = LossParts(total: Double(spare[0]), mse: Double(spare[1]), velocity: Double(spare[2]), foot: Double(spare[3]),
                                 acceleration: Double(spare[4]))
                stopAfter = spare[5] > 0
            } else {
                loss = try model.trainStep(batch, lossWeights: lossWeights, feet: feet)
            }
            guard loss.total.isFinite else { throw TrainingError.nonFinite(step: step + 1, what: "the loss", lastCheckpoint: lastCheckpoint) }
            let norm = AdamW.globalNorm(model.gradients)
            guard norm.isFinite else { throw TrainingError.nonFinite(step: step + 1, what: "the gradient norm", lastCheckpoint: lastCheckpoint) }
            let (lr, gradNorm) = adam.update(params: model.parameters, grads: model.gradients)
            ema.decay = Trainer.emaDecay(step: step + 1, target: t.emaDecay)
            ema.update(from: model.parameters)
            step += 1
            state.step = step
            state.dropout = model.dropoutStream
            // A checkpoint from before the foot (acceleration) term holds three (four) sums.
            var sums = state.intervalSums.map(Double.init(bitPattern:)) + [Double](repeating: 0, count: max(0, 5 - state.intervalSums.count))
            sums[0] += loss.total; sums[1] += loss.mse; sums[2] += loss.velocity; sums[3] += loss.foot; sums[4] += loss.acceleration
            state.intervalSums = sums.map(\.bitPattern)
            state.intervalSteps += 1
            state.intervalDropped += keep.filter { !$0 }.count

            let last = step == totalSteps
            if step % t.logInterval == 0 || last {
                let n = Double(state.intervalSteps)
                let validate = step % t.validationInterval == 0 || last
                let val = validate ? try validationLoss() : nil
                let valUncond = validate && evalModel.supportsGuidance && teacher == nil ? try validationLoss(conditioned: false) : nil
                let entry = LogEntry(step: step, loss: sums[0] / n, lossX0: sums[1] / n, lossVelocity: sums[2] / n,
                                     lossFoot: feet != nil ? sums[3] / n : nil,
                                     lossAcceleration: lossWeights.acceleration > 0 ? sums[4] / n : nil,
                                     valLoss: val, valLossUncond: valUncond, lr: lr, gradNorm: gradNorm, condDropped: state.intervalDropped,
                                     samples: state.intervalSteps * B, elapsed: elapsed())
                if root { try appendLog(entry) }
                onLog(entry)
                state.intervalSums = [UInt64](repeating: 0, count: 5)
                state.intervalSteps = 0
                state.intervalDropped = 0
            }
            if step % t.checkpointInterval == 0 || last || stopAfter {
                state.elapsed = elapsed()
                try saveCheckpoint()
            }
            if stopAfter && !last { return .stopped(step: step) }
        }
        return .finished(step: step)
    }

    /// With several ranks: whether each span of the gradient is summed while backward computes the next
    /// (`Denoiser.gradientSpans`), instead of all of it in one allreduce after backward. The sums are the same.
    public var overlapAllreduce = true

    /// Backward of the last forward, and the sum over the ranks of the gradient and the `spare` floats after it:
    /// started span by span as backward finishes them (`overlapAllreduce`), or in one allreduce afterwards.
    func backwardSummingGradients(spare: Int) throws {
        let base = model.gradients.base, n = model.gradients.count
        guard overlapAllreduce else {
            try model.backward()
            return try collective.allreduceSum(UnsafeMutableBufferPointer(start: base, count: n + spare))
        }
        let collective = self.collective
        var failure: Error?
        func start(_ r: Range<Int>) {
            guard failure == nil else { return }
            // The output layer's span ends the arena: the spare floats (known since forward) travel with it.
            let span = r.upperBound == n ? r.lowerBound..<(n + spare) : r
            do { try collective.startAllreduceSum(UnsafeMutableBufferPointer(start: base + span.lowerBound, count: span.count)) } catch { failure = error }
        }
        let spans = model.gradientSpans
        model.onGradientSpanDone = { start($0) }
        defer { model.onGradientSpanDone = nil }
        do {
            try model.backward()
        } catch {
            try? collective.waitForSums()
            throw error
        }
        for r in spans.after { start(r) }
        try collective.waitForSums()
        if let failure { throw failure }
    }

    /// The masked counts of a whole batch of `windows` padded to `length`: a window's real frames come first, so
    /// f real frames give f frames, f − 1 pairs and f − 2 runs of three (the same sums `maskedCounts` makes).
    static func maskedCounts(_ windows: [TrainingWindow], length: Int) -> MaskedCounts {
        var c = MaskedCounts(frames: 0, pairs: 0, triples: 0)
        for w in windows {
            let f = min(w.frames, length)
            c.frames += Double(f)
            c.pairs += Double(max(0, f - 1))
            c.triples += Double(max(0, f - 2))
        }
        return c
    }

    /// EMA decay at 1-based step `step`: min(target, (1 + step) / (10 + step)), the `num_updates` rule of
    /// TensorFlow's ExponentialMovingAverage. Without it, a 0.999 EMA is still 80 % random initialization after 200
    /// steps, and early validation losses (measured on the EMA weights) say nothing about training.
    static func emaDecay(step: Int, target: Float) -> Float {
        min(target, Float(Double(1 + step) / Double(10 + step)))
    }

    /// Validation loss of the EMA weights over the first `validationMaxWindows` validation windows, with timesteps
    /// and noise from a stream re-seeded every pass (so values are comparable across steps, and the conditional and
    /// unconditional passes see the same x_t); `conditioned: false` gives every sample the null embeddings. A
    /// student's target is its teacher's guided x0, as in training. nil without validation files.
    func validationLoss(conditioned: Bool = true) throws -> Double? {
        let windows = Array(data.validationWindows.prefix(config.training.validationMaxWindows))
        guard !windows.isEmpty else { return nil }
        evalModel.parameters.copy(from: ema.weights)
        var rng = PCG32.derived(seed: config.training.seed, purpose: .validation)
        let B = config.training.batchSize, L = config.training.windowFrames, D = data.motionDim
        var motion: [Float] = [], audio: [Float] = [], mask: [Float] = []
        // Chunk c runs on rank c mod N; every rank draws every chunk's numbers (the stream is sequential), and the
        // chunks' totals, summed over ranks (each is non-zero on one rank only: exact), add up in chunk order.
        let chunks = stride(from: 0, to: windows.count, by: B).map { Array(windows[$0..<min(windows.count, $0 + B)]) }
        var totals = [Double](repeating: 0, count: chunks.count)
        for (c, chunk) in chunks.enumerated() {
            let n = chunk.count
            let timesteps = (0..<n).map { _ in rng.int(below: schedule.steps) }
            var noise = [Float](repeating: 0, count: n * L * D)
            noise.withUnsafeMutableBufferPointer { rng.fillGaussian($0) }
            guard c % collective.size == collective.rank else { continue }
            data.fillBatch(chunk, length: L, motion: &motion, audio: &audio, mask: &mask)
            let noisy = schedule.qSample(x0: motion, timesteps: timesteps, noise: noise)
            let target = try teacher?.targets(noisy: noisy, timesteps: timesteps, audio: audio, rows: n, frames: L) ?? motion
            let batch = DenoiserBatch(rows: n, frames: L, noisy: noisy, timesteps: timesteps, audio: audio, keep: Array(repeating: conditioned, count: n),
                                      target: target, frameMask: mask.contains(0) ? mask : nil)
            totals[c] = try evalModel.forward(batch, lossWeights: lossWeights, feet: feet, training: false).total * Double(n)
        }
        if collective.size > 1 { try totals.withUnsafeMutableBufferPointer { try collective.allreduceSum($0) } }
        return totals.reduce(0, +) / Double(windows.count)
    }

    /// Writes OUT/checkpoint.safetensors (EMA weights as the model + the full training state) and
    /// OUT/model.safetensors (EMA weights + what generation needs). Both atomic.
    ///
    /// The checkpoint goes first: if the model file then cannot be written, the model is older than the checkpoint
    /// (a resume rewrites it), never newer than anything the run can continue from.
    func saveCheckpoint() throws {
        if collective.size > 1 {
            // Every rank took the same steps from the same sums; a rank whose weights differ has gone wrong.
            var h = ContentHash()
            h.addWords(UnsafeRawBufferPointer(start: model.parameters.base, count: 4 * model.parameters.count))
            guard try collective.agree(h.value) else {
                throw TrainingError.ranksDiverged(step: step, rank: collective.rank)
            }
        }
        if collective.isRoot { try writeCheckpoint() }
        lastCheckpoint = checkpointURL.path
        // No rank leaves (and perhaps ends the job) before rank 0 has its files on disk.
        if collective.size > 1 { try collective.barrier() }
    }

    func writeCheckpoint() throws {
        try flushLog()
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let meta = try GenerationModel.metadata(diffusion: config.diffusion, audio: config.audio, skeleton: data.skeleton, fps: data.fps,
                                                motionStats: data.motionStats, audioStats: data.audioStats, step: step,
                                                sourceFPS: data.sourceFPS != data.fps ? data.sourceFPS : nil)
            .merging(teacher.map { [GuidanceTeacher.metadataKey: $0.fingerprint] } ?? [:]) { a, _ in a }
            .merging(initial.map { [StartingModel.initMetadataKey: $0.fingerprint] } ?? [:]) { a, _ in a }
        var full = meta
        full[TrainingState.metadataKey] = try state.json()
        full[TrainingState.configKey] = String(decoding: try enc.encode(config), as: UTF8.self)
        try model.saveCheckpoint(to: checkpointURL, weights: ema.weights, metadata: full,
                                 extra: [("train.params.", model.parameters), ("train.adam_m.", adam.m), ("train.adam_v.", adam.v)])
        try model.saveCheckpoint(to: modelURL, weights: ema.weights, metadata: meta)
    }

    /// The log text a resumed run continues from, until its first log line or checkpoint writes it (`flushLog`).
    var pendingLog: Data?

    /// Keeps the log lines up to the current step (a resumed run drops what the interrupted run logged after its
    /// checkpoint, and any torn last line), so the log reads like one uninterrupted run. A fresh run starts an empty
    /// log at once; a resumed run only computes the kept lines here and writes them with its first log line or
    /// checkpoint, so a resume that fails before either leaves the log as it was.
    func prepareLog() throws {
        guard step > 0 else {
            try AtomicFile.write("", to: logURL)
            return
        }
        let text: String
        do {
            guard FileManager.default.fileExists(atPath: logURL.path) else { pendingLog = Data(); return }
            text = try String(contentsOf: logURL, encoding: .utf8)
        } catch {
            throw OutputError.cannotWrite(path: logURL.path, reason: "cannot read the log to continue it (\(FileProblem.describe(error, path: logURL.path)))")
        }
        let dec = JSONDecoder()
        let kept = text.split(separator: "\n").filter { line in
            guard let e = try? dec.decode(LogEntry.self, from: Data(line.utf8)) else { return false }
            return e.step <= step
        }
        pendingLog = Data(kept.map { $0 + "\n" }.joined().utf8)
    }

    /// Writes the log a resumed run continues from, if not done yet.
    func flushLog() throws {
        guard let text = pendingLog else { return }
        try AtomicFile.write(text, to: logURL)
        pendingLog = nil
    }

    func appendLog(_ entry: LogEntry) throws {
        try flushLog()
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        var line = try enc.encode(entry)
        line.append(0x0A)
        do {
            let h = try FileHandle(forWritingTo: logURL)
            defer { try? h.close() }
            try h.seekToEnd()
            try h.write(contentsOf: line)
        } catch {
            throw OutputError.cannotWrite(path: logURL.path, reason: FileProblem.describe(error, path: logURL.path))
        }
    }

    /// Reads a JSONL training log.
    static func readLog(_ url: URL) throws -> [LogEntry] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(LogEntry.self, from: Data($0.utf8)) }
    }
}
