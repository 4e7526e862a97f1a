import A2MKit
import ArgumentParser
import Foundation

/// SIGINT, SIGTERM and SIGHUP during a command that writes files: the signal only asks the work to stop
/// (`StopSignal`), the library then discards everything it staged (`OutputSet`) and this exits with
/// 128 + the signal's number, like a process the signal killed, but with nothing left behind. A second
/// signal kills at once; the next run removes what that leaves (`OutputSet.removeStale`).
enum Interrupt {
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Runs `body` with the signals watched; `body` gets a check to call between units of work (false once a
    /// signal arrived) and throws `OutputError.cancelled` when it stops for it.
    static func guarding<R>(_ command: String, quiet: Bool, _ body: (_ shouldContinue: @escaping () -> Bool) throws -> R) throws -> R {
        StopSignal.install(signals)
        defer { StopSignal.uninstall() }
        do {
            return try body { StopSignal.requested == nil }
        } catch OutputError.cancelled {
            let sig = StopSignal.requested ?? SIGINT
            FileHandle.standardError.write(Data("\na2m \(command): stopped by \(StopSignal.name(sig)); no file was written\n".utf8))
            throw ExitCode(128 + sig)
        }
    }
}
