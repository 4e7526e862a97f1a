import A2MCore
import A2MNN

/// How far a live stream looks ahead: motion frame f is finished once the audio reaches frame f + `lookahead`,
/// and windows run every `chunk` frames, so a frame waits for at most `lookahead + chunk` frames of audio plus one
/// window's compute (docs/sampling.md, "Streaming").
public struct StreamingLatency: Sendable, Equatable {
    /// Frames of audio past the last finished frame that each window sees (≥ 1): the window generates them and
    /// the next window, which continues from them, crossfades them away.
    public var lookahead: Int
    /// Frames finished per window (≥ 1): fewer means lower latency and more windows per second of audio.
    public var chunk: Int

    public init(lookahead: Int, chunk: Int) {
        self.lookahead = lookahead
        self.chunk = chunk
    }

    /// The split of a latency budget of `seconds` of audio at `fps`: a quarter chunk, three quarters look-ahead
    /// (500 ms at 30 fps: chunk 4, look-ahead 11), but a chunk of at least `minimumChunk` frames while the budget
    /// has twice that (300 ms: chunk 4, look-ahead 5). Every finished frame is a crossfade of the windows that saw it,
    /// so the look-ahead is the crossfade's length: on the default model, look-ahead 8 and chunk 7 (the earlier
    /// half-and-half split of 500 ms) left a velocity dip at every chunk junction, 10 and 5 passed the seam test just,
    /// 11 and 4 clearly (docs/sampling.md, "Streaming"). A smaller chunk means more windows per second.
    public init(seconds: Double, fps: Double) {
        let frames = max(2, Int((seconds * fps).rounded(.down)))
        chunk = max(Int((Double(frames) / 4).rounded()), min(Self.minimumChunk, frames / 2), 1)
        lookahead = max(1, frames - chunk)
    }

    /// Frames finished per window below which the default model's windows come faster than one core computes them
    /// (a window every 2 frames at 30 fps fell behind in 41 of 190 windows; every 4 frames, in 10 of 176), and a
    /// generator that falls behind drops look-ahead, which seams worse than a shorter crossfade.
    public static let minimumChunk = 4

    /// The audio a frame waits for at most, in frames (its compute time comes on top).
    public var frames: Int { lookahead + chunk }

    /// The first window's look-ahead: half the others' (rounded up). The first window has no earlier one to join, so
    /// it runs as soon as its chunk and this much audio are in, and the first frame comes out sooner (500 ms at
    /// 30 fps: after 10 frames of audio instead of 15); only the first junction's crossfade is shorter.
    public var firstLookahead: Int { (lookahead + 1) / 2 }
}

/// Long-form generation made causal, for audio that arrives while it is generated (`a2m stream`).
///
/// `LongFormGenerator` knows the clip's length and ties each window to the next one; here the audio ends where
/// it has arrived so far. Each window ends at the audio's edge and reaches back at most W frames:
/// window k covers [s, e), s = max(0, e − W). Its frames before the first unfinished one u are the motion already
/// sent, imposed on the window as a constrained prefix (`PrefixConstraint`, exactly as a long-form round's first
/// window is tied to the previous round), so the new frames continue it; frames [u, e − lookahead) are
/// finished and go to the `WindowStitcher`, which crossfades them with what the previous window generated past
/// its own finished frames (its look-ahead) and emits them, as in long-form. The same stitcher therefore joins
/// the windows (`MotionStitcher` in the CLI, decoding in motion space), and the same `DenoisingLoop`, sampler and
/// guidance mixer run each window.
///
/// Windows end on a fixed grid (the first at `chunk + firstLookahead`, then every `chunk` frames, `lookahead` past
/// the last finished frame), so the same audio gives the same motion
/// whatever pieces it arrives in. Back-pressure: when more than two chunks of audio wait, the generator has
/// fallen behind; the next windows end at the audio's edge and finish all but one frame of it (the look-ahead is
/// dropped, no frame is), and `droppedLookahead` counts them.
///
/// Noise: x_T of absolute frame f is drawn from its own stream, `PCG32.derived(seed, .frameNoise, rank: f)`, so
/// consecutive windows start from the same noise on the frames they share and differ there only by what the new
/// audio and the prefix change (on the default model that halves the velocity modulation at chunk junctions,
/// docs/sampling.md, "Streaming"); the prefix's re-noising draws from window k's stream,
/// `PCG32.derived(seed, .sampling, rank: k·2²⁴)`, as long-form window k does.
/// Memory: the features and finished x0 of the last W frames plus the audio not yet generated.
package final class StreamingGenerator<Network: MotionDenoiser> {
    package let denoiser: Network
    package let schedule: DiffusionSchedule
    package let windowFrames: Int
    package let options: SamplerOptions
    package let latency: StreamingLatency
    /// Frames of finished motion a window keeps as its prefix when it must catch up (its other frames are new).
    package var catchUpPrefix: Int { windowFrames / 4 }

    /// Windows run so far.
    package private(set) var windows = 0
    /// Windows that ran with the look-ahead dropped because the generator was behind the audio.
    package private(set) var droppedLookahead = 0
    /// Frames finished (emitted to the stitcher).
    package private(set) var finished = 0
    /// Audio feature frames appended so far.
    package var available: Int { featureStart + features.count / denoiser.audioDim }

    private let stitcher: any WindowStitcher
    private var history: FeatureCrossfadeStitcher!
    private var features: [Float] = []
    private var featureStart = 0
    /// The blended x0 features of finished frames historyStart ..< finished.
    private var done: [Float] = []
    private var doneStart = 0
    /// End of the last window (finished + its look-ahead).
    private var generatedEnd = 0
    private var ended = false

    package init(denoiser: Network, schedule: DiffusionSchedule, windowFrames: Int, options: SamplerOptions,
                latency: StreamingLatency, stitcher: any WindowStitcher) throws {
        try options.validate(trainingSteps: schedule.steps, supportsGuidance: denoiser.supportsGuidance, distilled: denoiser.distilledGuidance)
        guard windowFrames > 1 else {
            throw SamplingError.invalidOption(name: "windowFrames", value: "\(windowFrames)", expected: "at least 2")
        }
        guard latency.lookahead >= 1, latency.chunk >= 1, latency.frames < windowFrames - windowFrames / 4 else {
            throw SamplingError.invalidOption(name: "latency", value: "look-ahead \(latency.lookahead) + chunk \(latency.chunk) frames",
                                              expected: "each ≥ 1 frame, together under \(windowFrames - windowFrames / 4) (three quarters of the model's window)")
        }
        self.denoiser = denoiser
        self.schedule = schedule
        self.windowFrames = windowFrames
        self.options = options
        self.latency = latency
        self.stitcher = stitcher
        let D = denoiser.motionDim
        history = FeatureCrossfadeStitcher(featureDim: D) { [unowned self] first, rows in
            precondition(first == doneStart + done.count / D, "streaming history out of order")
            done += rows
        }
    }

    /// Appends normalized audio features [n, M] for the next n motion frames.
    package func append(features rows: [Float]) {
        precondition(!ended && rows.count % denoiser.audioDim == 0, "StreamingGenerator.append: \(rows.count) values after the end or not whole rows")
        features += rows
    }

    /// Runs every window the audio allows now; returns how many ran. `shouldContinue` is asked after each.
    @discardableResult
    package func advance() throws -> Int {
        var ran = 0
        while true {
            let lag = available - finished
            if lag >= latency.frames + 2 * latency.chunk {
                // Behind: finish everything but one frame the window can reach.
                let e = min(available, reach)
                try run(end: e, finish: e - 1)
                droppedLookahead += 1
            } else if windows == 0 && lag >= latency.chunk + latency.firstLookahead {
                try run(end: latency.chunk + latency.firstLookahead, finish: latency.chunk)
            } else if lag >= latency.frames {
                let e = finished + latency.frames
                try run(end: e, finish: e - latency.lookahead)
            } else {
                return ran
            }
            ran += 1
        }
    }

    /// The audio has ended: finishes every remaining frame (the last window with no look-ahead).
    package func finish() throws {
        ended = true
        while finished < available {
            let e = min(available, reach)
            try run(end: e, finish: e == available ? e : e - latency.lookahead)
        }
    }

    /// The furthest end a window starting its new frames at `finished` may have: W frames minus the prefix.
    private var reach: Int { finished + windowFrames - min(finished, catchUpPrefix) }

    /// x_T [frames.count, dim] of absolute frames `frames`: frame f from its own stream, whatever window holds it.
    static func frameNoise(seed: UInt64, frames: Range<Int>, dim D: Int) -> [Float] {
        var x = [Float](repeating: 0, count: frames.count * D)
        x.withUnsafeMutableBufferPointer { p in
            for (i, f) in frames.enumerated() {
                var g = PCG32.derived(seed: seed, purpose: .frameNoise, rank: f)
                g.fillGaussian(UnsafeMutableBufferPointer(rebasing: p[i * D..<(i + 1) * D]))
            }
        }
        return x
    }

    private func run(end e: Int, finish f: Int) throws {
        let D = denoiser.motionDim, M = denoiser.audioDim
        let u = finished
        let s = max(0, e - windowFrames)
        precondition(s <= u && u < f && f <= e && e <= available && s >= doneStart && s >= featureStart, "streaming window out of range")
        let F = e - s, prefix = u - s
        let audio = Array(features[(s - featureStart) * M..<(e - featureStart) * M])
        var known = [Float](repeating: 0, count: F * D)
        if prefix > 0 { known.replaceSubrange(0..<prefix * D, with: done[(s - doneStart) * D..<(u - doneStart) * D]) }
        let context = try denoiser.encodeAudio(audio, clips: 1, frames: F)
        let loop = try DenoisingLoop(denoiser: denoiser, schedule: schedule, options: options, context: context, clips: [0], frames: F,
                                     generators: [LongFormGenerator<Network>.windowGenerator(seed: options.seed, stream: 0, window: windows)],
                                     initialNoise: Self.frameNoise(seed: options.seed, frames: s..<e, dim: D),
                                     constraint: prefix > 0 ? PrefixConstraint(lengths: [prefix], x0: known) : nil)
        let x0 = try loop.finish()
        let part = Array(x0[(prefix * D)...])
        let overlap = generatedEnd - u
        try history.add(window: part, frames: u..<e, overlap: overlap, finishedUpTo: f)
        try stitcher.add(window: part, frames: u..<e, overlap: overlap, finishedUpTo: f)
        finished = f
        generatedEnd = e
        windows += 1
        // Keep the last W frames of features and finished x0 (the next window starts at or after f − W).
        let keep = max(0, f - windowFrames)
        if keep - featureStart >= windowFrames {
            features.removeFirst((keep - featureStart) * M)
            featureStart = keep
        }
        if keep - doneStart >= windowFrames {
            done.removeFirst((keep - doneStart) * D)
            doneStart = keep
        }
    }
}
