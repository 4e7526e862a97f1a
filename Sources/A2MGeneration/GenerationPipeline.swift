import A2MAudio
import A2MCore
import A2MMotion
import A2MNN
import Foundation

/// Audio in, motion out: the one generation pipeline the CLI (`a2m generate`), `a2m eval` (`GuidanceStudy`),
/// the benchmarks and library users call, in the manner of ml-stable-diffusion's pipeline object.
///
/// features → long-form sampling (`LongFormGenerator`: windows, `DenoisingLoop`, sampler, guidance mixer)
/// → decode and stitch in motion space (`MotionStitcher`) → post-processing (`MotionPostProcess`, chunk by
/// chunk) → frames for the caller (`run`), whole clips (`clips`), or files (`generate`: `OutputPlan`,
/// `MotionFormat` writers, an all-or-nothing `OutputSet`).
///
/// All inputs and all samples per input run as one batched pass; sample k of every input uses noise stream k
/// (unless `streams` says otherwise), so an input's output does not depend on the other inputs. The same seed
/// therefore gives every input the same noise: at w = 0, where the audio is not read, every input of a run gets
/// the same motion.
public final class GenerationPipeline {
    public let model: GenerationModel
    /// Seconds spent per stage over all calls: "features" (audio load + log-mel), "sampling" (denoiser and
    /// sampler), "decode" (denormalize, decode, stitch, post-process), "export" (what the consumer of the
    /// frames does with them: file writers' formatting and I/O, and committing the files).
    public private(set) var seconds: [String: Double] = ["features": 0, "sampling": 0, "decode": 0, "export": 0]

    public init(model: GenerationModel) {
        self.model = model
    }

    /// Normalized audio features of `url` (log-mel, then the model's prosody columns) with exactly
    /// round(duration × fps) rows, checked non-empty.
    public func features(_ url: URL) throws -> FeatureMatrix {
        let t0 = DispatchTime.now().uptimeNanoseconds
        defer { seconds["features", default: 0] += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 }
        var f = try AudioFeatures.extract(url: url, config: model.audio, fps: model.fps)
        guard f.frames > 0 else { throw GenerationError.emptyClip(name: url.path) }
        // The network was trained on feature rows normalized with the training set's statistics (unvoiced
        // log-F0 at the mean).
        model.audioStats.normalizeFillingMissing(&f.values)
        return f
    }

    /// The normalized features of `url` as a stream (`AudioFeatureStream`: the file is checked now and read
    /// again as generation needs its frames, so a clip of any length holds a bounded number of rows).
    public func featureStream(_ url: URL) throws -> AudioFeatureStream {
        let t0 = DispatchTime.now().uptimeNanoseconds
        defer { seconds["features", default: 0] += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 }
        let stream = try AudioFeatureStream(url: url, config: model.audio, fps: model.fps, normalization: model.audioStats)
        guard stream.frames > 0 else { throw GenerationError.emptyClip(name: url.path) }
        return stream
    }

    /// The progress total of a run over inputs of `frames` motion frames: window-steps over all samples.
    public func totalSteps(frames: [Int], samples: Int, options: SamplerOptions) -> Int {
        frames.reduce(0) { $0 + WindowPlan(totalFrames: $1, windowFrames: model.windowFrames).count } * samples * options.steps
    }

    /// The layout of the model's frames: its skeleton, in centimetres (a2m's unit), resting at zero rotation.
    public var modelLayout: MotionLayout { MotionLayout(skeleton: model.skeleton, unit: .cm) }

    /// The layout of what the configuration's post-processing puts out (the files' skeleton, unit and rest).
    public func outputLayout(_ configuration: GenerationConfiguration) throws -> MotionLayout {
        try MotionPostProcessChain.outputLayout(configuration.postProcessing, for: modelLayout)
    }

    /// Notes for the user about what the steps do on this model's frames (no legs to lock, joints a retarget
    /// leaves unpaired).
    public func notes(_ configuration: GenerationConfiguration) -> [String] {
        MotionPostProcessChain.notes(configuration.postProcessing, for: modelLayout, fps: model.fps).map { "\(model.path): \($0)" }
    }

    // MARK: frames

    /// Generates `configuration.samples` samples of every input and hands their finished, post-processed
    /// frames to `emit(input, sample, first, chunk)` as they are stitched: per clip in order, each frame once,
    /// `chunk` holding frames `first ..< first + chunk.frameCount` (quaternions sign-continuous across chunks)
    /// at the model's frame rate (`configuration.fps` applies to `clips` and `generate`). Features are read
    /// from the sources window by window and released behind the last window that needs them, so with
    /// `AudioFeatureStream` sources and a streaming consumer (`MotionFileStream`) memory does not grow with the
    /// audio's length. `streams[i]` (default 0) is the noise stream of input i's first sample; sample k uses
    /// `streams[i] + k`. Time spent reading features counts as "features", not "sampling".
    public func run(_ inputs: [(name: String, source: any FeatureSource)], configuration: GenerationConfiguration,
                    streams: [Int]? = nil, progress: GenerationProgressHandler? = nil,
                    emit: @escaping (_ input: Int, _ sample: Int, _ first: Int, _ chunk: MotionClip) throws -> Void) throws {
        try configuration.validate(for: model)
        let samples = configuration.samples
        if let streams, streams.count != inputs.count {
            throw SamplingError.invalidOption(name: "streams", value: "\(streams.count) values", expected: "one per input (\(inputs.count))")
        }
        let generator = try LongFormGenerator(denoiser: model.denoiser, schedule: DiffusionSchedule(model.diffusion),
                                              windowFrames: model.windowFrames, options: configuration.sampling)
        var decodeNanos: UInt64 = 0, featureNanos: UInt64 = 0, emitNanos: UInt64 = 0
        var clips: [LongFormClip] = []
        for (i, input) in inputs.enumerated() {
            guard input.source.bins == model.denoiser.audioDim else {
                throw GenerationError.audioFeatures(name: input.name, frames: 0..<input.source.frames,
                                                    got: input.source.bins, expected: model.denoiser.audioDim)
            }
            // The samples of an input read the same rows; a row is released once every sample is past it.
            let reader = SharedFeatureReader(input.source, consumers: samples)
            for k in 0..<samples {
                let chain = try MotionPostProcessChain(configuration.postProcessing, layout: modelLayout, fps: model.fps)
                let stitcher = MotionStitcher(skeleton: model.skeleton, fps: model.fps, normalization: model.motionStats) { first, chunk in
                    var chunk = chunk
                    try chain.process(&chunk)   // counted as decode time
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    defer { emitNanos += DispatchTime.now().uptimeNanoseconds - t0 }
                    try emit(i, k, first, chunk)
                }
                let timed = TimedStitcher(ModelOutputCheck(stitcher, model: model.path, input: input.name)) { decodeNanos += $0 }
                clips.append(LongFormClip(name: input.name, frameCount: input.source.frames, stream: (streams?[i] ?? 0) + k,
                                          audioFeatures: { r in
                                              let t0 = DispatchTime.now().uptimeNanoseconds
                                              defer { featureNanos += DispatchTime.now().uptimeNanoseconds - t0 }
                                              return try reader.rows(r, consumer: k)
                                          },
                                          stitcher: timed))
            }
        }
        if let progress, !progress(GenerationProgress(step: 0, stepCount: generator.totalSteps(clips))) { throw OutputError.cancelled }
        let t0 = DispatchTime.now().uptimeNanoseconds
        try generator.generate(clips) { done, total in
            if let progress, !progress(GenerationProgress(step: done, stepCount: total)) { throw OutputError.cancelled }
        }
        let total = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        // The consumer's time (writing files) runs inside the stitcher's.
        seconds["decode", default: 0] += Double(decodeNanos - emitNanos) / 1e9
        seconds["export", default: 0] += Double(emitNanos) / 1e9
        seconds["features", default: 0] += Double(featureNanos) / 1e9
        seconds["sampling", default: 0] += total - Double(decodeNanos + featureNanos) / 1e9
    }

    /// Whole clips: `result[i][k]` is sample k of `inputs[i]` (noise stream `streams[i] + k`), post-processed
    /// and at `configuration.fps` when given, else at the training data's rate when the model records it
    /// (resampled with slerp).
    public func clips(_ inputs: [(name: String, features: FeatureMatrix)], configuration: GenerationConfiguration,
                      streams: [Int]? = nil, progress: GenerationProgressHandler? = nil) throws -> [[MotionClip]] {
        let samples = configuration.samples
        let layout = try outputLayout(configuration)
        let skeleton = layout.skeleton
        let J = skeleton.jointCount
        var roots = [[[SIMD3<Float>]]](repeating: [[SIMD3<Float>]](repeating: [], count: samples), count: inputs.count)
        var rotations = [[[SIMD4<Float>]]](repeating: [[SIMD4<Float>]](repeating: [], count: samples), count: inputs.count)
        var translations = [[[Int: [SIMD3<Float>]]]](repeating: [[Int: [SIMD3<Float>]]](repeating: [:], count: samples), count: inputs.count)
        for (i, input) in inputs.enumerated() {
            for k in 0..<samples {
                // Exact capacity: growing by doubling would briefly hold 1.5–3× a long clip's frames.
                roots[i][k].reserveCapacity(input.features.frames)
                rotations[i][k].reserveCapacity(input.features.frames * J)
            }
        }
        try run(inputs.map { (name: $0.name, source: FeatureMatrixSource($0.features) as any FeatureSource) },
                configuration: configuration, streams: streams, progress: progress) { i, k, first, chunk in
            guard first == roots[i][k].count, chunk.skeleton == skeleton, chunk.translations.keys.sorted() == layout.translatedJoints else {
                throw GenerationError.postProcess(reason: "frames out of order or of another skeleton")
            }
            roots[i][k] += chunk.rootPositions
            rotations[i][k] += chunk.rotations
            for (j, t) in chunk.translations { translations[i][k][j, default: []] += t }
        }
        return try inputs.indices.map { i in
            try (0..<samples).map { k in
                let clip = MotionClip(skeleton: skeleton, fps: model.fps, rootPositions: roots[i][k], rotations: rotations[i][k],
                                      translations: translations[i][k])
                if let fps = outputFPS(configuration), fps != clip.fps { return try clip.resampled(to: fps) }
                return clip
            }
        }
    }

    // MARK: files

    /// One file `generate` wrote.
    public struct GeneratedFile: Sendable, Equatable {
        public var url: URL
        /// Input index, and sample index (nil for a file of all samples, `SampleSetFormat`).
        public var input: Int
        public var sample: Int?
        public var frames: Int
        public var fps: Double
    }

    /// Generates `configuration.samples` samples of every audio file and writes them in every configured
    /// format (and every `SampleSetFormat`), named by `OutputPlan`.
    ///
    /// Everything that can be checked is checked before any work: the configuration against the model, the
    /// output names (no two inputs writing one file, no output replacing an input or, without `overwrite`,
    /// any existing file), the output directories, and every input (read and analysed). Leftovers of earlier
    /// runs that were killed are removed (`OutputPlan.removeStaleTemporaries`). The files appear together
    /// when everything succeeded (`OutputSet`); on an error or a cancel (the progress handler returning
    /// false, checked after every step and once more before the files are committed) nothing is left: no
    /// file, no temporary file, no directory the run created.
    ///
    /// Frames stream from the audio into the writers, so memory does not grow with the audio's length, unless
    /// `configuration.fps` changes the rate or a `SampleSetFormat` needs whole clips. Each input being generated
    /// holds its audio file open and each output stream its files (`MotionFormat.openFiles`), so very many
    /// inputs at once run in batches that fit the open-file limit (all still committed together at the end).
    @discardableResult
    public func generate(files inputs: [URL], configuration c: GenerationConfiguration,
                         progress: GenerationProgressHandler? = nil) throws -> [GeneratedFile] {
        guard !inputs.isEmpty else { throw SamplingError.invalidOption(name: "inputs", value: "none", expected: "at least one audio file") }
        guard !c.formats.isEmpty || !c.sampleSetFormats.isEmpty else {
            throw SamplingError.invalidOption(name: "formats", value: "none", expected: "at least one output format")
        }
        try c.validate(for: model)
        // A pipe or standard input would be read once and then wait forever: refused before anything is read.
        for input in inputs { try AudioFeatureStream.checkRereadable(input) }
        // The post-processing (a retarget's rig and map) and every format must accept the frames before any work.
        let layout = try outputLayout(c)
        for format in c.formats { try format.check(layout) }
        let plan = try OutputPlan(inputs: inputs, samples: c.samples, sampleExtensions: c.formats.map(\.fileExtension),
                                  companionExtensions: c.formats.map(\.companionExtensions),
                                  inputExtensions: c.sampleSetFormats.map(\.fileExtension), directory: c.outputDirectory)
        try plan.check(protecting: [URL(fileURLWithPath: model.path)] + c.protectedFiles, overwrite: c.overwrite)
        plan.removeStaleTemporaries()
        for output in c.sampleSetFormats { for input in inputs { try output.check(input: input) } }
        let set = OutputSet(overwrite: c.overwrite)
        do {
            let written = try streams(c) ? generateStreaming(inputs, plan: plan, set: set, configuration: c, progress: progress)
                : generateWhole(inputs, plan: plan, set: set, configuration: c, progress: progress)
            if let progress, !progress(GenerationProgress(step: written.steps, stepCount: written.steps)) { throw OutputError.cancelled }
            let t0 = DispatchTime.now().uptimeNanoseconds
            try set.commit()
            seconds["export", default: 0] += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            return written.files
        } catch {
            set.discard()
            throw set.naming(error)
        }
    }

    /// Whether frames can go straight from the stitcher into the files: the model's frame rate and no
    /// output that needs whole clips.
    func streams(_ c: GenerationConfiguration) -> Bool {
        c.sampleSetFormats.isEmpty && (outputFPS(c) ?? model.fps) == model.fps
    }

    /// `configuration.fps`, else the training data's own frame rate when the model records it (a 60 fps corpus
    /// gives 60 fps motion), else nil: the model's.
    func outputFPS(_ c: GenerationConfiguration) -> Double? { c.fps ?? model.sourceFPS }

    private func generateStreaming(_ inputs: [URL], plan: OutputPlan, set: OutputSet, configuration c: GenerationConfiguration,
                                   progress: GenerationProgressHandler?) throws -> (files: [GeneratedFile], steps: Int) {
        // Every input is read and checked before any output (or directory) is created.
        let sources = try inputs.map { try featureStream($0) }
        let layout = try outputLayout(c)
        let perInput = 1 + c.samples * c.formats.reduce(0) { $0 + $1.openFiles(layout: layout) }
        let batch = OutputPlan.inputsPerBatch(openFilesPerInput: perInput)
        let total = totalSteps(frames: sources.map(\.frames), samples: c.samples, options: c.sampling)
        for dir in plan.directories { try set.createDirectory(dir) }
        var done = 0
        for start in stride(from: 0, to: inputs.count, by: batch) {
            let part = start..<min(inputs.count, start + batch)
            var all: [any MotionFileStream] = []
            do {
                var writers: [[[any MotionFileStream]]] = []
                for i in part {
                    writers.append(try (0..<c.samples).map { k in
                        try c.formats.indices.map { f -> any MotionFileStream in
                            let w = try c.formats[f].makeStream(to: stage(set, plan, i, k, f, c), layout: layout, fps: model.fps,
                                                                frameCount: sources[i].frames)
                            all.append(w)
                            return w
                        }
                    })
                }
                try run(part.map { (name: inputs[$0].path, source: sources[$0] as any FeatureSource) }, configuration: c,
                        progress: progress.map { handler in { handler(GenerationProgress(step: done + $0.step, stepCount: total)) } }) { i, k, _, chunk in
                    for w in writers[i][k] { try w.append(chunk) }
                }
                let t0 = DispatchTime.now().uptimeNanoseconds
                defer { seconds["export", default: 0] += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 }
                for w in all { try w.commit() }
            } catch {
                for w in all { w.discard() }
                throw error
            }
            done += totalSteps(frames: part.map { sources[$0].frames }, samples: c.samples, options: c.sampling)
        }
        var files: [GeneratedFile] = []
        for i in inputs.indices {
            for k in 0..<c.samples {
                for f in c.formats.indices {
                    files.append(GeneratedFile(url: plan.sampleFiles[i][k][f], input: i, sample: k, frames: sources[i].frames, fps: model.fps))
                }
            }
        }
        return (files, total)
    }

    private func generateWhole(_ inputs: [URL], plan: OutputPlan, set: OutputSet, configuration c: GenerationConfiguration,
                               progress: GenerationProgressHandler?) throws -> (files: [GeneratedFile], steps: Int) {
        let features = try inputs.map { (name: $0.path, features: try self.features($0)) }
        let total = totalSteps(frames: features.map(\.features.frames), samples: c.samples, options: c.sampling)
        let clips = try self.clips(features, configuration: c, progress: progress)
        let layout = try outputLayout(c)
        // Created only now, so a run that fails earlier leaves nothing behind.
        for dir in plan.directories { try set.createDirectory(dir) }
        let t0 = DispatchTime.now().uptimeNanoseconds
        defer { seconds["export", default: 0] += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 }
        var files: [GeneratedFile] = []
        for i in inputs.indices {
            for k in 0..<c.samples {
                for (f, format) in c.formats.enumerated() {
                    try format.write(clips[i][k], layout: layout, to: stage(set, plan, i, k, f, c))
                    files.append(GeneratedFile(url: plan.sampleFiles[i][k][f], input: i, sample: k, frames: clips[i][k].frameCount, fps: clips[i][k].fps))
                }
            }
            let names = (0..<c.samples).map { OutputNaming.stem(inputs[i].deletingPathExtension().lastPathComponent, sample: $0, of: c.samples) }
            let metadata = (0..<c.samples).map { playerMetadata(c, sample: $0) }
            for (g, output) in c.sampleSetFormats.enumerated() {
                try output.write(input: inputs[i], samples: clips[i], names: names, metadata: metadata, to: set.stage(plan.inputFiles[i][g]))
                files.append(GeneratedFile(url: plan.inputFiles[i][g], input: i, sample: nil, frames: clips[i][0].frameCount, fps: clips[i][0].fps))
            }
        }
        return (files, total)
    }

    /// Stages the file of input i, sample k, format f and its companions.
    private func stage(_ set: OutputSet, _ plan: OutputPlan, _ i: Int, _ k: Int, _ f: Int, _ c: GenerationConfiguration) -> OutputFile {
        set.stage(plan.sampleFiles[i][k][f], companionExtensions: c.formats[f].companionExtensions)
    }

    /// What a run was made with, for pages that show it (`SampleSetFormat`).
    func playerMetadata(_ c: GenerationConfiguration, sample k: Int) -> [String: String] {
        let o = c.sampling
        return ["model": URL(fileURLWithPath: model.path).lastPathComponent, "guidance": "\(o.guidance)", "guidance schedule": o.guidanceSchedule.rawValue,
                "guidance method": o.guidanceMethod.rawValue, "sampler": o.kind.rawValue, "steps": "\(o.steps)", "spacing": o.spacing.rawValue,
                "seed": "\(o.seed)", "foot lock": c.footLock ? "on" : "off", "sample": "\(k + 1) of \(c.samples)"]
    }
}

/// One feature source read by several clips (the samples of one input), each with non-decreasing lower
/// bounds: rows are released below the lowest position of any reader.
private final class SharedFeatureReader {
    let source: any FeatureSource
    private var positions: [Int]

    init(_ source: any FeatureSource, consumers: Int) {
        self.source = source
        positions = [Int](repeating: 0, count: consumers)
    }

    func rows(_ range: Range<Int>, consumer k: Int) throws -> [Float] {
        precondition(range.lowerBound >= positions[k], "feature rows requested out of order")
        positions[k] = range.lowerBound
        let rows = try source.rows(range)
        source.release(below: positions.min()!)
        return rows
    }
}

/// Names the model and the input when the network's output cannot be turned into motion (NaN or infinite
/// features, or root positions that overflow): the cause is the model file (weights or statistics), not the
/// output file the frames were headed for.
private final class ModelOutputCheck: WindowStitcher {
    let inner: MotionStitcher
    let model: String, input: String

    init(_ inner: MotionStitcher, model: String, input: String) {
        self.inner = inner
        self.model = model
        self.input = input
    }

    func add(window x0: [Float], frames: Range<Int>, overlap: Int, finishedUpTo: Int) throws {
        do {
            try inner.add(window: x0, frames: frames, overlap: overlap, finishedUpTo: finishedUpTo)
        } catch let MotionFeatureError.nonFinite(frame, feature) {
            throw GenerationError.nonFiniteMotion(model: model, input: input, frame: frames.lowerBound + frame,
                                                  what: "motion feature \(feature) is NaN or infinite")
        }
    }
}

/// Measures the time spent in a stitcher (decode and blend), for the stage breakdown.
private final class TimedStitcher: WindowStitcher {
    let inner: any WindowStitcher
    let record: (UInt64) -> Void
    init(_ inner: any WindowStitcher, record: @escaping (UInt64) -> Void) {
        self.inner = inner
        self.record = record
    }
    func add(window x0: [Float], frames: Range<Int>, overlap: Int, finishedUpTo: Int) throws {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try inner.add(window: x0, frames: frames, overlap: overlap, finishedUpTo: finishedUpTo)
        record(DispatchTime.now().uptimeNanoseconds - t0)
    }
}
