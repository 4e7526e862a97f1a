import A2MKit
import ArgumentParser
import Foundation

/// Output file formats of `a2m generate`.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
    case bvh, json
}

/// `a2m generate AUDIO...`: speech or music in, BVH/JSON motion out.
struct Generate: AsyncParsableCommand {
    /// Where `--model` points when not given: `$A2M_MODEL`, else this path relative to the current directory,
    /// else relative to the executable (see `defaultModelCandidates`).
    static let defaultModelPath = "Motions/default_model.safetensors"

    /// Paths tried for the default model after `$A2M_MODEL`, in order: `Motions/default_model.safetensors` in the
    /// current directory; the same under every ancestor of the executable's real directory, so a SwiftPM build
    /// (`.build/<triple>/release/a2m`) finds its repository's model from any working directory; and
    /// `share/a2m/default_model.safetensors` beside an installed `bin/a2m`.
    static func defaultModelCandidates(currentDirectory: String = FileManager.default.currentDirectoryPath,
                                       executable: URL? = Generate.executableURL()) -> [String] {
        var paths = [URL(fileURLWithPath: currentDirectory).appendingPathComponent(defaultModelPath).path]
        if let executable {
            var dir = executable.deletingLastPathComponent()
            for _ in 0..<6 {
                paths.append(dir.appendingPathComponent(defaultModelPath).path)
                paths.append(dir.appendingPathComponent("share/a2m/default_model.safetensors").path)
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted }
    }

    static func executableURL() -> URL? {
        let proc = "/proc/self/exe"
        if FileManager.default.fileExists(atPath: proc) { return URL(fileURLWithPath: proc).resolvingSymlinksInPath() }
        return CommandLine.arguments.first.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath() }
    }

    static let configuration = CommandConfiguration(
        abstract: "Generate full-body motion for audio files.",
        discussion: """
            Writes NAME.bvh and NAME.json next to each input (or into --out); with --samples K, NAME_1 … NAME_K. \
            Skeleton, frame rate, audio front end and normalization come from the model checkpoint. Audio of any \
            length is generated in overlapping windows (docs/sampling.md). Same seed, inputs and binary give \
            byte-identical files. Default model: $A2M_MODEL, else \(defaultModelPath) in the \
            current directory or in the repository or install the binary belongs to.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Input audio files (WAV, FLAC, OGG/Vorbis, MP3, AIFF, ...).") var audio: [String]

    @Option(help: "Model checkpoint (.safetensors). Default: $A2M_MODEL, else \(Generate.defaultModelPath) (current directory, then beside the binary).")
    var model: String?

    @Option(parsing: .unconditional, help: "Classifier-free guidance weight w ≥ 0: 0 ignores the audio, 1 is the conditional model, > 1 follows the audio more.")
    var guidance: Float = 1

    @Option(help: "Guidance over the steps: constant; ramp (0 → w over the first half); interval (w over the first 60 %, then 1).")
    var guidanceSchedule: GuidanceSchedule = .constant

    @Option(help: "How the guided prediction enters each step: cfg; cfgpp (CFG++: --guidance is its λ in 0...1, constant schedule; docs/sampling.md).")
    var guidanceMethod: GuidanceMethod = .cfg

    @Option(help: "Denoising steps (network evaluations).") var steps: Int = 50

    @Option(help: "Which timesteps the steps visit: trailing (uniform in t) or karras (EDM's ρ = 7 noise levels; more steps at high noise, where slow whole-window motion such as a weight shift is decided; docs/sampling.md).")
    var spacing: TimestepSpacing = .trailing

    @Option(help: "DDIM noise scale in 0...1 (0 = deterministic given the seed; ddim only).") var eta: Float = 0

    @Option(help: "Sampler: ddim or ddpm.") var sampler: SamplerKind = .ddim

    @Option(help: "Random seed.") var seed: UInt64 = 0

    @Option(help: "Samples per input (different noise streams).") var samples: Int = 1

    @Option(help: "Output directory (default: next to each input).") var out: String?

    @Option(help: "Comma-separated output formats: bvh, json.", transform: Generate.parseFormats)
    var format: [OutputFormat] = [.bvh, .json]

    @Option(help: "JSON layout: a2m (self-describing) or threejs (AnimationClip).") var jsonFormat: MotionJSONFormat = .a2m

    @Option(help: "Output frame rate (resampled with slerp). Default: the training data's own, as the model records it, else the model's.") var fps: Double?

    @Flag(inversion: .prefixedNo, help: "Hold feet the network leaves nearly still in place on the ground plane (leg IK; docs/sampling.md, \"Foot lock\"). A skeleton without legs is left as it is.")
    var footLock = true

    @Flag(help: "Also write NAME.html: the self-contained player (a2m view) with the input audio and every sample side by side.")
    var view = false

    static func parseFormats(_ s: String) throws -> [OutputFormat] {
        let parts = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var result: [OutputFormat] = []
        for p in parts {
            guard let f = OutputFormat(rawValue: p) else {
                throw ValidationError("--format: unknown format '\(p)'; expected a comma-separated list of bvh, json")
            }
            if !result.contains(f) { result.append(f) }
        }
        guard !result.isEmpty else { throw ValidationError("--format: empty list; expected bvh, json or bvh,json") }
        return result
    }

    func validate() throws {
        guard !audio.isEmpty else { throw ValidationError("give at least one audio file") }
        if audio.contains("-") {
            throw ValidationError("'-' (standard input): generation reads its audio more than once; save it to a file and give that file")
        }
        guard guidance.isFinite, guidance >= 0 else { throw ValidationError("--guidance must be a finite number ≥ 0, got \(guidance)") }
        do {
            try SamplerOptions(guidance: guidance, guidanceSchedule: guidanceSchedule, guidanceMethod: guidanceMethod).validateGuidance()
        } catch {
            throw ValidationError("--guidance \(guidance) with --guidance-method \(guidanceMethod.rawValue): \(error)")
        }
        guard steps >= 1 else { throw ValidationError("--steps must be ≥ 1, got \(steps)") }
        guard eta.isFinite, (0...1).contains(eta) else { throw ValidationError("--eta must be in 0...1, got \(eta)") }
        if sampler == .ddpm && eta != 0 { throw ValidationError("--eta applies to --sampler ddim only") }
        guard (1...1000).contains(samples) else { throw ValidationError("--samples must be in 1...1000, got \(samples)") }
        if let fps, !(fps.isFinite && fps >= 1 && fps <= 1000) { throw ValidationError("--fps must be in 1...1000, got \(fps)") }
        if !format.contains(.json) && jsonFormat != .a2m { throw ValidationError("--json-format needs json in --format") }
    }

    /// The model file: `--model`, else `$A2M_MODEL`, else the first default candidate that exists.
    func modelURL() throws -> URL {
        if let path = model ?? ProcessInfo.processInfo.environment["A2M_MODEL"] { return URL(fileURLWithPath: path) }
        let candidates = Generate.defaultModelCandidates()
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw GenerateError.noDefaultModel(searched: candidates)
        }
        return URL(fileURLWithPath: found)
    }

    /// The player of input `i` (all its samples in one page).
    func viewerURL(_ input: URL) -> URL {
        let dir = out.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? input.deletingLastPathComponent()
        return dir.appendingPathComponent(input.deletingPathExtension().lastPathComponent).appendingPathExtension("html")
    }

    /// Output files of input `i`, sample `k` (without extension).
    func outputStem(_ input: URL, sample k: Int) -> URL {
        let dir = out.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? input.deletingLastPathComponent()
        let stem = input.deletingPathExtension().lastPathComponent
        return dir.appendingPathComponent(samples == 1 ? stem : "\(stem)_\(k + 1)")
    }

    func run() async throws {
        global.apply()
        let inputs = audio.map { URL(fileURLWithPath: $0) }
        // Generation reads each input more than once (a check pass, then the frames as they are generated; --view
        // a third time), so a pipe would wait forever for a writer that has gone: refused at once.
        for input in inputs { try AudioFeatureStream.checkRereadable(input) }
        // Everything that can be checked is checked before any work, and no file is written before all
        // generation succeeded.
        var seen: [String: String] = [:]
        for (i, input) in inputs.enumerated() {
            for k in 0..<samples {
                for f in format {
                    let path = outputStem(input, sample: k).appendingPathExtension(f.rawValue).standardizedFileURL.path
                    if let other = seen[path] {
                        throw GenerateError.outputCollision(first: other, second: audio[i], output: path)
                    }
                    seen[path] = audio[i]
                }
            }
            if view {
                let path = viewerURL(input).standardizedFileURL.path
                if let other = seen[path] {
                    throw GenerateError.outputCollision(first: other, second: audio[i], output: path)
                }
                seen[path] = audio[i]
            }
        }
        let outputDirectories = Set(inputs.map { outputStem($0, sample: 0).deletingLastPathComponent() })
        try OutputDirectories.checkWritable(outputDirectories)

        let url = try modelURL()
        let generationModel = try GenerationModel.load(contentsOf: url)
        let options = SamplerOptions(kind: sampler, steps: steps, eta: eta, guidance: guidance,
                                     guidanceSchedule: guidanceSchedule, guidanceMethod: guidanceMethod, seed: seed, spacing: spacing)
        do {
            try options.validate(trainingSteps: generationModel.diffusion.steps, supportsGuidance: generationModel.denoiser.supportsGuidance)
        } catch {
            throw GenerateError.modelRefuses(path: url.path, reason: "\(error)")
        }

        // Read before generating, so an unreadable input fails before minutes of work.
        let sounds = try view ? inputs.map { try ViewerAudio.playable(from: $0) } : []
        let pipeline = GenerationPipeline(model: generationModel)
        pipeline.footLock = footLock
        if footLock && !pipeline.skeletonHasLegs && !global.quiet {
            FileHandle.standardError.write(Data("note: \(url.path): the skeleton has no legs (hip → knee → ankle chains below the root) to lock; feet are left as generated\n".utf8))
        }
        var line: ProgressLine?
        let progress: (Int, Int) -> Void = { done, total in
            if line == nil { line = ProgressLine(total: total, label: "generate", unit: "step", quiet: global.quiet) }
            line?.update(done)
        }
        if streams(generationModel) {
            try generateStreaming(inputs, pipeline: pipeline, directories: outputDirectories, options: options, progress: progress)
            line?.finish()
            return
        }
        let features = try inputs.map { (name: $0.path, features: try pipeline.features($0)) }
        let clips = try pipeline.run(features, samples: samples, options: options, progress: progress)
        line?.finish()

        // Created only now, so a run that fails earlier leaves nothing behind.
        try OutputDirectories.create(outputDirectories)
        for (i, input) in inputs.enumerated() {
            var tracks: [ViewerTrack] = []
            for k in 0..<samples {
                var clip = clips[i][k]
                if let fps = outputFPS(generationModel), fps != clip.fps { clip = clip.resampled(to: fps) }
                let stem = outputStem(input, sample: k)
                for f in format {
                    let dest = stem.appendingPathExtension(f.rawValue)
                    switch f {
                    case .bvh: try BVHWriter.write(clip, to: dest)
                    case .json: try MotionJSON.write(clip, format: jsonFormat, to: dest)
                    }
                    report(dest, frames: clip.frameCount, fps: clip.fps)
                }
                if view {
                    let meta = ["model": url.lastPathComponent, "guidance": "\(guidance)", "guidance schedule": guidanceSchedule.rawValue, "guidance method": guidanceMethod.rawValue,
                                "sampler": sampler.rawValue, "steps": "\(steps)", "spacing": spacing.rawValue, "seed": "\(seed)", "foot lock": footLock ? "on" : "off", "sample": "\(k + 1) of \(samples)"]
                    tracks.append(try ViewerTrack(clip: clip, name: stem.lastPathComponent, metadata: meta))
                }
            }
            if view {
                let dest = viewerURL(input)
                try HTMLViewer.write(tracks: tracks, audio: sounds[i], to: dest)
                if !global.quiet { FileHandle.standardError.write(Data("\(dest.path): player\n".utf8)) }
            }
        }
    }

    /// Whether frames go straight from the stitcher into the files (bounded memory for any length). The
    /// player page and a frame rate other than the model's need whole clips.
    func streams(_ model: GenerationModel) -> Bool {
        !view && (outputFPS(model) ?? model.fps) == model.fps
    }

    /// --fps, else the training data's own frame rate when the model records it (a 60 fps corpus gives 60 fps).
    func outputFPS(_ model: GenerationModel) -> Double? { fps ?? model.sourceFPS }

    func report(_ dest: URL, frames: Int, fps: Double) {
        if !global.quiet { FileHandle.standardError.write(Data("\(dest.path): \(frames) frames at \(fps) fps\n".utf8)) }
    }

    /// Features streamed from each file, frames streamed into the writers; every file appears at the end,
    /// or none (the writers' temporary files are discarded, and output directories this run created are
    /// removed again if they stayed empty). Every input is read and checked before any output is created.
    ///
    /// An input holds its audio file open while it is being generated, and every output a temporary file
    /// (a three.js JSON one per joint), so very many inputs at once could exceed the open-file limit: the
    /// inputs then run in batches that fit it, and each batch's files appear when the batch is complete.
    func generateStreaming(_ inputs: [URL], pipeline: GenerationPipeline, directories: Set<URL>, options: SamplerOptions,
                           progress: @escaping (Int, Int) -> Void) throws {
        let model = pipeline.model
        let sources = try inputs.map { try pipeline.featureStream($0) }
        let perInput = 1 + samples * format.reduce(0) { $0 + ($1 == .json && jsonFormat == .threejs ? model.skeleton.jointCount : 1) }
        let batch = max(1, (OpenFiles.raiseLimit() - 64) / perInput)
        let total = pipeline.totalSteps(frames: sources.map(\.frames), samples: samples, options: options)
        var created = Set<String>()
        for dir in directories {
            var d = dir.standardizedFileURL
            while !FileManager.default.fileExists(atPath: d.path), d.path != "/" {
                created.insert(d.path)
                d = d.deletingLastPathComponent()
            }
        }
        try OutputDirectories.create(directories)
        do {
            var done = 0
            for start in stride(from: 0, to: inputs.count, by: batch) {
                let part = start..<min(inputs.count, start + batch)
                let writers: [[[any MotionFileStream]]] = try part.map { i in
                    try (0..<samples).map { k in
                        try format.map { f -> any MotionFileStream in
                            let dest = outputStem(inputs[i], sample: k).appendingPathExtension(f.rawValue)
                            switch f {
                            case .bvh: return try BVHStreamWriter(url: dest, skeleton: model.skeleton, fps: model.fps, frameCount: sources[i].frames)
                            case .json: return try MotionJSONStreamWriter(url: dest, format: jsonFormat, skeleton: model.skeleton, fps: model.fps,
                                                                          frameCount: sources[i].frames)
                            }
                        }
                    }
                }
                try pipeline.write(part.map { (name: inputs[$0].path, source: sources[$0] as any FeatureSource) },
                                   samples: samples, options: options, writers: writers) { d, _ in progress(done + d, total) }
                done += pipeline.totalSteps(frames: part.map { sources[$0].frames }, samples: samples, options: options)
            }
        } catch {
            // Deepest first, so a created parent goes after its created children.
            for dir in created.sorted(by: { $0.count > $1.count }) { _ = rmdir(dir) }
            throw error
        }
        for (i, input) in inputs.enumerated() {
            for k in 0..<samples {
                for f in format { report(outputStem(input, sample: k).appendingPathExtension(f.rawValue), frames: sources[i].frames, fps: model.fps) }
            }
        }
    }
}

enum GenerateError: Error, CustomStringConvertible {
    case noDefaultModel(searched: [String])
    case modelRefuses(path: String, reason: String)
    case outputCollision(first: String, second: String, output: String)
    var description: String {
        switch self {
        case let .outputCollision(first, second, output):
            return "\(second) and \(first) would both write \(output); use separate --out directories (or rename one input)"
        case let .modelRefuses(path, reason):
            return "\(path): \(reason)"
        case let .noDefaultModel(searched):
            return "no default model found (looked for \(searched.joined(separator: ", "))); pass --model PATH or set A2M_MODEL"
        }
    }
}

/// Output directories: checked before any work starts, created (like `mkdir -p`) only once there is output.
enum OutputDirectories {
    /// Each directory, or the nearest ancestor that exists when it does not, must be a writable directory.
    static func checkWritable(_ dirs: Set<URL>) throws {
        for dir in dirs.sorted(by: { $0.path < $1.path }) {
            var existing = dir.standardizedFileURL
            while !FileManager.default.fileExists(atPath: existing.path), existing.path != "/" {
                existing = existing.deletingLastPathComponent()
            }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: existing.path, isDirectory: &isDir), isDir.boolValue else {
                throw OutputError.cannotWrite(path: dir.path, reason: "\(existing.path) is not a directory")
            }
            let probe = existing.appendingPathComponent(".a2m-write-test-\(getpid())")
            guard FileManager.default.createFile(atPath: probe.path, contents: nil) else {
                throw OutputError.cannotWrite(path: dir.path, reason: "directory \(existing.path) is not writable")
            }
            try? FileManager.default.removeItem(at: probe)
        }
    }

    static func create(_ dirs: Set<URL>) throws {
        for dir in dirs.sorted(by: { $0.path < $1.path }) {
            do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
                throw OutputError.cannotWrite(path: dir.path, reason: "cannot create the directory (\(FileProblem.describe(error)))")
            }
        }
    }
}

extension GuidanceSchedule: ExpressibleByArgument {}
extension GuidanceMethod: ExpressibleByArgument {}
extension SamplerKind: ExpressibleByArgument {}
extension TimestepSpacing: ExpressibleByArgument {}

/// The process's open-file limit.
enum OpenFiles {
    /// Raises the soft limit to the hard limit (as many tools do; the default soft limit is often 1024)
    /// and returns the limit now in force.
    static func raiseLimit() -> Int {
        var l = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &l) == 0 else { return 1024 }
        if l.rlim_cur < l.rlim_max {
            var raised = l
            raised.rlim_cur = l.rlim_max
            if setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &raised) == 0 { l = raised }
        }
        return Int(clamping: l.rlim_cur)
    }
}
