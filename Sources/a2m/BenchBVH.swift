import A2MKit
import ArgumentParser
import Dispatch
import Foundation

/// `a2m bench bvh`: BVH write and parse throughput (MB/s, frames/s) on a generated large file.
struct BenchBVH: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bvh",
        abstract: "Time writing and parsing a large generated BVH file (22-joint body skeleton, 30 fps) and print MB/s."
    )

    @Option(help: "Approximate size of the generated file in MB (1...2000).") var megabytes = 100
    @Option(help: "Timed repetitions; the best is reported.") var repeats = 3
    @Option(help: "Directory for the temporary file (default: the system temporary directory).") var directory: String?

    func validate() throws {
        guard (1...2000).contains(megabytes) else { throw ValidationError("--megabytes must be in 1...2000") }
        guard (1...100).contains(repeats) else { throw ValidationError("--repeats must be in 1...100") }
    }

    func run() async throws {
        Threads.set(1)
        // Size one second of motion, then scale the frame count to the requested size.
        let probe = try BVHWriter.bytes(ProceduralMotion.benchmarkClip(frames: 31))
        let header = try BVHWriter.bytes(ProceduralMotion.benchmarkClip(frames: 1)).count
        let bytesPerFrame = Double(probe.count - header) / 30
        let frames = max(1, Int(Double(megabytes) * 1_000_000 / bytesPerFrame))
        let clip = ProceduralMotion.benchmarkClip(frames: frames)
        let dir = URL(fileURLWithPath: directory ?? NSTemporaryDirectory())
        let url = dir.appendingPathComponent("a2m-bench-\(getpid()).bvh")
        defer { try? FileManager.default.removeItem(at: url) }

        func time(_ body: () throws -> Void) rethrows -> Double {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        }
        var bestWrite = Double.infinity, bestRead = Double.infinity
        var readFrames = 0
        for _ in 0..<repeats {
            bestWrite = min(bestWrite, try time { try BVHWriter.write(clip, to: url) })
            bestRead = min(bestRead, try time { readFrames = try BVHReader.read(url).clip.frameCount })
        }
        guard readFrames == frames else { throw ValidationError("read \(readFrames) frames, wrote \(frames)") }
        let size = Double((try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0) / 1e6
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print("file: \(String(format: "%.1f", size)) MB, \(frames) frames × \(clip.jointCount) joints (\(clip.skeleton.channelCount) channels), 1 thread, best of \(repeats)")
        print("| operation | s | MB/s | frames/s |")
        print("|---|---:|---:|---:|")
        for (name, t) in [("write (format + fsync + rename)", bestWrite), ("parse (read + Euler → quaternion)", bestRead)] {
            print("| \(name) | \(String(format: "%.3f", t)) | \(String(format: "%.0f", size / t)) | \(String(format: "%.0f", Double(frames) / t)) |")
        }
        print("peak RSS of the whole run: \(usage.ru_maxrss / 1024) MB (the clip in memory: \(clip.rotations.count * 16 / 1_000_000) MB of quaternions)")
    }
}
