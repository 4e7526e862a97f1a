import Foundation
import Testing
@testable import A2MCore
@testable import A2MAudio
@testable import A2MMotion
@testable import A2MGeneration
@testable import A2MTraining

/// Issue 41's output safety, through the built `a2m` binary: inputs are never replaced, existing files only
/// with --overwrite, output sets appear whole or not at all (also on a full disk), and an interrupt leaves
/// nothing behind.
@Suite(.serialized) struct OutputSafetyTests {
    static func generate(_ args: [String], in dir: URL? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        try AudioFixtures.run(try AudioFixtures.a2mBinary().path, ["generate"] + args + ["--quiet", "--steps", "3", "--threads", "1"])
    }

    static func listing(_ dir: URL) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() }

    static let mocap = Data("HIERARCHY\nROOT Hips\n{\n\tOFFSET 0 0 0\n\tCHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation\n}\nMOTION\nFrames: 1\nFrame Time: 0.0333333333\n0 90 0 0 0 0\n".utf8)

    /// `clip.wav` beside its motion capture `clip.bvh`, as `a2m train --data` wants them.
    @Test func trainingLayoutKeepsTheMotionCapture() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TinyModel.write(to: dir)
        let wav = try TinyModel.wav(in: dir, name: "clip.wav", seconds: 1.2)
        let bvh = dir.appendingPathComponent("clip.bvh")
        try Self.mocap.write(to: bvh)
        let before = try Self.listing(dir)
        let r = try Self.generate([wav.path, "--model", model.path])
        #expect(r.status != 0, "generate replaced or wrote beside the motion capture")
        #expect(r.stderr.contains(bvh.path) && r.stderr.contains("--out") && r.stderr.contains("--overwrite"), "\(r.stderr)")
        #expect(try Data(contentsOf: bvh) == Self.mocap, "the motion capture changed")
        let after = try Self.listing(dir)
        #expect(after == before, "files appeared: \(after)")
        // What the message suggests works, and leaves the capture alone.
        let out = dir.appendingPathComponent("generated")
        let ok = try Self.generate([wav.path, "--model", model.path, "--out", out.path])
        try #require(ok.status == 0, "\(ok.stderr)")
        #expect(try Self.listing(out) == ["clip.bvh", "clip.json"])
        #expect(try Data(contentsOf: bvh) == Self.mocap)
    }

    /// Audio named `take.bvh` (libsndfile reads it by content) would be replaced by its own output: refused
    /// even with --overwrite; likewise an output that is a hard link to an input, or the model.
    @Test func anInputIsNeverAnOutput() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TinyModel.write(to: dir)
        let wav = try TinyModel.wav(in: dir, name: "a.wav", seconds: 1.2)
        let take = dir.appendingPathComponent("take.bvh")
        try FileManager.default.copyItem(at: wav, to: take)
        let audio = try Data(contentsOf: take)
        for extra in [[], ["--overwrite"]] {
            let r = try Self.generate([take.path, "--model", model.path, "--format", "bvh"] + extra)
            #expect(r.status != 0 && r.stderr.contains(take.path) && r.stderr.contains("input"), "\(extra): \(r.stderr)")
            #expect(try Data(contentsOf: take) == audio, "\(extra): the input changed")
        }
        // A hard link to the input under the output's name.
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try FileManager.default.linkItem(at: wav, to: out.appendingPathComponent("a.bvh"))
        let linked = try Self.generate([wav.path, "--model", model.path, "--out", out.path, "--overwrite"])
        #expect(linked.status != 0 && linked.stderr.contains("input"), "\(linked.stderr)")
        #expect(try Data(contentsOf: wav) == Data(contentsOf: out.appendingPathComponent("a.bvh")))
        // The model is an input too (a checkpoint is read by content, whatever its name).
        let bvhModel = dir.appendingPathComponent("m.bvh")
        try FileManager.default.copyItem(at: model, to: bvhModel)
        let m = dir.appendingPathComponent("m.wav")
        try FileManager.default.copyItem(at: wav, to: m)
        let r = try Self.generate([m.path, "--model", bvhModel.path, "--format", "bvh", "--overwrite"])
        #expect(r.status != 0 && r.stderr.contains(bvhModel.path) && r.stderr.contains("input"), "\(r.stderr)")
        #expect(try Data(contentsOf: bvhModel) == Data(contentsOf: model))
    }

    /// A file the run did not write is replaced only with --overwrite; a second run over the first's files too.
    @Test func existingFilesNeedOverwrite() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TinyModel.write(to: dir)
        let wav = try TinyModel.wav(in: dir, name: "a.wav", seconds: 1.2)
        let out = dir.appendingPathComponent("out")
        try #require(try Self.generate([wav.path, "--model", model.path, "--out", out.path, "--seed", "1"]).status == 0)
        let first = try Data(contentsOf: out.appendingPathComponent("a.bvh")), firstJSON = try Data(contentsOf: out.appendingPathComponent("a.json"))
        let again = try Self.generate([wav.path, "--model", model.path, "--out", out.path, "--seed", "2"])
        #expect(again.status != 0 && again.stderr.contains(out.appendingPathComponent("a.bvh").path) && again.stderr.contains("--overwrite"), "\(again.stderr)")
        #expect(try Data(contentsOf: out.appendingPathComponent("a.bvh")) == first && Data(contentsOf: out.appendingPathComponent("a.json")) == firstJSON)
        let replaced = try Self.generate([wav.path, "--model", model.path, "--out", out.path, "--seed", "2", "--overwrite"])
        try #require(replaced.status == 0, "\(replaced.stderr)")
        #expect(try Data(contentsOf: out.appendingPathComponent("a.bvh")) != first)
        #expect(try Self.listing(out) == ["a.bvh", "a.json"])
        // convert follows the same rule, and never writes over its input.
        let src = out.appendingPathComponent("a.bvh"), dest = out.appendingPathComponent("a.json")
        let before = try Data(contentsOf: dest)
        let c = try AudioFixtures.run(try AudioFixtures.a2mBinary().path, ["convert", src.path, "--to", dest.path, "--quiet"])
        #expect(try c.status != 0 && c.stderr.contains("--overwrite") && Data(contentsOf: dest) == before, "\(c.stderr)")
        let self_ = try AudioFixtures.run(try AudioFixtures.a2mBinary().path, ["convert", src.path, "--to", src.path, "--overwrite", "--quiet"])
        #expect(self_.status != 0 && self_.stderr.contains("input"), "\(self_.stderr)")
        let c2 = try AudioFixtures.run(try AudioFixtures.a2mBinary().path, ["convert", src.path, "--to", dest.path, "--overwrite", "--quiet"])
        #expect(try c2.status == 0 && Data(contentsOf: dest) != before, "\(c2.stderr)")
    }

    /// Leftovers of a run that was killed (its process id no longer runs) are removed by the next run that
    /// writes the same files; a live process's files and unrelated hidden files are left alone.
    @Test func staleTemporariesOfAKilledRunAreRemoved() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TinyModel.write(to: dir)
        let wav = try TinyModel.wav(in: dir, name: "a.wav", seconds: 1.2)
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let dead = try Self.deadProcessID(), live = getpid()
        let stale = [".a.bvh.tmp-\(dead)-17", ".a.json.a2m-\(dead)-ab12", "..a.bvh.a2m-\(dead)-ff.tmp-\(dead)-3", ".a.bvh.a2m-\(dead)-1.backup"]
        let kept = [".a.bvh.tmp-\(live)-17", ".b.bvh.tmp-\(dead)-1", ".a.bvh.notes", ".a.bvh.tmp-x-1"]
        for name in stale + kept { try Data("x".utf8).write(to: out.appendingPathComponent(name)) }
        let r = try Self.generate([wav.path, "--model", model.path, "--out", out.path])
        try #require(r.status == 0, "\(r.stderr)")
        #expect(try Self.listing(out) == (["a.bvh", "a.json"] + kept).sorted())
    }

    /// A process id that is not running now.
    static func deadProcessID() throws -> pid_t {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        let pid = p.processIdentifier
        try #require(kill(pid, 0) != 0, "pid \(pid) still runs")
        return pid
    }
}

/// Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN; not in most unprivileged containers).
enum SmallDisk {
    static let canMount: Bool = {
        guard let dir = try? AudioFixtures.makeTempDir() else { return false }
        defer { try? FileManager.default.removeItem(at: dir) }
        guard (try? AudioFixtures.run("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir.path]))?.status == 0 else { return false }
        _ = try? AudioFixtures.run("umount", [dir.path])
        return true
    }()

    /// Runs `body` on a fresh tmpfs of `kib` KiB, unmounted afterwards.
    static func withTmpfs<R>(kib: Int, _ body: (URL) throws -> R) throws -> R {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = try AudioFixtures.run("mount", ["-t", "tmpfs", "-o", "size=\(kib)k", "tmpfs", dir.path])
        try #require(m.status == 0, "mount failed: \(m.stderr)")
        defer { _ = try? AudioFixtures.run("umount", [dir.path]) }
        return try body(dir)
    }

    static func freeBytes(_ url: URL) throws -> Int {
        var s = statvfs()
        try #require(statvfs(url.path, &s) == 0)
        return Int(s.f_bavail) * Int(s.f_frsize)
    }
}

@Suite(.serialized) struct DiskFullTests {
    static let page = 4096

    /// The disk fills while the set is written: the new BVH fits, the new JSON does not. The old pair stays as
    /// it was (not a new .bvh beside an old .json), and no temporary file is left.
    @Test(.enabled(if: SmallDisk.canMount, "mounting a tmpfs is not allowed here (needs root with CAP_SYS_ADMIN)"))
    func aFullDiskLeavesTheOldSetWhole() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TinyModel.write(to: dir)
        let wav = try TinyModel.wav(in: dir, name: "a.wav", seconds: 1.2)
        // The sizes of the new set, from a run elsewhere.
        let probe = dir.appendingPathComponent("probe")
        for fps in [nil, "60"] as [String?] {
            let extra = fps.map { ["--fps", $0] } ?? []
            try FileManager.default.createDirectory(at: probe, withIntermediateDirectories: true)
            try #require(try OutputSafetyTests.generate([wav.path, "--model", model.path, "--out", probe.path, "--seed", "2"] + extra).status == 0)
            let newBVH = try Data(contentsOf: probe.appendingPathComponent("a.bvh")).count
            let newJSON = try Data(contentsOf: probe.appendingPathComponent("a.json")).count
            try FileManager.default.removeItem(at: probe)
            try #require(newJSON > 2 * Self.page, "the JSON must need more than the slack left")
            try SmallDisk.withTmpfs(kib: 1024) { mount in
                let out = mount.appendingPathComponent("out")
                let old = try OutputSafetyTests.generate([wav.path, "--model", model.path, "--out", out.path, "--seed", "1"])
                try #require(old.status == 0, "\(old.stderr)")
                let oldBVH = try Data(contentsOf: out.appendingPathComponent("a.bvh")), oldJSON = try Data(contentsOf: out.appendingPathComponent("a.json"))
                // Leave room for the new BVH (rounded up to pages) and one page more, far less than the JSON needs.
                let room = (newBVH + Self.page - 1) / Self.page * Self.page + Self.page
                let filler = try SmallDisk.freeBytes(mount) - room
                try #require(filler > 0)
                try Data(count: filler).write(to: mount.appendingPathComponent("filler"))
                let r = try OutputSafetyTests.generate([wav.path, "--model", model.path, "--out", out.path, "--seed", "2", "--overwrite"] + extra)
                #expect(r.status != 0, "\(extra): generate succeeded on a full disk")
                #expect(r.stderr.contains(out.appendingPathComponent("a.json").path) && !r.stderr.contains(".a2m-"), "\(extra): \(r.stderr)")
                #expect(try Data(contentsOf: out.appendingPathComponent("a.bvh")) == oldBVH, "\(extra): the old BVH changed")
                #expect(try Data(contentsOf: out.appendingPathComponent("a.json")) == oldJSON, "\(extra): the old JSON changed")
                let left = try OutputSafetyTests.listing(out)
                #expect(left == ["a.bvh", "a.json"], "\(extra): left behind: \(left)")
            }
        }
    }
}

/// SIGINT, SIGTERM and SIGHUP in the middle of `a2m generate`: exit status 128 + the signal, no file, no
/// temporary file, and no output directory the run created.
@Suite(.serialized) struct InterruptTests {
    /// Starts generate on a long input into `out` and returns it once its first staging file exists.
    static func startGenerating(_ wav: URL, model: URL, out: URL) throws -> (Process, Pipe) {
        let p = Process()
        p.executableURL = try AudioFixtures.a2mBinary()
        p.arguments = ["generate", wav.path, "--model", model.path, "--out", out.path, "--steps", "400", "--threads", "1", "--quiet"]
        let err = Pipe()
        p.standardError = err
        try p.run()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, p.isRunning {
            if let names = try? FileManager.default.contentsOfDirectory(atPath: out.path), names.contains(where: { $0.hasPrefix(".") }) { break }
            usleep(10_000)
        }
        try #require(p.isRunning, "generate ended before it could be interrupted")
        return (p, err)
    }

    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func anInterruptLeavesNothing(signal: Int32) throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TinyModel.write(to: dir)
        let wav = try TinyModel.wav(in: dir, name: "long.wav", seconds: 120)
        let before = try OutputSafetyTests.listing(dir)
        let out = dir.appendingPathComponent("new/out")
        let (p, err) = try Self.startGenerating(wav, model: model, out: out)
        kill(p.processIdentifier, signal)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 128 + signal, "status \(p.terminationStatus): \(stderr)")
        #expect(stderr.contains("stopped by \(StopSignal.name(signal))"), "\(stderr)")
        let after = try OutputSafetyTests.listing(dir)
        #expect(after == before, "left behind: \(after)")
    }

    /// A run killed outright (SIGKILL: no cleanup possible) leaves its staging files; the next run into the
    /// same directory removes them and succeeds.
    @Test func theNextRunCleansUpAfterAKill() throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TinyModel.write(to: dir)
        let wav = try TinyModel.wav(in: dir, name: "long.wav", seconds: 120)
        let out = dir.appendingPathComponent("out")
        let (p, err) = try Self.startGenerating(wav, model: model, out: out)
        kill(p.processIdentifier, SIGKILL)
        _ = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(try OutputSafetyTests.listing(out).contains { $0.hasPrefix(".") }, "the kill left nothing to clean up")
        let short = try TinyModel.wav(in: dir, name: "long.wav", seconds: 1.2)
        let r = try OutputSafetyTests.generate([short.path, "--model", model.path, "--out", out.path])
        try #require(r.status == 0, "\(r.stderr)")
        #expect(try OutputSafetyTests.listing(out) == ["long.bvh", "long.json"])
    }
}
