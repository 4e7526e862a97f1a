import Foundation

/// Foundation's file errors turned into a2m's words. Foundation's own text is either a raw dump
/// ("Error Domain=NSCocoaErrorDomain Code=640 "(null)" UserInfo={...}") or names the file its own way
/// ("The file “x” couldn’t be saved because ..."), and on Linux it reports /dev/zero as a permission problem
/// even for root. a2m's messages name the file once, themselves, so these give only the reason.
public enum FileProblem {
    /// A short reason for `error` (about the file at `path`): "permission denied", "no space left on device",
    /// "read-only file system", "is a directory", ...
    public static func describe(_ error: Error, path: String? = nil) -> String {
        let ns = error as NSError
        if let code = posixCode(ns) { return posix(code) }
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "no such file or directory"
            case NSFileReadNoPermissionError, NSFileWriteNoPermissionError:
                if let path, let kind = specialFileKind(path) { return "it is \(kind), not a regular file" }
                return "permission denied"
            case NSFileWriteOutOfSpaceError: return "no space left on device"
            case NSFileWriteVolumeReadOnlyError: return "read-only file system"
            case NSFileWriteFileExistsError: return "the file exists"
            case NSFileReadTooLargeError: return "the file is too large to read"
            case NSFileReadCorruptFileError: return "the file is damaged or not in the expected format"
            case NSFileReadInapplicableStringEncodingError: return "not valid UTF-8 text"
            case NSFileReadUnknownError, NSFileWriteUnknownError:
                if let path, let kind = specialFileKind(path) { return "it is \(kind), not a regular file" }
            default: break
            }
        }
        if let path, let kind = specialFileKind(path) { return "it is \(kind), not a regular file" }
        let text = ns.localizedDescription
        return text.hasPrefix("The operation could not be completed") || text.contains("Error Domain=") ? "input/output error" : text
    }

    /// strerror text, lower-cased as in a2m's other reasons ("no space left on device").
    public static func posix(_ code: Int32) -> String {
        let s = String(cString: strerror(code))
        return s.prefix(1).lowercased() + s.dropFirst()
    }

    /// The errno behind a Foundation error, when it carries one (directly or as its underlying error).
    static func posixCode(_ ns: NSError) -> Int32? {
        if ns.domain == NSPOSIXErrorDomain { return Int32(ns.code) }
        if let u = ns.userInfo[NSUnderlyingErrorKey] as? NSError { return posixCode(u) }
        return nil
    }

    /// "a directory", "a named pipe", "a character device (/dev/zero)", ... for paths that are not regular files.
    public static func specialFileKind(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a named pipe"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }
}
