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
            repository or install the binary belongs to. Formats: \(MotionFormats.all.map { "\($0.name) (.\($0.fileExtension))" }.joined(separator: ", ")); \
            glb/gltf/vrma are metres, BVH and JSON --units (default cm; with --rig, the rig's). --rig RIG puts the motion on your \
            character's skeleton (a .bvh, .gltf, .glb or .vrm: a2m retarget's method, docs/retargeting.md) before it is written.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Input audio files (WAV, FLAC, OGG/Vorbis, MP3, AIFF, ...).") var audio: [String]

    @Option(help: "Model checkpoint (.safetensors). Default: $\(DefaultModel.environmentKey), else \(DefaultModel.relativePath) (current directory, then beside the binary).")
    var model: String?

    @Option(parsing: .unconditional, help: "Classifier-free guidance weight w ≥ 0: 0 ignores the audio, 1 (default) is the conditional model, > 1 follows the audio more. A guidance-distilled model samples at its own weight only (its default).")
    var guidance: Float?

    @Option(help: "Guidance over the steps: constant; ramp (0 → w over the first half); interval (w over the first 60 %, then 1).")
    var guidanceSchedule: GuidanceSchedule = .constant

    @Option(help: "How the guided prediction enters each step: lowpass (default: only the guided difference's low temporal frequencies are extrapolated, so w > 1 adds no tremor); cfg (plain classifier-free guidance); cfgpp (CFG++: --guidance is its λ in 0...1, constant schedule); velocity (CFG with the conditional model's speed); docs/sampling.md.")
    var guidanceMethod: GuidanceMethod?

    @Option(help: "Denoising steps (network evaluations; twice that many passes with guidance other than 0 and 1).")
    var steps: Int = SamplerOptions.commandDefault.steps

    @Option(help: "Which timesteps the steps visit: few-step (the default: Karras's ρ = 7 from σ 20 down to 50-step DDIM's last noise level, chosen for 10 steps); trailing (uniform in t); karras (EDM's ρ = 7 from σ 80 to σ(0); smoother motion); docs/sampling.md.")
    var spacing: TimestepSpacing = SamplerOptions.commandDefault.spacing

    @Option(help: "DDIM noise scale in 0...1 (0 = deterministic given the seed; ddim only).") var eta: Float = 0

    @Option(help: "Sampler: dpmpp-2m (the default: DPM-Solver++(2M), 10 steps keep 50-step DDIM's quality), ddim, or ddpm (ancestral).")
    var sampler: SamplerKind = SamplerOptions.commandDefault.kind

    @Option(help: "Random seed.") var seed: UInt64 = 0

    @Option(help: "Samples per input (different noise streams), written as NAME.0, NAME.1, ...") var samples: Int = 1

    @Option(help: "Output directory (default: next to each input).") var out: String?

    @Flag(help: "Replace output files that exist already (an input is never replaced).") var overwrite = false

    @Option(help: "Comma-separated output formats: \(MotionFormats.names) (json is the layout --json-format picks).", transform: Generate.parseFormats)
    var format: [String] = MotionFormats.defaults.map(\.name)

    @Option(help: "JSON layout of --format json: a2m (self-describing) or threejs (AnimationClip).") var jsonFormat: MotionJSONFormat = .a2m

    @Option(help: "Length unit of BVH and JSON output: cm or m (default: cm; with --rig, the rig's). glTF and VRMA are always metres.")
    var units: LengthUnit?

    @Option(help: "Retarget onto this character's skeleton before writing: a .bvh, .gltf, .glb or .vrm file (docs/retargeting.md).")
    var rig: String?

    @Option(help: "With --rig: a JSON joint map {\"SourceJoint\": \"RigJoint\", ...} overriding the built-in name maps.")
    var map: String?

    @Option(help: "With --rig: the length unit of a .bvh rig, cm or m (glTF and VRM are metres).") var rigUnits: LengthUnit?

    @Option(help: "Output frame rate (resampled with slerp). Default: the training data's own, as the model records it, else the model's.") var fps: Double?

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

    /// The formats to write: registry entries, with `json` taking the layout of --json-format, BVH and JSON
    /// their unit, VRMA the output frame rate (its own 30 fps unless --fps).
    func formats(units: LengthUnit) -> [any MotionFormat] {
        format.compactMap { name -> (any MotionFormat)? in
            switch name {
            case "bvh": return BVHFormat(units: units)
            case "json": return jsonFormat == .threejs ? ThreeJSFormat(units: units) : A2MJSONFormat(units: units)
            case "vrma": return VRMAFormat(fps: fps ?? VRMAnimationExport.defaultFPS)
            default: return MotionFormats.named(name)
            }
        }
    }

    /// Formats whose lengths --units sets.
    static let unitFormats: Set<String> = ["bvh", "json"]

    /// Every option as the library's configuration; `rig` (loaded from --rig) adds the retarget step after the
    /// foot lock, and a second foot lock on the rig's legs.
    func generationConfiguration(rig: Rig? = nil, map jointMap: JointMapFile? = nil, model: String = "the model") -> GenerationConfiguration {
        var c = GenerationConfiguration()
        c.sampling = SamplerOptions(kind: sampler, steps: steps, eta: eta, guidance: guidance ?? 1, guidanceSchedule: guidanceSchedule,
                                    guidanceMethod: guidanceMethod ?? .commandDefault, seed: seed, spacing: spacing)
        c.samples = samples
        c.fps = fps
        c.footLock = footLock
        if let rig {
            c.postProcessing.append(RetargetStep(rig: rig, map: jointMap, source: model))
            if footLock { c.postProcessing.append(FootLockStep()) }
        }
        c.formats = formats(units: units ?? rig?.unit ?? .cm)
        c.sampleSetFormats = view ? [PlayerPage()] : []
        c.outputDirectory = out.map { URL(fileURLWithPath: $0, isDirectory: true) }
        c.overwrite = overwrite
        return c
    }

    func validate() throws {
        guard !audio.isEmpty else { throw ValidationError("give at least one audio file") }
        if audio.contains("-") {
            throw ValidationError("'-' (standard input): generation reads its audio more than once; save it to a file and give that file")
        }
        if let guidance, !(guidance.isFinite && guidance >= 0) { throw ValidationError("--guidance must be a finite number ≥ 0, got \(guidance)") }
        try SamplerOptions(guidance: guidance ?? 1, guidanceSchedule: guidanceSchedule, guidanceMethod: guidanceMethod ?? .commandDefault).validateGuidanceOptions()
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
        let extensions = formats(units: .cm).map(\.fileExtension)
        if let clash = extensions.first(where: { e in extensions.filter { $0 == e }.count > 1 }) {
            throw ValidationError("--format: \(format.joined(separator: ",")) writes two .\(clash) files per sample; "
                                  + "pick one (three.js JSON: --format json --json-format threejs)")
        }
        if units != nil && Self.unitFormats.isDisjoint(with: format) {
            throw ValidationError("--units applies to bvh and json output; glTF and VRMA are always metres")
        }
        if rig == nil && (map != nil || rigUnits != nil) { throw ValidationError("--map and --rig-units need --rig") }
        if let rig {
            let ext = URL(fileURLWithPath: rig).pathExtension.lowercased()
            guard ["bvh", "gltf", "glb", "vrm"].contains(ext) else { throw ValidationError("--rig must be a .bvh, .gltf, .glb or .vrm file, got '\(rig)'") }
            if rigUnits != nil && ext != "bvh" { throw ValidationError("--rig-units applies to a .bvh rig; glTF and VRM are metres") }
            if format.contains("vrma") {
                throw ValidationError("--format vrma with --rig: VRM Animation is retargeted onto the avatar by the VRM app itself; leave out --rig for .vrma")
            }
        }
    }

    func run() async throws {
        global.apply()
        let url = try DefaultModel.locate(explicit: model)
        let pipeline = GenerationPipeline(model: try GenerationModel.load(contentsOf: url))
        let target = try rig.map { try Rig.load(URL(fileURLWithPath: $0), bvhUnit: rigUnits ?? .cm) }
        let jointMap = try map.map { try JointMapFile.load(URL(fileURLWithPath: $0)) }
        var configuration = generationConfiguration(rig: target, map: jointMap, model: url.path)
        configuration.sampling.adoptDistilledGuidance(of: pipeline.model.denoiser, guidance: guidance, method: guidanceMethod)
        // The rig and the map are inputs too: no output may replace them.
        configuration.protectedFiles = [rig, map].compactMap { $0.map { URL(fileURLWithPath: $0) } }
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
