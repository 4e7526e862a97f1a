import Foundation

/// How a2m opens an input file it reads once: a regular file (mapped), or a named pipe such as /dev/stdin in a
/// shell pipeline (read to its end, once, in one pass). Anything else (a directory, /dev/zero or another device,
/// a socket) is refused at once, instead of an endless read or Foundation's misleading "you don't have permission".
public enum InputFile {
    public enum Kind: Equatable, Sendable {
        case regular(size: Int)
        /// A named pipe (FIFO), e.g. /dev/stdin in `cat clip.wav | a2m features /dev/stdin ...`.
        case pipe
    }

    /// Why a path cannot be read as an input (the reason only; callers name the file in their own error type).
    public struct Refusal: Error, CustomStringConvertible, Equatable {
        public let reason: String
        public var description: String { reason }
    }

    /// The kind of input at `path`, or a refusal for anything that is neither a regular file nor a pipe.
    public static func kind(_ path: String) throws(Refusal) -> Kind {
        var st = stat()
        guard stat(path, &st) == 0 else { throw Refusal(reason: FileProblem.posix(errno)) }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .regular(size: Int(st.st_size))
        case S_IFIFO: return .pipe
        default: throw Refusal(reason: "it is \(FileProblem.specialFileKind(path) ?? "not a regular file"), not a regular file or pipe")
        }
    }

    /// The whole input: a regular file mapped (or read), a pipe read to its end. Bytes beyond `limit` are refused
    /// (a pipe's length is unknown until its end, so it is checked as it is read).
    public static func read(_ url: URL, limit: Int = Int.max) throws(Refusal) -> Data {
        let path = url.path
        switch try kind(path) {
        case .regular(let size):
            guard size <= limit else {
                throw Refusal(reason: "\(size.groupedDigits) bytes is more than the \(limit.groupedDigits) this input may have")
            }
            do { return try Data(contentsOf: url, options: .mappedIfSafe) } catch {
                throw Refusal(reason: FileProblem.describe(error, path: path))
            }
        case .pipe:
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw Refusal(reason: FileProblem.posix(errno)) }
            defer { close(fd) }
            var out = Data()
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if n == 0 { break }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Refusal(reason: FileProblem.posix(errno))
                }
                guard out.count + n <= limit else {
                    throw Refusal(reason: "the pipe holds more than the \(limit.groupedDigits) bytes this input may have")
                }
                out.append(contentsOf: chunk[0..<n])
            }
            return out
        }
    }
}
