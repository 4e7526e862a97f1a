import A2MAudio
import A2MCore
import A2MMotion
import Foundation

/// Positions in corpus v2's gesture plans are body coordinates of the default skeleton's size (cm): x lateral,
/// positive toward the hand's own side (mirrored for the right hand), h height above the hips joint, z forward
/// of the spine. The shoulders are at h = 44 and x = 18; the front of the chest is about 11 cm forward of the
/// spine. `CoSpeechGesture` scales them to the skeleton it animates.
typealias BodyPoint = SIMD3<Double>

/// The gestures of corpus v2 (McNeill 1992; Kendon 2004): beats, the palm-up open hand, pointing and a few
/// metaphoric gestures. Each has a hand shape, a palm orientation, a place in gesture space and a stroke: the
/// path from the stroke's start to its apex, where the hand stops on the prominent syllable.
public enum GestureKind: String, CaseIterable, Codable, Sendable {
    /// Beat (McNeill 1992): a quick down-up flick of a lax hand, with the rhythm of speech; one or two hands.
    case beat
    /// Palm-up open hand (Müller 2004; Kendon's "Open Hand Supine"): presenting or offering, the hand moves
    /// forward and out with the palm up.
    case palmUp
    /// Pointing (deictic): index finger extended, the arm reaching toward a place.
    case point
    /// Holding an idea between two cupped hands, palms facing (McNeill's conduit metaphor).
    case container
    /// Thumb–index ring (Kendon 2004, the "ring" family): precision, making a point exact.
    case ring
    /// Horizontal sweep of a flat, palm-down hand (Kendon's "Open Hand Prone"): completeness, negation.
    case sweep
    /// Cyclic rolling of the hand (Ladewig 2011): continuation, searching, a process.
    case cyclic

    /// How common the gesture is in a typical speaker's repertoire (beats dominate; Kendon 2004, McNeill 1992).
    var baseWeight: Double {
        switch self {
        case .beat: return 3
        case .palmUp: return 1.6
        case .point: return 0.6
        case .container: return 0.9
        case .ring: return 0.6
        case .sweep: return 0.7
        case .cyclic: return 0.6
        }
    }

    enum Hands { case one, two, either }

    var hands: Hands {
        switch self {
        case .beat, .palmUp, .sweep: return .either
        case .container: return .two
        case .point, .ring, .cyclic: return .one
        }
    }

    /// Stroke and preparation durations (s) at tempo 1. Beats are fast; presenting and shaping take longer
    /// (Kita, van Gijn & van der Hulst 1998 measure strokes of 0.1–0.5 s).
    var strokeSeconds: Double {
        switch self {
        case .beat: return 0.16
        case .ring: return 0.2
        case .point: return 0.25
        case .palmUp, .container: return 0.3
        case .sweep: return 0.35
        case .cyclic: return 0.9
        }
    }

    /// Where the apex lies (left hand; body coordinates before the speaker's size and height are applied).
    func location(rng: inout PCG32) -> BodyPoint {
        func u(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * Double(rng.uniformFloat()) }
        switch self {
        case .beat: return [u(18, 34), u(18, 32), u(22, 34)]
        case .palmUp: return [u(22, 36), u(18, 30), u(26, 36)]
        case .point: return [u(10, 28), u(30, 44), u(34, 44)]
        case .container: return [u(14, 20), u(22, 32), u(26, 34)]
        case .ring: return [u(12, 22), u(24, 36), u(26, 34)]
        case .sweep: return [u(30, 40), u(20, 30), u(22, 30)]
        case .cyclic: return [u(16, 26), u(22, 34), u(26, 34)]
        }
    }

    /// Offset of the stroke's start from its apex, at amplitude 1.
    var strokeStart: BodyPoint {
        switch self {
        case .beat: return [-2, 12, -5]
        case .palmUp: return [-13, 10, -14]
        case .point: return [-6, 4, -16]
        case .container: return [9, 10, -6]
        case .ring: return [0, 9, -8]
        case .sweep: return [-30, 2, 3]
        case .cyclic: return [0, 0, 0]
        }
    }

    /// The small rebound after the apex of beat-like strokes (a motion beat ends in a bounce), or nil.
    var rebound: BodyPoint? {
        switch self {
        case .beat: return [0, 1.5, 0.5]
        case .ring: return [0, 1, -1]
        case .point: return [0, 0.5, -1.5]
        default: return nil
        }
    }

    func posture(style: SpeakerStyle, rng: inout PCG32) -> HandPosture {
        func u(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * Double(rng.uniformFloat()) }
        switch self {
        case .beat:
            // Beats come with a lax hand, an open one, or a loose fist (the "baton").
            let shape = rng.uniformFloat() < 0.2 ? HandShape.blend(.relaxed, .fist, u(0.4, 0.8)) : HandShape.blend(.relaxed, .open, u(0, 0.8))
            return HandPosture(supination: style.beatSupination + u(-10, 10), flexion: u(0, 12), shape: shape)
        case .palmUp: return HandPosture(supination: u(70, 85), flexion: u(-15, -5), shape: .open)
        case .point: return HandPosture(supination: u(-50, -30), flexion: 0, shape: .point)
        case .container: return HandPosture(supination: u(0, 15), flexion: 5, shape: .cupped)
        case .ring: return HandPosture(supination: u(5, 25), flexion: 15, shape: .ringGrip)
        case .sweep: return HandPosture(supination: u(-85, -75), flexion: u(-10, 0), shape: .flat)
        case .cyclic: return HandPosture(supination: u(10, 30), flexion: 10, shape: .relaxed)
        }
    }
}

/// Rest poses ("home positions", Sacks & Schegloff 2002) between gesture units, drawn per silence.
public enum RestPose: String, CaseIterable, Codable, Sendable {
    /// Arms hanging at the sides.
    case hanging
    /// Hands clasped in front of the lower belly.
    case clasped
    /// Hands loosely together in front of the stomach.
    case together

    var baseWeight: Double {
        switch self {
        case .hanging: return 1.5
        case .clasped: return 1.2
        case .together: return 1.0
        }
    }

    /// Wrist place (left hand) and posture.
    var place: BodyPoint {
        switch self {
        case .hanging: return [23, -7, 4]
        case .clasped: return [4, 5, 16]
        case .together: return [6, 14, 19]
        }
    }

    var posture: HandPosture {
        switch self {
        case .hanging: return HandPosture(supination: 0, flexion: 5, drift: 1.8, shape: .hanging)
        case .clasped: return HandPosture(supination: -30, flexion: 25, deviation: -10, drift: 1.5, shape: .clasp)
        case .together: return HandPosture(supination: 10, flexion: 15, drift: 1.6, shape: .relaxed)
        }
    }
}

/// Where the hand that does not gesture waits during a one-handed gesture: relaxed in front of the hip, the elbow
/// a little bent.
enum PassivePose {
    static let place: BodyPoint = [20, 3, 13]
    static let posture = HandPosture(supination: 0, flexion: 10, drift: 3.0, shape: .relaxed)
}
