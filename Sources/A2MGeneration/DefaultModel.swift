import Foundation

/// Where a command finds its model when `--model` is not given: `$A2M_MODEL`, else the first of
/// `candidates` that exists.
public enum DefaultModel {
    /// The model's path relative to a repository (or the current directory).
    public static let relativePath = "Motions/default_model.safetensors"
    /// The model's path relative to an install prefix (`bin/a2m` beside `share/a2m/`).
    public static let installedPath = "share/a2m/default_model.safetensors"
    /// The environment variable that names a model.
    public static let environmentKey = "A2M_MODEL"

    /// Paths tried after `$A2M_MODEL`, in order: `relativePath` in the current directory; then, in every
    /// ancestor of the executable's real directory (up to 6 levels), `relativePath` and `installedPath`, so a
    /// SwiftPM build (`.build/<triple>/release/a2m`) finds its repository's model from any working directory.
    public static func candidates(currentDirectory: String = FileManager.default.currentDirectoryPath,
                                  executable: URL? = executableURL()) -> [String] {
        var paths = [URL(fileURLWithPath: currentDirectory).appendingPathComponent(relativePath).path]
        if let executable {
            var dir = executable.deletingLastPathComponent()
            for _ in 0..<6 {
                paths.append(dir.appendingPathComponent(relativePath).path)
                paths.append(dir.appendingPathComponent(installedPath).path)
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted }
    }

    /// The running executable, symlinks resolved.
    public static func executableURL() -> URL? {
        let proc = "/proc/self/exe"
        if FileManager.default.fileExists(atPath: proc) { return URL(fileURLWithPath: proc).resolvingSymlinksInPath() }
        return CommandLine.arguments.first.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath() }
    }

    /// `explicit` (a `--model` path), else `$A2M_MODEL`, else the first candidate that exists.
    public static func locate(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        if let path = explicit ?? environment[environmentKey] { return URL(fileURLWithPath: path) }
        let found = candidates()
        guard let path = found.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw GenerationError.noDefaultModel(searched: found)
        }
        return URL(fileURLWithPath: path)
    }
}
