import A2MAudio
import A2MCore
import A2MMotion
import Foundation

/// The gesture style of one speaker in corpus v2, after Neff, Kipp, Albrecht & Seidel (2008, "Gesture modeling
/// and animation based on a probabilistic re-creation of speaker style"): which hand leads, how often and how
/// big the speaker gestures, where, which gestures they favour and how they rest.
///
/// Each voice (the corpus's speaker identity, `CorpusVoices`) gets a base style per seed; each clip then varies
/// the speaker's energy, rate and size, as one person does from one utterance to the next. Nothing here is
/// drawn from the audio, so the same speech can come with many motions (one-to-many, as in real data).
/// Every field is recorded in the corpus manifest.
public struct SpeakerStyle: Codable, Sendable, Equatable {
    public enum Hand: String, Codable, Sendable, CaseIterable { case left, right }

    /// The dominant hand: 85 % of speakers lead with the right.
    public var dominantHand: Hand
    /// Probability that a one-handed gesture uses the dominant hand, 0.65...0.95.
    public var dominance: Double
    /// Probability that a gesture which can be made with both hands is, 0.3...0.7.
    public var twoHanded: Double
    /// Stroke amplitude scale, 0.65...1.35 (per clip: the speaker's ± 15 %).
    public var energy: Double
    /// Most strokes per second of speech, 1.3...2.5 (per clip: ± 15 %).
    public var rate: Double
    /// Size of the gesture space (lateral and forward extents), 0.8...1.25 (per clip: ± 8 %).
    public var spaceSize: Double
    /// Height of the gesture space's centre relative to the default (cm, scaled to the skeleton), −6...+3.
    public var spaceHeight: Double
    /// Duration scale of preparation, stroke and retraction, 0.8...1.25.
    public var tempo: Double
    /// Pauses at least this long (s) send the hands back to rest; shorter ones keep them in gesture space, 1.3...2.6.
    public var retractPause: Double
    /// How long the hand stays at a stroke's end before moving on (s), 0.03...0.25 (Kita et al. 1998's post-stroke
    /// hold; fluent speakers keep moving).
    public var postHold: Double
    /// Elbow swivel away from the body (degrees), 10...30: how far the elbows stick out.
    public var elbowOut: Double
    /// Forearm supination of beats (degrees; 0 = thumb up, 90 = palm up), −30...50.
    public var beatSupination: Double
    /// Relative preference for each gesture kind (`GestureKind` raw values), drawn per speaker.
    public var kinds: [String: Double]
    /// Relative preference for each rest pose (`RestPose` raw values), drawn per speaker.
    public var rests: [String: Double]
    /// Probability that a prominent syllable gets a head nod, 0.2...0.7; nod size scale 0.6...1.4.
    public var nodRate: Double
    public var nodSize: Double
    /// Head turn amplitude scale, 0.5...1.5.
    public var headMobility: Double
    /// Forward lean of the torso while speaking (degrees), 0...4.
    public var lean: Double
    /// Weight shift: side step of the hips (cm), 1...3.5, and mean time between shifts (s), 4...10.
    public var swayCentimetres: Double
    public var swayInterval: Double

    /// The base style of voice `variant` for corpus seed `seed` (its own PCG32 stream, so clips do not shift it).
    public static func speaker(variant: String, seed: UInt64) -> SpeakerStyle {
        let index = CorpusVoices.variants.firstIndex(of: variant) ?? CorpusVoices.variants.count
        var rng = PCG32.derived(seed: seed, purpose: .corpus, rank: (1 << 20) + 16 + index)
        return random(using: &rng)
    }

    /// A speaker drawn from the population ranges documented on each field.
    public static func random(using rng: inout PCG32) -> SpeakerStyle {
        func u(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * Double(rng.uniformFloat()) }
        let dominant: Hand = rng.uniformFloat() < 0.85 ? .right : .left
        // Gamma(2)-like preferences (sum of two exponentials): every kind stays possible, a few dominate.
        func preference() -> Double { -log(1 - Double(rng.uniformFloat()) * 0.999) - log(1 - Double(rng.uniformFloat()) * 0.999) }
        var kinds = [String: Double]()
        for k in GestureKind.allCases { kinds[k.rawValue] = ((preference() * k.baseWeight) * 1000).rounded() / 1000 }
        var rests = [String: Double]()
        for r in RestPose.allCases { rests[r.rawValue] = ((preference() * r.baseWeight) * 1000).rounded() / 1000 }
        return SpeakerStyle(dominantHand: dominant, dominance: u(0.65, 0.95), twoHanded: u(0.3, 0.7), energy: u(0.65, 1.35),
                            rate: u(1.3, 2.5), spaceSize: u(0.8, 1.25), spaceHeight: u(-6, 3), tempo: u(0.8, 1.25),
                            retractPause: u(1.3, 2.6), postHold: u(0.03, 0.25), elbowOut: u(10, 30), beatSupination: u(-30, 50), kinds: kinds, rests: rests,
                            nodRate: u(0.2, 0.7), nodSize: u(0.6, 1.4), headMobility: u(0.5, 1.5), lean: u(0, 4),
                            swayCentimetres: u(1, 3.5), swayInterval: u(4, 10)).rounded()
    }

    /// This speaker on one clip: energy, rate and gesture-space size vary a little from utterance to utterance.
    public func forClip(using rng: inout PCG32) -> SpeakerStyle {
        func u(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * Double(rng.uniformFloat()) }
        var s = self
        s.energy *= u(0.85, 1.15)
        s.rate *= u(0.85, 1.15)
        s.spaceSize *= u(0.92, 1.08)
        s.spaceHeight += u(-2, 2)
        return s.rounded()
    }

    /// Every number to 3 decimals, so the manifest shows exactly what drove the motion.
    func rounded() -> SpeakerStyle {
        func r(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
        var s = self
        s.dominance = r(dominance); s.twoHanded = r(twoHanded); s.energy = r(energy); s.rate = r(rate)
        s.spaceSize = r(spaceSize); s.spaceHeight = r(spaceHeight); s.tempo = r(tempo); s.retractPause = r(retractPause); s.postHold = r(postHold)
        s.elbowOut = r(elbowOut); s.beatSupination = r(beatSupination); s.nodRate = r(nodRate); s.nodSize = r(nodSize)
        s.headMobility = r(headMobility); s.lean = r(lean); s.swayCentimetres = r(swayCentimetres); s.swayInterval = r(swayInterval)
        return s
    }

    /// Draws a key of `weights` in proportion to its weight (keys in a fixed order, so the draw is deterministic).
    static func draw<K: RawRepresentable & CaseIterable>(_ type: K.Type, weights: [String: Double], rng: inout PCG32) -> K where K.RawValue == String {
        let cases = Array(K.allCases)
        let w = cases.map { max(0, weights[$0.rawValue] ?? 0) }
        let total = w.reduce(0, +)
        guard total > 0 else { return cases[0] }
        var x = Double(rng.uniformFloat()) * total
        for (c, wi) in zip(cases, w) {
            if x < wi { return c }
            x -= wi
        }
        return cases[cases.count - 1]
    }
}
