import Foundation

/// A read-only memory mapping of a whole file.
///
/// Pages of a file mapping count in the process's resident set once touched, and the kernel keeps them there
/// while memory is plentiful, so a reader that walks a 17 GB feature cache would look like a 17 GB process.
/// `release(_:)` drops the pages of a byte range from this process (`MADV_DONTNEED`; for a read-only file
/// mapping that only unmaps them: the data stays in the page cache and is read again on the next touch), which
/// keeps the resident set at what a reader is holding at the moment.
public final class MappedFile: @unchecked Sendable {
    public let url: URL
    public let count: Int
    public let base: UnsafeRawPointer

    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Maps `url`; throws with the system's reason.
    public init(_ url: URL) throws {
        self.url = url
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw MappedFileError.cannotOpen(path: url.path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw MappedFileError.cannotOpen(path: url.path, reason: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw MappedFileError.cannotOpen(path: url.path, reason: "not a regular file") }
        count = Int(st.st_size)
        guard count > 0 else { throw MappedFileError.cannotOpen(path: url.path, reason: "empty file") }
        guard let p = mmap(nil, count, PROT_READ, MAP_SHARED, fd, 0), p != MAP_FAILED else {
            throw MappedFileError.cannotOpen(path: url.path, reason: "mmap: " + String(cString: strerror(errno)))
        }
        base = UnsafeRawPointer(p)
        // Training reads windows in random order: no read-ahead beyond what is asked for.
        madvise(UnsafeMutableRawPointer(mutating: base), count, MADV_RANDOM)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), count) }

    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Drops the resident pages of bytes `range` (widened to whole pages) from this process.
    public func release(_ range: Range<Int>) {
        let lo = max(0, range.lowerBound) / Self.pageSize * Self.pageSize
        let hi = min(count, range.upperBound)
        guard hi > lo else { return }
        madvise(UnsafeMutableRawPointer(mutating: base + lo), hi - lo, MADV_DONTNEED)
    }

    /// Drops every resident page of the file from this process.
    public func releaseAll() { release(0..<count) }
}

public enum MappedFileError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "\(path): cannot map the file (\(reason))"
        }
    }
}
