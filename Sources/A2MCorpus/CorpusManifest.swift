/// `corpus.json`: what was generated and how, one record per clip. Written with sorted keys so it is
/// byte-identical for a seed.
public struct CorpusManifest: Codable, Sendable, Equatable {
    public var format = "a2m-synthetic-corpus"
    public var version = 1
    public var note = "Synthetic speech (espeak-ng) with procedural gesture motion driven by the audio's measured features. For demos and tests; not motion capture."
    public var seed: UInt64
    public var count: Int
    public var fps: Double
    public var sampleRate: Int
    public var minSeconds: Double
    public var maxSeconds: Double
    public var espeakVersion: String
    /// Voice variants per split; val and test variants never occur in train.
    public var voices: [String: [String]]
    public var clips: [Clip]

    public struct Clip: Codable, Sendable, Equatable {
        public var name: String
        public var split: CorpusVoices.Split
        /// espeak-ng voice argument, LANGUAGE+VARIANT.
        public var voice: String
        public var language: String
        public var variant: String
        /// espeak-ng -s (words per minute).
        public var rate: Int
        /// espeak-ng -p base pitch (0–99) and the ± range each sentence's pitch is drawn from.
        public var pitch: Int
        public var pitchRange: Int
        /// The espeak-ng -p actually used for each sentence.
        public var sentencePitches: [Int]
        /// espeak-ng -g word gap (10 ms units).
        public var wordGap: Int
        public var sentences: [String]
        /// Silence before the first sentence, between sentences, and after the last, in seconds.
        public var pausesSeconds: [Double]
        /// Clip gain and per-sentence gain offsets (dB), and a linear gain drift over the clip (dB, start→end).
        public var gainDB: Double
        public var sentenceGainsDB: [Double]
        public var driftDB: Double
        /// White-noise level (dBFS RMS), 30–50 dB below the speech.
        public var noiseDB: Double
        public var durationSeconds: Double
        public var frames: Int
        /// Measured from the synthesized audio (what drove the motion).
        public var onsetCount: Int
        public var strokeCount: Int
        public var speechFraction: Double
        public var style: GestureStyle
    }
}
