/// `corpus.json`: what was generated and how, one record per clip. Written with sorted keys so it is
/// byte-identical for a seed.
public struct CorpusManifest: Codable, Sendable, Equatable {
    package var format = "a2m-synthetic-corpus"
    package var version = 1
    var note = "Synthetic speech (espeak-ng) with procedural gesture motion driven by the audio's measured features. For demos and tests; not motion capture."
    package var seed: UInt64
    package var count: Int
    package var fps: Double
    package var sampleRate: Int
    package var minSeconds: Double
    package var maxSeconds: Double
    var espeakVersion: String
    /// Voice variants per split; val and test variants never occur in train.
    var voices: [String: [String]]
    package var clips: [Clip]

    public struct Clip: Codable, Sendable, Equatable {
        package var name: String
        package var split: CorpusVoices.Split
        /// espeak-ng voice argument, LANGUAGE+VARIANT.
        var voice: String
        var language: String
        var variant: String
        /// espeak-ng -s (words per minute).
        var rate: Int
        /// espeak-ng -p base pitch (0–99) and the ± range each sentence's pitch is drawn from.
        var pitch: Int
        var pitchRange: Int
        /// The espeak-ng -p actually used for each sentence.
        var sentencePitches: [Int]
        /// espeak-ng -g word gap (10 ms units).
        var wordGap: Int
        var sentences: [String]
        /// Silence before the first sentence, between sentences, and after the last, in seconds.
        var pausesSeconds: [Double]
        /// Clip gain and per-sentence gain offsets (dB), and a linear gain drift over the clip (dB, start→end).
        var gainDB: Double
        var sentenceGainsDB: [Double]
        var driftDB: Double
        /// White-noise level (dBFS RMS), 30–50 dB below the speech.
        var noiseDB: Double
        public var durationSeconds: Double
        public var frames: Int
        /// Measured from the synthesized audio (what drove the motion).
        var onsetCount: Int
        var strokeCount: Int
        var speechFraction: Double
        public var style: GestureStyle
    }
}
