import A2MCore
import A2MGeneration
import A2MMotion
import A2MNN
import Foundation

/// The guidance study of docs/design.md §4 and §7: generate K samples for every clip of a paired dataset at each
/// guidance weight w, and score each w with `MotionEvaluation` (beat consistency, audio–motion correlation,
/// FID_k/Diversity_k, jerk/acceleration, mismatched-audio control).
///
/// Clips are generated in groups of `batchClips` through one `GenerationPipeline` call (one batched long-form
/// pass). Sample k of clip i uses noise stream i·K + k of `seed` (K = `samples`), so every generated clip is an
/// independent draw, as FID_k, Diversity_k and the bootstrap intervals assume, and results do not depend on
/// the grouping. (With one stream per sample index, as `a2m generate` gives its inputs, every clip would get
/// the same noise, and at w = 0 the same motion.)
public struct GuidanceStudy {
    public struct Row: Codable, Sendable, Equatable {
        public let guidance: Float
        public let report: EvaluationReport
    }

    /// The study's defaults in one place: the properties below start from them, and `a2m eval` falls back to
    /// them and states them in its help. They are `a2m generate`'s, so the study samples as `a2m generate` does
    /// unless told otherwise.
    public enum Defaults {
        /// docs/design.md §7's weights: the unconditional model, the conditional model, and two guided weights.
        public static let guidance: [Float] = [0, 1, 2.5, 5]
        public static let samples = 1
        /// `a2m generate`'s sampler, steps and spacing (`SamplerOptions.commandDefault`).
        public static let sampler = SamplerOptions.commandDefault.kind
        public static let steps = SamplerOptions.commandDefault.steps
        public static let schedule = SamplerOptions().guidanceSchedule
        /// `a2m generate`'s default method (`GuidanceMethod.commandDefault`).
        public static let method = GuidanceMethod.commandDefault
        public static let spacing = SamplerOptions.commandDefault.spacing
        /// On, as in `a2m generate`.
        public static let footLock = true
    }

    public let model: GenerationModel
    public var samples = Defaults.samples
    /// Which reverse process runs (`SamplerKind`; deterministic: DDIM runs with eta 0).
    public var sampler = Defaults.sampler
    public var steps = Defaults.steps
    public var seed: UInt64 = 0
    /// How w varies over the steps (`GuidanceSchedule`).
    public var schedule = Defaults.schedule
    /// How the guided prediction enters each step (`GuidanceMethod`).
    public var method = Defaults.method
    /// Which timesteps the DDIM steps visit (`TimestepSpacing`).
    public var spacing = Defaults.spacing
    public var batchClips = 8
    /// Whether generated motion passes through the foot lock (`GenerationConfiguration.footLock`).
    public var footLock = Defaults.footLock
    public var settings: EvaluationSettings

    public init(model: GenerationModel, settings: EvaluationSettings) {
        self.model = model
        self.settings = settings
    }

    /// Ground truth for `files`, analysed at the model's frame rate (loaded once, shared by every w).
    public func groundTruth(_ files: [(name: String, audio: URL, motion: URL)]) throws -> [EvaluationClip] {
        let fps = model.fps
        return try orderedParallelMap(files.count) { i in
            try EvaluationData.loadClip(name: files[i].name, audio: files[i].audio, groundTruth: files[i].motion, generated: [], fps: fps)
        }
    }

    /// The generation options of the study at guidance `w`: eta 0, and the study's sampler, steps, spacing,
    /// schedule, method, seed, samples and foot lock.
    public func configuration(guidance w: Float) -> GenerationConfiguration {
        var c = GenerationConfiguration()
        c.sampling = SamplerOptions(kind: sampler, steps: steps, eta: 0, guidance: w, guidanceSchedule: schedule, guidanceMethod: method,
                                    seed: seed, spacing: spacing)
        c.samples = samples
        c.footLock = footLock
        return c
    }

    /// Generated joint positions, `result[i][k]`, for the audio files at guidance `w`.
    public func generate(_ audio: [URL], guidance w: Float, progress: ((Int, Int) -> Void)? = nil) throws -> [[JointPositions]] {
        try generateMotion(audio, guidance: w, progress: progress).map { $0.map(JointPositions.init(clip:)) }
    }

    /// Generated motion, `result[i][k]`, for the audio files at guidance `w`.
    public func generateMotion(_ audio: [URL], guidance w: Float, progress: ((Int, Int) -> Void)? = nil) throws -> [[MotionClip]] {
        let pipeline = GenerationPipeline(model: model)
        let configuration = configuration(guidance: w)
        try configuration.validate(for: model)
        var out = [[MotionClip]]()
        var start = 0
        while start < audio.count {
            let group = Array(audio[start..<min(audio.count, start + batchClips)])
            let inputs = try group.map { (name: $0.path, features: try pipeline.features($0)) }
            out += try pipeline.clips(inputs, configuration: configuration, streams: (start..<start + group.count).map { $0 * samples })
            start += group.count
            progress?(start, audio.count)
        }
        return out
    }

    /// One report per guidance weight.
    public func run(_ files: [(name: String, audio: URL, motion: URL)], guidance: [Float],
                    progress: ((Float, Int, Int) -> Void)? = nil) throws -> [Row] {
        let truth = try groundTruth(files)
        return try guidance.map { w in
            let generated = try generateMotion(files.map(\.audio), guidance: w) { progress?(w, $0, $1) }
            let clips = try zip(truth, generated).map { t, g in
                EvaluationClip(name: t.name, audio: t.audio, groundTruth: t.groundTruth, generated: g.map(JointPositions.init(clip:)),
                               groundTruthGesture: t.groundTruthGesture,
                               generatedGesture: try g.map { try GestureTake(clip: $0, file: "\(t.name) (generated, w = \(w))") })
            }
            return Row(guidance: w, report: try MotionEvaluation.evaluate(clips, settings: settings))
        }
    }
}
