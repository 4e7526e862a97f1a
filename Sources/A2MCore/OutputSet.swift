import Foundation

/// A set of output files that appear together or not at all (docs/reliability.md, "Atomic output sets").
///
/// Each file is first written, completely, to a hidden staging file beside its destination (`stage`), by a
/// writer that itself writes atomically (`AtomicFile`). `commit` then renames every staging file over its
/// destination. A destination that existed is first hard-linked to a hidden backup, so it is never missing;
/// if any rename fails, the files already renamed are put back (the backups restored, new files removed), the
/// rest of the staging files deleted, and the error thrown. Writing is where a full disk or an interrupt
/// strikes, and there `discard` just deletes the staging files. Directories the set created are removed again
/// when the set is discarded or rolled back (if still empty).
///
/// Hidden names carry the process id (`.NAME.a2m-<pid>-<token>`), so a later run can tell a killed run's
/// leftovers from a live run's files (`removeStale`).
public final class OutputSet {
    public struct Entry {
        public let destination: URL
        public let staged: URL
    }

    public private(set) var entries: [Entry] = []
    /// Every entry ever staged (for `naming`, also after a discard).
    private var staged: [Entry] = []
    /// Directories this set created, in creation order (parents first).
    public private(set) var createdDirectories: [URL] = []
    /// Whether a destination that exists may be replaced (otherwise `commit` refuses a file that appeared
    /// since `OutputPlan` checked).
    public let overwrite: Bool
    private var finished = false
    /// Called before the i-th rename of `commit` (tests inject failures here).
    var beforeRename: ((Int) throws -> Void)?

    public init(overwrite: Bool) {
        self.overwrite = overwrite
    }

    deinit { if !finished { discard() } }

    /// Marker in hidden file names: `.NAME.a2m-PID-TOKEN` (staging) and `.NAME.a2m-PID-TOKEN.backup`.
    static let marker = ".a2m-"

    /// Bytes of the destination's name kept in hidden names: with the marker, process id, token, ".backup" and
    /// a writer's own ".tmp-PID-N" on top, a hidden name stays within the 255 bytes a file name may have.
    static let namePrefixBytes = 160

    /// The start of `name` kept in hidden names (whole Unicode scalars, at most `namePrefixBytes` bytes).
    static func namePrefix(_ name: String) -> String {
        var out = "", bytes = 0
        for u in name.unicodeScalars {
            bytes += String(u).utf8.count
            if bytes > namePrefixBytes { break }
            out.unicodeScalars.append(u)
        }
        return out
    }

    static func hiddenName(for destination: URL, suffix: String = "") -> URL {
        let token = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return destination.deletingLastPathComponent()
            .appendingPathComponent(".\(namePrefix(destination.lastPathComponent))\(marker)\(getpid())-\(token)\(suffix)")
    }

    /// Creates `directory` and any missing parents; the ones created here are removed again by `discard` or a
    /// failed `commit`, if they are empty then.
    public func createDirectory(_ directory: URL) throws {
        var missing: [URL] = []
        var d = directory.standardizedFileURL
        while !FileManager.default.fileExists(atPath: d.path), d.path != "/" {
            missing.append(d)
            d = d.deletingLastPathComponent()
        }
        for dir in missing.reversed() {
            guard mkdir(dir.path, 0o777) == 0 || errno == EEXIST else {
                throw OutputError.cannotWrite(path: dir.path, reason: "cannot create the directory (\(FileProblem.posix(errno)))")
            }
            createdDirectories.append(dir)
        }
    }

    /// The hidden file to write `destination`'s content to; `destination` gets it at `commit`.
    public func stage(_ destination: URL) -> URL {
        precondition(!finished, "OutputSet: stage after commit or discard")
        let e = Entry(destination: destination, staged: Self.hiddenName(for: destination))
        entries.append(e)
        staged.append(e)
        return e.staged
    }

    /// Renames every staged file over its destination, all or none (see the type's description).
    public func commit() throws {
        precondition(!finished, "OutputSet: commit after commit or discard")
        for e in entries where !FileManager.default.fileExists(atPath: e.staged.path) {
            discard()
            throw OutputError.cannotWrite(path: e.destination.path, reason: "its content was never written")
        }
        var done: [(entry: Entry, backup: URL?)] = []
        do {
            for (i, e) in entries.enumerated() {
                var backup: URL?
                if FileManager.default.fileExists(atPath: e.destination.path) {
                    guard overwrite else { throw OutputError.exists(path: e.destination.path) }
                    let b = Self.hiddenName(for: e.destination, suffix: ".backup")
                    // A hard link keeps the old file at its name until the rename replaces it; where the file
                    // system has no hard links, a rename moves it aside for that moment instead.
                    if link(e.destination.path, b.path) != 0 && rename(e.destination.path, b.path) != 0 {
                        throw OutputError.cannotWrite(path: e.destination.path, reason: "cannot keep the old file for a rollback (\(FileProblem.posix(errno)))")
                    }
                    backup = b
                }
                done.append((e, backup))
                try beforeRename?(i)
                if rename(e.staged.path, e.destination.path) != 0 {
                    throw OutputError.cannotWrite(path: e.destination.path, reason: FileProblem.posix(errno))
                }
            }
        } catch {
            for (e, backup) in done.reversed() {
                // The staging file still there means its rename never happened: the destination is untouched
                // (and a hard-linked backup is the same file, which a rename onto it would leave in place).
                let renamed = !FileManager.default.fileExists(atPath: e.staged.path)
                if let backup {
                    // Moved aside rather than linked (no hard links here): it goes back in any case.
                    let linked = !renamed && FileManager.default.fileExists(atPath: e.destination.path)
                    _ = linked ? unlink(backup.path) : rename(backup.path, e.destination.path)
                } else if renamed {
                    _ = unlink(e.destination.path)
                }
            }
            discard()
            throw error
        }
        for case let (_, backup?) in done { _ = unlink(backup.path) }
        finished = true
    }

    /// Deletes every staging file and, deepest first, the directories this set created if they are empty.
    public func discard() {
        for e in entries { _ = unlink(e.staged.path) }
        for dir in createdDirectories.reversed() { _ = rmdir(dir.path) }
        entries = []
        createdDirectories = []
        finished = true
    }

    /// `error` as the user should read it: a writer only knows the hidden staging file it writes, so an error
    /// that names one is reworded to name the destination instead.
    public func naming(_ error: Error) -> Error {
        var text = "\(error)"
        for e in staged.reversed() where text.contains(e.staged.path) {
            text = text.replacingOccurrences(of: e.staged.path, with: e.destination.path)
        }
        return text == "\(error)" ? error : OutputError.failed(message: text, underlying: "\(type(of: error))")
    }

    /// Removes hidden leftovers of earlier runs that were killed before they could clean up (`OutputSet`'s
    /// staging files and backups, `AtomicFileWriter`'s `.NAME.tmp-PID-N`): only files in `directory` whose
    /// name belongs to one of `names` (the outputs this run will write there) and whose process id is no
    /// longer running, so a live run's files and everything else in the directory are left alone.
    /// Returns the removed paths.
    @discardableResult
    public static func removeStale(in directory: URL, names: Set<String>) -> [String] {
        guard let listing = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        var removed: [String] = []
        for entry in listing where entry.hasPrefix(".") {
            guard let pid = leftoverProcess(entry, names: names), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            let path = directory.appendingPathComponent(entry).path
            if unlink(path) == 0 { removed.append(path) }
        }
        return removed
    }

    /// The process id in a leftover's name, if `entry` is one for an output in `names`.
    static func leftoverProcess(_ entry: String, names: Set<String>) -> pid_t? {
        // A writer's temporary of a staging file (".." + staging name + ".tmp-PID-N"): the staging name decides.
        let entry = entry.hasPrefix("..") ? String(entry.dropFirst()) : entry
        for name in names {
            let staged = "." + namePrefix(name) + marker, temporary = "." + name + ".tmp-"
            let rest: Substring
            if entry.hasPrefix(staged) {
                rest = entry.dropFirst(staged.count)
            } else if entry.hasPrefix(temporary) {
                rest = entry.dropFirst(temporary.count)
            } else {
                continue
            }
            let digits = rest.prefix { $0.isNumber }
            guard !digits.isEmpty, rest.dropFirst(digits.count).first == "-", let pid = pid_t(digits), pid > 0 else { continue }
            return pid
        }
        return nil
    }
}
