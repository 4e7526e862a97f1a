import A2MAudio
import A2MCore
import Foundation

/// One evaluation clip: its audio features, the ground-truth motion, and K generated motions for that audio.
public struct EvaluationClip: Sendable {
    public let name: String
    public let audio: SpeechFeatures
    public let groundTruth: JointPositions
    public let generated: [JointPositions]
    /// The same motions measured for `GestureStatistics` (nil / empty: the report has no gesture part).
    public let groundTruthGesture: GestureTake?
    public let generatedGesture: [GestureTake]

    public init(name: String, audio: SpeechFeatures, groundTruth: JointPositions, generated: [JointPositions],
                groundTruthGesture: GestureTake? = nil, generatedGesture: [GestureTake] = []) {
        self.name = name
        self.audio = audio
        self.groundTruth = groundTruth
        self.generated = generated
        self.groundTruthGesture = groundTruthGesture
        self.generatedGesture = generatedGesture
    }
}

/// Which joints and parameters the evaluation uses. Defaults follow the references cited on each metric.
public struct EvaluationSettings: Sendable {
    /// Joints whose speed minima are motion beats (BEAT/PantoMatrix use upper-body joints; a2m the wrists).
    var beatJoints: [Int]
    /// Joints whose summed speed is correlated with loudness (wrists and head).
    var correlationJoints: [Int]
    /// Joints whose speed relative to `rootJoint` measures rest in silence (`RestContrast`; the wrists).
    var restJoints: [Int]
    var rootJoint = 0
    var restWindowSeconds = RestContrast.defaultWindowSeconds
    package var sigma = BeatConsistency.defaultSigma
    var beatOrder = BeatConsistency.defaultOrder
    var maxLagSeconds = AudioMotionCorrelation.defaultMaxLagSeconds
    public var bootstrapResamples = 2000
    /// Resamples for the intervals of FID_k and the jerk and acceleration ratios, which recompute the statistic on
    /// every resample (FID_k: two eigen-decompositions of the feature covariance each).
    public var recomputedResamples = 200
    var confidence = 0.95
    public var seed: UInt64 = 0
    /// What the gesture statistics are compared with (`GestureReport`), and its name in reports.
    public var gestureReference = GestureReference.embedded
    public var gestureReferenceName = GestureReference.embeddedName

    public init(beatJoints: [Int], correlationJoints: [Int]) {
        self.beatJoints = beatJoints
        self.correlationJoints = correlationJoints
        self.restJoints = beatJoints
    }

    /// Wrists (LeftHand, RightHand) for beats; wrists and Head for correlation; nil if `names` lacks them.
    public init?(jointNames names: [String]) {
        guard let l = names.firstIndex(of: "LeftHand"), let r = names.firstIndex(of: "RightHand"),
              let h = names.firstIndex(of: "Head") else { return nil }
        self.init(beatJoints: [l, r], correlationJoints: [l, r, h])
    }
}

/// Every metric of docs/evaluation.md over a set of clips, with seeded bootstrap intervals and the
/// mismatched-audio control (generated motion of clip i scored against the audio of clip π(i)).
public struct EvaluationReport: Codable, Sendable, Equatable {
    public struct Aligned: Codable, Sendable, Equatable {
        /// Generated motion vs its own audio, ground truth vs its audio, generated motion vs another clip's audio.
        public let generated: Bootstrap.Interval
        public let groundTruth: Bootstrap.Interval
        public let mismatched: Bootstrap.Interval
    }
    public struct Smoothness: Codable, Sendable, Equatable {
        public let generated: Double
        public let groundTruth: Double
        /// generated / ground truth (1 = as smooth as the data).
        public let ratio: Double?
        /// Bootstrap interval of `ratio` over clips (paired: a resample draws a clip's generated and ground-truth
        /// motion together); nil in reports written before it existed, or when the ground truth does not move.
        public let ratioInterval: Bootstrap.Interval?
    }

    public let clips: Int
    public let samplesPerClip: Int
    public let beatConsistency: Aligned
    public let audioMotionCorrelation: Aligned
    /// `RestContrast`; nil (absent from the JSON) when no clip has both a silent and a speech window, for the
    /// generated motion, the ground truth or the mismatched pairs.
    public let restContrast: Aligned?
    public let kinetic: KineticFID.Result
    /// Bootstrap interval of FID_k over clips (`Bootstrap.resampledInterval`: its `mean` is `kinetic.fid`, and the
    /// resampled distances are biased upward by the repeated clips); nil in reports written before it existed.
    public let kineticFIDInterval: Bootstrap.Interval?
    public let jerk: Smoothness
    package let acceleration: Smoothness
    /// Gesture statistics of the generated motion and the ground truth against `EvaluationSettings.gestureReference`;
    /// nil (absent from the JSON) when the clips carry no `GestureTake`s.
    public let gesture: GestureReport?
}

public enum MotionEvaluation {
    public static func evaluate(_ clips: [EvaluationClip], settings: EvaluationSettings) throws -> EvaluationReport {
        guard clips.count >= 2 else { throw AnalysisError.invalidInput("evaluation needs at least 2 clips (for FID and the mismatched control), got \(clips.count)") }
        let k = clips[0].generated.count
        guard k >= 1, clips.allSatisfy({ $0.generated.count == k }) else {
            throw AnalysisError.invalidInput("every clip needs the same number (≥ 1) of generated samples")
        }
        let beat = { (p: JointPositions, a: SpeechFeatures) -> Double? in
            BeatConsistency.clipScore(positions: p, joints: settings.beatJoints, audioBeats: a.onsetTimes.filter { $0 <= p.duration },
                                      sigma: settings.sigma, order: settings.beatOrder)
        }
        let corr = { (p: JointPositions, a: SpeechFeatures) -> Double? in
            let n = min(p.frameCount, a.frameCount)
            return AudioMotionCorrelation.score(positions: p.prefix(frames: n), joints: settings.correlationJoints,
                                                loudness: Array(a.rms[0..<n]), maxLagSeconds: settings.maxLagSeconds)?.value
        }
        let rest = { (p: JointPositions, a: SpeechFeatures) -> Double? in
            RestContrast.score(positions: p, joints: settings.restJoints, root: settings.rootJoint, active: a.active,
                               windowSeconds: settings.restWindowSeconds)
        }
        let pairing = try MismatchedAudio.pairing(count: clips.count, seed: settings.seed)
        /// Per-clip scores of the generated motion, the ground truth and the mismatched pairs; a clip's generated
        /// value is the mean over its K samples, so every clip weighs the same.
        func scores(_ score: (JointPositions, SpeechFeatures) -> Double?) -> [(what: String, values: [Double])] {
            var gen = [Double](), gt = [Double](), mis = [Double]()
            for (i, c) in clips.enumerated() {
                let g = c.generated.compactMap { score($0, c.audio) }
                if !g.isEmpty { gen.append(g.reduce(0, +) / Double(g.count)) }
                if let s = score(c.groundTruth, c.audio) { gt.append(s) }
                let m = c.generated.compactMap { score($0, clips[pairing[i]].audio) }
                if !m.isEmpty { mis.append(m.reduce(0, +) / Double(m.count)) }
            }
            return [("generated", gen), ("ground-truth", gt), ("mismatched", mis)]
        }
        func interval(_ lists: [(what: String, values: [Double])], seedOffset: UInt64) throws -> EvaluationReport.Aligned {
            let ci = { (i: Int) in
                try Bootstrap.meanInterval(lists[i].values, resamples: settings.bootstrapResamples, confidence: settings.confidence,
                                           seed: settings.seed &+ seedOffset &+ UInt64(i))
            }
            return .init(generated: try ci(0), groundTruth: try ci(1), mismatched: try ci(2))
        }
        func aligned(_ metric: String, _ score: (JointPositions, SpeechFeatures) -> Double?, seedOffset: UInt64) throws -> EvaluationReport.Aligned {
            let lists = scores(score)
            for (what, xs) in lists where xs.isEmpty {
                throw AnalysisError.invalidInput("no clip has a \(metric) score for the \(what) motion (no audio onsets, no motion beats, or constant speed)")
            }
            return try interval(lists, seedOffset: seedOffset)
        }
        // Rest in silence needs pauses of half a second, which a dataset may not have: then it is left out
        // rather than failing the other metrics.
        let restLists = scores(rest)
        let restContrast = restLists.allSatisfy { !$0.values.isEmpty } ? try interval(restLists, seedOffset: 20) : nil
        let truth = clips.map(\.groundTruth)
        let generatedKinetic = clips.map { $0.generated.map(KineticFeatures.vector) }, truthKinetic = truth.map(KineticFeatures.vector)
        let kinetic = try KineticFID.evaluate(generated: generatedKinetic.flatMap { $0 }, groundTruth: truthKinetic)
        let fidInterval = try Bootstrap.resampledInterval(count: clips.count, point: kinetic.fid, resamples: settings.recomputedResamples,
                                                          confidence: settings.confidence, seed: settings.seed &+ 30) { idx in
            try? KineticFID.evaluate(generated: idx.flatMap { generatedKinetic[$0] }, groundTruth: idx.map { truthKinetic[$0] }).fid
        }
        func smooth(_ f: (JointPositions) -> Double, seedOffset: UInt64) throws -> EvaluationReport.Smoothness {
            // Per clip: the mean over its K samples, and its ground truth; every clip weighs the same.
            let gen = clips.map { c in c.generated.map(f).reduce(0, +) / Double(c.generated.count) }, gt = truth.map(f)
            let g = gen.reduce(0, +) / Double(gen.count), t = gt.reduce(0, +) / Double(gt.count)
            let ratio = MotionSmoothness.ratio(g, to: t)
            let interval = try ratio.map { point in
                try Bootstrap.resampledInterval(count: clips.count, point: point, resamples: settings.recomputedResamples,
                                                confidence: settings.confidence, seed: settings.seed &+ seedOffset) { idx in
                    MotionSmoothness.ratio(idx.reduce(0) { $0 + gen[$1] }, to: idx.reduce(0) { $0 + gt[$1] })
                }
            }
            return .init(generated: g, groundTruth: t, ratio: ratio, ratioInterval: interval)
        }
        var gesture: GestureReport?
        if clips.allSatisfy({ $0.groundTruthGesture != nil && $0.generatedGesture.count == k }) {
            gesture = GestureReport(generated: clips.flatMap(\.generatedGesture), groundTruth: clips.compactMap(\.groundTruthGesture),
                                    reference: settings.gestureReference, referenceName: settings.gestureReferenceName)
        }
        return EvaluationReport(clips: clips.count, samplesPerClip: k,
                                beatConsistency: try aligned("beat consistency", beat, seedOffset: 0),
                                audioMotionCorrelation: try aligned("audio–motion correlation", corr, seedOffset: 10),
                                restContrast: restContrast,
                                kinetic: kinetic, kineticFIDInterval: fidInterval, jerk: try smooth(MotionSmoothness.meanJerk, seedOffset: 40),
                                acceleration: try smooth(MotionSmoothness.meanAcceleration, seedOffset: 50), gesture: gesture)
    }
}
