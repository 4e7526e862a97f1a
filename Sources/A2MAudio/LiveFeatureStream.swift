import A2MCore

/// The motion-aligned features of audio that arrives while it is being used (`a2m stream`): samples go in as they
/// come (`feed`), feature rows come out as soon as their STFT window is complete (`take`). With prosody in the
/// config the rows are `featureDim` wide (log-mel, then the prosody columns, assembled by the file path's
/// `FeatureAssembler`; unvoiced log-F0 is handed out as the normalized mean, as there).
///
/// Every row is computed by the same code as `AudioFeatureStream` (`MelPowerStream`, `MotionAlignment`), with
/// two differences a live source forces:
/// - librosa's `power_to_db(top_db=80)` floor is the whole file's peak − 80 dB; here it is the peak *so far*
///   − 80 dB, so a row computed before a louder passage is floored lower than the file path would floor it
///   (only rows more than 80 dB below the eventual peak differ; speech rarely has any);
/// - audio at another rate than the model's is resampled in `Resampler.chunk`-sample pieces (libsoxr HQ), which
///   holds back up to one piece (8192 samples, 0.19 s at 44.1 kHz) plus the filter's delay: feed the model's
///   rate (`AudioFeatureConfig.sampleRate`) for the lowest latency.
/// A row j of the motion frame rate needs the audio up to j/fps + nFFT/2 samples (the centred STFT window:
/// 33 ms for the model's front end).
public final class LiveFeatureStream {
    public let inputRate: Int
    public let fps: Double
    public let bins: Int
    public let source: String
    let extractor: LogMelExtractor
    let normalization: NormalizationStats?
    private let mel: MelPowerStream
    private var assembler: FeatureAssembler
    private var resampler: ResamplerStream?
    /// Input samples (mono) seen.
    public private(set) var inputSamples = 0
    /// Log-mel rows from `melStart` on (log scale, before the floor).
    private var melRows: [Float] = []
    private var melStart = 0
    private var peak: Float?
    /// Motion frames handed out by `take`.
    public private(set) var taken = 0
    private var ended = false
    private var total: Int?

    public init(inputRate: Int, config: AudioFeatureConfig = .model, fps: Double = 30, normalization: NormalizationStats? = nil,
                source: String = "<stdin>") throws {
        guard AudioFile.sampleRateRange.contains(inputRate) else { throw AudioError.invalidSampleRate(file: source, rate: inputRate) }
        extractor = try LogMelExtractor(config)
        precondition(normalization.map { $0.featureDim == config.featureDim } ?? true, "normalization does not match the front end")
        self.inputRate = inputRate
        self.fps = fps
        self.normalization = normalization
        self.source = source
        bins = config.featureDim
        assembler = FeatureAssembler(extractor)
        let mel = MelPowerStream.live(extractor: extractor)
        self.mel = mel
        if inputRate != config.sampleRate {
            resampler = try ResamplerStream(from: inputRate, to: config.sampleRate, source: source) { mel.feed($0) }
        }
    }

    /// Mono samples at `inputRate`, in [−1, 1].
    public func feed(_ samples: [Float]) throws {
        precondition(!ended, "LiveFeatureStream.feed after end")
        inputSamples += samples.count
        if let resampler { try resampler.feed(samples) } else { mel.feed(samples[...]) }
        collect()
    }

    /// The audio has ended: computes the last rows (the signal zero-padded as the file path pads it). Throws when
    /// the whole stream is shorter than one STFT window.
    public func end() throws {
        guard !ended else { return }
        ended = true
        try resampler?.finish()
        let n = Resampler.outputLength(inputLength: inputSamples, from: inputRate, to: extractor.config.sampleRate)
        try mel.complete(length: n, source: source)
        collect()
        total = try extractor.motionFrames(sourceFrames: inputSamples, sourceRate: inputRate, source: source, fps: fps)
    }

    private func collect() {
        let (first, analysis) = mel.take()
        guard !analysis.isEmpty else { return }
        precondition(first == melStart + melRows.count / bins && first == assembler.nextFrame, "feature frames out of order")
        let rows = assembler.assemble(analysis)
        if let m = extractor.melPeak(rows) { peak = max(peak ?? m, m) }
        melRows += rows
    }

    /// Normalized feature rows [n, bins] for the next n motion frames whose audio is complete (all remaining
    /// frames after `end`).
    public func take() -> [Float] {
        let melFrames = melStart + melRows.count / bins
        let rate = extractor.config.frameRate
        var last = taken
        if let total {
            last = total
        } else {
            // Frame j is ready when both feature frames it reads are computed (and no later frame changes them).
            while MotionAlignment.source(of: last, featureRate: rate, fps: fps, featureFrames: Int.max).i1 < melFrames { last += 1 }
        }
        guard last > taken, melFrames > 0 else { return [] }
        var out = [Float](repeating: 0, count: (last - taken) * bins)
        let bins = bins, start = melStart
        melRows.withUnsafeBufferPointer { m in
            out.withUnsafeMutableBufferPointer { o in
                for (k, j) in (taken..<last).enumerated() {
                    MotionAlignment.alignedRow(j, featureRate: rate, fps: fps, featureFrames: melFrames, bins: bins,
                                               rowAt: { i in m.baseAddress! + (i - start) * bins }, into: o.baseAddress! + k * bins)
                }
            }
        }
        if let floor = extractor.logFloor(peak: peak) { extractor.clampMel(&out, to: floor) }
        normalization?.normalizeFillingMissing(&out)
        taken = last
        // Keep the feature frames the next motion frame may read.
        let keep = MotionAlignment.source(of: taken, featureRate: rate, fps: fps, featureFrames: Int.max).i0 - 1
        if keep - melStart >= 256 {
            melRows.removeFirst((keep - melStart) * bins)
            melStart = keep
        }
        return out
    }
}
