import A2MCore
import Foundation

/// Which part of a dataset a pair belongs to: from the dataset's own split (`DatasetLayout`), a split file
/// (`SplitFile`), or chosen by duration (`ValidationSplit`).
public enum DataSubset: String, Sendable, Codable, CaseIterable {
    case train, validation, test
}

/// One training example on disk: an audio file and the BVH with the same stem.
package struct TrainingPair: Sendable, Equatable {
    package var stem: String
    package var audio: URL
    package var bvh: URL
    /// The subset the dataset's layout or a split file puts it in; nil = decided by `ValidationSplit`.
    package var subset: DataSubset?

    package init(stem: String, audio: URL, bvh: URL, subset: DataSubset? = nil) {
        self.stem = stem; self.audio = audio; self.bvh = bvh; self.subset = subset
    }
}

/// Pairs audio and BVH files by stem, in one folder or in a whole tree.
package enum TrainingPairs {
    /// Extensions libsndfile reads (lower-cased). Anything else that is not .bvh is ignored, so notes,
    /// transcripts or TextGrids may sit next to the data.
    static let audioExtensions: Set<String> = [
        "wav", "wave", "flac", "ogg", "oga", "opus", "aif", "aiff", "aifc", "au", "snd", "caf", "w64", "rf64", "mp3",
    ]

    /// Unpaired files named in an error before "and N more".
    static let listedFiles = 10

    /// Pairs of the top level of `directory` only, sorted by stem (the `flat` layout).
    package static func scan(_ directory: URL) throws -> [TrainingPair] {
        try pair(files(in: directory, recursive: false), root: directory)
    }

    /// Audio and BVH files under `directory` (not following hidden files or folders, nor the `excluding` ones).
    static func files(in directory: URL, recursive: Bool, excluding: [URL] = []) throws -> [URL] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDir), isDir.boolValue else {
            throw TrainingDataError.notADirectory(path: directory.path)
        }
        let skip = Set(excluding.map { $0.standardizedFileURL.resolvingSymlinksInPath().path })
        var out: [URL] = []
        func visit(_ dir: URL) throws {
            let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".") }.sorted()
            for name in names {
                let url = dir.appendingPathComponent(name)
                let ext = url.pathExtension.lowercased()
                var sub: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &sub)
                if sub.boolValue {
                    if recursive && !skip.contains(url.standardizedFileURL.resolvingSymlinksInPath().path) { try visit(url) }
                } else if ext == "bvh" || audioExtensions.contains(ext) {
                    out.append(url)
                }
            }
        }
        try visit(directory)
        return out
    }

    /// Pairs `files` by stem (the file name without its extension), sorted by stem. Every audio file needs a BVH
    /// and every BVH an audio file; a stem may name one audio file and one BVH only. Every unpaired or doubled
    /// file is named in one error.
    static func pair(_ files: [URL], root: URL) throws -> [TrainingPair] {
        var audio: [String: [URL]] = [:], bvh: [String: [URL]] = [:]
        for url in files {
            let stem = url.deletingPathExtension().lastPathComponent
            if url.pathExtension.lowercased() == "bvh" { bvh[stem, default: []].append(url) } else { audio[stem, default: []].append(url) }
        }
        guard !audio.isEmpty || !bvh.isEmpty else {
            throw TrainingDataError.noPairs(directory: root.path, audioFiles: 0, bvhFiles: 0)
        }
        if let (stem, urls) = audio.sorted(by: { $0.key < $1.key }).first(where: { $0.value.count > 1 }) {
            throw TrainingDataError.duplicateStem(stem: stem, files: urls.map(\.path))
        }
        if let (stem, urls) = bvh.sorted(by: { $0.key < $1.key }).first(where: { $0.value.count > 1 }) {
            throw TrainingDataError.duplicateStem(stem: stem, files: urls.map(\.path))
        }
        let lonelyAudio = audio.keys.filter { bvh[$0] == nil }.sorted().map { audio[$0]![0].path }
        let lonelyBVH = bvh.keys.filter { audio[$0] == nil }.sorted().map { bvh[$0]![0].path }
        if !lonelyAudio.isEmpty || !lonelyBVH.isEmpty {
            if audio.count == lonelyAudio.count && bvh.count == lonelyBVH.count {
                throw TrainingDataError.noPairs(directory: root.path, audioFiles: audio.count, bvhFiles: bvh.count)
            }
            throw TrainingDataError.unpaired(directory: root.path, audioWithoutBVH: lonelyAudio, bvhWithoutAudio: lonelyBVH)
        }
        let pairs = audio.keys.sorted().map { TrainingPair(stem: $0, audio: audio[$0]![0], bvh: bvh[$0]![0]) }
        // Each file is read more than once (hashed for the cache key, then decoded), so a named pipe would wait for a
        // second writer forever, and a device would never end: refused before anything is read.
        for url in pairs.flatMap({ [$0.audio, $0.bvh] }) {
            do {
                if case .pipe = try InputFile.kind(url.path) {
                    throw TrainingDataError.notAFile(path: url.path, reason: "it is a named pipe; training reads every file more than once "
                                                         + "(for the feature cache's key, then to decode it), so it needs regular files")
                }
            } catch let refusal as InputFile.Refusal {
                throw TrainingDataError.notAFile(path: url.path, reason: refusal.reason)
            }
        }
        return pairs
    }
}

/// The held-out validation files: a deterministic function of the files' durations and the seed.
enum ValidationSplit {
    /// Slack on the duration budget, so `fraction` of n equal files holds out exactly fraction · n of them.
    static let budgetSlack = 1e-9

    /// Indices into `durations` (one per file, any unit): (training, validation), each sorted. With `fraction`
    /// > 0 and two or more files, files are visited in an order shuffled from `seed` and held out while their
    /// summed duration stays within `fraction` of the total; when no file fits (each is longer than the budget),
    /// the shortest one is held out. At least one file is always kept for training. Choosing by duration, not
    /// by count, keeps one long take from taking most of the data with it.
    static func split(durations: [Double], fraction: Double, seed: UInt64) -> (training: [Int], validation: [Int]) {
        let count = durations.count
        guard fraction > 0, count >= 2 else { return (Array(0..<count), []) }
        // Its own stream (rank 0xFFFF of .dataOrder, never a real rank) so the split does not depend on
        // how many batches were drawn, nor on the number of ranks.
        var rng = PCG32.derived(seed: seed, purpose: .dataOrder, rank: 0xFFFF)
        var order = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) { order.swapAt(i, rng.int(below: i + 1)) }
        let budget = fraction * durations.reduce(0, +) * (1 + budgetSlack)
        var held: [Int] = [], used = 0.0
        for i in order where held.count < count - 1 && used + durations[i] <= budget {
            held.append(i)
            used += durations[i]
        }
        if held.isEmpty, let shortest = order.min(by: { durations[$0] < durations[$1] }) { held = [shortest] }
        let v = Set(held)
        return ((0..<count).filter { !v.contains($0) }, held.sorted())
    }

    /// `split` with every file of equal length (fraction of the file count, rounded down, at least one).
    static func split(count: Int, fraction: Double, seed: UInt64) -> (training: [Int], validation: [Int]) {
        split(durations: [Double](repeating: 1, count: count), fraction: fraction, seed: seed)
    }
}
