import Foundation
import Testing
@testable import A2MCore
@testable import A2MAudio
@testable import A2MMotion
@testable import A2MNN
@testable import A2MGeneration
@testable import A2MTraining
@testable import A2MCorpus
@testable import A2MEvaluation
@testable import A2MView
import A2MKit

/// Runs the `a2m` binary the way a hostile-input probe does: with a wall-clock limit (coreutils `timeout`, so a
/// hang is a failure, not a stuck suite), optionally an address-space limit (`ulimit -v`, so an allocation a2m
/// should have refused fails instead of swapping the machine), and optionally stdin from a file.
enum Probe {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// `timeout` exits 124 when the limit was hit.
        var timedOut: Bool { status == 124 }
        /// Killed by a signal (a crash: SIGILL from a trap, SIGSEGV, SIGABRT): the shell reports 128 + signal.
        var crashed: Bool { status > 128 && status != 130 && status != 143 }
    }

    /// Seconds a probe may take before it counts as a hang.
    static let defaultTimeout = 60

    /// `pipe`: stdin is a pipe that `cat` fills from this file (`cat FILE | a2m ...`); `stdin`: stdin redirected
    /// from a file.
    static func a2m(_ args: [String], timeout: Int = defaultTimeout, memoryKB: Int? = nil, stdin: URL? = nil, pipe: URL? = nil,
                    directory: URL? = nil, environment: [String: String] = [:]) throws -> Result {
        let binary = try AudioFixtures.a2mBinary().path
        func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        var script = ""
        if let memoryKB { script += "ulimit -v \(memoryKB); " }
        if let pipe { script += "cat \(quote(pipe.path)) | " }
        script += (pipe == nil ? "exec " : "") + "timeout -k 5 \(timeout) " + ([binary] + args).map(quote).joined(separator: " ")
        if let stdin { script += " < " + quote(stdin.path) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        if let directory { p.currentDirectoryURL = directory }
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes concurrently: a chatty child must not block on a full stderr pipe.
        let errData = DataBox()
        let done = DispatchSemaphore(value: 0)
        let handle = err.fileHandleForReading
        DispatchQueue.global().async { errData.value = handle.readDataToEndOfFile(); done.signal() }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        done.wait()
        let status = p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
        return Result(status: status, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: errData.value, as: UTF8.self))
    }

    final class DataBox: @unchecked Sendable { var value = Data() }

    /// Names of the files under `dir` (recursively, hidden ones included), sorted.
    static func listing(_ dir: URL) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: dir.path) else { return [] }
        return (e.allObjects as? [String] ?? []).sorted()
    }
}
