import Foundation

/// Errors from planning and writing output files.
public enum OutputError: Error, CustomStringConvertible, Equatable {
    case cannotWrite(path: String, reason: String)
    /// The output exists, and the run may not replace files it did not write (`overwrite` off).
    case exists(path: String)
    /// The output is one of the run's inputs (by path, hard link or symlink).
    case wouldReplaceInput(path: String)
    /// Two inputs (or one input given twice) would write the same file.
    case sameOutput(path: String, inputs: [String])
    /// The run was asked to stop (a signal, or a progress handler returning false) before its files were
    /// committed; nothing was written.
    case cancelled
    /// A writer's error, reworded to name the destination rather than the staging file it wrote to.
    case failed(message: String, underlying: String)

    public var description: String {
        switch self {
        case let .cannotWrite(path, reason): return "\(path): cannot write: \(reason)"
        case let .exists(path):
            return "\(path): exists, and a2m only replaces files it wrote itself in the same run; "
                + "choose another output directory (--out DIR) or allow replacing files (--overwrite)"
        case let .wouldReplaceInput(path):
            return "\(path): is an input of this run, and a2m never writes over its inputs; choose another output directory (--out DIR)"
        case let .sameOutput(path, inputs):
            return inputs.count == 2 && inputs[0] == inputs[1]
                ? "\(inputs[0]) is given twice; both would write \(path)"
                : "\(inputs.joined(separator: " and ")) would both write \(path); rename one, or generate them into separate directories"
        case .cancelled: return "stopped before the output files were written; no file was written"
        case let .failed(message, _): return message
        }
    }
}

/// Writes every output and checkpoint through a temporary file in the same directory, then renames it
/// over the destination, so an interrupted run never leaves a half-written file and the previous file
/// survives until the new one is complete.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { handle in try handle.write(contentsOf: data) }
    }

    public static func write(_ string: String, to url: URL) throws {
        try write(Data(string.utf8), to: url)
    }

    /// Streams into a temporary file through `body`, fsyncs, then renames it to `url`.
    public static func write(to url: URL, _ body: (FileHandle) throws -> Void) throws {
        let file = try AtomicFileWriter(url)
        do { try body(file.handle) } catch {
            file.discard()
            if error is OutputError { throw error }
            throw OutputError.cannotWrite(path: url.path, reason: FileProblem.describe(error))
        }
        try file.commit()
    }
}

/// An output being written: a temporary file beside `url` that `commit` fsyncs and renames over `url`, and
/// that `discard` (or deinit, without a commit) deletes. Lets a writer fill a file over minutes (a long
/// generation, frame by frame) with the same guarantee as `AtomicFile.write`: the destination only ever
/// holds a complete file.
package final class AtomicFileWriter {
    package let url: URL
    let tmp: URL
    let handle: FileHandle
    private var open = true

    package init(_ url: URL) throws {
        self.url = url
        let dir = url.deletingLastPathComponent()
        tmp = dir.appendingPathComponent(AtomicFileWriter.temporaryName(for: url.lastPathComponent))
        let fd = Glibc.open(tmp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let code = errno
            let reason: String
            switch code {
            case ENOENT: reason = "directory \(dir.path) does not exist"
            case EACCES, EPERM: reason = "directory \(dir.path) is not writable (permission denied)"
            default: reason = "cannot create a file in \(dir.path): \(FileProblem.posix(code))"
            }
            throw OutputError.cannotWrite(path: url.path, reason: reason)
        }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// `.NAME.tmp-PID-RANDOM` beside the destination, with NAME cut (at a character boundary) so the whole name
    /// stays within the 255 bytes a file name may have: a legal 240-byte output name must not fail for its
    /// temporary file's sake.
    static func temporaryName(for name: String) -> String {
        let suffix = ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let room = 255 - 1 - suffix.utf8.count
        var cut = Substring(name)
        while cut.utf8.count > room { cut = cut.dropLast() }
        return "." + cut + suffix
    }

    deinit { discard() }

    package func write(_ bytes: [UInt8]) throws {
        precondition(open, "AtomicFileWriter: write after commit or discard")
        do { try handle.write(contentsOf: bytes) } catch {
            throw OutputError.cannotWrite(path: url.path, reason: FileProblem.describe(error))
        }
    }

    /// fsync, close and rename over `url`. On failure the temporary file is deleted.
    package func commit() throws {
        precondition(open, "AtomicFileWriter: commit after commit or discard")
        open = false
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw OutputError.cannotWrite(path: url.path, reason: FileProblem.describe(error))
        }
        if rename(tmp.path, url.path) != 0 {
            let reason = FileProblem.posix(errno)
            try? FileManager.default.removeItem(at: tmp)
            throw OutputError.cannotWrite(path: url.path, reason: reason)
        }
    }

    /// Temporary files in `directory` left by a2m runs that were killed before they could clean up: names of the
    /// form `.NAME.tmp-PID-RANDOM` whose process no longer exists. A live PID (another a2m writing there now, or a
    /// reused PID) keeps its file: only what cannot belong to a running writer is returned. `name` filters on
    /// NAME (the destination's file name, possibly cut; see `temporaryName`).
    public static func staleTemporaries(in directory: URL, name: (String) -> Bool = { _ in true }) -> [URL] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return entries.sorted().compactMap { entry -> URL? in
            guard entry.hasPrefix("."), let marker = entry.range(of: ".tmp-", options: .backwards) else { return nil }
            let parts = entry[marker.upperBound...].split(separator: "-")
            guard parts.count == 2, let pid = Int32(parts[0]), pid > 0, UInt32(parts[1]) != nil,
                  name(String(entry[entry.index(after: entry.startIndex)..<marker.lowerBound])) else { return nil }
            // kill(pid, 0): ESRCH means no such process; EPERM means one exists (owned by someone else).
            guard pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { return nil }
            return directory.appendingPathComponent(entry)
        }
    }

    /// Deletes the temporary file; `url` is left as it was.
    package func discard() {
        guard open else { return }
        open = false
        try? handle.close()
        try? FileManager.default.removeItem(at: tmp)
    }
}
