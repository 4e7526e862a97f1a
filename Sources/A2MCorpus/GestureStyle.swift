import A2MCore

/// Per-clip random style of the procedural gesture model, so one audio clip could map to many motions, as in
/// real data. Drawn with `GestureStyle.random(using:)`; every field is recorded in the corpus manifest.
public struct GestureStyle: Codable, Sendable, Equatable {
    enum Hands: String, Codable, Sendable, CaseIterable { case left, right, both }

    /// Which hand makes beat strokes: one dominant hand (the other joins 15% of strokes) or both (70% of strokes).
    var hands: Hands
    /// Scales stroke and gesture-space amplitudes, 0.6...1.4.
    var size: Double
    /// Gesture-space height 0...1: how far the elbows flex and the upper arms lift while speaking.
    var height: Double
    /// Scales beat stroke amplitude, 0.6...1.4.
    var energy: Double
    /// Minimum time between beat strokes, 0.3...0.6 s (higher = calmer speaker).
    var strokeSpacing: Double
    /// Duration scale of preparation/stroke/retraction, 0.8...1.25.
    var strokeTempo: Double
    /// Head nod amplitude scale, 0.5...1.5.
    var nodGain: Double
    /// Breathing period, 3.5...6 s.
    var breathPeriod: Double
    /// Weight-shift sway amplitude (cm) and period (s): 1...4 cm, 5...10 s.
    var swayAmplitude: Double
    var swayPeriod: Double
    /// Rest pose: upper-arm abduction from straight down, 5...12°; elbow flexion, 5...20°.
    var restAbduction: Double
    var restElbow: Double

    package static func random(using rng: inout PCG32) -> GestureStyle {
        func u(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * Double(rng.uniformFloat()) }
        let hands = Hands.allCases[rng.int(below: 3)]
        return GestureStyle(hands: hands, size: u(0.6, 1.4), height: u(0, 1), energy: u(0.6, 1.4),
                            strokeSpacing: u(0.3, 0.6), strokeTempo: u(0.8, 1.25), nodGain: u(0.5, 1.5),
                            breathPeriod: u(3.5, 6), swayAmplitude: u(1, 4), swayPeriod: u(5, 10),
                            restAbduction: u(5, 12), restElbow: u(5, 20))
    }
}
