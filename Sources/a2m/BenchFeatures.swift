import A2MKit
import ArgumentParser
import Dispatch
import Foundation

/// `a2m bench features FILE`: real-time factor of load + resample + log-mel, one thread, and what the prosody
/// columns (`AudioFeatureConfig.prosody`: YIN f0, pYIN voicing, rms, onset) add to it, in the same run.
/// The librosa counterpart is Tests/Benchmarks/bench_librosa_features.py; docs/benchmarks.md has both.
struct BenchFeatures: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Time load + resample + log-mel (and + prosody) of an audio file (single-threaded) and print the real-time factor."
    )

    @Argument(help: "Audio file to time (docs/benchmarks.md makes a 60-s one from Motions/samples/speech.wav).") var input: String
    @Option(help: "AudioFeatureConfig JSON, or a model config with one under \"audio\" (default: the model front end). The prosody rows use its prosody list, or all four features when it has none.") var config: String?
    @Option(help: "Timed repetitions; the best is reported.") var repeats = 10

    func validate() throws {
        guard (1...1000).contains(repeats) else { throw ValidationError("--repeats must be in 1...1000") }
    }

    func run() async throws {
        Threads.set(1)
        let cfg = try config.map { try AudioFeatureConfig.load(contentsOf: URL(fileURLWithPath: $0)) } ?? .model
        let url = URL(fileURLWithPath: input)
        var melOnly = cfg, prosody = cfg
        melOnly.prosody = []
        if prosody.prosody.isEmpty { prosody.prosody = ProsodyFeature.allCases }
        let extractor = try LogMelExtractor(melOnly), prosodyExtractor = try LogMelExtractor(prosody)
        func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let r = try body()
            return (r, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        var best = (load: Double.infinity, resample: Double.infinity, mel: Double.infinity, total: Double.infinity, streamed: Double.infinity,
                    features: Double.infinity, streamedFeatures: Double.infinity)
        var duration = 0.0, frames = 0, rate = 0
        for _ in 0...repeats {  // the first pass warms caches and is not counted
            let (signal, tLoad) = try time { try AudioFile.load(url) }
            let (resampled, tRes) = try time { try signal.resampled(to: cfg.sampleRate) }
            let (matrix, tMel) = try time { try extractor.logMel(resampled.samples, source: resampled.source) }
            best.load = min(best.load, tLoad)
            best.resample = min(best.resample, tRes)
            best.mel = min(best.mel, tMel)
            best.total = min(best.total, tLoad + tRes + tMel)
            // What `a2m generate` and `a2m train` run: decode → resample → STFT as one stream, then aligned rows.
            let (_, tStream) = try time { try AudioFeatures.extract(url: url, config: melOnly, fps: cfg.frameRate) }
            best.streamed = min(best.streamed, tStream)
            let (_, tFeatures) = try time { try prosodyExtractor.features(resampled.samples, source: resampled.source) }
            best.features = min(best.features, tFeatures)
            let (_, tStreamFeatures) = try time { try AudioFeatures.extract(url: url, config: prosody, fps: cfg.frameRate) }
            best.streamedFeatures = min(best.streamedFeatures, tStreamFeatures)
            duration = signal.duration
            frames = matrix.frames
            rate = signal.sampleRate
        }
        print("input: \(input), \(String(format: "%.2f", duration)) s at \(rate) Hz -> \(cfg.sampleRate) Hz, \(frames) frames × \(cfg.nMels) mels (+ \(prosody.prosody.map(\.rawValue).joined(separator: ", "))), 1 thread, best of \(repeats)")
        print("| stage | ms | × real time |")
        print("|---|---:|---:|")
        for (name, t) in [("load (libsndfile)", best.load), ("resample (libsoxr HQ)", best.resample),
                          ("log-mel (FFTW + mel + dB)", best.mel), ("end to end", best.total),
                          ("end to end, streamed (AudioFeatures.extract)", best.streamed),
                          ("log-mel + prosody (FFTW + mel + dB, YIN + pYIN voicing, rms, onset)", best.features),
                          ("end to end with prosody, streamed (AudioFeatures.extract)", best.streamedFeatures)] {
            print("| \(name) | \(String(format: "%.2f", t * 1000)) | \(String(format: "%.0f", duration / t)) |")
        }
    }
}
