import Foundation

/// Turns analysis rows (`LogMelExtractor.analyze`: a frame's mel power, then its rms, YIN f0 and pYIN voicing
/// when the config needs them) into feature rows (the log-mel, then the config's prosody columns in order),
/// frame after frame. Onset strength reads the dB mel of the frames before its own, so the assembler keeps the
/// last few: rows may arrive in pieces of any size (a stream) and come out the same as all at once.
///
/// The log-mel columns are on the config's log scale but not yet floored at top_db: the floor depends on the
/// whole file's peak (`LogMelExtractor.clampMel`). A log-mel-only config passes its rows through
/// `logScale` in place, exactly as before prosody existed.
struct FeatureAssembler {
    let extractor: LogMelExtractor
    /// dB mel rows of the last `onsetDelay` frames, oldest first (only when the config has `onset`).
    private var history: [[Float]] = []
    private(set) var nextFrame = 0

    init(_ extractor: LogMelExtractor) { self.extractor = extractor }

    /// librosa `onset_strength(center=True, lag=1)` pads its envelope by lag + n_fft // (2·hop) frames, so frame t
    /// reads the flux from frame t − delay to t − delay + 1; earlier frames are 0.
    static func onsetDelay(_ c: AudioFeatureConfig) -> Int { 1 + c.nFFT / (2 * c.hopLength) }

    /// The feature rows of the analysis rows of the next frames.
    mutating func assemble(_ analysis: [Float]) -> [Float] {
        let c = extractor.config
        if c.prosody.isEmpty {
            var rows = analysis
            extractor.logScale(&rows)
            nextFrame += rows.count / c.nMels
            return rows
        }
        let width = extractor.analysisWidth, dim = c.featureDim, nMels = c.nMels
        precondition(analysis.count % width == 0, "analysis rows are not whole frames")
        let frames = analysis.count / width
        var out = [Float](repeating: 0, count: frames * dim)
        let delay = Self.onsetDelay(c)
        let wantsOnset = c.prosody.contains(.onset)
        for f in 0..<frames {
            let a = f * width, o = f * dim
            var mel = Array(analysis[a..<(a + nMels)])
            if wantsOnset {
                // power_to_db(ref=1, amin=1e-10, top_db=None), in float32 as librosa.
                history.append(mel.map { 10 * log10(max(Float(1e-10), $0)) })
                if history.count > delay + 1 { history.removeFirst() }
            }
            extractor.logScale(&mel)
            for b in 0..<nMels { out[o + b] = mel[b] }
            for (k, feature) in c.prosody.enumerated() {
                out[o + nMels + k] = value(feature, analysis: analysis, at: a)
            }
            if wantsOnset, let k = c.prosody.firstIndex(of: .onset) {
                out[o + nMels + k] = onset(delay: delay)
            }
            nextFrame += 1
        }
        return out
    }

    /// A frame-local prosody value from its analysis row at `a`.
    private func value(_ feature: ProsodyFeature, analysis: [Float], at a: Int) -> Float {
        let l = extractor.analysisLayout
        switch feature {
        case .rmsDB:
            // amplitude_to_db(rms, ref=1, amin=1e-5, top_db=None) = power_to_db(rms², amin=1e-10).
            let r = analysis[a + l.rms!]
            return 10 * log10(max(Float(1e-10), r * r))
        case .voicing:
            return analysis[a + l.pitch! + 1]
        case .logF0:
            let f0 = Double(analysis[a + l.pitch!]), voicing = analysis[a + l.pitch! + 1]
            guard voicing >= ProsodyFeature.voicedThreshold else { return .nan }
            return Float(12 * (log2(f0) - log2(440.0)) + 69)   // librosa.hz_to_midi
        case .onset:
            return 0   // set from the history by `assemble`
        }
    }

    /// Mean over mel bands of max(0, dB[t − delay + 1] − dB[t − delay]) for the frame just added to `history`.
    private func onset(delay: Int) -> Float {
        guard nextFrame >= delay else { return 0 }
        let older = history[0], newer = history[1]
        var sum: Float = 0
        for b in older.indices { sum += max(0, newer[b] - older[b]) }
        return sum / Float(older.count)
    }
}
