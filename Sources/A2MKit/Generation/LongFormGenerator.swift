/// Errors of long-form generation.
public enum GenerationError: Error, CustomStringConvertible, Equatable {
    case emptyClip(name: String)
    case audioFeatures(name: String, frames: Range<Int>, got: Int, expected: Int)
    case modelMismatch(path: String, problems: [String])

    public var description: String {
        switch self {
        case let .emptyClip(name):
            return "\(name): no motion frames to generate (the audio is shorter than one motion frame)"
        case let .audioFeatures(name, frames, got, expected):
            return "\(name): audio features for frames \(frames.lowerBound)..<\(frames.upperBound): got \(got) values, expected \(expected)"
        case let .modelMismatch(path, problems):
            return "\(path): the checkpoint's feature configuration is inconsistent:\n  " + problems.joined(separator: "\n  ")
        }
    }
}

/// One clip to generate: its length in motion frames, where its audio features come from, and what joins
/// its windows and takes the finished frames. Audio is requested with increasing frame ranges, so a caller
/// can stream from disk.
public struct LongFormClip {
    public var name: String
    public var frameCount: Int
    /// Noise stream: the clip's RNG is `PCG32.derived(seed, .sampling, rank: stream)`. Give `--samples K`
    /// sample k stream k, so a file's output does not depend on the other files of the run.
    public var stream: Int
    /// Audio features [range.count, M] for motion frames `range`.
    public var audioFeatures: (Range<Int>) throws -> [Float]
    public var stitcher: any WindowStitcher

    public init(name: String, frameCount: Int, stream: Int = 0,
                audioFeatures: @escaping (Range<Int>) throws -> [Float], stitcher: any WindowStitcher) {
        self.name = name
        self.frameCount = frameCount
        self.stream = stream
        self.audioFeatures = audioFeatures
        self.stitcher = stitcher
    }
}

/// Generates motion for audio of any length with a model of fixed window length W (EDGE long-form,
/// Tseng et al. 2023 §3.4, made sequential so memory stays bounded).
///
/// Windows follow `WindowPlan` (hop W/2). Window k is sampled with its first `overlap` frames constrained to
/// the already finished frames of window k−1 (`PrefixConstraint`: at every step those frames of x_t are
/// replaced by the previous window's final x0 noised to the current t). EDGE instead denoises all windows
/// as one batch and copies x_t halves between them after each step; that ties memory to the clip length,
/// this does not. The clip's `WindowStitcher` then blends the overlap and emits the frames no later window
/// touches (`FeatureCrossfadeStitcher` in feature space; the CLI blends in motion space).
///
/// Memory: per round, the noise state of one window per clip plus the previous window's unfinished tail
/// (< W frames per clip, here and in the stitcher).
///
/// Batching: all clips advance one window per round; clips whose current window has the same length share
/// one `encodeAudio` and one sampler (B rows, 2B with guidance).
public final class LongFormGenerator<Denoiser: MotionDenoiser> {
    public let denoiser: Denoiser
    public let schedule: DiffusionSchedule
    public let windowFrames: Int
    public let options: SamplerOptions
    /// Tests switch this off to show the seams of independent windows.
    var constrainOverlap = true

    public init(denoiser: Denoiser, schedule: DiffusionSchedule, windowFrames: Int, options: SamplerOptions) throws {
        try options.validate(trainingSteps: schedule.steps, supportsGuidance: denoiser.supportsGuidance)
        guard windowFrames > 1 else {
            throw SamplingError.invalidOption(name: "windowFrames", value: "\(windowFrames)", expected: "at least 2")
        }
        self.denoiser = denoiser
        self.schedule = schedule
        self.windowFrames = windowFrames
        self.options = options
    }

    /// Per-clip progress through its windows.
    private struct ClipState {
        let plan: WindowPlan
        var nextWindow = 0
        var rng: PCG32
        /// Window k's x0 on the frames window k+1 shares: [tailStart, tailStart + tail.count / D).
        var tail: [Float] = []
        var tailStart = 0
    }

    /// Total denoising steps over all clips (the unit of `progress`).
    public func totalSteps(_ clips: [LongFormClip]) -> Int {
        clips.reduce(0) { $0 + ($1.frameCount > 0 ? WindowPlan(totalFrames: $1.frameCount, windowFrames: windowFrames).count : 0) } * options.steps
    }

    /// Generates every clip. `progress(done, total)` is called after each batched denoising step with counts
    /// in clip-steps (a step of a batch of G clips counts G).
    public func generate(_ clips: [LongFormClip], progress: ((Int, Int) -> Void)? = nil) throws {
        for c in clips where c.frameCount < 1 { throw GenerationError.emptyClip(name: c.name) }
        var states = clips.map {
            ClipState(plan: WindowPlan(totalFrames: $0.frameCount, windowFrames: windowFrames),
                      rng: PCG32.derived(seed: options.seed, purpose: .sampling, rank: $0.stream))
        }
        let total = totalSteps(clips)
        var done = 0
        while true {
            let active = states.indices.filter { states[$0].nextWindow < states[$0].plan.count }
            if active.isEmpty { break }
            var groups: [Int: [Int]] = [:]
            for i in active { groups[states[i].plan.window(states[i].nextWindow).count, default: []].append(i) }
            for frames in groups.keys.sorted() {
                let members = groups[frames]!
                try runWindow(members, frames: frames, clips: clips, states: &states) { done += members.count; progress?(done, total) }
            }
        }
    }

    private func runWindow(_ members: [Int], frames F: Int, clips: [LongFormClip], states: inout [ClipState],
                           stepDone: () -> Void) throws {
        let D = denoiser.motionDim, M = denoiser.audioDim
        var audio = [Float]()
        audio.reserveCapacity(members.count * F * M)
        var lengths = [Int](), known = [Float](repeating: 0, count: members.count * F * D)
        for (g, i) in members.enumerated() {
            let st = states[i]
            let range = st.plan.window(st.nextWindow)
            let a = try clips[i].audioFeatures(range)
            guard a.count == F * M else {
                throw GenerationError.audioFeatures(name: clips[i].name, frames: range, got: a.count, expected: F * M)
            }
            audio += a
            let overlap = st.plan.overlap(st.nextWindow)
            precondition(st.tailStart == range.lowerBound && st.tail.count == overlap * D, "stitching state out of sync")
            lengths.append(constrainOverlap ? overlap : 0)
            for j in 0..<overlap * D { known[g * F * D + j] = st.tail[j] }
        }
        let context = try denoiser.encodeAudio(audio, clips: members.count, frames: F)
        let sampler = try DiffusionSampler(
            denoiser: denoiser, schedule: schedule, options: options, context: context,
            clips: Array(0..<members.count), frames: F, generators: members.map { states[$0].rng },
            constraint: lengths.contains { $0 > 0 } ? PrefixConstraint(lengths: lengths, x0: known) : nil)
        for _ in sampler { stepDone() }
        let x0 = try sampler.finish()
        for (g, i) in members.enumerated() {
            states[i].rng = sampler.generators[g]
            let window = Array(x0[g * F * D..<(g + 1) * F * D])
            let k = states[i].nextWindow, plan = states[i].plan
            let finishedUpTo = k + 1 < plan.count ? plan.starts[k + 1] : plan.totalFrames
            try clips[i].stitcher.add(window: window, frames: plan.window(k), overlap: plan.overlap(k), finishedUpTo: finishedUpTo)
            let keepFrom = (finishedUpTo - plan.starts[k]) * D
            states[i].tail = Array(window[keepFrom...])
            states[i].tailStart = finishedUpTo
            states[i].nextWindow = k + 1
        }
    }
}
