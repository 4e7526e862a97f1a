import ArgumentParser
import A2MKit
import Dispatch
import Foundation

/// `a2m bench train-step`: time per denoiser training step (forward, backward, AdamW) and per CFG
/// forward (2B rows), at 1 and 2 threads, as GFLOP/s against the machine's cblas_sgemm peak.
struct BenchTrainStep: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-step",
        abstract: "Benchmark one denoiser training step and one CFG forward pass.",
        discussion: "Sizes default to the torch peer's (Tests/Reference/torch_denoiser.py); --config reads a config's \"model\" section; the size flags override either.")

    @Option(help: "Config file whose \"model\" section sets the sizes.") var config: String?
    @Option(help: "Model width.") var d: Int?
    @Option(help: "Decoder layers.") var layers: Int?
    @Option(help: "Attention heads.") var heads: Int?
    @Option(help: "Feed-forward size.") var ff: Int?
    @Option(help: "Frames per window (default 150).") var frames: Int?
    @Option(help: "Batch rows.") var batch = 32
    @Option(help: "Audio features per frame.") var mel: Int?
    @Option(help: "Motion features per frame (default: the config's, else the default skeleton's; 454 for the 75-joint ZeroEGGS/BEAT rig).") var pose: Int?
    @Option(help: "Timed repetitions (median reported).") var steps = 5
    @Option(help: "Comma-separated thread counts.") var threadCounts = "1,2"
    @Option(help: "Also run this PyTorch peer script with the same sizes (needs python3 with torch).") var torchScript: String?

    func validate() throws {
        guard (1...4096).contains(batch) else { throw ValidationError("--batch must be in 1...4096") }
        guard (1...100).contains(steps) else { throw ValidationError("--steps must be in 1...100") }
        guard !threadList.isEmpty, threadList.allSatisfy({ (1...256).contains($0) }) else { throw ValidationError("--thread-counts must list counts in 1...256") }
        if let s = torchScript, !FileManager.default.fileExists(atPath: s) { throw ValidationError("--torch-script \(s) does not exist") }
    }

    var threadList: [Int] { threadCounts.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func modelConfig() throws -> DenoiserConfig {
        var c: DenoiserConfig
        if let config {
            c = try benchDenoiserConfig(config)
        } else {
            c = DenoiserConfig()
            c.width = 256; c.layers = 6; c.heads = 8; c.ffn = 1024; c.windowFrames = 150; c.audioDim = 80; c.motionDim = 135
        }
        if let d { c.width = d }
        if let layers { c.layers = layers }
        if let heads { c.heads = heads }
        if let ff { c.ffn = ff }
        if let frames { c.windowFrames = frames }
        if let mel { c.audioDim = mel }
        if let pose { c.motionDim = pose }
        try c.validate(file: config ?? "<bench flags>")
        return c
    }

    func run() async throws {
        let c = try modelConfig()
        let b = batch, t = c.windowFrames
        var rng = PCG32(seed: 1, stream: 7)
        func g(_ n: Int) -> [Float] { (0..<n).map { _ in rng.gaussian() } }
        let keep = (0..<b).map { $0 % 4 != 3 }          // exactly 25% dropped: p = 0.25 on average
        let batchData = DenoiserBatch(rows: b, frames: t, noisy: g(b * t * c.motionDim), timesteps: (0..<b).map { ($0 * 37) % 1000 },
                                      audio: g(b * t * c.audioDim), keep: keep, target: g(b * t * c.motionDim))
        let kept = keep.filter { $0 }.count
        let trainFlops = DenoiserFlops.trainingStep(c, rows: b, frames: t, keptRows: kept)
        let cfgFlops = DenoiserFlops.forward(c, rows: 2 * b, frames: t, keptRows: 0)
        printBLASCore()
        print("denoiser d=\(c.width) L=\(c.layers) H=\(c.heads) ff=\(c.ffn) enc=\(c.encoderLayers) B=\(b) T=\(t) mel=\(c.audioDim) pose=\(c.motionDim); "
              + "train step \(String(format: "%.1f", trainFlops / 1e9)) GFLOP, CFG forward (2B) \(String(format: "%.1f", cfgFlops / 1e9)) GFLOP")
        print("")
        print("| threads | params | train step s | CPU s/step | frames/s | GFLOP/s | % sgemm peak | CFG fwd 2B s | GFLOP/s | % peak | encode B s | sgemm peak GFLOP/s |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        var ours: [Int: (Double, Double)] = [:]
        for threads in threadList {
            Threads.set(threads)
            let peak = GemmPeak.measure(m: 1024, n: 1024, k: 1024)
            let model = try Denoiser(config: c, seed: 0)
            let opt = AdamW(model: model, schedule: LearningRateSchedule(peak: 1e-4, warmupSteps: 0, totalSteps: 1000))
            var stepTimes: [Double] = [], cpuTimes: [Double] = []
            for i in 0...steps {
                let t0 = DispatchTime.now().uptimeNanoseconds, c0 = processCPUSeconds()
                _ = try model.trainStep(batchData)
                opt.update(params: model.parameters, grads: model.gradients)
                if i > 0 { stepTimes.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9); cpuTimes.append(processCPUSeconds() - c0) }
            }
            let rows = (0..<b).map { DenoiserRow(clip: $0, conditioned: true) } + (0..<b).map { DenoiserRow(clip: $0, conditioned: false) }
            let x2 = batchData.noisy + batchData.noisy, t2 = batchData.timesteps + batchData.timesteps
            var fwdTimes: [Double] = [], encTimes: [Double] = []
            for i in 0...steps {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let ctx = try model.encodeAudio(batchData.audio, clips: b, frames: t)
                let t1 = DispatchTime.now().uptimeNanoseconds
                _ = try model.predictX0(x: x2, timesteps: t2, rows: rows, context: ctx, frames: t)
                let t2n = DispatchTime.now().uptimeNanoseconds
                if i > 0 { encTimes.append(Double(t1 - t0) / 1e9); fwdTimes.append(Double(t2n - t1) / 1e9) }
            }
            let ts = median(stepTimes), tf = median(fwdTimes), te = median(encTimes)
            ours[threads] = (ts, tf + te)
            let gs = trainFlops / ts / 1e9, gf = cfgFlops / tf / 1e9
            print("| \(threads) | \(String(format: "%.2fM", Double(model.parameterCount) / 1e6)) | \(f3(ts)) | \(f3(median(cpuTimes))) | \(String(format: "%.0f", Double(b * t) / ts)) | "
                  + "\(f1(gs)) | \(f1(100 * gs / peak))% | \(f3(tf)) | \(f1(gf)) | \(f1(100 * gf / peak))% | \(f3(te)) | \(f1(peak)) |")
        }
        guard let script = torchScript else { return }
        print("")
        print("| threads | torch train step s | a2m / torch | torch CFG fwd 2B s (incl. encoder) | a2m / torch (encode + CFG fwd) |")
        print("|---:|---:|---:|---:|---:|")
        for threads in threadList {
            guard let (tt, tf) = try runTorch(script, c, threads: threads) else { continue }
            let (os, of) = ours[threads]!
            print("| \(threads) | \(f3(tt)) | \(String(format: "%.2f", os / tt))× | \(f3(tf)) | \(String(format: "%.2f", of / tf))× |")
        }
    }

    /// Runs the torch peer and parses "train step median X s ... CFG forward (2B) median Y s".
    func runTorch(_ script: String, _ c: DenoiserConfig, threads: Int) throws -> (Double, Double)? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script, "--d", "\(c.width)", "--layers", "\(c.layers)", "--heads", "\(c.heads)", "--ff", "\(c.ffn)",
                       "--frames", "\(c.windowFrames)", "--batch", "\(batch)", "--mel", "\(c.audioDim)", "--pose", "\(c.motionDim)",
                       "--threads", "\(threads)", "--steps", "\(steps)"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        FileHandle.standardError.write(Data(("torch: " + out).utf8))
        func value(after key: String) -> Double? {
            guard let r = out.range(of: key) else { return nil }
            return Double(out[r.upperBound...].prefix { "0123456789.".contains($0) })
        }
        guard p.terminationStatus == 0, let ts = value(after: "train step median "), let tf = value(after: "CFG forward (2B) median ") else {
            FileHandle.standardError.write(Data("torch peer failed (exit \(p.terminationStatus))\n".utf8))
            return nil
        }
        return (ts, tf)
    }
}

/// CPU seconds used by the whole process (all threads): unlike wall time, not inflated by other processes
/// on a shared machine, but inflated by spinning threads.
private func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

private func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }
private func f3(_ x: Double) -> String { String(format: "%.3f", x) }
private func f1(_ x: Double) -> String { String(format: "%.1f", x) }
