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
        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        guard FileManager.default.createFile(atPath: tmp.path, contents: nil) else {
            let reason = FileManager.default.fileExists(atPath: dir.path)
                ? "directory \(dir.path) is not writable" : "directory \(dir.path) does not exist"
            throw OutputError.cannotWrite(path: url.path, reason: reason)
        }
        do {
            let handle = try FileHandle(forWritingTo: tmp)
            do {
                try body(handle)
                try handle.synchronize()
                try handle.close()
            } catch {
                try? handle.close()
                throw error
            }
            if rename(tmp.path, url.path) != 0 {
                throw OutputError.cannotWrite(path: url.path, reason: String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            if error is OutputError { throw error }
            throw OutputError.cannotWrite(path: url.path, reason: "\(error)")
        }
    }
}
