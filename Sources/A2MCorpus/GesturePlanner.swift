import A2MAudio
import A2MCore
import A2MMotion
import Foundation

enum HandSide: Int, CaseIterable, Sendable {
    case left = 0, right = 1
    /// +1 on the left (+X), −1 on the right.
    var sign: Double { self == .left ? 1 : -1 }
    var name: String { self == .left ? "Left" : "Right" }
    var other: HandSide { self == .left ? .right : .left }
    init(_ hand: SpeakerStyle.Hand) { self = hand == .left ? .left : .right }
}

/// One stroke of the plan: kept for the manifest and the tests.
struct PlannedStroke: Equatable, Sendable {
    /// The apex: the stroke's end, where the hand stops (s).
    var apex: Double
    /// The prominent syllable it goes with (s).
    var nucleus: Double
    var kind: GestureKind
    var hands: [HandSide]
    /// Whether it opens a gesture phrase (its kind's own stroke) or is a beat superimposed on a held phrase.
    var first: Bool
}

/// The gesture plan of one clip: wrist tracks of both hands (body coordinates, `BodyPoint`, with the right hand
/// at negative x), the strokes, head nods, and the torso's lean and twist.
struct GesturePlan {
    var hands: [KeyTrack<HandPosture>]
    var strokes: [PlannedStroke]
    /// Nod peaks: time (s) and depth (degrees).
    var nods: [(time: Double, degrees: Double)]
    /// Forward lean (degrees) and twist toward the left (degrees) of the torso.
    var lean: ScalarTrack
    var twist: ScalarTrack
    /// Gesture units: from leaving rest to being back at rest (s).
    var units: [ClosedRange<Double>]
    /// Rest poses taken, in order (for the manifest).
    var rests: [RestPose]
}

/// Turns prosodic events into gesture units (Kendon 1980, 2004): the hands leave rest before the first stroke of
/// a stretch of speech, make strokes whose apexes land on prominent syllables (McNeill's phonological synchrony
/// rule: the stroke precedes or ends at the peak syllable; Loehr 2004 and Leonard & Cummins 2011 find the apex
/// on the pitch accent), hold between strokes, and retract to a rest pose at the next long pause. Consecutive
/// strokes form gesture phrases; the first stroke of a phrase is its kind's own stroke, the following ones are
/// beats superimposed on the held hand configuration (McNeill 1992).
struct GesturePlanner {
    let style: SpeakerStyle
    let duration: Double
    /// Speech runs (s).
    private var speech: [ClosedRange<Double>] = []

    /// The stroke ends this long before the syllable's peak: 0 to 80 ms, drawn per stroke.
    static let leadRange = 0.0...0.08
    /// Strokes are at least this far apart (s, at tempo 1). At 0.36 s, runs of beats near 2.8 Hz put twice the real
    /// reference's share of wrist-speed power above 6 Hz into the corpus (docs/corpus.md).
    static let minStrokeSpacing = 0.45
    /// Stroke size per unit of speaker energy and loudness, and the scale of every stroke's duration: set so the
    /// wrist-speed histogram and its spectrum match real co-speech capture (docs/corpus.md: measured with
    /// `a2m eval --reference`, mean wrist speed 0.74 S/s before, 0.96 after, real 1.00).
    static let strokeGain = 1.4, strokeTimeScale = 1.2
    /// Preparation: at least this long (s), and longer for longer paths (s per cm).
    static let minPreparation = 0.14, minPreparationFromRest = 0.3, preparationPerCentimetre = 0.006, basePreparation = 0.22
    /// Superimposed beats: stroke and preparation (s, at tempo 1).
    static let beatStroke = 0.15, beatPreparation = 0.18
    /// Retraction time to rest (s, at tempo 1) and the hold before it.
    static let retraction = 0.7, postStrokeHold = 0.35
    /// A gap with at least this much silence (s) is held through, the next preparation starting just in time.
    static let pauseHold = 0.2
    /// Preparations longer than this (s) pass through a lower, relaxed via point (partial retraction, Kita et al. 1998).
    static let longPreparation = 1.1

    private enum Mode { case rest, passive, active }

    private var tracks: [KeyTrack<HandPosture>]
    private var modes: [Mode] = [.rest, .rest]
    private var rest: RestPose
    private var rests: [RestPose]
    private var strokes: [PlannedStroke] = []
    private var lean = ScalarTrack(0), twist = ScalarTrack(0)

    init(style: SpeakerStyle, duration: Double, rng: inout PCG32) {
        self.style = style
        self.duration = duration
        let first = SpeakerStyle.draw(RestPose.self, weights: style.rests, rng: &rng)
        rest = first
        rests = [first]
        tracks = HandSide.allCases.map { KeyTrack(start: Self.mirror(first.place, $0), posture: first.posture) }
    }

    static func mirror(_ p: BodyPoint, _ side: HandSide) -> BodyPoint { BodyPoint(p.x * side.sign, p.y, p.z) }

    /// The torso a wrist must stay out of, in body coordinates: within `torsoHalfWidth` of the midline, from
    /// below the hips to above the shoulders, closer than `torsoFront` to the spine's plane.
    static let torsoHalfWidth = 14.0, torsoFront = 15.0, torsoHeights = -5.0...48.0
    /// Largest stroke amplitude (a loud syllable of an energetic speaker), so stroke paths stay in reach.
    static let maxAmplitude = 1.5

    /// `p` moved out of the torso along the shorter way: forward to its front, or out to its side.
    static func outsideTorso(_ p: BodyPoint) -> BodyPoint {
        guard abs(p.x) < torsoHalfWidth, p.z < torsoFront, torsoHeights.contains(p.y) else { return p }
        var q = p
        if torsoFront - p.z <= torsoHalfWidth - abs(p.x) { q.z = torsoFront } else { q.x = p.x < 0 ? -torsoHalfWidth : torsoHalfWidth }
        return q
    }

    /// `p` (a left-side point, x ≥ 0 outside the midline) moved out of the torso box by a push that is continuous
    /// in `p`, unlike `outsideTorso`'s shorter-way choice: toward the side and the front faces, weighted by how
    /// near each is (a softmax over `pushSoftness` cm), scaled so the point reaches the nearer face; it fades
    /// out over `pushSoftness` cm at the box's top and bottom.
    static func pushedOutOfTorso(_ p: BodyPoint) -> BodyPoint {
        let side = torsoHalfWidth - abs(p.x), front = torsoFront - p.z
        let inY = min(p.y - torsoHeights.lowerBound, torsoHeights.upperBound - p.y)
        guard side > 0, front > 0, inY > 0 else { return p }
        let ws = exp(-side / pushSoftness), wf = exp(-front / pushSoftness)
        let ps = ws / (ws + wf), pf = wf / (ws + wf)
        let k = min(1, inY / pushSoftness) / max(ps, pf)
        var q = p
        q.x += (p.x < 0 ? -1 : 1) * ps * side * k
        q.z += pf * front * k
        return q
    }
    static let pushSoftness = 2.0

    /// How far `p` is outside the torso box of `outsideTorso` (cm; 0 inside), a continuous function of `p`.
    static func distanceOutsideTorso(_ p: BodyPoint) -> Double {
        let dx = max(0, abs(p.x) - torsoHalfWidth), dz = max(0, p.z - torsoFront)
        let dy = max(0, torsoHeights.lowerBound - p.y, p.y - torsoHeights.upperBound)
        return (dx * dx + dy * dy + dz * dz).squareRoot()
    }

    /// The style's gesture space applied to a kind's place: lateral and forward extents scaled about the chest,
    /// height shifted.
    func place(_ p: BodyPoint) -> BodyPoint {
        BodyPoint(p.x * style.spaceSize, p.y + style.spaceHeight, 11 + (p.z - 11) * style.spaceSize)
    }

    static func plan(prosody: ProsodicEvents, style: SpeakerStyle, rng: inout PCG32) -> GesturePlan {
        let duration = Double(prosody.frameCount) / prosody.fps
        var planner = GesturePlanner(style: style, duration: duration, rng: &rng)
        planner.speech = prosody.runs.map { Double($0.lowerBound) / prosody.fps...Double($0.upperBound) / prosody.fps }
        let units = planner.units(prosody)
        var unitTimes = [ClosedRange<Double>]()
        for (k, unit) in units.enumerated() {
            let chosen = planner.selectStrokes(prosody, frames: unit, rng: &rng)
            guard !chosen.isEmpty else { continue }
            let start = max(0, chosen[0].apex - 0.6)
            planner.performUnit(chosen, rng: &rng)
            let next = k + 1 < units.count ? Double(units[k + 1].lowerBound) / prosody.fps : nil
            let end = planner.finishUnit(speechEnd: Double(unit.upperBound) / prosody.fps, nextSpeech: next, rng: &rng)
            unitTimes.append(start...end)
        }
        let nods = planner.nods(prosody, rng: &rng)
        return GesturePlan(hands: planner.tracks, strokes: planner.strokes, nods: nods, lean: planner.lean, twist: planner.twist,
                           units: unitTimes, rests: planner.rests)
    }

    /// Seconds of [a, b] outside speech.
    func silence(from a: Double, to b: Double) -> Double {
        guard b > a else { return 0 }
        let spoken = speech.reduce(0.0) { $0 + max(0, min(b, $1.upperBound) - max(a, $1.lowerBound)) }
        return (b - a) - spoken
    }

    /// Speech runs joined across pauses shorter than the style's `retractPause`: each becomes a gesture unit.
    func units(_ prosody: ProsodicEvents) -> [Range<Int>] {
        let gap = Int((style.retractPause * prosody.fps).rounded())
        var out = [Range<Int>]()
        for r in prosody.runs {
            if let last = out.last, r.lowerBound - last.upperBound < gap {
                out[out.count - 1] = last.lowerBound..<r.upperBound
            } else {
                out.append(r)
            }
        }
        return out
    }

    /// The unit's most prominent syllables, strongest first, at least `minStrokeSpacing` apart, at most
    /// `rate` per second; returned in time order as (nucleus time, apex time, amplitude).
    func selectStrokes(_ prosody: ProsodicEvents, frames: Range<Int>, rng: inout PCG32) -> [(nucleus: Double, apex: Double, amplitude: Double)] {
        let fps = prosody.fps
        let candidates = prosody.nuclei.filter { frames.contains($0.frame) }
            .sorted { $0.prominence != $1.prominence ? $0.prominence > $1.prominence : $0.frame < $1.frame }
        let seconds = Double(frames.count) / fps
        let budget = max(1, Int((style.rate * seconds + Double(rng.uniformFloat()) - 0.5).rounded()))
        let spacing = Self.minStrokeSpacing * style.tempo
        var chosen = [ProsodicEvents.Nucleus]()
        for c in candidates where chosen.count < budget {
            // Unstressed syllables (well below the clip's average prominence) get no stroke, unless nothing else does.
            if c.prominence < -0.5 && !chosen.isEmpty { break }
            if chosen.allSatisfy({ abs(Double($0.frame - c.frame)) / fps >= spacing }) { chosen.append(c) }
        }
        return chosen.sorted { $0.frame < $1.frame }.map { c in
            let t = Double(c.frame) / fps
            let lead = Self.leadRange.lowerBound + (Self.leadRange.upperBound - Self.leadRange.lowerBound) * Double(rng.uniformFloat())
            // Louder syllables get bigger, faster strokes.
            let amplitude = min(Self.maxAmplitude, Self.strokeGain * style.energy * (0.15 + 0.85 * min(1.4, c.level)))
            return (t, t - lead, amplitude)
        }
    }

    // MARK: Gesture phrases and strokes

    private struct Phrase {
        var kind: GestureKind
        var hands: [HandSide]
        /// Apex place of each hand (signed x), and its posture.
        var places: [BodyPoint]
        var postures: [HandPosture]
    }

    private func drawPhrase(rng: inout PCG32) -> Phrase {
        func u(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * Double(rng.uniformFloat()) }
        let kind = SpeakerStyle.draw(GestureKind.self, weights: style.kinds, rng: &rng)
        let dominant = HandSide(style.dominantHand)
        let one = Double(rng.uniformFloat()) < style.dominance ? dominant : dominant.other
        let hands: [HandSide]
        switch kind.hands {
        case .two: hands = [.left, .right]
        case .one: hands = [one]
        case .either: hands = Double(rng.uniformFloat()) < style.twoHanded ? [.left, .right] : [one]
        }
        let base = place(kind.location(rng: &rng))
        let posture = kind.posture(style: style, rng: &rng)
        var places = [BodyPoint](), postures = [HandPosture]()
        for side in HandSide.allCases {
            // Two hands are not perfectly symmetric.
            let jitter = hands.count == 2 && side == .right ? BodyPoint(u(-1.5, 1.5), u(-1.5, 1.5), u(-1.5, 1.5)) : .zero
            places.append(Self.mirror(base + jitter, side))
            postures.append(posture)
        }
        return Phrase(kind: kind, hands: hands, places: places, postures: postures)
    }

    private mutating func performUnit(_ chosen: [(nucleus: Double, apex: Double, amplitude: Double)], rng: inout PCG32) {
        var phrase: Phrase?
        var previousApex = -Double.infinity
        for (k, s) in chosen.enumerated() {
            let next = k + 1 < chosen.count ? chosen[k + 1].apex : nil
            let newPhrase = phrase == nil || s.apex - previousApex > 1.3 || rng.uniformFloat() < 0.4
            if newPhrase { phrase = drawPhrase(rng: &rng) }
            guard var p = phrase else { continue }
            var done = [HandSide]()
            for side in p.hands {
                var place = p.places[side.rawValue]
                if !newPhrase {
                    // A superimposed beat: about the same place.
                    place += BodyPoint(Double(rng.uniformFloat()) * 3 - 1.5, Double(rng.uniformFloat()) * 3 - 1.5, Double(rng.uniformFloat()) * 2 - 1)
                    p.places[side.rawValue] = place
                }
                if stroke(side, kind: p.kind, first: newPhrase, apex: s.apex, place: place, posture: p.postures[side.rawValue],
                          amplitude: s.amplitude * (newPhrase ? 1 : 0.75), nextApex: next, rng: &rng) {
                    done.append(side)
                }
            }
            phrase = p
            guard !done.isEmpty else { continue }
            // The hand left out of a one-handed gesture moves along a little (a sympathetic echo of the stroke).
            if p.hands.count == 1, modes[p.hands[0].other.rawValue] == .passive {
                echo(p.hands[0].other, apex: s.apex + 0.04, amplitude: 0.5 * s.amplitude)
            }
            if newPhrase {
                // The other hand waits in a passive pose; the torso turns a little toward a single gesturing hand.
                if p.hands.count == 1 { relax(p.hands[0].other, by: s.apex - 0.3) }
                let t = max(0, s.apex - 0.6)
                twist.move(to: p.hands.count == 1 ? 6 * p.hands[0].sign : 0, start: t, duration: 0.6 * style.tempo)
                if lean.lastValue < style.lean { lean.move(to: style.lean, start: t, duration: 0.8) }
            }
            strokes.append(PlannedStroke(apex: s.apex, nucleus: s.nucleus, kind: p.kind, hands: done, first: newPhrase))
            previousApex = s.apex
        }
    }

    /// Schedules preparation, stroke and (for beat-like strokes) the rebound of one hand. Returns false when there
    /// is no time for it since the hand's previous movement.
    private mutating func stroke(_ side: HandSide, kind: GestureKind, first: Bool, apex: Double, place: BodyPoint,
                                 posture: HandPosture, amplitude e: Double, nextApex: Double?, rng: inout PCG32) -> Bool {
        let i = side.rawValue
        let free = tracks[i].last.time
        let superimposed = !first && kind != .cyclic
        // Forceful strokes are quicker too: duration shrinks as the amplitude (the syllable's loudness) grows.
        let force = max(0.8, min(1.2, 1.2 - 0.3 * e / style.energy))
        var strokeTime = Self.strokeTimeScale * (superimposed ? Self.beatStroke : kind.strokeSeconds) * style.tempo * (kind == .cyclic ? 1 : force)
        let offset = superimposed ? BodyPoint(0, 11, -3) : kind.strokeStart
        let startPoint = Self.outsideTorso(place + Self.mirror(offset * e, side))
        let distance = (startPoint - tracks[i].last.position).length
        let preparation = (superimposed ? Self.beatPreparation : Self.basePreparation + Self.preparationPerCentimetre * distance) * style.tempo
        // Not enough room: shorten the stroke down to 60 %, then give up on this hand. A hand leaving rest needs a
        // real preparation.
        let minPreparation = modes[i] == .rest ? Self.minPreparationFromRest : Self.minPreparation
        if apex - strokeTime - free < minPreparation { strokeTime = max(0.6 * strokeTime, apex - free - minPreparation) }
        guard apex - strokeTime - free >= minPreparation, apex < duration + 0.5 else { return false }
        let strokeStart = apex - strokeTime
        let prepStart: Double
        if modes[i] == .active && silence(from: free, to: strokeStart) < Self.pauseHold {
            // Fluent speakers keep moving (Kendon 2004): after a short post-stroke hold the preparation of the next
            // stroke takes the rest of the gap, passing through a relaxed, lower point on long ones.
            prepStart = min(max(free, strokeStart - preparation), free + style.postHold * (0.5 + Double(rng.uniformFloat())))
        } else {
            // From rest, or across a pause in the speech: the hand holds and prepares just in time.
            prepStart = max(free, strokeStart - preparation)
        }
        tracks[i].hold(until: prepStart)
        let gap = strokeStart - prepStart
        if gap > Self.longPreparation {
            let from = tracks[i].last.position
            let ways = gap > 2 * Self.longPreparation ? 2 : 1
            let heading = (startPoint - from) / gap
            for w in 1...ways {
                let fraction = Double(w) / Double(ways + 1)
                let sink = BodyPoint(Double(rng.uniformFloat()) * 6 - 3, -3 - 6 * Double(rng.uniformFloat()), Double(rng.uniformFloat()) * 5 - 3)
                let via = Self.outsideTorso(from + (startPoint - from) * fraction + Self.mirror(sink, side))
                let relaxed = HandPosture.blend(tracks[i].last.posture, PassivePose.posture, 0.4)
                tracks[i].append(.init(time: prepStart + gap * fraction, position: via, velocity: heading, posture: relaxed))
            }
        }
        if kind == .cyclic && first {
            cycle(i, side: side, apex: apex, place: place, posture: posture, radius: 4.5 * e, start: strokeStart)
        } else {
            // The preparation flows into the stroke: the hand is already moving toward the apex at its start. The
            // fingers gather during the preparation and open into the stroke's hand shape.
            let flow = (place - startPoint) * (0.25 / strokeTime)
            var gathered = posture
            gathered.shape = posture.shape.curled(by: superimposed ? 12 : 25)
            tracks[i].append(.init(time: strokeStart, position: startPoint, velocity: flow, posture: gathered))
            tracks[i].append(.init(time: apex, position: place, posture: posture))
        }
        if let r = kind.rebound ?? (superimposed ? BodyPoint(0, 1.5, 0.5) : nil), nextApex.map({ $0 - apex > 0.55 }) ?? true {
            tracks[i].append(.init(time: apex + 0.15 * style.tempo, position: Self.outsideTorso(place + Self.mirror(r * e, side)), posture: posture))
        }
        modes[i] = .active
        return true
    }

    /// Cyclic gesture: about two forward-rolling circles in the hand's sagittal plane, ending on the apex at the
    /// circle's bottom. Keys every 45° carry the circle's tangent velocity; the last quarter slows to a stop.
    private mutating func cycle(_ i: Int, side: HandSide, apex: Double, place: BodyPoint, posture: HandPosture, radius r: Double, start: Double) {
        let centre = place + BodyPoint(0, r, 0)
        let steps = 14  // 45° each: 1.75 turns
        let total = apex - start
        let dt = total / (Double(steps) + 0.5)   // the final quarter takes 1.5 steps' time
        let omega = -(Double.pi / 4) / dt         // forward roll: the angle decreases
        func point(_ theta: Double) -> BodyPoint { Self.outsideTorso(centre + BodyPoint(0, sin(theta), cos(theta)) * r) }
        func velocity(_ theta: Double) -> BodyPoint { BodyPoint(0, cos(theta), -sin(theta)) * (r * omega) }
        let end = -Double.pi / 2
        for k in 0..<(steps - 1) {
            let theta = end + Double(steps - k) * .pi / 4
            tracks[i].append(.init(time: start + Double(k) * dt, position: point(theta), velocity: velocity(theta), posture: posture))
        }
        tracks[i].append(.init(time: apex, position: place, posture: posture))
    }

    /// A small down-and-back movement of a passive hand ending at `apex`, if there is room for it.
    private mutating func echo(_ side: HandSide, apex: Double, amplitude e: Double) {
        let i = side.rawValue
        let start = apex - 0.2 * style.tempo
        guard start - tracks[i].last.time > 0.1 else { return }
        let home = Self.mirror(PassivePose.place, side)
        tracks[i].hold(until: start - 0.15)
        tracks[i].append(.init(time: start, position: home + BodyPoint(0, 10, -2) * e, posture: PassivePose.posture))
        tracks[i].append(.init(time: apex, position: home, posture: PassivePose.posture))
    }

    /// Small adjustments of the hands at rest (self-adaptors, Ekman & Friesen 1969) every 2.5–5 s between
    /// `start` and `end`: people at rest are rarely still.
    private mutating func fidget(from start: Double, to end: Double, rng: inout PCG32) {
        func u(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * Double(rng.uniformFloat()) }
        var t = start + u(0.8, 2.5)
        while t + 1.0 < end {
            let d = u(0.6, 1.0)
            let shared = BodyPoint(u(-2.5, 2.5), u(-2, 2), u(-2, 2))
            for side in HandSide.allCases {
                // Hands held together move together; hanging hands move on their own.
                let offset = rest == .hanging ? BodyPoint(u(-2.5, 2.5), u(-2, 2), u(-2, 2)) : shared
                tracks[side.rawValue].hold(until: t)
                tracks[side.rawValue].append(.init(time: t + d, position: Self.mirror(rest.place + offset, side), posture: rest.posture))
            }
            t += d + u(2.5, 5)
        }
    }

    /// Sends a hand that is not in the current phrase to the passive pose, arriving by `time` if it can.
    private mutating func relax(_ side: HandSide, by time: Double) {
        let i = side.rawValue
        guard modes[i] == .active else { return }
        let start = max(tracks[i].last.time, time - 0.6 * style.tempo)
        tracks[i].hold(until: start)
        tracks[i].append(.init(time: start + 0.6 * style.tempo, position: Self.mirror(PassivePose.place, side), posture: PassivePose.posture))
        modes[i] = .passive
    }

    /// Ends a unit: hold, then retract to a rest pose (a new one is drawn for each silence), or, when speech
    /// resumes too soon for a full retraction, only to the passive pose. Returns when the hands arrive.
    private mutating func finishUnit(speechEnd: Double, nextSpeech: Double?, rng: inout PCG32) -> Double {
        let free = max(tracks[0].last.time, tracks[1].last.time)
        let start = max(free + Self.postStrokeHold * style.tempo, speechEnd - 0.1)
        let retraction = Self.retraction * style.tempo * (0.85 + 0.3 * Double(rng.uniformFloat()))
        let partial = nextSpeech.map { $0 - (start + retraction) < 0.9 } ?? false
        lean.move(to: 0, start: start, duration: 1.0)
        twist.move(to: 0, start: start, duration: 1.0)
        if partial {
            for side in HandSide.allCases {
                tracks[side.rawValue].hold(until: start)
                tracks[side.rawValue].append(.init(time: start + retraction, position: Self.mirror(PassivePose.place, side),
                                                   posture: PassivePose.posture))
                modes[side.rawValue] = .passive
            }
            return start + retraction
        }
        rest = SpeakerStyle.draw(RestPose.self, weights: style.rests, rng: &rng)
        rests.append(rest)
        for side in HandSide.allCases {
            tracks[side.rawValue].hold(until: start)
            tracks[side.rawValue].append(.init(time: start + retraction, position: Self.mirror(rest.place, side), posture: rest.posture))
            modes[side.rawValue] = .rest
        }
        // A long silence: now and then the speaker changes rest pose halfway through it.
        let silenceEnd = nextSpeech ?? duration
        let arrived = start + retraction
        if silenceEnd - arrived > 5, rng.uniformFloat() < 0.5 {
            let change = SpeakerStyle.draw(RestPose.self, weights: style.rests, rng: &rng)
            let t = (start + retraction + silenceEnd) / 2 - 0.6
            if change != rest {
                rest = change
                rests.append(change)
                for side in HandSide.allCases {
                    tracks[side.rawValue].hold(until: t)
                    tracks[side.rawValue].append(.init(time: t + 1.2, position: Self.mirror(change.place, side), posture: change.posture))
                }
            }
        }
        fidget(from: tracks[0].last.time, to: silenceEnd - 1.0, rng: &rng)
        return arrived
    }

    // MARK: Head nods

    /// Nods on prominent syllables (Hadar, Steiner, Grant & Rose 1983: head movements accompany stress), with the
    /// style's probability, 0.5 s apart at least; bigger for more prominent syllables.
    func nods(_ prosody: ProsodicEvents, rng: inout PCG32) -> [(time: Double, degrees: Double)] {
        var out = [(time: Double, degrees: Double)]()
        for n in prosody.nuclei where n.prominence > 0.3 {
            let draw = Double(rng.uniformFloat())
            let t = Double(n.frame) / prosody.fps
            guard draw < style.nodRate, out.last.map({ t - $0.time >= 0.5 }) ?? true else { continue }
            out.append((t, style.nodSize * (4 + 3 * min(2, n.prominence))))
        }
        return out
    }
}

extension GesturePlan {
    var summary: CorpusManifest.GestureSummary {
        var kinds = [String: Int]()
        for s in strokes { kinds[s.first ? s.kind.rawValue : GestureKind.beat.rawValue, default: 0] += 1 }
        return CorpusManifest.GestureSummary(units: units.count, strokes: kinds, twoHandedStrokes: strokes.filter { $0.hands.count == 2 }.count,
                                             nods: nods.count, rests: rests)
    }
}
