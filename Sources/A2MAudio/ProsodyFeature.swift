/// A per-frame prosody measurement a model can take next to its log-mel rows (`AudioFeatureConfig.prosody`).
///
/// Every one is computed on the same frames as the mel rows (center=True, frame t centered on sample t·hop,
/// nFFT samples), so it lines up with the motion exactly as they do, and each depends only on audio within a
/// few frames of its own: a window cut from a long file gets the same values as the same audio alone, and a
/// stream computes them as it reads. The definitions match librosa 0.10.x (docs/audio.md has the calls and the
/// measured agreement):
///
/// | feature | value | librosa |
/// |---|---|---|
/// | `logF0` | 12·log2(f0 / 440 Hz) + 69 (semitones, MIDI numbering) of YIN's f0, NaN where `voicing` < 0.1 | `hz_to_midi(yin(...))` |
/// | `voicing` | pYIN's voiced probability of the frame, in [0, 1] (before pYIN's Viterbi pass) | `pyin(...)[2]` |
/// | `rmsDB` | 20·log10(max(1e-5, rms)) of the nFFT samples, unwindowed; −100 dB in silence | `amplitude_to_db(rms(...), ref=1, top_db=None)` |
/// | `onset` | mean over mel bands of max(0, ΔdB) between the two frames before it (spectral flux) | `onset_strength(S=power_to_db(mel))` |
public enum ProsodyFeature: String, Codable, Sendable, CaseIterable {
    case logF0
    case voicing
    case rmsDB
    case onset

    /// Frames at or above this voicing probability carry a log-F0; below it the frame counts as unvoiced (NaN),
    /// and a model sees the training set's mean log-F0 there (0 after normalization). 0.1, not 0.5: pYIN's local
    /// probability swings between 0.3 and 1 inside voiced stretches (its Viterbi pass smooths that over); on real
    /// speech 0.1 keeps 54–75 % of the Viterbi-voiced frames against 32–59 % for 0.5, with YIN's f0 as close to
    /// pYIN's there and a few more unvoiced frames (Tests/Benchmarks/voicing_threshold.py, docs/audio.md). Below
    /// it sit noise and silence (0.01 when no trough is under any threshold, 0 without a trough).
    public static let voicedThreshold: Float = 0.1

    /// Whether the feature needs the pitch tracker (YIN / pYIN).
    var needsPitch: Bool { self == .logF0 || self == .voicing }
}
