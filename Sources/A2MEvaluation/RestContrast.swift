import Foundation

/// Rest in silence: whether a motion's hands are stiller where its audio is silent than where it speaks.
///
/// An a2m diagnostic, not a published benchmark number (like `AudioMotionCorrelation`), and the paired
/// counterpart of FID_k: FID_k compares per-clip feature distributions and ignores which audio a clip was made
/// for, so a model that ignores the audio scores as well as one that follows it (docs/design.md §7;
/// docs/model_card.md, "Limits"). This metric asks where in the clip the motion happens.
///
/// Per clip: cut the frames into consecutive windows of `windowSeconds` (a last, shorter remainder is dropped);
/// label a window silent when under `silentBelow` of its frames are active (`SpeechFeatures.active`), speech
/// when over `speechAbove` are, and leave the rest out. s and v are the means over silent and over speech
/// windows of the window's mean speed of the wrists relative to the root (so a weight shift of the whole body
/// does not count). The score is the contrast (v − s) / (v + s): 0 when the hands move alike in silence and in
/// speech, which is what motion scored against another clip's audio gives, 1 when they are still in every
/// silence, and negative when they move more in silence. `docs/scripts/motion_diagnosis.py rest` reports the
/// ratio s / v instead, pooled over clips with its own loudness threshold; a contrast c is the ratio
/// (1 − c) / (1 + c).
///
/// Limitations: a clip without both a silent and a speech window has no score (speech with pauses shorter than
/// half a second, or none). What it rewards is a property of the data: the corpus's speakers rest in silence by
/// construction (docs/corpus.md). Real speakers often gesture through a pause, so compare a model with its
/// ground truth and the mismatched control, not with 1.
enum RestContrast {
    static let defaultWindowSeconds = 0.5
    /// A window is silent below this share of active frames, and speech above `speechAbove`.
    static let silentBelow = 0.2
    static let speechAbove = 0.8

    enum Label: Equatable, Sendable { case silent, speech, mixed }

    /// (label, first frame) of every whole window of `frames` frames, labelled by `active[0..<frames]`.
    static func windows(active: [Bool], frames: Int, windowFrames w: Int) -> [(label: Label, start: Int)] {
        let n = min(frames, active.count)
        guard w >= 1 else { return [] }
        return stride(from: 0, through: n - w, by: w).map { s in
            let share = Double(active[s..<s + w].filter { $0 }.count) / Double(w)
            return (share < silentBelow ? .silent : share > speechAbove ? .speech : .mixed, s)
        }
    }

    /// The contrast for `positions` against the activity `active` (cut to the shorter of the two), or nil when
    /// the clip lacks a silent or a speech window, the hands never move, or `windowSeconds` is not a positive
    /// finite number.
    static func score(positions p: JointPositions, joints: [Int], root: Int, active: [Bool],
                             windowSeconds: Double = defaultWindowSeconds) -> Double? {
        guard windowSeconds.isFinite, windowSeconds > 0 else { return nil }
        let n = min(p.frameCount, active.count)
        // Capped so that a huge window cannot overflow Int; it then fits no clip and gives no score.
        let w = max(1, Int(min(windowSeconds * p.fps, Double(n + 1)).rounded()))
        let speed = p.speed(joints: joints, relativeTo: root)
        var silent = (sum: 0.0, windows: 0), speech = (sum: 0.0, windows: 0)
        for (label, s) in windows(active: active, frames: n, windowFrames: w) where label != .mixed {
            let mean = speed[s..<s + w].reduce(0) { $0 + Double($1) } / Double(w)
            if label == .silent { silent.sum += mean; silent.windows += 1 } else { speech.sum += mean; speech.windows += 1 }
        }
        guard silent.windows > 0, speech.windows > 0 else { return nil }
        let s = silent.sum / Double(silent.windows), v = speech.sum / Double(speech.windows)
        guard s + v > 0 else { return nil }
        return (v - s) / (v + s)
    }
}
