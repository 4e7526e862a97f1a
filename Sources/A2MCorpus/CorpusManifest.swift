/// `corpus.json`: what was generated and how, one record per clip. Written with sorted keys so it is
/// byte-identical for a seed.
public struct CorpusManifest: Codable, Sendable, Equatable {
    public var format = "a2m-synthetic-corpus"
    /// The gesture model that made the motion (`GestureModelVersion`): 1 on the 22-joint body skeleton,
    /// 2 on the default skeleton with fingers.
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
        public var onsetCount: Int
        public var strokeCount: Int
        public var speechFraction: Double
        /// Version 1: the gesture style drawn for the clip.
        public var style: GestureStyle?
        /// Version 2: the speaker's style on this clip, and what the gesture model did.
        public var speaker: SpeakerStyle?
        public var gestures: GestureSummary?
    }

    /// What corpus v2's gesture model made of one clip.
    public struct GestureSummary: Codable, Sendable, Equatable {
        /// Gesture units (from leaving rest to returning to it) and their strokes by kind; "beat" counts both beats
        /// that open a phrase and beats superimposed on a held gesture.
        public var units: Int
        public var strokes: [String: Int]
        public var twoHandedStrokes: Int
        public var nods: Int
        /// Rest poses taken, in order.
        public var rests: [RestPose]
    }
}
