import A2MAudio
import A2MCore
import A2MMotion
import Foundation

/// A preprocessed training corpus: per file, motion features (resampled to the model fps, normalized with
/// statistics of the training files) and motion-aligned log-mel features (normalized the same way), the
/// validation split by file, and the windows of each split.
///
/// Preprocessing per pair: BVH → `MotionClip` → slerp-resampled to `training.fps` → `MotionFeatures.encode`;
/// audio → `AudioFeatures.extract` (round(duration × fps) rows). Both are cut to the shorter of the two.
/// The skeleton of every file is round-tripped through a one-frame BVH text, which is also what the cache and
/// the model file store, so a fresh run and a cached run see bit-identical skeletons.
public struct TrainingSet: Sendable {
    public struct File: Sendable {
        public var stem: String
        public var frames: Int
        /// Normalized motion features [frames × D].
        public var motion: [Float]
        /// Normalized audio features [frames × M]: log-mel, then the config's prosody columns (unvoiced log-F0 as 0).
        public var audio: [Float]
    }

    public let directory: URL
    public let files: [File]
    /// The model's skeleton (offsets of the first file in name order) as a one-frame rest-pose BVH.
    public let skeletonBVH: String
    public let skeleton: Skeleton
    public let fps: Double
    public let motionDim: Int
    public let audioDim: Int
    public let motionStats: NormalizationStats
    public let audioStats: NormalizationStats
    public let trainingFiles: [Int]
    public let validationFiles: [Int]
    public let trainingWindows: [TrainingWindow]
    public let validationWindows: [TrainingWindow]
    /// Reader warnings and cache notes, one line each, for the CLI to print.
    public let notes: [String]
    /// Pairs read from the cache / computed in this run.
    public let cacheHits: Int
    public let cacheMisses: Int

    /// Audio and motion longer than each other by more than this are refused as mismatched pairs.
    public static let maxDurationMismatch = 1.0
    /// Offsets of a joint may differ between files (actors of different sizes, as in BEAT) by this fraction of
    /// the reference length before the skeletons count as different (another unit, another rig).
    public static let offsetTolerance: Float = 0.5
    /// Bumped whenever preprocessing changes meaning, so old caches miss.
    /// v2: resampled motion keeps its length (frameCount / fps seconds) instead of ending on the last source frame.
    static let preprocessingVersion = "motion-features-v2"

    /// Scans, preprocesses (or reads from the cache at `cacheDirectory`, default DIR/.a2m-cache) and splits.
    /// `shouldStop` is asked before each file (the CLI's Ctrl-C): preprocessing then ends with
    /// `TrainingError.stopped` between two cache writes, so no cache file is left half-written.
    public static func load(directory: URL, cacheDirectory: URL? = nil, audio: AudioFeatureConfig,
                            training: TrainingConfig, quiet: Bool = true, shouldStop: () -> Bool = { false }) throws -> TrainingSet {
        let pairs = try TrainingPairs.scan(directory)
        if training.validationFraction > 0 && pairs.count < 2 {
            throw TrainingDataError.noValidationFiles(directory: directory.path, files: pairs.count, fraction: training.validationFraction)
        }
        let cache = FeatureCache(directory: cacheDirectory ?? directory.appendingPathComponent(".a2m-cache"))
        let settings = try cacheSettings(audio: audio, fps: training.fps)
        let removed = cache.removeStaleTemporaries()
        let progress = ProgressLine(total: pairs.count, label: "preprocessing", unit: "files", quiet: quiet)
        var raw: [(stem: String, motion: [Float], audio: [Float], frames: Int)] = []
        var notes: [String] = []
        var hits = 0, misses = 0
        var reference: (file: String, skeleton: Skeleton, text: String)?
        if removed > 0 { notes.append("\(cache.directory.path): removed \(removed) temporary file(s) an interrupted run left behind") }
        for (i, pair) in pairs.enumerated() {
            if shouldStop() {
                progress.finish()
                throw TrainingError.stopped(during: "preprocessing", done: i, total: pairs.count)
            }
            let key = try FeatureCache.key(files: [pair.audio, pair.bvh], settings: settings)
            var entry: FeatureCache.Entry
            switch cache.load(stem: pair.stem, key: key) {
            case .hit(let e):
                entry = e
                hits += 1
            case .miss(let reason):
                if let reason { notes.append("\(cache.url(for: pair.stem).path): rebuilt the cache entry (\(reason))") }
                let built = try preprocess(pair, audio: audio, fps: training.fps)
                entry = built.entry
                notes += built.warnings
                try cache.store(entry, stem: pair.stem, key: key)
                misses += 1
            }
            guard let text = entry.meta["skeleton"], let frames = entry.meta["frames"].flatMap(Int.init),
                  let motion = entry.tensor("motion"), let mel = entry.tensor("audio") else {
                throw TrainingDataError.incompatibleFeatures(file: cache.url(for: pair.stem).path, reason: "cache entry lacks skeleton, frames or features")
            }
            let skeleton = try BVHReader.read(string: text, name: pair.bvh.path).clip.skeleton
            if let ref = reference {
                if let reason = mismatch(ref.skeleton, skeleton) {
                    throw TrainingDataError.skeletonMismatch(reference: ref.file, file: pair.bvh.path, reason: reason)
                }
            } else {
                reference = (pair.bvh.path, skeleton, text)
            }
            raw.append((pair.stem, motion, mel, frames))
            progress.update(i + 1)
        }
        progress.finish()
        let ref = reference!
        let motionDim = MotionFeatures.featureDim(for: ref.skeleton), audioDim = audio.featureDim
        for (r, pair) in zip(raw, pairs) where r.motion.count != r.frames * motionDim || r.audio.count != r.frames * audioDim {
            throw TrainingDataError.incompatibleFeatures(file: pair.bvh.path, reason: "feature sizes disagree with the skeleton or audio config")
        }

        let split = ValidationSplit.split(count: pairs.count, fraction: training.validationFraction, seed: training.seed)
        let motionStats = try NormalizationStats(featureDim: motionDim, clips: split.training.map { raw[$0].motion },
                                                  stdFloor: training.motionStdFloor)
        // Per-feature statistics of the training files, as for the mel rows; log-F0 over voiced frames only.
        let audioStats = try NormalizationStats(featureDim: audioDim, clips: split.training.map { raw[$0].audio },
                                                missingValues: audio.missingValueColumns)
        let files = raw.map { r in
            File(stem: r.stem, frames: r.frames, motion: motionStats.normalized(r.motion), audio: audioStats.normalizedFillingMissing(r.audio))
        }
        func windows(_ indices: [Int]) -> [TrainingWindow] {
            indices.flatMap { TrainingWindows.windows(file: $0, frameCount: files[$0].frames, length: training.windowFrames, stride: training.windowStride) }
        }
        let trainWindows = windows(split.training)
        guard !trainWindows.isEmpty else {
            throw TrainingDataError.tooShort(file: directory.path, frames: split.training.map { files[$0].frames }.max() ?? 0, required: TrainingWindows.minimumFrames)
        }
        return TrainingSet(directory: directory, files: files, skeletonBVH: ref.text, skeleton: ref.skeleton, fps: training.fps,
                           motionDim: motionDim, audioDim: audioDim, motionStats: motionStats, audioStats: audioStats,
                           trainingFiles: split.training, validationFiles: split.validation, trainingWindows: trainWindows,
                           validationWindows: windows(split.validation), notes: notes, cacheHits: hits, cacheMisses: misses)
    }

    /// Everything that changes the cached features besides the files themselves. The audio config's JSON names
    /// its prosody features (and pitch range) whenever it has any, so opting in or out misses the cache.
    static func cacheSettings(audio: AudioFeatureConfig, fps: Double) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let json = String(decoding: try enc.encode(audio), as: UTF8.self)
        return "\(preprocessingVersion) a2m \(A2MKitVersion.string) fps \(fps) audio \(json)"
    }

    /// Reads and featurizes one pair (the cache-miss path).
    static func preprocess(_ pair: TrainingPair, audio: AudioFeatureConfig, fps: Double) throws -> (entry: FeatureCache.Entry, warnings: [String]) {
        let (clip, warnings) = try BVHReader.read(pair.bvh)
        guard clip.fps.isFinite, (1...10_000).contains(clip.fps) else {
            throw TrainingDataError.unsupportedFPS(file: pair.bvh.path, fps: clip.fps, target: fps)
        }
        try clip.checkResampling(to: fps, file: pair.bvh.path)
        let motion = clip.resampled(to: fps)
        guard motion.frameCount >= TrainingWindows.minimumFrames else {
            throw TrainingDataError.tooShort(file: pair.bvh.path, frames: motion.frameCount, required: TrainingWindows.minimumFrames)
        }
        let mel = try AudioFeatures.extract(url: pair.audio, config: audio, fps: fps)
        let motionSeconds = Double(motion.frameCount) / fps, audioSeconds = Double(mel.frames) / fps
        guard abs(motionSeconds - audioSeconds) <= maxDurationMismatch else {
            throw TrainingDataError.incompatibleFeatures(
                file: pair.bvh.path,
                reason: String(format: "motion lasts %.2f s but %@ lasts %.2f s; expected the same length (within %.1f s)",
                               motionSeconds, pair.audio.lastPathComponent, audioSeconds, maxDurationMismatch))
        }
        let frames = min(motion.frameCount, mel.frames)
        guard frames >= TrainingWindows.minimumFrames else {
            throw TrainingDataError.tooShort(file: pair.audio.path, frames: frames, required: TrainingWindows.minimumFrames)
        }
        let d = MotionFeatures.featureDim(for: clip.skeleton)
        let features = Array(MotionFeatures.encode(motion).prefix(frames * d))
        let rest = MotionClip(restPoseOf: clip.skeleton, fps: fps, frames: 1)
        let skeletonText = String(decoding: try BVHWriter.bytes(rest), as: UTF8.self)
        let entry = FeatureCache.Entry(
            meta: ["skeleton": skeletonText, "frames": String(frames), "sourceFPS": String(clip.fps)],
            tensors: [("motion", features), ("audio", Array(mel.values.prefix(frames * mel.bins)))])
        return (entry, warnings.map { "\(pair.bvh.path): \($0)" })
    }

    /// Why `b` is not the same skeleton as `a`, naming the first differing joint; nil when they agree.
    static func mismatch(_ a: Skeleton, _ b: Skeleton) -> String? {
        for j in 0..<min(a.jointCount, b.jointCount) {
            let x = a.joints[j], y = b.joints[j]
            if x.name != y.name { return "joint \(j) is '\(y.name)', expected '\(x.name)'" }
            if x.parent != y.parent {
                let name = { (p: Int?) in p.map { "'\(a.joints[$0].name)'" } ?? "none (root)" }
                return "joint '\(y.name)' has parent \(name(y.parent)), expected \(name(x.parent))"
            }
            if j > 0 {
                let la = (x.offset * x.offset).sum().squareRoot(), lb = (y.offset * y.offset).sum().squareRoot()
                if abs(la - lb) > offsetTolerance * max(la, 1e-3) {
                    return "joint '\(y.name)' has offset length \(lb), expected about \(la) (another unit or rig?)"
                }
            }
        }
        if a.jointCount != b.jointCount {
            let extra = a.jointCount < b.jointCount ? "extra joint '\(b.joints[a.jointCount].name)'" : "missing joint '\(a.joints[b.jointCount].name)'"
            return "\(b.jointCount) joints, expected \(a.jointCount) (\(extra))"
        }
        return nil
    }

    /// Fills one batch: normalized motion [B, L, D], audio [B, L, M], frame mask [B, L]. Windows shorter than L are
    /// padded by repeating their last real frame (mask 0), which keeps padded rows in the data's range.
    func fillBatch(_ windows: [TrainingWindow], length L: Int, motion: inout [Float], audio: inout [Float], mask: inout [Float]) {
        let B = windows.count, D = motionDim, M = audioDim
        motion = [Float](repeating: 0, count: B * L * D)
        audio = [Float](repeating: 0, count: B * L * M)
        mask = [Float](repeating: 0, count: B * L)
        for (b, w) in windows.enumerated() {
            let f = files[w.file]
            for t in 0..<L {
                let src = w.start + min(t, w.frames - 1)
                mask[b * L + t] = t < w.frames ? 1 : 0
                for i in 0..<D { motion[(b * L + t) * D + i] = f.motion[src * D + i] }
                for i in 0..<M { audio[(b * L + t) * M + i] = f.audio[src * M + i] }
            }
        }
    }
}
