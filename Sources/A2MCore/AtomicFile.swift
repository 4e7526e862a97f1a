import Foundation

/// Errors from writing output files.
public enum OutputError: Error, CustomStringConvertible {
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotWrite(path, reason): return "\(path): cannot write: \(reason)"
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
            throw OutputError.cannotWrite(path: url.path, reason: "\(error)")
        }
        try file.commit()
    }
}

/// An output being written: a temporary file beside `url` that `commit` fsyncs and renames over `url`, and
/// that `discard` (or deinit, without a commit) deletes. Lets a writer fill a file over minutes (a long
/// generation, frame by frame) with the same guarantee as `AtomicFile.write`: the destination only ever
/// holds a complete file.
public final class AtomicFileWriter {
    public let url: URL
    let tmp: URL
    let handle: FileHandle
    private var open = true

    public init(_ url: URL) throws {
        self.url = url
        let dir = url.deletingLastPathComponent()
        tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        guard FileManager.default.createFile(atPath: tmp.path, contents: nil) else {
            let reason = FileManager.default.fileExists(atPath: dir.path)
                ? "directory \(dir.path) is not writable" : "directory \(dir.path) does not exist"
            throw OutputError.cannotWrite(path: url.path, reason: reason)
        }
        do { handle = try FileHandle(forWritingTo: tmp) } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw OutputError.cannotWrite(path: url.path, reason: "\(error)")
        }
    }

    deinit { discard() }

    public func write(_ bytes: [UInt8]) throws {
        precondition(open, "AtomicFileWriter: write after commit or discard")
        do { try handle.write(contentsOf: bytes) } catch {
            throw OutputError.cannotWrite(path: url.path, reason: "\(error)")
        }
    }

    /// fsync, close and rename over `url`. On failure the temporary file is deleted.
    public func commit() throws {
        precondition(open, "AtomicFileWriter: commit after commit or discard")
        open = false
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw OutputError.cannotWrite(path: url.path, reason: "\(error)")
        }
        if rename(tmp.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: tmp)
            throw OutputError.cannotWrite(path: url.path, reason: reason)
        }
    }

    /// Deletes the temporary file; `url` is left as it was.
    public func discard() {
        guard open else { return }
        open = false
        try? handle.close()
        try? FileManager.default.removeItem(at: tmp)
    }
}
