import A2MCore
import A2MMotion
import Foundation

/// Where every file of a generation run goes, checked before any work starts: the one place that names
/// outputs (`OutputNaming`), checks them and their directories, and sizes batches to the open-file limit.
/// `GenerationPipeline.generate` plans with it; `a2m eval --generated` finds files by the same names.
///
/// `check` refuses (docs/reliability.md, "Inputs are never touched"):
/// - two inputs that would write the same file;
/// - an output that is one of the run's inputs (the audio, the model), by path or by file identity (a hard
///   link or symlink to it), whatever `overwrite` says;
/// - an output that exists already, unless `overwrite`: a2m never replaces a file it did not write in this
///   run. In the training layout (`clip.wav` beside `clip.bvh`) `a2m generate clip.wav` is refused that way
///   instead of overwriting the motion capture, and the message suggests an output directory;
/// - an output that exists and is a directory;
/// - an output directory that is not a directory or not writable (or, when missing, whose nearest existing
///   parent is not).
public struct OutputPlan {
    public let inputs: [URL]
    public let samples: Int
    /// `--out`: nil writes next to each input.
    public let directory: URL?
    /// `sampleFiles[i][k][f]`: input i, sample k, file extension f of `sampleExtensions`.
    public let sampleFiles: [[[URL]]]
    /// `companionFiles[i][k][f]`: the files written beside `sampleFiles[i][k][f]` (`companionExtensions[f]`).
    public let companionFiles: [[[[URL]]]]
    /// `inputFiles[i][g]`: input i's file of extension g of `inputExtensions` (written from all its samples).
    public let inputFiles: [[URL]]

    /// Names every output and refuses two inputs writing the same file.
    /// `companionExtensions[f]`: extensions of the files written beside those of `sampleExtensions[f]` (a .gltf's
    /// .bin; `MotionFormat.companionExtensions`), planned and checked like them.
    public init(inputs: [URL], samples: Int, sampleExtensions: [String], companionExtensions: [[String]] = [], inputExtensions: [String] = [],
                directory: URL?) throws {
        self.inputs = inputs
        self.samples = samples
        self.directory = directory
        func dir(_ input: URL) -> URL { directory ?? input.deletingLastPathComponent() }
        sampleFiles = inputs.map { input in
            let stem = input.deletingPathExtension().lastPathComponent
            return (0..<samples).map { k in
                sampleExtensions.map { dir(input).appendingPathComponent(OutputNaming.stem(stem, sample: k, of: samples)).appendingPathExtension($0) }
            }
        }
        let companions = sampleExtensions.indices.map { $0 < companionExtensions.count ? companionExtensions[$0] : [] }
        companionFiles = sampleFiles.map { perSample in
            perSample.map { perFormat in perFormat.indices.map { f in companions[f].map { OutputFile.companion(of: perFormat[f], extension: $0) } } }
        }
        inputFiles = inputs.map { input in
            inputExtensions.map { dir(input).appendingPathComponent(input.deletingPathExtension().lastPathComponent).appendingPathExtension($0) }
        }
        var seen: [String: Int] = [:]
        for i in inputs.indices {
            for url in sampleFiles[i].flatMap({ $0 }) + companionFiles[i].flatMap({ $0.flatMap { $0 } }) + inputFiles[i] {
                let path = url.standardizedFileURL.path
                if let other = seen[path] {
                    // The same input twice writes the same files too; say so rather than naming it twice.
                    throw OutputError.sameOutput(path: path, inputs: [inputs[other].path, inputs[i].path])
                }
                seen[path] = i
            }
        }
    }

    /// Every output file, input by input.
    public var files: [URL] {
        inputs.indices.flatMap { sampleFiles[$0].flatMap { $0 } + companionFiles[$0].flatMap { $0.flatMap { $0 } } + inputFiles[$0] }
    }

    /// The output directories, sorted.
    public var directories: [URL] {
        Array(Set(files.map { $0.deletingLastPathComponent().standardizedFileURL })).sorted { $0.path < $1.path }
    }

    /// The checks of the type's description. `protected`: further inputs of the run (the model file).
    public func check(protecting protected: [URL] = [], overwrite: Bool) throws {
        let guarded = Guarded(inputs + protected)
        for url in files { try guarded.check(url, overwrite: overwrite) }
        for dir in directories { try Self.checkWritable(dir) }
    }

    /// The same checks for one output file of a run reading `inputs` (`a2m convert`).
    public static func checkDestination(_ url: URL, inputs: [URL], overwrite: Bool) throws {
        try Guarded(inputs).check(url, overwrite: overwrite)
        try checkWritable(url.deletingLastPathComponent())
    }

    /// A run's inputs, by path and by file identity.
    struct Guarded {
        let paths: Set<String>
        let identities: [FileIdentity]

        init(_ inputs: [URL]) {
            paths = Set(inputs.map { $0.standardizedFileURL.path })
            identities = inputs.compactMap(FileIdentity.init(url:))
        }

        func check(_ url: URL, overwrite: Bool) throws {
            let path = url.standardizedFileURL.path
            let identity = FileIdentity(url: url)
            if paths.contains(path) || (identity.map { identities.contains($0) } ?? false) {
                throw OutputError.wouldReplaceInput(path: path)
            }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                if isDirectory.boolValue { throw OutputError.cannotWrite(path: path, reason: "a directory of that name exists") }
                if !overwrite { throw OutputError.exists(path: path) }
            }
        }
    }

    /// `dir`, or its nearest existing ancestor when it does not exist, must be a writable directory.
    static func checkWritable(_ dir: URL) throws {
        var existing = dir.standardizedFileURL
        while !FileManager.default.fileExists(atPath: existing.path), existing.path != "/" {
            existing = existing.deletingLastPathComponent()
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: existing.path, isDirectory: &isDir), isDir.boolValue else {
            throw OutputError.cannotWrite(path: dir.path, reason: "\(existing.path) is not a directory")
        }
        guard access(existing.path, W_OK | X_OK) == 0 else {
            // errno says why: "permission denied", "read-only file system", ...
            throw OutputError.cannotWrite(path: dir.path, reason: "directory \(existing.path) is not writable (\(FileProblem.posix(errno)))")
        }
    }

    /// Removes what killed earlier runs left of this plan's files (`OutputSet.removeStale`).
    @discardableResult
    public func removeStaleTemporaries() -> [String] {
        var byDirectory: [URL: Set<String>] = [:]
        for url in files { byDirectory[url.deletingLastPathComponent().standardizedFileURL, default: []].insert(url.lastPathComponent) }
        return byDirectory.keys.sorted { $0.path < $1.path }.flatMap { OutputSet.removeStale(in: $0, names: byDirectory[$0]!) }
    }

    /// Inputs generated at once when each holds `perInput` files open (its audio, its outputs' temporary
    /// files): as many as fit under the open-file limit (raised to the hard limit first) with 64 to spare.
    public static func inputsPerBatch(openFilesPerInput perInput: Int) -> Int {
        max(1, (OpenFiles.raiseLimit() - 64) / max(1, perInput))
    }
}

/// A file's device and inode: two paths to the same file (a hard link, a symlink) have the same identity.
struct FileIdentity: Equatable {
    let device: UInt64
    let inode: UInt64

    /// Nil when `url` does not exist (or cannot be inspected).
    init?(url: URL) {
        var s = stat()
        guard stat(url.path, &s) == 0 else { return nil }
        device = UInt64(s.st_dev)
        inode = UInt64(s.st_ino)
    }
}

/// The process's open-file limit.
public enum OpenFiles {
    /// Raises the soft limit to the hard limit (as many tools do; the default soft limit is often 1024) and
    /// returns the limit now in force.
    public static func raiseLimit() -> Int {
        var l = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &l) == 0 else { return 1024 }
        if l.rlim_cur < l.rlim_max {
            var raised = l
            raised.rlim_cur = l.rlim_max
            if setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &raised) == 0 { l = raised }
        }
        return Int(clamping: l.rlim_cur)
    }
}
