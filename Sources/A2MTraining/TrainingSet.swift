import A2MAudio
import A2MCore
import A2MMotion
import Foundation

/// A preprocessed training corpus, streamed from disk: per file, motion features (resampled to the model fps)
/// and motion-aligned audio features live in a memory-mapped feature cache (`FeatureCache`); what stays in
/// memory is the index (files, windows, split) and the normalization statistics, so the process does not grow
/// with the corpus (docs/training.md, "Memory").
///
/// Preprocessing per pair: BVH → `MotionClip` → re-rooted at the joint that carries the motion when the root
/// stays still (`MotionRoot`) → slerp-resampled to `training.fps` → `MotionFeatures.encode`; audio →
/// `AudioFeatures.extract` (round(duration × fps) rows). Both are cut to the shorter of the two. The skeleton of
/// every file is round-tripped through a one-frame BVH text, which is also what the cache and the model file
/// store, so a fresh run and a cached run see bit-identical skeletons. Windows are normalized as they are read
/// (`fillBatch`), with statistics of the training files.
public final class TrainingSet: @unchecked Sendable {
    public struct File: Sendable {
        package var stem: String
        package var frames: Int
        /// Frame rate of the BVH the motion was read from.
        package var sourceFPS: Double
        package var bvh: URL
    }

    /// Where the data is: a folder, its layout, and optionally a split file.
    package struct Source: Sendable {
        package var directory: URL
        package var layout: DatasetLayout
        package var splitFile: URL?
        /// Folders never searched for data (the run's output folder when it lies inside the data folder).
        package var exclude: [URL]
        package init(directory: URL, layout: DatasetLayout = .auto, splitFile: URL? = nil, exclude: [URL] = []) {
            self.directory = directory; self.layout = layout; self.splitFile = splitFile; self.exclude = exclude
        }
    }

    package let directory: URL
    package let layout: DatasetLayout
    /// Every file used (training and validation), sorted by stem.
    public let files: [File]
    let entries: [FeatureCache.Mapped]
    /// The model's skeleton (offsets of the first file in name order of the corpus's rig) as a one-frame rest-pose BVH.
    package let skeletonBVH: String
    package let skeleton: Skeleton
    public let fps: Double
    /// The frame rate most training files were recorded at: `a2m generate` writes at it unless told otherwise.
    package let sourceFPS: Double
    package let motionDim: Int
    package let audioDim: Int
    package private(set) var motionStats: NormalizationStats
    package private(set) var audioStats: NormalizationStats
    public let trainingFiles: [Int]
    public let validationFiles: [Int]
    public let trainingWindows: [TrainingWindow]
    package let validationWindows: [TrainingWindow]
    /// Layout, split, rig and cache notes, reader warnings: one line each, for the CLI to print.
    package let notes: [String]
    /// Pairs read from the cache / computed in this run (by this rank).
    public let cacheHits: Int
    package let cacheMisses: Int
    /// The joint the motion was moved to when the rig's root stays still, else nil.
    package let carrier: MotionRoot.Carrier?

    init(directory: URL, layout: DatasetLayout, files: [File], entries: [FeatureCache.Mapped], skeletonBVH: String, skeleton: Skeleton,
         fps: Double, sourceFPS: Double, motionDim: Int, audioDim: Int, motionStats: NormalizationStats, audioStats: NormalizationStats,
         trainingFiles: [Int], validationFiles: [Int], trainingWindows: [TrainingWindow], validationWindows: [TrainingWindow],
         notes: [String], cacheHits: Int, cacheMisses: Int, carrier: MotionRoot.Carrier?) {
        self.directory = directory; self.layout = layout; self.files = files; self.entries = entries
        self.skeletonBVH = skeletonBVH; self.skeleton = skeleton; self.fps = fps; self.sourceFPS = sourceFPS
        self.motionDim = motionDim; self.audioDim = audioDim; self.motionStats = motionStats; self.audioStats = audioStats
        self.trainingFiles = trainingFiles; self.validationFiles = validationFiles
        self.trainingWindows = trainingWindows; self.validationWindows = validationWindows
        self.notes = notes; self.cacheHits = cacheHits; self.cacheMisses = cacheMisses; self.carrier = carrier
    }

    /// Normalizes with another model's statistics from now on (guidance distillation: the student sees the numbers
    /// its teacher was trained on). Before training starts; the data fingerprint follows.
    package func useStatistics(motion: NormalizationStats, audio: NormalizationStats) throws {
        guard motion.mean.count == motionDim, audio.mean.count == audioDim else {
            throw TrainingError.modelMismatch(reason: "normalization statistics of \(motion.mean.count) motion and \(audio.mean.count) audio features; the data has \(motionDim) and \(audioDim)")
        }
        motionStats = motion
        audioStats = audio
    }

    /// Audio and motion longer than each other by more than this are refused as mismatched pairs.
    static let maxDurationMismatch = 1.0
    /// Offsets of a joint may differ between files (actors of different sizes, as in BEAT) by this fraction of
    /// the reference length before the skeletons count as different (another unit, another rig).
    static let offsetTolerance: Float = 0.5
    /// Bumped whenever preprocessing changes meaning, so old caches miss.
    static let preprocessingVersion = "motion-features-v2"

    /// The number of audio features per frame the data will have: fixed by the feature config, not the data.
    public static func audioDim(for audio: AudioFeatureConfig) -> Int { audio.featureDim }

    /// Scans `source`, preprocesses every pair into the feature cache at `cache` (or maps the entries already
    /// there), checks that every file has the same rig, splits and computes the statistics. With several ranks,
    /// rank r builds the missing entries i ≡ r (mod size) first; then every rank maps every entry (and builds
    /// what it still misses, when the ranks do not share the cache folder).
    /// `shouldStop` is asked before each file (the CLI's Ctrl-C): preprocessing then ends with
    /// `TrainingError.stopped` between two cache writes, so no cache file is left half-written.
    package static func load(_ source: Source, cache cacheDirectory: URL, audio: AudioFeatureConfig, training: TrainingConfig,
                            collective: Collective = SingleProcess(), quiet: Bool = true, shouldStop: () -> Bool = { false }) throws -> TrainingSet {
        let directory = source.directory
        let index = try source.layout.scan(directory, excluding: source.exclude)
        var notes = index.notes
        var pairs = index.pairs
        if let split = source.splitFile {
            for i in pairs.indices { pairs[i].subset = nil }
            pairs = try SplitFile.read(split).apply(to: pairs, file: split.path, notes: &notes)
        }
        let test = pairs.filter { $0.subset == .test }.count
        if test > 0 { notes.append("\(test) test pair(s) left out of training and validation") }
        pairs.removeAll { $0.subset == .test }
        guard !pairs.isEmpty else { throw TrainingDataError.noTrainingFiles(directory: directory.path, reason: "every pair is in the test subset") }

        let cache = FeatureCache(directory: cacheDirectory)
        let removed = collective.isRoot ? cache.removeStaleTemporaries() : 0
        if removed > 0 { notes.append("\(cache.directory.path): removed \(removed) temporary file(s) an interrupted run left behind") }
        let settings = try cacheSettings(audio: audio, fps: training.fps)
        var hits = 0, misses = 0
        var keys: [UInt64] = []
        keys.reserveCapacity(pairs.count)
        for pair in pairs { keys.append(try FeatureCache.key(files: [pair.audio, pair.bvh], settings: settings)) }
        func build(_ i: Int, reason: String?) throws -> FeatureCache.Mapped {
            if let reason { notes.append("\(cache.url(for: pairs[i].stem).path): rebuilt the cache entry (\(reason))") }
            let built = try preprocess(pairs[i], audio: audio, fps: training.fps)
            notes += built.warnings
            try cache.store(built.entry, stem: pairs[i].stem, key: keys[i])
            misses += 1
            guard case .hit(let m) = cache.load(stem: pairs[i].stem, key: keys[i]) else {
                throw TrainingDataError.incompatibleFeatures(file: cache.url(for: pairs[i].stem).path, reason: "the cache entry just written does not read back")
            }
            return m
        }
        if collective.size > 1 {
            let mine = Array(stride(from: collective.rank, to: pairs.count, by: collective.size))
            let progress = ProgressLine(total: mine.count, label: "preprocessing (rank \(collective.rank))", unit: "files", quiet: quiet)
            for (k, i) in mine.enumerated() {
                if shouldStop() {
                    progress.finish()
                    throw TrainingError.stopped(during: "preprocessing", done: k, total: mine.count)
                }
                if case .miss(let reason) = cache.load(stem: pairs[i].stem, key: keys[i]) { _ = try build(i, reason: reason) }
                progress.update(k + 1)
            }
            progress.finish()
            // Entries every rank built in phase one are no cache hits of this run.
            var built = [Double(misses)]
            try built.withUnsafeMutableBufferPointer { try collective.allreduceSum($0) }
            hits -= Int(built[0])
        }
        let progress = ProgressLine(total: pairs.count, label: collective.size > 1 ? "checking cache" : "preprocessing", unit: "files", quiet: quiet)
        var entries: [FeatureCache.Mapped] = []
        entries.reserveCapacity(pairs.count)
        for i in pairs.indices {
            if shouldStop() {
                progress.finish()
                throw TrainingError.stopped(during: "preprocessing", done: i, total: pairs.count)
            }
            switch cache.load(stem: pairs[i].stem, key: keys[i]) {
            case .hit(let m):
                entries.append(m)
                hits += 1
            case .miss(let reason):
                entries.append(try build(i, reason: reason))
            }
            progress.update(i + 1)
        }
        progress.finish()

        // Every file's skeleton, checked against the corpus's rig.
        var files: [File] = [], skeletons: [(skeleton: Skeleton, text: String)] = []
        var carriers: [String: (carrier: MotionRoot.Carrier, files: Int)] = [:]
        for (pair, e) in zip(pairs, entries) {
            let path = e.file.url.path
            guard let text = e.meta["skeleton"], let frames = e.meta["frames"].flatMap(Int.init),
                  let sourceFPS = e.meta["sourceFPS"].flatMap(Double.init) else {
                throw TrainingDataError.incompatibleFeatures(file: path, reason: "cache entry lacks skeleton, frames or source fps")
            }
            skeletons.append((try BVHReader.read(string: text, name: pair.bvh.path).clip.skeleton, text))
            files.append(File(stem: pair.stem, frames: frames, sourceFPS: sourceFPS, bvh: pair.bvh))
            if let joint = e.meta["carrier"] {
                let removed = (e.meta["carrierRemoved"] ?? "").split(separator: ",").map(String.init)
                carriers[joint, default: (MotionRoot.Carrier(joint: joint, removed: removed), 0)].files += 1
            }
        }
        let ref = try checkRig(skeletons.map(\.skeleton), files: pairs.map(\.bvh.path))
        let skeleton = skeletons[ref].skeleton
        let motionDim = MotionFeatures.featureDim(for: skeleton), audioDim = audioDim(for: audio)
        for (i, e) in entries.enumerated() {
            guard let m = e.floats("motion"), let a = e.floats("audio"), m.count == files[i].frames * motionDim, a.count == files[i].frames * audioDim else {
                throw TrainingDataError.incompatibleFeatures(file: pairs[i].bvh.path, reason: "feature sizes disagree with the skeleton or audio config")
            }
        }
        let carrier = carriers.values.max { $0.files < $1.files }?.carrier
        if let c = carriers.values.max(by: { $0.files < $1.files }) {
            notes.append("rig: the root \(c.carrier.removed.map { "'\($0)'" }.joined(separator: " → ")) stays still and '\(c.carrier.joint)' carries the motion "
                         + "in \(c.files) of \(files.count) files: trained with '\(c.carrier.joint)' as the root, so generated motion has '\(c.carrier.joint)' as its root")
        }
        let rates = Dictionary(grouping: files.map(\.sourceFPS), by: { $0 }).mapValues(\.count)
        if rates.count > 1 {
            notes.append("frame rates: " + rates.sorted { $0.key < $1.key }.map { "\(fpsText($0.key)) fps (\($0.value) files)" }.joined(separator: ", ")
                         + "; every file is resampled to \(fpsText(training.fps)) fps")
        }

        let (trainingFiles, validationFiles) = try split(pairs: pairs, files: files, training: training, directory: directory, notes: &notes)
        let sourceFPS = mostCommon(trainingFiles.map { files[$0].sourceFPS })
        let motionStats = try NormalizationStats(featureDim: motionDim, count: trainingFiles.count, stdFloor: training.motionStdFloor) { k, body in
            let e = entries[trainingFiles[k]]
            try body(e.floats("motion")!)
            e.file.releaseAll()
        }
        // Per-feature statistics of the training files, as for the mel rows; log-F0 over voiced frames only.
        let audioStats = try NormalizationStats(featureDim: audioDim, count: trainingFiles.count, missingValues: audio.missingValueColumns) { k, body in
            let e = entries[trainingFiles[k]]
            try body(e.floats("audio")!)
            e.file.releaseAll()
        }
        func windows(_ indices: [Int]) -> [TrainingWindow] {
            indices.flatMap { TrainingWindows.windows(file: $0, frameCount: files[$0].frames, length: training.windowFrames, stride: training.windowStride) }
        }
        let trainWindows = windows(trainingFiles)
        guard !trainWindows.isEmpty else {
            throw TrainingDataError.tooShort(file: directory.path, frames: trainingFiles.map { files[$0].frames }.max() ?? 0, required: TrainingWindows.minimumFrames)
        }
        return TrainingSet(directory: directory, layout: index.layout, files: files, entries: entries, skeletonBVH: skeletons[ref].text,
                           skeleton: skeleton, fps: training.fps, sourceFPS: sourceFPS, motionDim: motionDim, audioDim: audioDim,
                           motionStats: motionStats, audioStats: audioStats, trainingFiles: trainingFiles, validationFiles: validationFiles,
                           trainingWindows: trainWindows, validationWindows: windows(validationFiles), notes: notes,
                           cacheHits: hits, cacheMisses: misses, carrier: carrier)
    }

    /// Training and validation files: the dataset's own validation files (layout or split file) when it names
    /// any; otherwise `training.validationFraction` of the duration, chosen by `ValidationSplit`.
    static func split(pairs: [TrainingPair], files: [File], training: TrainingConfig, directory: URL,
                      notes: inout [String]) throws -> (training: [Int], validation: [Int]) {
        let given = pairs.indices.filter { pairs[$0].subset == .validation }
        if !given.isEmpty {
            let rest = pairs.indices.filter { pairs[$0].subset != .validation }
            guard !rest.isEmpty else { throw TrainingDataError.noTrainingFiles(directory: directory.path, reason: "every pair is in the validation subset") }
            notes.append("validation: the dataset's own split, \(given.count) files (\(share(given, of: files))); training.validationFraction is not used")
            return (rest, given)
        }
        if training.validationFraction > 0 && pairs.count < 2 {
            throw TrainingDataError.noValidationFiles(directory: directory.path, files: pairs.count, fraction: training.validationFraction)
        }
        let s = ValidationSplit.split(durations: files.map { Double($0.frames) }, fraction: training.validationFraction, seed: training.seed)
        if !s.validation.isEmpty {
            notes.append("validation: \(s.validation.count) of \(files.count) files, \(share(s.validation, of: files)), chosen by duration (training.validationFraction \(training.validationFraction))")
        }
        return s
    }

    static func share(_ indices: [Int], of files: [File]) -> String {
        let frames = indices.reduce(0) { $0 + files[$1].frames }, total = files.reduce(0) { $0 + $1.frames }
        return String(format: "%.1f %% of the frames", 100 * Double(frames) / Double(max(total, 1)))
    }

    /// The value most often in `xs` (the larger on a tie).
    static func mostCommon(_ xs: [Double]) -> Double {
        var counts: [Double: Int] = [:]
        for x in xs { counts[x, default: 0] += 1 }
        var best = (value: 0.0, count: 0)
        for (x, n) in counts where n > best.count || (n == best.count && x > best.value) { best = (x, n) }
        return best.value
    }

    static func fpsText(_ fps: Double) -> String { fps == fps.rounded() ? String(Int(fps)) : String(format: "%.3f", fps) }

    /// The index of the file whose skeleton the corpus uses: the rig most files share (names, parents, offsets
    /// within `offsetTolerance`), the first such file in name order. Throws naming every file of another rig.
    static func checkRig(_ skeletons: [Skeleton], files: [String]) throws -> Int {
        // Group by the first file each matches; the largest group is the corpus's rig.
        var groups: [(first: Int, members: [Int])] = []
        for (i, s) in skeletons.enumerated() {
            if let g = groups.firstIndex(where: { mismatch(skeletons[$0.first], s) == nil }) { groups[g].members.append(i) } else { groups.append((i, [i])) }
        }
        let main = groups.max { $0.members.count < $1.members.count || ($0.members.count == $1.members.count && $0.first > $1.first) }!
        let ref = skeletons[main.first]
        let odd = skeletons.indices.filter { mismatch(ref, skeletons[$0]) != nil }
        if !odd.isEmpty {
            throw TrainingDataError.rigsMismatch(reference: files[main.first], referenceFiles: main.members.count, jointCount: ref.jointCount,
                                                 mismatches: odd.map { (files[$0], mismatch(ref, skeletons[$0])!) })
        }
        return main.first
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
        var (clip, warnings) = try BVHReader.read(pair.bvh)
        guard clip.fps.isFinite, (1...10_000).contains(clip.fps) else {
            throw TrainingDataError.unsupportedFPS(file: pair.bvh.path, fps: clip.fps, target: fps)
        }
        try clip.checkResampling(to: fps, file: pair.bvh.path)
        var meta: [String: String] = [:]
        if let carrier = MotionRoot.carrier(of: clip) {
            clip = try MotionRoot.rerooted(clip, at: carrier)
            meta["carrier"] = carrier.joint
            meta["carrierRemoved"] = carrier.removed.joined(separator: ",")
            // The reader's note on the carrier's position channels is what re-rooting took care of.
            warnings.removeAll { $0.contains("joint '\(carrier.joint)' has position channels that vary") }
        }
        for j in clip.translations.keys.sorted() {
            warnings.append("joint '\(clip.skeleton.joints[j].name)' moves against its parent (varying position channels); the motion features keep joint rotations only, so that translation is not learned")
        }
        let motion = try clip.resampled(to: fps)
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
        meta["skeleton"] = String(decoding: try BVHWriter.bytes(rest), as: UTF8.self)
        meta["frames"] = String(frames)
        meta["sourceFPS"] = String(clip.fps)
        let entry = FeatureCache.Entry(meta: meta, tensors: [("motion", features), ("audio", Array(mel.values.prefix(frames * mel.bins)))])
        return (entry, warnings.map { $0.hasPrefix(pair.bvh.path) ? $0 : "\(pair.bvh.path): \($0)" })
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

    /// Normalized motion features of file `i` [frames × D] (a copy; tests and one-off passes).
    public func motion(file i: Int) -> [Float] { normalized(i, "motion", motionStats) }
    /// Normalized audio features of file `i` [frames × M] (a copy).
    public func audio(file i: Int) -> [Float] { normalized(i, "audio", audioStats) }

    /// Normalized copy of tensor `name` of file `i`; a missing value (NaN: unvoiced log-F0) becomes 0, the mean.
    func normalized(_ i: Int, _ name: String, _ stats: NormalizationStats) -> [Float] {
        let e = entries[i]
        defer { e.file.releaseAll() }
        return stats.normalizedFillingMissing(Array(e.floats(name)!))
    }

    /// Fills one batch: normalized motion [B, L, D], audio [B, L, M], frame mask [B, L]. Windows shorter than L are
    /// padded by repeating their last real frame (mask 0), which keeps padded rows in the data's range. The pages
    /// read are released from the process as soon as they are copied.
    func fillBatch(_ windows: [TrainingWindow], length L: Int, motion: inout [Float], audio: inout [Float], mask: inout [Float]) {
        let B = windows.count, D = motionDim, M = audioDim
        motion = [Float](repeating: 0, count: B * L * D)
        audio = [Float](repeating: 0, count: B * L * M)
        mask = [Float](repeating: 0, count: B * L)
        for (b, w) in windows.enumerated() {
            let e = entries[w.file]
            let fm = e.floats("motion")!, fa = e.floats("audio")!
            for t in 0..<L {
                let src = w.start + min(t, w.frames - 1)
                mask[b * L + t] = t < w.frames ? 1 : 0
                // The same arithmetic as NormalizationStats.normalize, so a window is bit-identical to a normalized copy.
                for i in 0..<D { motion[(b * L + t) * D + i] = (fm[src * D + i] - motionStats.mean[i]) / motionStats.std[i] }
                for i in 0..<M {
                    let x = (fa[src * M + i] - audioStats.mean[i]) / audioStats.std[i]
                    audio[(b * L + t) * M + i] = x.isNaN ? 0 : x   // unvoiced log-F0 → the mean (normalizeFillingMissing)
                }
            }
            e.file.release(e.byteRange("motion", start: w.start * D, count: w.frames * D))
            e.file.release(e.byteRange("audio", start: w.start * M, count: w.frames * M))
        }
    }
}
