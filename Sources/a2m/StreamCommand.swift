import A2MKit
import ArgumentParser
import Foundation

/// `a2m stream -|FILE`: live audio in, motion out as it is generated (JSON lines on standard output, VMC over
/// UDP). The library's `LiveSession` does the work; this reads the input on its own thread (so arrival times
/// are true even while a window is being generated) and reports the latency at the end.
struct StreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Generate motion live from audio on standard input (or a file played at real-time pace).",
        discussion: """
            Input '-' reads a WAV stream (any data size, e.g. `sox ... -t wav -`, `arecord -f S16_LE`) or, with \
            --rate and --channels, raw 16-bit little-endian PCM, as it arrives. A FILE is read whole, or with \
            --realtime paced like a live source. Output: JSON lines on standard output (a skeleton line, then one \
            line per frame with time, root position and joint quaternions, flushed per frame) and, with --vmc HOST:PORT, \
            the VMC protocol (OSC over UDP) that VSeeFace, VNyan and Warudo receive. A frame waits for at most \
            --latency of audio plus one window's compute \
            (docs/sampling.md, "Streaming"); the latency measured is printed at the end.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "'-' for standard input, or an audio file.") var input: String

    @Option(help: "Model checkpoint (.safetensors). Default: as for a2m generate.") var model: String?

    @Option(help: "Sample rate of raw PCM on standard input (with --channels); with a WAV stream it must match the header.")
    var rate: Int?

    @Option(help: "Channels of raw PCM on standard input (with --rate); with a WAV stream it must match the header.")
    var channels: Int?

    @Flag(help: "Play FILE at real-time pace (as if it were live).") var realtime = false

    @Option(help: "Also send the motion as VMC (OSC over UDP, one bundle per frame) to HOST:PORT, e.g. 127.0.0.1:39539.")
    var vmc: String?

    @Flag(name: .customLong("no-json"), help: "Do not write JSON lines to standard output (with --vmc).") var noJSON = false

    @Option(help: "Audio a frame may wait for, in ms: half look-ahead (audio past the frame the window sees), half chunk (frames finished per window).")
    var latency: Double = 500

    @Option(help: "Sampler: \(SamplerKind.allCases.map(\.rawValue).joined(separator: ", ")); default as a2m generate.") var sampler: SamplerKind = SamplerOptions.commandDefault.kind

    @Option(help: "Denoising steps per window (default as a2m generate).") var steps: Int = SamplerOptions.commandDefault.steps

    @Option(help: "Timestep spacing: few-step, trailing or karras (default as a2m generate: 10 steps keep 50-step DDIM's quality, docs/sampling.md \"Few steps\").")
    var spacing: TimestepSpacing = SamplerOptions.commandDefault.spacing

    @Option(parsing: .unconditional, help: "Classifier-free guidance weight, with a2m generate's default method (1, the default, is one network pass per step; a guidance-distilled model samples at its own weight in one pass).") var guidance: Float?

    @Option(help: "Random seed.") var seed: UInt64 = 0

    @Flag(inversion: .prefixedNo, help: "Foot lock (as a2m generate).") var footLock = true

    func validate() throws {
        guard input == "-" || !realtime || FileManager.default.fileExists(atPath: input) else {
            throw ValidationError("\(input): no such file")
        }
        if input != "-" && (rate != nil || channels != nil) { throw ValidationError("--rate/--channels describe raw PCM on standard input ('-'); a file's header gives them") }
        if input == "-" && realtime { throw ValidationError("--realtime paces a FILE; standard input arrives at its own pace") }
        guard latency.isFinite, latency > 0 else { throw ValidationError("--latency must be a positive number of ms, got \(latency)") }
        guard steps >= 1 else { throw ValidationError("--steps must be ≥ 1, got \(steps)") }
        if noJSON && vmc == nil { throw ValidationError("--no-json without --vmc leaves no output") }
        if let guidance, !(guidance.isFinite && guidance >= 0) { throw ValidationError("--guidance must be a finite number ≥ 0, got \(guidance)") }
    }

    func run() async throws {
        global.apply()
        // The peer first: a bad HOST:PORT is reported before any input is read.
        let vmcSender = try vmc.map { try UDPSender($0) }
        let url = try DefaultModel.locate(explicit: model)
        let m = try GenerationModel.load(contentsOf: url)
        var configuration = GenerationConfiguration()
        configuration.sampling = SamplerOptions(kind: sampler, steps: steps, guidance: guidance ?? 1, guidanceMethod: .commandDefault, seed: seed, spacing: spacing)
        configuration.sampling.adoptDistilledGuidance(of: m.denoiser, guidance: guidance, method: nil)
        configuration.footLock = footLock
        let lat = StreamingLatency(seconds: latency / 1000, fps: m.fps)

        // The input: its decoder (stdin) or samples (file), and the rate the session is built for.
        let feeder = LiveFeeder()
        let inputRate: Int
        let source = input == "-" ? "<stdin>" : input
        if input == "-" {
            let decoder = try PCMStreamDecoder(source: source, rate: rate, channels: channels)
            inputRate = try feeder.startStdin(decoder)
        } else {
            let signal = try AudioFile.load(URL(fileURLWithPath: input))
            inputRate = signal.sampleRate
            feeder.startFile(signal.samples, rate: signal.sampleRate, realtime: realtime)
        }

        var sinks: [any LiveFrameSink] = []
        if !noJSON { sinks.append(JSONLinesSink()) }
        if let vmcSender { sinks.append(VMCSink(vmcSender)) }
        let session: LiveSession
        do {
            session = try LiveSession(model: m, configuration: configuration, latency: lat, inputRate: inputRate, source: source, sinks: sinks)
        } catch {
            throw GenerationError.modelRefuses(path: url.path, reason: "\(error)")
        }
        var failure: Error?
        while let pieces = feeder.next() {
            do { try session.feed(pieces) } catch { failure = error; break }
        }
        feeder.stop()
        if failure == nil, let e = feeder.error { failure = e }
        // The frames so far: every frame whose audio arrived is finished, then the error (if any) is reported.
        do { try session.end() } catch { if failure == nil { failure = error } }
        if !global.quiet { report(session) }
        if let failure { throw failure }
    }

    private func report(_ s: LiveSession) {
        let r = s.recorder
        let frames = r.latencies.count
        func ms(_ v: Double?) -> String { v.map { String(format: "%.0f ms", $0 * 1000) } ?? "–" }
        let audio = Double(s.features.inputSamples) / Double(s.features.inputRate)
        var line = "stream: \(frames) frames (\(String(format: "%.2f", audio)) s of audio) in \(s.generator.windows) windows"
        line += "; latency budget \(s.latency.frames) frames (look-ahead \(s.latency.lookahead), chunk \(s.latency.chunk))"
        line += "; first frame \(ms(r.firstFrameLatency)) after the first audio; frame latency p50 \(ms(r.quantile(0.5))), p99 \(ms(r.quantile(0.99))), max \(ms(r.maximum))"
        line += String(format: "; compute %.2f s (%.1f× real time)", Double(s.busyNanos) / 1e9, audio / max(1e-9, Double(s.busyNanos) / 1e9))
        if s.generator.droppedLookahead > 0 { line += "; fell behind: look-ahead dropped in \(s.generator.droppedLookahead) windows" }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Moves input audio from its own thread to the generating one: pieces with their arrival time, taken all at
/// once so a backlog is seen whole.
final class LiveFeeder: @unchecked Sendable {
    private let lock = NSCondition()
    private var queue: [(samples: [Float], arrival: UInt64)] = []
    private var ended = false
    private var stopped = false
    private(set) var error: Error?

    /// Waits for audio; nil once the input has ended and everything was taken.
    func next() -> [(samples: [Float], arrival: UInt64)]? {
        lock.lock()
        defer { lock.unlock() }
        while queue.isEmpty && !ended { lock.wait() }
        if queue.isEmpty { return nil }
        defer { queue.removeAll(keepingCapacity: true) }
        return queue
    }

    func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func push(_ samples: [Float]) {
        guard !samples.isEmpty else { return }
        let t = DispatchTime.now().uptimeNanoseconds
        lock.lock()
        queue.append((samples, t))
        lock.signal()
        lock.unlock()
    }

    private func end(_ e: Error?) {
        lock.lock()
        if error == nil { error = e }
        ended = true
        lock.signal()
        lock.unlock()
    }

    /// Reads the header on this thread (so a bad stream fails before the model runs), then standard input on
    /// a thread of its own. Returns the input's sample rate.
    func startStdin(_ decoder: PCMStreamDecoder) throws -> Int {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var first: [Float] = []
        while decoder.rate == nil {
            let n = read(0, &buffer, buffer.count)
            if n < 0 { throw LiveInputError.truncated(source: decoder.source, reason: String(cString: strerror(errno))) }
            if n == 0 { try decoder.finish(); break }
            first += try decoder.feed(Array(buffer[0..<n]))
        }
        guard let rate = decoder.rate else { throw LiveInputError.truncated(source: decoder.source, reason: "inside the WAV header") }
        push(first)
        // From here on only the reader thread touches the decoder.
        nonisolated(unsafe) let decoder = decoder
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            do {
                while !isStopped {
                    let n = read(0, &buffer, buffer.count)
                    if n < 0 { throw LiveInputError.truncated(source: decoder.source, reason: String(cString: strerror(errno))) }
                    if n == 0 { try decoder.finish(); break }
                    push(try decoder.feed(Array(buffer[0..<n])))
                }
                end(nil)
            } catch {
                end(error)
            }
        }
        return rate
    }

    /// A decoded file: all at once, or in 10 ms pieces at real-time pace.
    func startFile(_ samples: [Float], rate: Int, realtime: Bool) {
        guard realtime else {
            push(samples)
            end(nil)
            return
        }
        Thread.detachNewThread { [self] in
            let piece = max(1, rate / 100)
            let t0 = DispatchTime.now().uptimeNanoseconds
            var i = 0
            while i < samples.count && !isStopped {
                let j = min(samples.count, i + piece)
                // Piece [i, j) has arrived once the clock passes its last sample.
                let due = t0 + UInt64(Double(j) / Double(rate) * 1e9)
                let now = DispatchTime.now().uptimeNanoseconds
                if due > now { usleep(UInt32((due - now) / 1000)) }
                push(Array(samples[i..<j]))
                i = j
            }
            end(nil)
        }
    }
}
