import A2MAudio
import A2MCore
import A2MMotion

/// Which procedural gesture model `a2m corpus` uses.
public enum GestureModelVersion: Int, Codable, Sendable, CaseIterable {
    /// The first model (`ProceduralGesture`): loudness-paced hand rolling, beats at onsets, nods, on the 22-joint
    /// body skeleton (`Skeleton.a2mBody`). Kept so the corpus the first default model was trained on can be
    /// rebuilt byte for byte.
    case v1 = 1
    /// Corpus v2 (`CoSpeechGesture`): gesture units with phases and a lexicon of gestures timed to prosodic
    /// prominence, hand shapes on the fingers, on the default skeleton with fingers (`Skeleton.a2mDefault`).
    case v2 = 2

    /// The skeleton each model animates by default.
    public var defaultSkeleton: Skeleton { self == .v1 ? .a2mBody : .a2mDefault }

    public var note: String {
        switch self {
        case .v1:
            return "Synthetic speech (espeak-ng) with procedural gesture motion driven by the audio's measured features. For demos and tests; not motion capture."
        case .v2:
            return "Synthetic speech (espeak-ng) with procedural co-speech gesture (gesture units, strokes on prosodic prominence, hand shapes) driven by the audio's measured features. Synthetic motion for a clean-licence default model and tests; not motion capture."
        }
    }
}
