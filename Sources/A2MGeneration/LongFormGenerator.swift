import A2MCore
import A2MNN

/// Errors of long-form generation.
public enum GenerationError: Error, CustomStringConvertible, Equatable {
    case emptyClip(name: String)
    case audioFeatures(name: String, frames: Range<Int>, got: Int, expected: Int)
    case modelMismatch(path: String, problems: [String])
    case noDefaultModel(searched: [String])
    case modelRefuses(path: String, reason: String)
    case postProcess(reason: String)
    /// The network's output for `input` could not be decoded into motion.
    case nonFiniteMotion(model: String, input: String, frame: Int, what: String)

    public var description: String {
        switch self {
        case let .emptyClip(name):
            return "\(name): no motion frames to generate (the audio is shorter than one motion frame)"
        case let .audioFeatures(name, frames, got, expected):
            return "\(name): audio features for frames \(frames.lowerBound)..<\(frames.upperBound): got \(got) values, expected \(expected)"
        case let .modelMismatch(path, problems):
            return "\(path): the checkpoint's feature configuration is inconsistent:\n  " + ErrorList.capped(problems).joined(separator: "\n  ")
        case let .noDefaultModel(searched):
            return "no default model found (looked for \(searched.joined(separator: ", "))); pass --model PATH or set \(DefaultModel.environmentKey)"
        case let .modelRefuses(path, reason):
            return "\(path): \(reason)"
        case let .postProcess(reason):
            return "post-processing: \(reason)"
        case let .nonFiniteMotion(model, input, frame, what):
            return "\(model): the model's output for \(input) is not usable motion at frame \(frame) (\(what)); "
                + "its weights or normalization statistics are damaged (the audio's features were finite)"
        }
    }
}

/// One clip to generate: its length in motion frames, where its audio features come from, and what joins
/// its windows and takes the finished frames. Audio is requested with increasing frame ranges, so a caller
/// can stream from disk.
struct LongFormClip {
    var name: String
    var frameCount: Int
    /// Noise stream, 0 ..< `LongFormGenerator.streamLimit`: the clip's RNG is `PCG32.derived(seed, .sampling,
    /// rank: stream)`. `a2m generate` gives `--samples K` sample k stream k, so a file's output does not depend
    /// on the other files of the run; `GuidanceStudy` gives every (clip, sample) its own stream.
    var stream: Int
    /// Audio features [range.count, M] for motion frames `range`.
    var audioFeatures: (Range<Int>) throws -> [Float]
    var stitcher: any WindowStitcher

    init(name: String, frameCount: Int, stream: Int = 0,
                audioFeatures: @escaping (Range<Int>) throws -> [Float], stitcher: any WindowStitcher) {
        self.name = name
        self.frameCount = frameCount
        self.stream = stream
        self.audioFeatures = audioFeatures
        self.stitcher = stitcher
    }
}

/// Generates motion for audio of any length with a model of fixed window length W (EDGE long-form,
/// Tseng et al. 2023 §3.4, in bounded rounds so memory does not grow with the clip).
///
/// Windows follow `WindowPlan` (hop W/2). Each round denoises the next `windowsPerRound` windows of every
/// clip as one batch, as EDGE does for the whole clip: window k's first half is tied to window k−1's second
/// half (`FrameTie`: the shared frames of x_t are copied from window k−1 before every network call). The first window of a round is tied to the finished frames of the previous round's
/// last window instead (`PrefixConstraint`: at every step those frames of x_t are replaced by that window's
/// final x0 noised to the current t). The clip's `WindowStitcher` then blends the overlaps and emits the frames
/// no later window touches (`FeatureCrossfadeStitcher` in feature space; the CLI blends in motion space).
///
/// Memory: per round, the noise states of `windowsPerRound` windows per clip plus the previous window's
/// unfinished tail (< W frames per clip, here and in the stitcher), whatever the clip's length.
///
/// Batching: all clips advance one round at a time; clips whose windows have the same length share one
/// `encodeAudio` and one sampler (R window rows, 2R with guidance). Rows of several windows make every GEMM
/// taller, which is most of the speed of long inputs (one 120-frame window is a small job for two cores).
///
/// Noise: window k of a clip draws from its own stream, `PCG32.derived(seed, .sampling, rank: stream + k·2²⁴)`,
/// so window 0 (every clip shorter than W) uses exactly the stream of a plain `DenoisingLoop` row.
final class LongFormGenerator<Denoiser: MotionDenoiser> {
    let denoiser: Denoiser
    let schedule: DiffusionSchedule
    let windowFrames: Int
    let options: SamplerOptions
    /// Consecutive windows of a clip denoised together per round (≥ 1). 4 measured fastest for the small
    /// model on 2 cores (docs/benchmarks.md); memory grows with it, not with the clip.
    let windowsPerRound: Int
    /// Makes the sampler of each round (samplers keep state, so every round gets a fresh one); nil =
    /// `options.makeSampler(schedule:)`, the `SamplerKind` of the options.
    let makeSampler: ((DiffusionSchedule, SamplerOptions) -> any Sampler)?
    /// Tests switch this off to show the seams of independent windows.
    var constrainOverlap = true

    init(denoiser: Denoiser, schedule: DiffusionSchedule, windowFrames: Int, options: SamplerOptions,
                windowsPerRound: Int = 4, makeSampler: ((DiffusionSchedule, SamplerOptions) -> any Sampler)? = nil) throws {
        try options.validate(trainingSteps: schedule.steps, supportsGuidance: denoiser.supportsGuidance, distilled: denoiser.distilledGuidance)
        guard windowFrames > 1 else {
            throw SamplingError.invalidOption(name: "windowFrames", value: "\(windowFrames)", expected: "at least 2")
        }
        guard windowsPerRound >= 1 else {
            throw SamplingError.invalidOption(name: "windowsPerRound", value: "\(windowsPerRound)", expected: "at least 1")
        }
        self.denoiser = denoiser
        self.schedule = schedule
        self.windowFrames = windowFrames
        self.options = options
        self.windowsPerRound = windowsPerRound
        self.makeSampler = makeSampler
    }

    /// Streams are below 2²⁴, so that no clip's window draws from another clip's stream.
    static var streamLimit: Int { 1 << 24 }

    /// The noise stream of window `window` of the clip with noise stream `stream`.
    static func windowGenerator(seed: UInt64, stream: Int, window: Int) -> PCG32 {
        PCG32.derived(seed: seed, purpose: .sampling, rank: stream + window * streamLimit)
    }

    /// Per-clip progress through its windows.
    private struct ClipState {
        let plan: WindowPlan
        var nextWindow = 0
        /// The last finished window's x0 on the frames the next window shares: [tailStart, tailStart + tail.count / D).
        var tail: [Float] = []
        var tailStart = 0
    }

    /// Total denoising steps over all clips (the unit of `progress`).
    func totalSteps(_ clips: [LongFormClip]) -> Int {
        clips.reduce(0) { $0 + ($1.frameCount > 0 ? WindowPlan(totalFrames: $1.frameCount, windowFrames: windowFrames).count : 0) } * options.steps
    }

    /// Generates every clip. `progress(done, total)` is called after each batched denoising step with counts
    /// in window-steps (a step of a batch of R window rows counts R); an error it throws stops the run.
    func generate(_ clips: [LongFormClip], progress: ((Int, Int) throws -> Void)? = nil) throws {
        for c in clips where c.frameCount < 1 { throw GenerationError.emptyClip(name: c.name) }
        for c in clips where !(0..<Self.streamLimit).contains(c.stream) {
            throw SamplingError.invalidOption(name: "stream", value: "\(c.stream) (\(c.name))", expected: "0 ..< \(Self.streamLimit)")
        }
        var states = clips.map { ClipState(plan: WindowPlan(totalFrames: $0.frameCount, windowFrames: windowFrames)) }
        let total = totalSteps(clips)
        var done = 0
        while true {
            let active = states.indices.filter { states[$0].nextWindow < states[$0].plan.count }
            if active.isEmpty { break }
            var groups: [Int: [Int]] = [:]
            for i in active { groups[states[i].plan.window(states[i].nextWindow).count, default: []].append(i) }
            for frames in groups.keys.sorted() {
                try runRound(groups[frames]!, frames: frames, clips: clips, states: &states) { rows in
                    done += rows
                    try progress?(done, total)
                }
            }
        }
    }

    private func runRound(_ members: [Int], frames F: Int, clips: [LongFormClip], states: inout [ClipState],
                          stepDone: (Int) throws -> Void) throws {
        let D = denoiser.motionDim, M = denoiser.audioDim
        // One row per window: (clip, window index).
        var rows: [(clip: Int, window: Int)] = []
        var audio = [Float](), lengths = [Int](), ties = [FrameTie](), generators = [PCG32]()
        for i in members {
            let st = states[i]
            for k in st.nextWindow..<min(st.plan.count, st.nextWindow + windowsPerRound) {
                let range = st.plan.window(k)
                let a = try clips[i].audioFeatures(range)
                guard a.count == F * M else {
                    throw GenerationError.audioFeatures(name: clips[i].name, frames: range, got: a.count, expected: F * M)
                }
                audio += a
                let overlap = st.plan.overlap(k), row = rows.count
                if k == st.nextWindow {
                    precondition(st.tailStart == range.lowerBound && st.tail.count == overlap * D, "stitching state out of sync")
                    lengths.append(constrainOverlap ? overlap : 0)
                } else {
                    lengths.append(0)
                    if constrainOverlap && overlap > 0 {
                        ties.append(FrameTie(row: row, source: row - 1, sourceStart: range.lowerBound - st.plan.starts[k - 1], count: overlap))
                    }
                }
                rows.append((i, k))
                generators.append(Self.windowGenerator(seed: options.seed, stream: clips[i].stream, window: k))
            }
        }
        var known = [Float](repeating: 0, count: rows.count * F * D)
        for (r, row) in rows.enumerated() where lengths[r] > 0 {
            let tail = states[row.clip].tail
            for j in 0..<tail.count { known[r * F * D + j] = tail[j] }
        }
        let context = try denoiser.encodeAudio(audio, clips: rows.count, frames: F)
        let constrained = lengths.contains { $0 > 0 } || !ties.isEmpty
        let sampler = try DenoisingLoop(
            denoiser: denoiser, schedule: schedule, options: options, context: context,
            clips: Array(0..<rows.count), frames: F, generators: generators,
            constraint: constrained ? PrefixConstraint(lengths: lengths, x0: known, ties: ties) : nil,
            sampler: makeSampler?(schedule, options))
        for _ in sampler { try stepDone(rows.count) }
        let x0 = try sampler.finish()
        for (r, (i, k)) in rows.enumerated() {
            let window = Array(x0[r * F * D..<(r + 1) * F * D])
            let plan = states[i].plan
            let finishedUpTo = k + 1 < plan.count ? plan.starts[k + 1] : plan.totalFrames
            try clips[i].stitcher.add(window: window, frames: plan.window(k), overlap: plan.overlap(k), finishedUpTo: finishedUpTo)
            let keepFrom = (finishedUpTo - plan.starts[k]) * D
            states[i].tail = Array(window[keepFrom...])
            states[i].tailStart = finishedUpTo
            states[i].nextWindow = k + 1
        }
    }
}
