import A2MAudio
import A2MCore
import A2MMotion
import Foundation

/// Options of `a2m corpus`. Defaults: clips of 4–12 s at 30 fps.
public struct CorpusOptions: Sendable, Equatable {
    public var count: Int
    public var seed: UInt64
    /// Clip length bounds in seconds; each clip's target length is drawn uniformly between them.
    public var minSeconds = 4.0
    public var maxSeconds = 12.0
    /// Motion frame rate; the audio is 22050 Hz, so 30 fps gives exactly 735 samples per frame.
    public var fps = 30.0
    /// The gesture model; the speech is the same for both (same seed, same WAV files).
    public var gestureModel = GestureModelVersion.v2

    public init(count: Int, seed: UInt64, minSeconds: Double = 4, maxSeconds: Double = 12, fps: Double = 30,
                gestureModel: GestureModelVersion = .v2) {
        self.count = count
        self.seed = seed
        self.minSeconds = minSeconds
        self.maxSeconds = maxSeconds
        self.fps = fps
        self.gestureModel = gestureModel
    }

    public func validate() throws {
        guard (1...100_000).contains(count) else { throw CorpusError.invalidParameter("count must be in 1...100000, got \(count)") }
        guard minSeconds >= 2, maxSeconds <= 120, minSeconds <= maxSeconds else {
            throw CorpusError.invalidParameter("need 2 ≤ min-seconds ≤ max-seconds ≤ 120, got \(minSeconds) and \(maxSeconds)")
        }
        guard [20.0, 24, 25, 30, 50, 60].contains(fps) else { throw CorpusError.invalidParameter("fps must be one of 20, 24, 25, 30, 50, 60, got \(fps)") }
    }
}

/// One generated clip in memory.
public struct CorpusClip: Sendable {
    public let samples: [Float]
    public let sampleRate: Int
    public let features: SpeechFeatures
    public let motion: MotionClip
    public let record: CorpusManifest.Clip
}

/// Builds the paired synthetic corpus: DIR/NAME.wav + DIR/NAME.bvh per clip and DIR/corpus.json.
/// Every random choice comes from PCG32 streams derived from the seed (one per clip, one per voice for the
/// speaker styles of v2), so the files are byte-identical for a seed on the same espeak-ng version and binary.
/// The speech does not depend on the gesture model: v1 and v2 corpora of one seed have identical WAV files.
public struct CorpusBuilder: Sendable {
    public let options: CorpusOptions
    public let skeleton: Skeleton
    private let synthesizer: EspeakSynthesizer
    private let partition: [CorpusVoices.Split: [String]]
    private let splits: [CorpusVoices.Split]

    /// Fails with `CorpusError.espeakMissing` when espeak-ng is not installed. `skeleton` defaults to the gesture
    /// model's (`GestureModelVersion.defaultSkeleton`).
    public init(options: CorpusOptions, skeleton: Skeleton? = nil) throws {
        try options.validate()
        self.options = options
        self.skeleton = skeleton ?? options.gestureModel.defaultSkeleton
        synthesizer = try EspeakSynthesizer()
        partition = CorpusVoices.partition(seed: options.seed)
        splits = CorpusVoices.clipSplits(count: options.count, seed: options.seed)
    }

    public var espeakVersion: String { synthesizer.version }

    static func clipName(_ index: Int) -> String { String(format: "clip_%05d", index) }

    /// Synthesizes clip `index` (0..<count) without writing anything.
    public func makeClip(_ index: Int, scratch: URL) throws -> CorpusClip {
        var rng = PCG32.derived(seed: options.seed, purpose: .corpus, rank: index)
        let split = splits[index]
        let pool = partition[split]!
        let variant = pool[rng.int(below: pool.count)]
        let speech = try SpeechClip.make(name: Self.clipName(index), split: split, variant: variant,
                                         minSeconds: options.minSeconds, maxSeconds: options.maxSeconds, fps: options.fps,
                                         synthesizer: synthesizer, scratch: scratch, rng: &rng)
        let features = try SpeechFeatures.analyze(samples: speech.samples, sampleRate: SpeechClip.sampleRate, fps: options.fps,
                                                  frames: speech.record.frames)
        var record = speech.record
        let motion: MotionClip
        switch options.gestureModel {
        case .v1:
            let style = record.style!
            motion = try ProceduralGesture.generate(features: features, style: style, skeleton: skeleton, rng: &rng)
            record.strokeCount = ProceduralGesture.selectStrokes(features, spacing: style.strokeSpacing).count
        case .v2:
            record.style = nil
            let speaker = SpeakerStyle.speaker(variant: variant, seed: options.seed).forClip(using: &rng)
            let (m, plan) = try CoSpeechGesture.generateWithPlan(features: features, style: speaker, skeleton: skeleton, rng: &rng)
            motion = m
            record.speaker = speaker
            record.gestures = plan.summary
            record.strokeCount = plan.strokes.count
        }
        record.onsetCount = features.onsets.count
        record.speechFraction = (Double(features.active.filter { $0 }.count) / Double(features.frameCount) * 1000).rounded() / 1000
        return CorpusClip(samples: speech.samples, sampleRate: SpeechClip.sampleRate, features: features, motion: motion, record: record)
    }

    /// Writes every clip and the manifest into `directory` (created if needed), `Threads.count` clips at a time;
    /// `progress(done)` after each batch, on the calling thread.
    @discardableResult
    public func build(into directory: URL, progress: (Int) -> Void = { _ in }) throws -> CorpusManifest {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw OutputError.cannotWrite(path: directory.path, reason: "cannot create directory (\(FileProblem.describe(error)))")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("a2m-corpus-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        // Clips are independent (one RNG stream each), so they are made in parallel; files are identical at
        // any thread count.
        let records = try orderedParallelMap(options.count, progress: progress) { i in
            let clip = try makeClip(i, scratch: scratch)
            let name = clip.record.name
            try AtomicFile.write(PCM16WAV.encode(clip.samples, sampleRate: clip.sampleRate), to: directory.appendingPathComponent(name + ".wav"))
            try BVHWriter.write(clip.motion, to: directory.appendingPathComponent(name + ".bvh"))
            return clip.record
        }
        var manifest = CorpusManifest(seed: options.seed, count: options.count, fps: options.fps, sampleRate: SpeechClip.sampleRate,
                                      minSeconds: options.minSeconds, maxSeconds: options.maxSeconds, espeakVersion: synthesizer.version,
                                      voices: Dictionary(uniqueKeysWithValues: partition.map { ($0.key.rawValue, $0.value) }),
                                      clips: records)
        manifest.version = options.gestureModel.rawValue
        manifest.note = options.gestureModel.note
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(manifest) + Data("\n".utf8), to: directory.appendingPathComponent("corpus.json"))
        return manifest
    }
}
