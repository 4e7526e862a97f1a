import Testing
import Foundation
@testable import A2MCore
@testable import A2MMotion
@testable import A2MAudio
@testable import A2MNN
@testable import A2MGeneration
@testable import A2MTraining

/// `mpirun -n 2 --oversubscribe a2m train` on this machine (Open MPI, docs/training.md "Data-parallel training").
/// Enabled where mpirun is installed (CI installs openmpi-bin and libopenmpi-dev, so the binary is built with MPI).
@Suite(.serialized, .enabled(if: OpenMPI.mpirun != nil, "needs mpirun (Debian: openmpi-bin, libopenmpi-dev)"))
struct DataParallelTests {
    static var mpirun: String? { OpenMPI.mpirun }

    /// Per-step loss of 2 ranks against 1 process, relative: the ranks' Float partial sums of the loss terms (one
    /// allreduce with the gradient) round differently from one process's Double sums.
    static let lossTolerance = 1e-6
    /// Final weights, as a fraction of the farthest any weight can move (learning rate × steps, AdamW's update
    /// being at most about the learning rate): each rank sums its half of the batch's weight gradients and the
    /// allreduce adds the halves, so the gradients differ in their last bits, and AdamW's m/√v turns a last-bit
    /// difference in a near-zero gradient into a difference of a fraction of the learning rate, not of the gradient.
    static let weightTolerance: Float = 0.01
    /// The tiny config's peak learning rate (TrainingFixtures.tinyConfig).
    static let learningRate: Float = 0.002

    struct Run {
        var status: Int32
        var stderr: String
        var stdout = ""
    }

    /// Runs a2m (under mpirun with `ranks` > 0) and waits; `whileRunning` may signal it.
    @discardableResult
    static func a2m(_ args: [String], ranks: Int = 0, whileRunning: ((Process) throws -> Void)? = nil) throws -> Run {
        let p = Process()
        let binary = try AudioFixtures.a2mBinary().path
        if ranks > 0 {
            p.executableURL = URL(fileURLWithPath: mpirun!)
            p.arguments = ["-n", "\(ranks)", "--oversubscribe", binary] + args
        } else {
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = args
        }
        var env = ProcessInfo.processInfo.environment
        // CI runs as root; Open MPI refuses root without both.
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        p.environment = env
        let err = Pipe(), out = Pipe()
        p.standardError = err
        p.standardOutput = out
        // Read both pipes while the process runs, so a full pipe never blocks it.
        nonisolated(unsafe) var collected = Data(), printed = Data()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            collected = err.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }
        DispatchQueue.global().async {
            printed = out.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }
        try p.run()
        try whileRunning?(p)
        p.waitUntilExit()
        done.wait()
        done.wait()
        return Run(status: p.terminationStatus, stderr: String(decoding: collected, as: UTF8.self), stdout: String(decoding: printed, as: UTF8.self))
    }

    static func config(in dir: ScratchDirectory, steps: Int = 20, checkpointInterval: Int = 10) throws -> URL {
        try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(dropout: 0.1, batch: 4, steps: steps, checkpointInterval: checkpointInterval)
            .replacingOccurrences(of: #""motionDim": 136, "#, with: ""), in: dir)
    }

    static func weights(_ url: URL) throws -> [String: [Float]] {
        let f = try SafetensorsFile(contentsOf: url)
        var out: [String: [Float]] = [:]
        for name in f.tensors.keys where name.hasPrefix("train.params.") { out[name] = try f.floats(name) }
        return out
    }

    static func largestDifference(_ a: [String: [Float]], _ b: [String: [Float]]) throws -> (Float, String) {
        try #require(Set(a.keys) == Set(b.keys) && !a.isEmpty)
        var worst: (Float, String) = (0, "")
        for (k, x) in a { for (u, v) in zip(x, b[k]!) where abs(u - v) > worst.0 { worst = (abs(u - v), k) } }
        return worst
    }

    /// 20 steps with global batch 4 on 2 ranks (2 windows each) give the loss curve and the final weights of one
    /// process with batch 4, within the stated tolerances (dropout and CFG dropout on: every rank's masks are
    /// the rows' masks in the one-process run).
    @Test func twoRanksMatchOneProcess() throws {
        let dir = try ScratchDirectory("mpi")
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 3)
        let cfg = try Self.config(in: dir)
        let one = try Self.a2m(["train", "--data", data.path, "--config", cfg.path, "--out", dir.path("one").path, "--threads", "1", "--quiet"])
        try #require(one.status == 0, "\(one.stderr)")
        let two = try Self.a2m(["train", "--data", data.path, "--config", cfg.path, "--out", dir.path("two").path, "--threads", "1", "--quiet"], ranks: 2)
        try #require(two.status == 0, "\(two.stderr)")
        let a = try Trainer.readLog(dir.path("one/train.jsonl")), b = try Trainer.readLog(dir.path("two/train.jsonl"))
        #expect(a.map(\.step) == Array(1...20) && b.map(\.step) == a.map(\.step))
        var worst = 0.0
        for (x, y) in zip(a, b) {
            for (u, v) in [(x.loss, y.loss), (x.lossX0, y.lossX0), (x.lossVelocity, y.lossVelocity), (x.gradNorm, y.gradNorm)] {
                worst = max(worst, abs(u - v) / max(abs(u), 1e-12))
            }
            #expect(x.condDropped == y.condDropped && x.samples == y.samples && x.lr == y.lr)
            #expect((x.valLoss == nil) == (y.valLoss == nil))
            if let u = x.valLoss, let v = y.valLoss { worst = max(worst, abs(u - v) / u) }
        }
        #expect(worst <= Self.lossTolerance, "largest relative loss difference \(worst)")
        let (diff, name) = try Self.largestDifference(Self.weights(dir.path("one/checkpoint.safetensors")), Self.weights(dir.path("two/checkpoint.safetensors")))
        #expect(diff <= Self.weightTolerance * Self.learningRate * 20, "largest weight difference \(diff) in \(name)")
        // Rank 0 alone wrote: one log, one checkpoint, one model.
        #expect(!two.stderr.contains("error"))
    }

    /// Summing the gradient span by span during backward (the default) and in one allreduce after it give the same
    /// bytes on 2 ranks (each float is the sum of the same two values either way).
    @Test func overlappedAllreduceGivesTheSameWeights() throws {
        let dir = try ScratchDirectory("mpi-overlap")
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 3)
        let cfg = try Self.config(in: dir, steps: 8)
        let args = ["train", "--data", data.path, "--config", cfg.path, "--threads", "1", "--quiet"]
        let overlapped = try Self.a2m(args + ["--out", dir.path("overlapped").path, "--overlap-allreduce"], ranks: 2)
        try #require(overlapped.status == 0, "\(overlapped.stderr)")
        let after = try Self.a2m(args + ["--out", dir.path("after").path, "--no-overlap-allreduce"], ranks: 2)
        try #require(after.status == 0, "\(after.stderr)")
        // (The checkpoints differ in their elapsed-time field only: compare their weights, and the model files.)
        let (diff, name) = try Self.largestDifference(Self.weights(dir.path("overlapped/checkpoint.safetensors")), Self.weights(dir.path("after/checkpoint.safetensors")))
        #expect(diff == 0, "largest weight difference \(diff) in \(name)")
        #expect(try Data(contentsOf: dir.path("overlapped/model.safetensors")) == Data(contentsOf: dir.path("after/model.safetensors")))
        // One process has no allreduce to overlap: the flag is refused, not ignored.
        let single = try Self.a2m(args + ["--out", dir.path("single").path, "--no-overlap-allreduce"])
        #expect(single.status != 0 && single.stderr.contains("--no-overlap-allreduce"), "\(single.stderr)")
    }

    /// A 2-rank run stopped by SIGUSR1 to one rank (rank 1: the stop flag travels with the gradient, so rank 0 stops
    /// at the same step) and resumed on 2 ranks is bit-identical to the uninterrupted 2-rank run; resumed on 1 process
    /// it finishes within the tolerances.
    ///
    /// The signal goes to a rank, not to mpirun: mpirun forwards SIGUSR1 to every rank (checked by hand from a shell,
    /// docs/training.md), but Foundation's Process starts it from a test thread whose signals are blocked, and mpirun
    /// keeps that mask, so here it would never see the signal.
    @Test func interruptedRunResumesExactly() throws {
        let dir = try ScratchDirectory("mpi-resume")
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 3)
        let steps = 300
        let cfg = try Self.config(in: dir, steps: steps, checkpointInterval: 1000)
        let args = { (out: String) in ["train", "--data", data.path, "--config", cfg.path, "--out", dir.path(out).path, "--threads", "1", "--quiet"] }
        let straight = try Self.a2m(args("a"), ranks: 2)
        try #require(straight.status == 0, "\(straight.stderr)")
        let log = dir.path("b/train.jsonl")
        let stopped = try Self.a2m(args("b"), ranks: 2) { p in
            var waited = 0
            while (try? Trainer.readLog(log).count) ?? 0 < 5 && waited < 6000 && p.isRunning { usleep(10_000); waited += 1 }
            let rank1 = try #require(Self.children(of: p.processIdentifier).first { Self.environment(of: $0)["OMPI_COMM_WORLD_RANK"] == "1" })
            kill(rank1, SIGUSR1)
        }
        #expect(stopped.status == 128 + SIGUSR1, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("stopped at another rank's request") && stopped.stderr.contains("mpirun -n 2"), "\(stopped.stderr)")
        let ckpt = dir.path("b/checkpoint.safetensors")
        let at = try Trainer.readLog(log).last!.step
        #expect(at >= 5 && at < steps)
        try FileManager.default.copyItem(at: dir.path("b"), to: dir.path("c"))
        let resumed = try Self.a2m(["train", "--data", data.path, "--out", dir.path("b").path, "--resume", ckpt.path, "--threads", "1", "--quiet"], ranks: 2)
        try #require(resumed.status == 0, "\(resumed.stderr)")
        let la = try Trainer.readLog(dir.path("a/train.jsonl")), lb = try Trainer.readLog(log)
        #expect(la.map(\.step) == lb.map(\.step))
        for (x, y) in zip(la, lb) {
            #expect(x.loss.bitPattern == y.loss.bitPattern && x.gradNorm.bitPattern == y.gradNorm.bitPattern
                    && x.valLoss?.bitPattern == y.valLoss?.bitPattern, "step \(x.step): \(x.loss) vs \(y.loss)")
        }
        #expect(try Data(contentsOf: dir.path("a/model.safetensors")) == Data(contentsOf: dir.path("b/model.safetensors")))
        // Any rank count that divides the batch can continue it: here one process.
        let single = try Self.a2m(["train", "--data", data.path, "--out", dir.path("c").path, "--resume", dir.path("c/checkpoint.safetensors").path,
                                   "--threads", "1", "--quiet"])
        try #require(single.status == 0, "\(single.stderr)")
        let (diff, name) = try Self.largestDifference(Self.weights(dir.path("a/checkpoint.safetensors")), Self.weights(dir.path("c/checkpoint.safetensors")))
        #expect(diff <= Self.weightTolerance * Self.learningRate * Float(steps - at), "largest weight difference \(diff) in \(name)")
        // A rank count that does not divide the batch is refused, on every rank, without a hang.
        let three = try Self.a2m(["train", "--data", data.path, "--out", dir.path("c").path, "--resume", dir.path("c/checkpoint.safetensors").path,
                                  "--steps", "50", "--quiet"], ranks: 3)
        #expect(three.status != 0 && three.stderr.contains("training.batchSize 4 cannot be split over 3 ranks"), "\(three.stderr)")
    }

    /// A rank killed mid-run: mpirun stops the other with a message naming the dead rank (no hang), and the
    /// last checkpoint stays valid: it resumes.
    @Test func deadRankStopsTheOthers() throws {
        let dir = try ScratchDirectory("mpi-death")
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 3)
        let cfg = try Self.config(in: dir, steps: 100_000, checkpointInterval: 3)
        let out = dir.path("out")
        let started = Date()
        nonisolated(unsafe) var killedAt = Date()
        let run = try Self.a2m(["train", "--data", data.path, "--config", cfg.path, "--out", out.path, "--threads", "1", "--quiet"], ranks: 2) { p in
            var waited = 0
            while (try? Trainer.readLog(out.appendingPathComponent("train.jsonl")).count) ?? 0 < 7 && waited < 6000 && p.isRunning { usleep(10_000); waited += 1 }
            // Rank 1: the child of this mpirun whose environment says so.
            let rank1 = try #require(Self.children(of: p.processIdentifier).first { Self.environment(of: $0)["OMPI_COMM_WORLD_RANK"] == "1" })
            killedAt = Date()
            kill(rank1, SIGKILL)
        }
        let stoppedAfter = Date().timeIntervalSince(killedAt)
        #expect(run.status != 0)
        #expect(stoppedAfter < 60, "the surviving rank took \(stoppedAfter) s to stop")
        #expect(run.stderr.contains("rank 1") && run.stderr.contains("signal 9"), "\(run.stderr)")
        _ = started
        // The last checkpoint is whole and continues.
        let ckpt = out.appendingPathComponent("checkpoint.safetensors")
        let saved = try TrainingSession.configOfCheckpoint(ckpt)
        let set = try TrainingSet.load(.init(directory: data), cache: out.appendingPathComponent("cache"), audio: saved.audio, training: saved.training)
        let step = try Trainer.readState(ckpt, config: try saved.resolvingDimensions(motionDim: set.motionDim, jointCount: set.skeleton.jointCount, file: "ckpt"), data: set).0.step
        #expect(step >= 3 && step % 3 == 0)
        let resumed = try Self.a2m(["train", "--data", data.path, "--out", out.path, "--resume", ckpt.path, "--steps", "\(step + 2)", "--threads", "1", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
    }

    /// `a2m bench allreduce` times the gradient's allreduce across the ranks (it checks the sum itself and fails if it
    /// is wrong): under mpirun rank 0 prints one row per size, and without mpirun it refuses with a clear error.
    @Test func allreduceBenchSumsAcrossRanks() throws {
        let run = try Self.a2m(["bench", "allreduce", "--floats", "1000,250000", "--repeats", "3"], ranks: 2)
        #expect(run.status == 0, "\(run.stderr)")
        let rows = run.stdout.split(separator: "\n").filter { $0.hasPrefix("| 2 |") }
        #expect(rows.count == 2 && rows[0].contains("| 1,000 |") && rows[1].contains("| 250,000 |"), "\(run.stdout)")
        let alone = try Self.a2m(["bench", "allreduce", "--floats", "1000"])
        #expect(alone.status != 0 && alone.stderr.contains("run it under mpirun -n N"), "\(alone.stderr)")
        let both = try Self.a2m(["bench", "allreduce", "--floats", "1000", "--config", "x.json"])
        #expect(both.status != 0 && both.stderr.contains("exactly one of --config and --floats"), "\(both.stderr)")
    }

    static func children(of pid: Int32) -> [Int32] { OpenMPI.children(of: pid) }
    static func environment(of pid: Int32) -> [String: String] { OpenMPI.environment(of: pid) }
}

/// Where mpirun is, and the processes it starts.
enum OpenMPI {
    static let mpirun: String? = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func children(of pid: Int32) -> [Int32] {
        let procs = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return procs.compactMap(Int32.init).filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == pid
        }
    }

    static func environment(of pid: Int32) -> [String: String] {
        guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return [:] }
        var out: [String: String] = [:]
        for entry in raw.split(separator: 0) {
            let s = String(decoding: entry, as: UTF8.self)
            if let eq = s.firstIndex(of: "=") { out[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
        }
        return out
    }
}
