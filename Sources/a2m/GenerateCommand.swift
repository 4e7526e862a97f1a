import A2MKit
import ArgumentParser
import Foundation

/// `a2m generate AUDIO...`: speech or music in, motion files out. Parses the options into a
/// `GenerationConfiguration` and runs `GenerationPipeline.generate`; everything else is the library's.
struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate full-body motion for audio files.",
        discussion: """
            Writes NAME.bvh and NAME.json next to each input (or into --out); with --samples K, NAME.0 … NAME.(K-1). \
            Never replaces an input, nor, without --overwrite, any file that exists. Skeleton, frame rate, audio front \
            end and normalization come from the model checkpoint. Audio of any length is generated in overlapping \
            windows (docs/sampling.md). Same seed, inputs and binary give byte-identical files. Default model: \
            $\(DefaultModel.environmentKey), else \(DefaultModel.relativePath) in the current directory or in the \
            repository or install the binary belongs to. Formats: \(MotionFormats.all.map { "\($0.name) (.\($0.fileExtension))" }.joined(separator: ", ")).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Input audio files (WAV, FLAC, OGG/Vorbis, AIFF, ...).") var audio: [String]

    @Option(help: "Model checkpoint (.safetensors). Default: $\(DefaultModel.environmentKey), else \(DefaultModel.relativePath) (current directory, then beside the binary).")
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

    @Option(help: "Sampler: \(SamplerKind.allCases.map(\.rawValue).joined(separator: " or ")).") var sampler: SamplerKind = .ddim

    @Option(help: "Random seed.") var seed: UInt64 = 0

    @Option(help: "Samples per input (different noise streams), written as NAME.0, NAME.1, ...") var samples: Int = 1

    @Option(help: "Output directory (default: next to each input).") var out: String?

    @Flag(help: "Replace output files that exist already (an input is never replaced).") var overwrite = false

    @Option(help: "Comma-separated output formats: \(MotionFormats.names) (json is the layout --json-format picks).", transform: Generate.parseFormats)
    var format: [String] = MotionFormats.defaults.map(\.name)

    @Option(help: "JSON layout of --format json: a2m (self-describing) or threejs (AnimationClip).") var jsonFormat: MotionJSONFormat = .a2m

    @Option(help: "Output frame rate (resampled with slerp). Default: the model's.") var fps: Double?

    @Flag(inversion: .prefixedNo, help: "Hold feet the network leaves nearly still in place on the ground plane (leg IK; docs/sampling.md, \"Foot lock\"). A skeleton without legs is left as it is.")
    var footLock = true

    @Flag(help: "Also write NAME.html: the self-contained player (a2m view) with the input audio and every sample side by side.")
    var view = false

    /// The names of registered formats, in order, without repeats.
    static func parseFormats(_ s: String) throws -> [String] {
        var result: [String] = []
        for part in s.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            guard let f = MotionFormats.named(part) else {
                throw ValidationError("--format: unknown format '\(part)'; expected a comma-separated list of \(MotionFormats.names)")
            }
            if !result.contains(f.name) { result.append(f.name) }
        }
        guard !result.isEmpty else { throw ValidationError("--format: empty list; expected some of \(MotionFormats.names)") }
        return result
    }

    /// The formats to write: registry entries, with `json` taking the layout of --json-format.
    var formats: [any MotionFormat] {
        format.compactMap { name -> (any MotionFormat)? in
            if name == A2MJSONFormat().name && jsonFormat == .threejs { return ThreeJSFormat() }
            return MotionFormats.named(name)
        }
    }

    /// Every option as the library's configuration.
    var generationConfiguration: GenerationConfiguration {
        var c = GenerationConfiguration()
        c.sampling = SamplerOptions(kind: sampler, steps: steps, eta: eta, guidance: guidance, guidanceSchedule: guidanceSchedule,
                                    guidanceMethod: guidanceMethod, seed: seed, spacing: spacing)
        c.samples = samples
        c.fps = fps
        c.footLock = footLock
        c.formats = formats
        c.sampleSetFormats = view ? [PlayerPage()] : []
        c.outputDirectory = out.map { URL(fileURLWithPath: $0, isDirectory: true) }
        c.overwrite = overwrite
        return c
    }

    func validate() throws {
        guard !audio.isEmpty else { throw ValidationError("give at least one audio file") }
        guard guidance.isFinite, guidance >= 0 else { throw ValidationError("--guidance must be a finite number ≥ 0, got \(guidance)") }
        do {
            try SamplerOptions(guidance: guidance, guidanceSchedule: guidanceSchedule, guidanceMethod: guidanceMethod).validateGuidance()
        } catch {
            throw ValidationError("--guidance \(guidance) with --guidance-method \(guidanceMethod.rawValue): \(error)")
        }
        guard steps >= 1 else { throw ValidationError("--steps must be ≥ 1, got \(steps)") }
        guard eta.isFinite, (0...1).contains(eta) else { throw ValidationError("--eta must be in 0...1, got \(eta)") }
        if sampler != .ddim && eta != 0 { throw ValidationError("--eta applies to --sampler ddim only") }
        guard (1...GenerationConfiguration.maxSamples).contains(samples) else {
            throw ValidationError("--samples must be in 1...\(GenerationConfiguration.maxSamples), got \(samples)")
        }
        if let fps, !(fps.isFinite && GenerationConfiguration.fpsRange.contains(fps)) {
            throw ValidationError("--fps must be in 1...1000, got \(fps)")
        }
        if !format.contains(A2MJSONFormat().name) && jsonFormat != .a2m { throw ValidationError("--json-format needs json in --format") }
    }

    func run() async throws {
        global.apply()
        let url = try DefaultModel.locate(explicit: model)
        let pipeline = GenerationPipeline(model: try GenerationModel.load(contentsOf: url))
        let configuration = generationConfiguration
        do {
            try configuration.validate(for: pipeline.model)
        } catch {
            throw GenerationError.modelRefuses(path: url.path, reason: "\(error)")
        }
        if !global.quiet { for note in pipeline.notes(configuration) { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) } }
        let files: [GenerationPipeline.GeneratedFile] = try Interrupt.guarding("generate", quiet: global.quiet) { shouldContinue in
            var line: ProgressLine?
            defer { line?.finish() }
            return try pipeline.generate(files: audio.map { URL(fileURLWithPath: $0) }, configuration: configuration) { p in
                if line == nil { line = ProgressLine(total: p.stepCount, label: "generate", unit: "step", quiet: global.quiet) }
                line?.update(p.step)
                return shouldContinue()
            }
        }
        guard !global.quiet else { return }
        for f in files {
            let what = f.sample == nil ? "player" : "\(f.frames) frames at \(f.fps) fps"
            FileHandle.standardError.write(Data("\(f.url.path): \(what)\n".utf8))
        }
    }
}

extension GuidanceSchedule: ExpressibleByArgument {}
extension GuidanceMethod: ExpressibleByArgument {}
extension SamplerKind: ExpressibleByArgument {}
extension TimestepSpacing: ExpressibleByArgument {}
