import A2MAudio
import A2MCore
import A2MCorpus
import A2MGeneration
import A2MMotion
import Foundation

/// Errors finding and pairing evaluation files.
public enum EvaluationDataError: Error, CustomStringConvertible, Equatable {
    case notADirectory(String)
    case noPairs(directory: String, split: String?)
    case missingGenerated(clip: String, directory: String)
    case sampleCountMismatch(clip: String, found: Int, expected: Int, directory: String)
    case unknownSplit(String, manifest: String)
    case noManifest(directory: String, split: String)

    public var description: String {
        switch self {
        case let .notADirectory(path): return "\(path): not a directory"
        case let .noPairs(dir, split):
            return "\(dir): no NAME.bvh with an audio file of the same stem (.wav, .flac, .ogg, .aiff)" + (split.map { " in split '\($0)'" } ?? "")
        case let .missingGenerated(clip, dir): return "\(dir): no generated motion for clip '\(clip)' (expected \(clip).bvh or \(clip).K.bvh)"
        case let .sampleCountMismatch(clip, found, expected, dir):
            return "\(dir): clip '\(clip)' has \(found) generated samples; the first clip has \(expected) (every clip needs the same number)"
        case let .unknownSplit(split, manifest): return "\(manifest): no clip has split '\(split)'; expected train, val or test"
        case let .noManifest(dir, split): return "\(dir): --split \(split) needs the corpus.json that a2m corpus writes; this directory has none"
        }
    }
}

/// Loads paired clips for `MotionEvaluation` from directories: ground truth as NAME.bvh + NAME.<audio> (a
/// corpus made by `a2m corpus`, or any WAV+BVH dataset), generated motion as NAME.bvh or NAME.K.bvh
/// (K = 0, 1, … for several samples per clip: `OutputNaming`, the names `a2m generate --samples` writes). Motion is resampled to `fps` with slerp and the audio is
/// analysed at that rate, so sources at 60 or 120 fps compare with 30-fps output.
public enum EvaluationData {
    static let audioExtensions = ["wav", "flac", "ogg", "aiff", "aif"]

    /// (name, audio, motion) for every clip in `directory`, sorted by name. With a `corpus.json`, only its
    /// clips, and `split` selects by its split field; without one, every pair, and `split` must be nil.
    public static func groundTruthFiles(in directory: URL, split: String?) throws -> [(name: String, audio: URL, motion: URL)] {
        let files = try listing(directory)
        var names = files.filter { $0.hasSuffix(".bvh") }.map { String($0.dropLast(4)) }
        let manifestURL = directory.appendingPathComponent("corpus.json")
        if FileManager.default.fileExists(atPath: manifestURL.path) {
            // The manifest, not the listing, says which clips belong to the corpus (a reused directory may
            // hold files of an earlier, larger run).
            let manifest = try StrictJSON.decode(CorpusManifest.self, contentsOf: manifestURL)
            let chosen = Set(manifest.clips.filter { split == nil || $0.split.rawValue == split }.map(\.name))
            if let split, chosen.isEmpty { throw EvaluationDataError.unknownSplit(split, manifest: manifestURL.path) }
            names = names.filter(chosen.contains)
        } else if let split {
            throw EvaluationDataError.noManifest(directory: directory.path, split: split)
        }
        let pairs = names.sorted().compactMap { name -> (String, URL, URL)? in
            guard let ext = audioExtensions.first(where: { files.contains(name + "." + $0) }) else { return nil }
            return (name, directory.appendingPathComponent(name + "." + ext), directory.appendingPathComponent(name + ".bvh"))
        }
        guard !pairs.isEmpty else { throw EvaluationDataError.noPairs(directory: directory.path, split: split) }
        return pairs
    }

    /// Generated files for each clip name: NAME.bvh, or NAME.0.bvh, NAME.1.bvh, … in sample order (`OutputNaming`).
    public static func generatedFiles(in directory: URL, names: [String]) throws -> [[URL]] {
        let files = Set(try listing(directory))
        var result = [[URL]]()
        for name in names {
            let urls = OutputNaming.sampleFiles(name, extension: "bvh", in: files).map { directory.appendingPathComponent($0) }
            guard !urls.isEmpty else { throw EvaluationDataError.missingGenerated(clip: name, directory: directory.path) }
            if let first = result.first, first.count != urls.count {
                throw EvaluationDataError.sampleCountMismatch(clip: name, found: urls.count, expected: first.count, directory: directory.path)
            }
            result.append(urls)
        }
        return result
    }

    /// Reads, resamples and analyses one clip; each motion is also measured for `GestureStatistics`.
    public static func loadClip(name: String, audio: URL, groundTruth: URL, generated: [URL], fps: Double) throws -> EvaluationClip {
        let signal = try AudioFile.load(audio)
        let features = try SpeechFeatures.analyze(samples: signal.samples, sampleRate: signal.sampleRate, fps: fps)
        let motion = { (url: URL) throws -> (JointPositions, GestureTake) in
            let clip = try BVHReader.read(url).clip
            return (JointPositions(clip: try clip.resampled(to: fps)), try GestureTake(clip: clip, file: url.path))
        }
        let truth = try motion(groundTruth)
        let gen = try generated.map(motion)
        return EvaluationClip(name: name, audio: features, groundTruth: truth.0, generated: gen.map(\.0),
                              groundTruthGesture: truth.1, generatedGesture: gen.map(\.1))
    }

    private static func listing(_ directory: URL) throws -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDir), isDir.boolValue else {
            throw EvaluationDataError.notADirectory(directory.path)
        }
        return try FileManager.default.contentsOfDirectory(atPath: directory.path)
    }
}
