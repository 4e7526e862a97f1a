import A2MCore
import Foundation

/// One training example on disk: an audio file and the BVH with the same stem.
public struct TrainingPair: Sendable, Equatable {
    public var stem: String
    public var audio: URL
    public var bvh: URL
}

/// Finds the (audio, BVH) pairs of a data directory (not recursive; hidden files such as the cache are skipped).
public enum TrainingPairs {
    /// Extensions libsndfile reads (lower-cased). Anything else that is not .bvh is ignored, so notes,
    /// transcripts or TextGrids may sit next to the data.
    public static let audioExtensions: Set<String> = [
        "wav", "wave", "flac", "ogg", "oga", "opus", "aif", "aiff", "aifc", "au", "snd", "caf", "w64", "rf64", "mp3",
    ]

    /// Pairs sorted by stem. Throws on an empty directory, on audio without BVH and on BVH without audio.
    public static func scan(_ directory: URL) throws -> [TrainingPair] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDir), isDir.boolValue else {
            throw TrainingDataError.notADirectory(path: directory.path)
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.sorted()
        var audio: [String: [URL]] = [:], bvh: [String: URL] = [:]
        for name in names {
            let url = directory.appendingPathComponent(name)
            let ext = url.pathExtension.lowercased()
            let stem = url.deletingPathExtension().lastPathComponent
            if ext == "bvh" { bvh[stem] = url } else if audioExtensions.contains(ext) { audio[stem, default: []].append(url) }
        }
        guard !audio.isEmpty || !bvh.isEmpty else {
            throw TrainingDataError.noPairs(directory: directory.path, audioFiles: 0, bvhFiles: 0)
        }
        var pairs: [TrainingPair] = []
        for stem in audio.keys.sorted() {
            let files = audio[stem]!
            guard files.count == 1 else { throw TrainingDataError.duplicateStem(stem: stem, files: files.map(\.path)) }
            guard let motion = bvh[stem] else {
                throw TrainingDataError.audioWithoutBVH(audio: files[0].path, expected: stem + ".bvh")
            }
            pairs.append(TrainingPair(stem: stem, audio: files[0], bvh: motion))
        }
        if let orphan = bvh.keys.sorted().first(where: { audio[$0] == nil }) {
            throw TrainingDataError.bvhWithoutAudio(bvh: bvh[orphan]!.path)
        }
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

/// The held-out validation files: a deterministic function of the file list and the seed.
enum ValidationSplit {
    /// Indices into `count` files: (training, validation), each sorted. With `fraction` > 0 the validation set
    /// has max(1, round(fraction · count)) files and the training set keeps at least one.
    static func split(count: Int, fraction: Double, seed: UInt64) -> (training: [Int], validation: [Int]) {
        guard fraction > 0, count >= 2 else { return (Array(0..<count), []) }
        let held = min(count - 1, max(1, Int((fraction * Double(count)).rounded())))
        // Its own stream (rank 0xFFFF of .dataOrder, never a real rank) so the split does not depend on
        // how many batches were drawn, nor on the number of ranks.
        var rng = PCG32.derived(seed: seed, purpose: .dataOrder, rank: 0xFFFF)
        var order = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) { order.swapAt(i, rng.int(below: i + 1)) }
        return (order[held...].sorted(), order[..<held].sorted())
    }
}
