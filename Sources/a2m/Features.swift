import A2MKit
import ArgumentParser
import Foundation

/// `a2m features IN --out OUT.json|.npy`: the feature matrix the model sees (before normalization), for
/// inspection or other tools.
struct Features: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute the audio features (frames × (n_mels + prosody)) of an audio file.",
        discussion: """
            Loads any format libsndfile reads, downmixes to mono, resamples with libsoxr (HQ) to the config's \
            sample rate, and writes the feature matrix: n_mels log-mel columns, then the config's "prosody" columns \
            in its order (logF0, voicing, rmsDB, onset; logF0 is NaN in unvoiced frames). .npy: numpy format 1.0, \
            '<f4', C order, shape (frames, columns). .json: the matrix (NaN as null), the column names and the full \
            config used. See docs/audio.md.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Input audio file (WAV, FLAC, OGG/Vorbis, MP3, AIFF, ...); a pipe or - (standard input) is read once.") var input: String

    @Option(help: "Output file: .npy or .json.") var out: String

    @Option(help: "An AudioFeatureConfig JSON, or a model config JSON with one under the key \"audio\" (default: the model front end, Configs/audio_model.json).")
    var config: String?

    @Option(help: "Align rows to this motion frame rate: exactly round(duration × fps) rows, row j at j / fps. Default: one row per STFT frame (1 + samples / hop).")
    var fps: Double?

    func validate() throws {
        let ext = URL(fileURLWithPath: out).pathExtension.lowercased()
        guard ext == "npy" || ext == "json" else { throw ValidationError("--out must end in .npy or .json, got '\(out)'") }
        if let fps, !(fps.isFinite && fps >= 1 && fps <= 1000) { throw ValidationError("--fps must be in 1...1000, got \(fps)") }
    }

    func run() async throws {
        global.apply()
        let cfg = try config.map { try AudioFeatureConfig.load(contentsOf: URL(fileURLWithPath: $0)) } ?? .model
        let extractor = try LogMelExtractor(cfg, configFile: config ?? "<default config>")
        // "-" is standard input, read once (a pipe or a redirected file).
        let signal = try AudioFile.load(URL(fileURLWithPath: input == "-" ? "/dev/stdin" : input))
        let matrix = try fps.map { try extractor.motionAlignedFeatures(signal, fps: $0) } ?? extractor.features(signal)
        let outURL = URL(fileURLWithPath: out)
        if outURL.pathExtension.lowercased() == "npy" {
            try AtomicFile.write(NumpyFile.data(matrix), to: outURL)
        } else {
            try AtomicFile.write(LogMelDocument(source: input, config: cfg, alignedToFPS: fps, matrix: matrix).jsonData(), to: outURL)
        }
        if !global.quiet {
            FileHandle.standardError.write(Data("\(out): \(matrix.frames) frames × \(matrix.bins) columns (\(cfg.nMels) mels\(cfg.prosody.map { " + " + $0.rawValue }.joined()); \(String(format: "%.3f", signal.duration)) s at \(signal.sampleRate) Hz -> \(cfg.sampleRate) Hz)\n".utf8))
        }
    }
}
