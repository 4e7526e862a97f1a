import A2MCore
import A2MNN
import Foundation

/// `a2m train` as a library call: reads the config (or the checkpoint's, when resuming without one), applies the
/// command-line overrides, preprocesses the data and prepares the `Trainer`. Everything is checked before
/// anything is written to the output directory, so bad input leaves no partial checkpoint behind.
public enum TrainingSession {
    public struct Options {
        public var data: URL
        public var config: URL?
        public var out: URL
        /// The feature cache; default OUT/cache (never the data folder, which may be read-only or shared).
        public var cache: URL?
        public var resume: URL?
        public var steps: Int?
        public var seed: UInt64?
        public var layout: DatasetLayout
        public var split: URL?
        public var collective: Collective
        public var quiet: Bool
        /// Start a new run in an `out` that already holds one (its checkpoint, model and log are replaced).
        public var overwrite: Bool
        /// Asked before each file of preprocessing (the CLI's Ctrl-C); a stop ends `prepare` with `TrainingError.stopped`.
        public var shouldStop: @Sendable () -> Bool
        /// The model to distil guidance from (a config with `model.distilledGuidance`); nil for training.
        public var teacher: URL?
        /// The model to fine-tune (`--init`): the run starts from its weights and statistics; nil for fresh weights.
        public var initial: URL?
        public init(data: URL, config: URL?, out: URL, cache: URL? = nil, resume: URL? = nil, steps: Int? = nil, seed: UInt64? = nil,
                    layout: DatasetLayout = .auto, split: URL? = nil, collective: Collective = SingleProcess(), quiet: Bool = true,
                    overwrite: Bool = false, shouldStop: @escaping @Sendable () -> Bool = { false }, teacher: URL? = nil, initial: URL? = nil) {
            self.data = data; self.config = config; self.out = out; self.cache = cache
            self.resume = resume; self.steps = steps; self.seed = seed; self.layout = layout; self.split = split
            self.collective = collective; self.quiet = quiet; self.overwrite = overwrite; self.shouldStop = shouldStop
            self.teacher = teacher
            self.initial = initial
        }

        /// Where the feature cache goes by default: under the output folder.
        public static func defaultCache(out: URL) -> URL { out.appendingPathComponent("cache") }
    }

    public static func prepare(_ o: Options) throws -> (trainer: Trainer, notes: [String]) {
        var config: A2MConfig
        let configFile: String
        if let url = o.config {
            config = try A2MConfig.load(contentsOf: url)
            configFile = url.path
        } else if let resume = o.resume {
            config = try configOfCheckpoint(resume)
            configFile = resume.path + " [__metadata__.\(TrainingState.configKey)]"
        } else {
            throw ConfigError.unreadable(file: "<command line>", reason: "no config: pass --config FILE (or --resume CKPT, which carries its config)")
        }
        if o.resume == nil && !o.overwrite { try refuseExistingRun(in: o.out) }
        if let seed = o.seed { config.training.seed = seed }
        if let steps = o.steps {
            try ConfigValidator(file: "--steps").check("steps", steps, in: 1...1_000_000_000)
        }
        // Before the data is read and before anything is written: a config inside every documented range can still
        // ask for terabytes (width 4096, 64 layers, ffn 65536).
        try MemoryBudget.check(Denoiser.trainingBytes(config.model, batch: config.training.batchSize), for: "training with this config",
                               file: configFile, detail: "model width \(config.model.width), \(config.model.layers) layers, ffn \(config.model.ffn), "
                                   + "windowFrames \(config.model.windowFrames), batchSize \(config.training.batchSize)")
        // A config that cannot continue the --init model or student of the teacher is refused before the data is
        // preprocessed (the Trainer checks the data's fps and skeleton against it afterwards).
        for (url, role, flag) in [(o.initial, "the --init model", "--init"), (o.teacher, "the teacher", "--teacher")] {
            guard let url else { continue }
            let problems = try StartingModel(url: url).configProblems(config: config, role: role)
            guard problems.isEmpty else {
                throw TrainingError.modelMismatch(reason: "\(configFile): \(flag) \(url.path): " + ErrorList.capped(problems).joined(separator: "; "))
            }
        }
        let source = TrainingSet.Source(directory: o.data, layout: o.layout, splitFile: o.split, exclude: [o.out])
        let data = try TrainingSet.load(source, cache: o.cache ?? Options.defaultCache(out: o.out), audio: config.audio, training: config.training,
                                        collective: o.collective, quiet: o.quiet, shouldStop: o.shouldStop)
        config = try config.resolvingDimensions(motionDim: data.motionDim, jointCount: data.skeleton.jointCount, file: configFile)
        let trainer: Trainer
        do {
            trainer = try Trainer(config: config, data: data, outDirectory: o.out, steps: o.steps, resume: o.resume, collective: o.collective,
                                  teacher: o.teacher, initial: o.initial)
        } catch let TrainingError.modelMismatch(reason) {
            // Name the config the sizes came from.
            throw TrainingError.modelMismatch(reason: "\(configFile): \(reason)")
        }
        return (trainer, data.notes)
    }

    /// The files a run writes into its directory. A new run (no `--resume`) into a directory that holds any of them
    /// would replace another run's checkpoint and log, so it is refused before any data is read.
    static let runFiles = ["checkpoint.safetensors", "model.safetensors", "train.jsonl"]

    static func refuseExistingRun(in out: URL) throws {
        let found = runFiles.filter { FileManager.default.fileExists(atPath: out.appendingPathComponent($0).path) }
        guard let first = found.first else { return }
        throw OutputError.cannotWrite(path: out.path, reason: "it already holds a training run (\(found.joined(separator: ", "))); "
            + "continue it with --resume \(out.appendingPathComponent("checkpoint.safetensors").path), choose another --out, "
            + "or pass --overwrite to replace \(found.count == 1 ? first : "them")")
    }

    /// The config a checkpoint was trained with.
    static func configOfCheckpoint(_ url: URL) throws -> A2MConfig {
        let file = try SafetensorsFile(contentsOf: url)
        guard let json = file.metadata[TrainingState.configKey] else {
            throw TrainingError.cannotResume(checkpoint: url.path, reason: "no training config in its metadata (a model file, not OUT/checkpoint.safetensors?)")
        }
        let label = url.path + " [__metadata__.\(TrainingState.configKey)]"
        let config = try StrictJSON.decode(A2MConfig.self, from: Data(json.utf8), file: label)
        try config.validate(file: label)
        return config
    }
}
