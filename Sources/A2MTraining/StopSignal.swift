import Dispatch
import Foundation

/// Turns SIGINT/SIGTERM into a request to stop at the next step boundary, so training can write a resumable
/// checkpoint and exit cleanly instead of dying mid-write.
///
/// Why not a plain `DispatchSource.makeSignalSource` with the action set to ignore (what Darwin code does): on
/// Linux, libdispatch implements signal sources with a process-wide handler installed once and a `signalfd`, and
/// whether a signal reaches the source depends on which threads block it. Measured: in the a2m binary the plain
/// version worked, but inside the swift-testing runner (a host process with its own threads and handlers) neither
/// SIGINT nor SIGTERM sent to the process ever fired the source, and after an uninstall/install cycle the ignore
/// action silently won. A library cannot assume it owns the process, so:
/// the handler is the self-pipe trick: an async-signal-safe `write` of the signal number to a pipe, and a
/// `DispatchSource` read source on that pipe records the request outside signal context.
///
/// A second signal while a stop is pending restores the default action and re-raises it, so a user can still kill
/// a stuck run; the atomic checkpoint writes keep the previous file intact in that case.
///
/// Under mpirun the stopping signals differ (`install(stopOn:endOn:)`): mpirun answers SIGINT and SIGTERM by
/// tearing the job down (SIGTERM to every rank, SIGKILL soon after), so a rank cannot finish a step then; it
/// forwards SIGUSR1 and SIGUSR2 to every rank instead, and those stop the run at a step boundary.
public enum StopSignal {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var pending: Int32?
    nonisolated(unsafe) private static var source: DispatchSourceRead?
    /// Read by the signal handler; written only by `install` before the handler is set.
    nonisolated(unsafe) private static var writeFD: Int32 = -1
    nonisolated(unsafe) private static var readFD: Int32 = -1
    nonisolated(unsafe) private static var watched: [Int32] = []
    nonisolated(unsafe) private static var ending: [Int32] = []
    nonisolated(unsafe) private static var onEnd: (@Sendable (Int32) -> Void)?

    /// Starts watching `signals` (default SIGINT and SIGTERM; `a2m generate` and `convert` add SIGHUP).
    /// Idempotent.
    public static func install(_ signals: [Int32] = [SIGINT, SIGTERM]) {
        install(stopOn: signals)
    }

    /// Starts watching `stopOn` (a stop at the next step boundary); `endOn` signals call `onEnd` at once (outside
    /// signal context), which should say what is left behind and exit. Idempotent.
    public static func install(stopOn: [Int32], endOn: [Int32] = [], onEnd: (@Sendable (Int32) -> Void)? = nil) {
        lock.lock()
        defer { lock.unlock() }
        guard source == nil else { return }
        pending = nil
        watched = stopOn
        ending = endOn
        StopSignal.onEnd = onEnd
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
        _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
        writeFD = fds[1]
        readFD = fds[0]
        let s = DispatchSource.makeReadSource(fileDescriptor: fds[0], queue: .global())
        s.setEventHandler { drain() }
        // libdispatch may still watch the descriptors until the cancellation completes; closing them earlier could
        // hand their numbers to a new pipe that the old registration then shadows.
        s.setCancelHandler { close(fds[0]); close(fds[1]) }
        s.resume()
        source = s
        for sig in watched + ending {
            signal(sig) { sig in
                var s = sig
                _ = write(StopSignal.writeFD, &s, MemoryLayout<Int32>.size)
            }
        }
    }

    /// Stops watching and restores the default actions.
    public static func uninstall() {
        lock.lock()
        defer { lock.unlock() }
        for sig in watched + ending { signal(sig, SIG_DFL) }
        watched = []
        ending = []
        writeFD = -1
        readFD = -1
        source?.cancel()
        source = nil
        pending = nil
    }

    /// The signal that asked to stop, if any. Also reads the pipe itself: under mpirun the read source was
    /// measured to miss signals (a rank that got SIGUSR1 and wrote it to the pipe never saw the source fire), and
    /// the training loop asks before every step anyway.
    public static var requested: Int32? {
        drain()
        lock.lock()
        defer { lock.unlock() }
        return pending
    }

    /// Reads every signal number waiting in the pipe (non-blocking).
    private static func drain() {
        lock.lock()
        let fd = readFD
        lock.unlock()
        guard fd >= 0 else { return }
        var sig: Int32 = 0
        while read(fd, &sig, MemoryLayout<Int32>.size) == MemoryLayout<Int32>.size { received(sig) }
    }

    private static func received(_ sig: Int32) {
        lock.lock()
        if ending.contains(sig), let end = onEnd {
            lock.unlock()
            end(sig)
            return
        }
        let second = pending != nil
        if !second { pending = sig }
        lock.unlock()
        if second {
            signal(sig, SIG_DFL)
            raise(sig)
        }
    }

    /// Human name for messages.
    public static func name(_ sig: Int32) -> String {
        switch sig {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case SIGHUP: return "SIGHUP"
        case SIGUSR1: return "SIGUSR1"
        case SIGUSR2: return "SIGUSR2"
        default: return "signal \(sig)"
        }
    }
}
