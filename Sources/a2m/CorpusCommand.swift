import A2MKit
import ArgumentParser
import Foundation

/// `a2m corpus --out DIR --count N --seed S`: a paired synthetic speech + gesture corpus for demos and tests.
struct Corpus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Generate a synthetic paired corpus: espeak-ng speech (WAV) with procedural gesture motion (BVH).",
        discussion: """
            Writes DIR/clip_NNNNN.wav (22050 Hz, 16-bit mono) + DIR/clip_NNNNN.bvh (30 fps) per clip and DIR/corpus.json \
            (voice, language, rate, pitch, loudness, gesture style and split of every clip; val/test clips use voices \
            never heard in train). The motion is procedural, driven by features measured from the audio: synthetic \
            motion for a clean-licence default model and tests, not motion capture. Gesture model 2 (the default): \
            gesture units with strokes on prosodic prominence and hand shapes, on the default skeleton with fingers; \
            model 1: the first corpus, on the 22-joint body skeleton. Same seed -> byte-identical files, and the same \
            WAV files for both models. Needs espeak-ng (Debian/Ubuntu: apt-get install espeak-ng). See docs/corpus.md.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output directory (created if missing).") var out: String
    @Option(help: "Number of clips (1...100000).") var count: Int
    @Option(help: "Seed for every random choice.") var seed: UInt64
    @Option(help: "Shortest clip in seconds (≥ 2).") var minSeconds: Double = 4
    @Option(help: "Longest clip in seconds (≤ 120).") var maxSeconds: Double = 12
    @Option(help: "Gesture model: 2 (co-speech gesture with fingers) or 1 (the first corpus, 22-joint skeleton).")
    var gestureModel: GestureModelVersion = .v2

    func validate() throws {
        do {
            try CorpusOptions(count: count, seed: seed, minSeconds: minSeconds, maxSeconds: maxSeconds).validate()
        } catch let e as CorpusError {
            throw ValidationError(e.description)
        }
    }

    func run() async throws {
        global.apply()
        let options = CorpusOptions(count: count, seed: seed, minSeconds: minSeconds, maxSeconds: maxSeconds, gestureModel: gestureModel)
        let builder = try CorpusBuilder(options: options)
        let progress = ProgressLine(total: count, label: "corpus", unit: "clips", quiet: global.quiet)
        let manifest = try builder.build(into: URL(fileURLWithPath: out)) { progress.update($0) }
        progress.finish()
        if !global.quiet {
            let seconds = manifest.clips.reduce(0) { $0 + $1.durationSeconds }
            let bySplit = CorpusVoices.Split.allCases.map { s in "\(s.rawValue) \(manifest.clips.filter { $0.split == s }.count)" }
            FileHandle.standardError.write(Data("\(out): \(count) clips, \(String(format: "%.1f", seconds / 60)) min (\(bySplit.joined(separator: ", "))), \(builder.espeakVersion)\n".utf8))
        }
    }
}

extension GestureModelVersion: ExpressibleByArgument {}
