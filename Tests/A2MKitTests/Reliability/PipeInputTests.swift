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

/// Named pipes and standard input either work (read once, in one pass) or are refused at once; nothing hangs.
/// Every probe runs under `timeout`, so a hang fails the test instead of stalling the suite. Before: a FIFO given
/// to `generate` hung forever even with a writer (the input was opened twice), a FIFO inside a `train --data`
/// folder hung, and /dev/stdin was refused as "Format not recognised".
@Suite(.serialized) struct PipeInputTests {
    static let timeout = 30

    /// A FIFO at `url` with a writer that copies `source` into it (and gives up after the timeout).
    final class Fifo {
        let url: URL
        let writer = Process()
        init(_ url: URL, source: URL) throws {
            self.url = url
            guard mkfifo(url.path, 0o644) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            writer.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
            writer.arguments = ["\(PipeInputTests.timeout)", "sh", "-c", "cat '\(source.path)' > '\(url.path)'"]
            try writer.run()
        }
        /// Releases a writer still waiting for a reader (a2m refused the pipe without opening it).
        func close() {
            let fd = open(url.path, O_RDONLY | O_NONBLOCK)
            if fd >= 0 { Glibc.close(fd) }
            writer.waitUntilExit()
        }
    }

    @Test func featuresReadsAPipeOnceInOnePass() throws {
        let dir = try ScratchDirectory("fifo-features")
        let wav = try TinyModel.wav(in: dir.url, name: "talk.wav", seconds: 1.5)
        let reference = try Probe.a2m(["features", wav.path, "--out", dir.path("ref.npy").path, "--quiet"])
        try #require(reference.status == 0, "\(reference.stderr)")
        let fifo = try Fifo(dir.path("pipe.wav"), source: wav)
        let r = try Probe.a2m(["features", fifo.url.path, "--out", dir.path("fifo.npy").path, "--quiet"], timeout: Self.timeout)
        fifo.close()
        #expect(r.status == 0 && !r.timedOut, "status \(r.status): \(r.stderr)")
        #expect(try Data(contentsOf: dir.path("fifo.npy")) == Data(contentsOf: dir.path("ref.npy")))
        // Standard input, as "-" and as /dev/stdin, from a pipe.
        for name in ["-", "/dev/stdin"] {
            let s = try Probe.a2m(["features", name, "--out", dir.path("stdin.npy").path, "--quiet"], timeout: Self.timeout, pipe: wav)
            #expect(s.status == 0 && !s.timedOut, "\(name): status \(s.status): \(s.stderr)")
            #expect(try Data(contentsOf: dir.path("stdin.npy")) == Data(contentsOf: dir.path("ref.npy")), "\(name)")
        }
    }

    /// `generate` reads its input more than once, so a pipe is refused before anything is read, even with a writer.
    @Test func generateRefusesAPipeAtOnce() throws {
        let dir = try ScratchDirectory("fifo-generate")
        let wav = try TinyModel.wav(in: dir.url, name: "talk.wav", seconds: 1.5)
        let model = try TinyModel.write(to: dir.url)
        let fifo = try Fifo(dir.path("pipe.wav"), source: wav)
        let r = try Probe.a2m(["generate", fifo.url.path, "--model", model.path, "--out", dir.path("out").path, "--quiet"], timeout: Self.timeout)
        fifo.close()
        #expect(r.status == 1 && !r.timedOut, "status \(r.status): \(r.stderr)")
        #expect(r.stderr.contains(fifo.url.path) && r.stderr.contains("named pipe") && r.stderr.contains("save it to a file"), "\(r.stderr)")
        let s = try Probe.a2m(["generate", "/dev/stdin", "--model", model.path, "--out", dir.path("out").path, "--quiet"], timeout: Self.timeout, pipe: wav)
        #expect(s.status == 1 && !s.timedOut && s.stderr.contains("/dev/stdin") && s.stderr.contains("named pipe"), "\(s.stderr)")
        let d = try Probe.a2m(["generate", "-", "--model", model.path, "--quiet"], timeout: Self.timeout, pipe: wav)
        #expect(d.status != 0 && !d.timedOut && d.stderr.contains("'-' (standard input)"), "\(d.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("out").path))
    }

    /// Training reads each file more than once (cache key, then decoding): a pipe in the data folder is refused at once.
    @Test func trainRefusesAPipeInItsDataFolder() throws {
        let dir = try ScratchDirectory("fifo-train")
        let data = try TrainingFixtures.dataDirectory(in: dir, count: 2)
        let clip = data.appendingPathComponent("clip1.wav")
        let saved = dir.path("clip1.wav")
        try FileManager.default.moveItem(at: clip, to: saved)
        let fifo = try Fifo(clip, source: saved)
        let cfg = try TrainingFixtures.writeConfig(TrainingFixtures.tinyConfig(validationFraction: 0), in: dir)
        let r = try Probe.a2m(["train", "--data", data.path, "--config", cfg.path, "--out", dir.path("out").path, "--quiet"], timeout: Self.timeout)
        fifo.close()
        #expect(r.status == 1 && !r.timedOut, "status \(r.status): \(r.stderr)")
        #expect(r.stderr.contains(clip.path) && r.stderr.contains("named pipe"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("out").path))
    }

    /// Devices are refused by name instead of read forever or reported as a permission problem.
    @Test func devicesAreRefusedByWhatTheyAre() throws {
        let dir = try ScratchDirectory("devices")
        let wav = try TinyModel.wav(in: dir.url, name: "talk.wav", seconds: 1)
        // convert goes by the extension first.
        let zeroBVH = dir.path("zero.bvh")
        try FileManager.default.createSymbolicLink(atPath: zeroBVH.path, withDestinationPath: "/dev/zero")
        for (args, name, what) in [(["generate", wav.path, "--model", "/dev/zero", "--out", dir.path("o").path, "--quiet"], "/dev/zero", "cannot read checkpoint"),
                                   (["features", "/dev/zero", "--out", dir.path("z.npy").path, "--quiet"], "/dev/zero", "cannot read audio"),
                                   (["convert", zeroBVH.path, "--to", dir.path("z.json").path, "--quiet"], zeroBVH.path, "cannot read BVH"),
                                   (["train", "--data", dir.url.path, "--config", "/dev/zero", "--quiet"], "/dev/zero", "cannot read file")] {
            let r = try Probe.a2m(args, timeout: Self.timeout)
            #expect(r.status != 0 && !r.timedOut && !r.crashed, "\(args[0]): status \(r.status): \(r.stderr)")
            #expect(r.stderr.contains(name) && r.stderr.contains(what) && r.stderr.contains("character device")
                    && !r.stderr.contains("permission"), "\(args[0]): \(r.stderr)")
        }
    }
}
