import A2MKit
import ArgumentParser
import Dispatch
import Foundation

/// `a2m bench stream AUDIO`: `a2m stream AUDIO --realtime` without output, timed: the file is played at
/// real-time pace into a `LiveSession`, and the latency of every frame from its audio's arrival is recorded.
struct BenchStream: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Play audio at real-time pace into the live generator and print latency and real-time factor."
    )

    @Argument(help: "Audio file (played at real-time pace: the bench takes as long as the audio).") var input: String
    @Option(help: "Model checkpoint. Default: as for a2m generate.") var model: String?
    @Option(help: "Seconds of the file to play (from the start).") var seconds: Double = 60
    @Option(help: "Latency budget in ms (as a2m stream --latency).") var latency: Double = 500
    @Option(help: "Sampler (default as a2m stream).") var sampler: SamplerKind = SamplerOptions.commandDefault.kind
    @Option(help: "Denoising steps per window (default as a2m stream).") var steps = SamplerOptions.commandDefault.steps
    @Option(help: "Timestep spacing (default as a2m stream).") var spacing: TimestepSpacing = SamplerOptions.commandDefault.spacing
    @Option(parsing: .unconditional, help: "Guidance weight, mixed as a2m stream mixes it (default 1; a guidance-distilled model: its own).") var guidance: Float?
    @Option(help: "Comma-separated thread counts.") var threads = "1,2"

    var threadCounts: [Int] { threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        guard seconds > 0, latency > 0, steps >= 1 else { throw ValidationError("--seconds, --latency and --steps must be positive") }
        guard !threadCounts.isEmpty, threadCounts.allSatisfy({ (1...256).contains($0) }) else { throw ValidationError("--threads must list counts in 1...256") }
    }

    func run() async throws {
        let m = try GenerationModel.load(contentsOf: try DefaultModel.locate(explicit: model))
        let signal = try AudioFile.load(URL(fileURLWithPath: input))
        let samples = Array(signal.samples.prefix(Int(seconds * Double(signal.sampleRate))))
        var configuration = GenerationConfiguration()
        configuration.sampling = SamplerOptions(kind: sampler, steps: steps, guidance: guidance ?? 1, guidanceMethod: .commandDefault, seed: 1, spacing: spacing)
        configuration.sampling.adoptDistilledGuidance(of: m.denoiser, guidance: guidance, method: nil)
        let lat = StreamingLatency(seconds: latency / 1000, fps: m.fps)
        let passes = configuration.sampling.networkPasses(distilled: m.denoiser.distilledGuidance)
        printBLASCore()
        print("model: \(m.path) (window \(m.windowFrames) frames); \(sampler.rawValue) \(steps) steps, guidance \(configuration.sampling.guidance): \(passes) passes per window; "
            + "latency budget \(latency) ms = look-ahead \(lat.lookahead) + chunk \(lat.chunk) frames; \(String(format: "%.1f", Double(samples.count) / Double(signal.sampleRate))) s of audio at \(signal.sampleRate) Hz")
        print("| threads | frames | windows | ms/window | first frame ms | p50 ms | p99 ms | max ms | look-ahead dropped | compute × real time |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n in threadCounts {
            Threads.set(n)
            let session = try LiveSession(model: m, configuration: configuration, latency: lat, inputRate: signal.sampleRate, source: input, sinks: [])
            let feeder = LiveFeeder()
            feeder.startFile(samples, rate: signal.sampleRate, realtime: true)
            while let pieces = feeder.next() { try session.feed(pieces) }
            try session.end()
            let r = session.recorder
            let busy = Double(session.busyNanos) / 1e9
            let audio = Double(samples.count) / Double(signal.sampleRate)
            func ms(_ v: Double?) -> String { v.map { String(format: "%.0f", $0 * 1000) } ?? "–" }
            print("| \(n) | \(r.latencies.count) | \(session.generator.windows) | \(String(format: "%.1f", busy / Double(max(1, session.generator.windows)) * 1000)) | "
                + "\(ms(r.firstFrameLatency)) | \(ms(r.quantile(0.5))) | \(ms(r.quantile(0.99))) | \(ms(r.maximum)) | \(session.generator.droppedLookahead) | \(String(format: "%.1f", audio / busy)) |")
        }
    }
}
