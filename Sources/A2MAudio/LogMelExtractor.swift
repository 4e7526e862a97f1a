import A2MCore
import CFFTW
import Foundation

/// Log-mel features of mono PCM, matching librosa 0.10.x:
///
///     S = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=n_fft, hop_length=hop, win_length=win,
///                                        window='hann', center=True, pad_mode='constant', power=2.0,
///                                        n_mels=n_mels, fmin=fmin, fmax=fmax)      # htk=False, norm='slaney'
///     librosa.power_to_db(S, ref=1.0, amin=epsilon, top_db=topDB)                  # or log(S + epsilon)
///
/// Frames: the signal is zero-padded by n_fft/2 on both sides; frame t is centered on sample t·hop, and
/// there are 1 + len / hop of them. Window: periodic Hann of winLength (scipy `get_window('hann', N,
/// fftbins=True)`), centered in n_fft. Arithmetic is float32 (FFTW r2c), as librosa's on float32 input;
/// differences are rounding only (see docs/audio.md for the measured error).
///
/// Frames are split over `Threads.count` workers (`parallelFor`); the result does not depend on the split.
/// Thread safety: immutable; every call allocates its own FFT buffers and the shared FFTW plan is
/// executed with new arrays, which FFTW documents as thread-safe. One extractor can serve many threads.
public final class LogMelExtractor: Sendable {
    public let config: AudioFeatureConfig
    let filterbank: MelFilterbank
    /// n_fft samples: the Hann window, zero-padded to n_fft when winLength < n_fft.
    let window: [Float]
    let plan: FFTPlan
    /// YIN / pYIN, when the config's prosody needs them.
    let pitch: PitchTracker?
    /// Where the frame-local measurements sit in an analysis row (after the nMels mel powers).
    let analysisLayout: AnalysisLayout

    /// Columns of an analysis row: nMels mel powers, then the frame's rms (for `rmsDB`) and YIN f0 and pYIN
    /// voicing (for `logF0` and `voicing`) when the config asks for them.
    struct AnalysisLayout: Sendable {
        var rms: Int?
        var pitch: Int?
        var width: Int
    }

    /// Validates `config` (errors name `configFile`) and prepares the window, filterbank and FFT plan.
    public init(_ config: AudioFeatureConfig, configFile: String = "<config>") throws {
        try config.validate(file: configFile)
        self.config = config
        filterbank = MelFilterbank(config: config)
        window = Self.periodicHann(length: config.effectiveWinLength, paddedTo: config.nFFT)
        plan = FFTPlan.realToComplex(size: config.nFFT)
        let needsPitch = config.prosody.contains(where: \.needsPitch)
        pitch = needsPitch ? PitchTracker(config: config) : nil
        var layout = AnalysisLayout(rms: nil, pitch: nil, width: config.nMels)
        if config.prosody.contains(.rmsDB) { layout.rms = layout.width; layout.width += 1 }
        if needsPitch { layout.pitch = layout.width; layout.width += 2 }
        analysisLayout = layout
    }

    /// Values per analysis row (`analyze`): nMels, plus the frame-local measurements.
    var analysisWidth: Int { analysisLayout.width }

    /// scipy.signal.get_window('hann', N, fftbins=True), centered in `n` (librosa `pad_center`).
    static func periodicHann(length: Int, paddedTo n: Int) -> [Float] {
        var w = [Float](repeating: 0, count: n)
        let left = (n - length) / 2
        for i in 0..<length { w[left + i] = Float(0.5 - 0.5 * cos(2 * Double.pi * Double(i) / Double(length))) }
        return w
    }

    /// Feature frames for `samples` samples: 1 + samples / hop (center=True).
    public func frameCount(samples: Int) -> Int { 1 + samples / config.hopLength }

    /// Mel power spectrogram, frames × nMels, of a signal already at `config.sampleRate`.
    func melPower(_ samples: [Float], source: String = "<memory>") throws -> FeatureMatrix {
        try analysis(samples, source: source, measure: false)
    }

    /// Analysis rows of every STFT frame (mel power, plus the frame-local measurements when `measure`).
    func analysis(_ samples: [Float], source: String, measure: Bool) throws -> FeatureMatrix {
        let nFFT = config.nFFT
        guard samples.count >= nFFT else {
            throw AudioError.tooShort(file: source, samples: samples.count, required: nFFT, sampleRate: config.sampleRate)
        }
        let frames = frameCount(samples: samples.count)
        var out = FeatureMatrix(frames: frames, bins: measure ? analysisWidth : config.nMels)
        samples.withUnsafeBufferPointer { x in
            out.values.withUnsafeMutableBufferPointer { o in
                let rows = SendableBuffer(o)
                let signal = SendableBuffer(UnsafeMutablePointer(mutating: x.baseAddress!), count: x.count)
                // Frames are independent, so any split over threads gives the same bytes.
                parallelFor(frames, minChunk: 128) { range in
                    self.analyze(frames: range, of: signal, into: rows, measure: measure)
                }
            }
        }
        return out
    }

    /// STFT frames `range` → analysis rows, with this worker's own FFT buffers. `x` holds the signal's samples
    /// from absolute index `xStart` up to its end (`xStart + x.count`; zero beyond, as center=True pads), and
    /// must cover every frame's window from its first nonzero sample. Frame t goes to row t − `firstRow` of
    /// `out`. Reads `x`, writes only the rows of `range` (the SendableBuffer contract).
    ///
    /// A row is the frame's nMels mel powers; with `measure` (and a config with prosody) it is `analysisWidth`
    /// wide and also holds the rms of the frame's nFFT samples (unwindowed, librosa `feature.rms`) and YIN's f0
    /// and pYIN's voicing (`PitchTracker`), all of the same frame the mel row describes.
    func analyze(frames range: Range<Int>, of x: SendableBuffer<Float>, startingAt xStart: Int = 0,
                 into out: SendableBuffer<Float>, firstRow: Int = 0, measure: Bool = true) {
        let nFFT = config.nFFT, hop = config.hopLength, half = nFFT / 2
        let nBins = filterbank.nBins
        let layout = measure ? analysisLayout : AnalysisLayout(rms: nil, pitch: nil, width: config.nMels)
        let width = layout.width
        let input = fftwf_alloc_real(nFFT)!, spectrum = fftwf_alloc_complex(nBins)!
        defer { fftwf_free(input); fftwf_free(spectrum) }
        let power = UnsafeMutablePointer<Float>.allocate(capacity: nBins)
        defer { power.deallocate() }
        // The frame's samples before windowing, when something measures them.
        let raw: UnsafeMutablePointer<Float>? = width > config.nMels ? .allocate(capacity: nFFT) : nil
        defer { raw?.deallocate() }
        let scratch = layout.pitch != nil ? pitch.map { PitchTracker.Scratch($0) } : nil
        let end = xStart + x.count
        window.withUnsafeBufferPointer { w in
            for t in range {
                // Padded-signal index t·hop + j maps to sample t·hop + j − n_fft/2; outside the signal it is zero.
                let origin = t * hop - half
                let lo = max(0, -origin), hi = max(lo, min(nFFT, end - origin))
                precondition(hi == lo || origin + lo >= xStart, "frame \(t) needs samples before the buffer")
                let row = out.base + (t - firstRow) * width
                if let raw {
                    if lo > 0 { raw.update(repeating: 0, count: lo) }
                    if hi < nFFT { (raw + hi).update(repeating: 0, count: nFFT - hi) }
                    for j in lo..<hi { raw[j] = x[origin - xStart + j] }
                    // 0 · w = 0 outside the signal, so the windowed frame is bit-identical to the branch below.
                    for j in 0..<nFFT { input[j] = raw[j] * w[j] }
                    if let r = layout.rms {
                        // np.mean of float32 squares: a float32 running sum over the frame.
                        var sum: Float = 0
                        for j in 0..<nFFT { sum += raw[j] * raw[j] }
                        row[r] = (sum / Float(nFFT)).squareRoot()
                    }
                    if let p = layout.pitch, let pitch, let scratch {
                        let (f0, voicing) = pitch.analyze(raw, scratch: scratch)
                        row[p] = Float(f0)
                        row[p + 1] = Float(voicing)
                    }
                } else {
                    if lo > 0 { input.update(repeating: 0, count: lo) }
                    if hi < nFFT { (input + hi).update(repeating: 0, count: nFFT - hi) }
                    for j in lo..<hi { input[j] = x[origin - xStart + j] * w[j] }
                }
                plan.execute(input, spectrum)
                spectrum.withMemoryRebound(to: Float.self, capacity: 2 * nBins) { c in
                    for k in 0..<nBins { power[k] = c[2 * k] * c[2 * k] + c[2 * k + 1] * c[2 * k + 1] }
                }
                filterbank.apply(power: power, to: row)
            }
        }
    }

    /// Log compression of a mel power matrix per `config.logMode`.
    func compress(_ mel: FeatureMatrix) -> FeatureMatrix {
        var m = mel
        compress(inPlace: &m)
        return m
    }

    /// `compress` without a second matrix (a 30-min file's mel matrix is 17 MB).
    func compress(inPlace m: inout FeatureMatrix) {
        logScale(&m.values)
        if let floor = logFloor(peak: m.values.max()) { clamp(&m.values, to: floor) }
    }

    /// Each mel power value on the log scale of `config.logMode`, before the top_db floor.
    func logScale(_ v: inout [Float]) {
        let eps = Float(config.epsilon)
        switch config.logMode {
        case .powerToDB:
            for i in v.indices { v[i] = 10 * log10(max(eps, v[i])) }
        case .logEpsilon:
            for i in v.indices { v[i] = log(v[i] + eps) }
        }
    }

    /// The floor `compress` clamps to when the largest log value of the whole matrix is `peak`:
    /// peak − top_db for power_to_db with a top_db, else nil. The floor depends on the whole file, which is
    /// why `AudioFeatureStream` reads it twice.
    func logFloor(peak: Float?) -> Float? {
        guard config.logMode == .powerToDB, let top = config.topDB, let peak else { return nil }
        return peak - Float(top)
    }

    func clamp(_ v: inout [Float], to floor: Float) {
        for i in v.indices where v[i] < floor { v[i] = floor }
    }

    /// The largest log-mel value of feature rows (`featureDim` wide), prosody columns left out.
    func melPeak(_ rows: [Float]) -> Float? {
        let dim = config.featureDim, nMels = config.nMels
        if dim == nMels { return rows.max() }
        var peak: Float?
        for f in 0..<(rows.count / dim) {
            for b in 0..<nMels { peak = max(peak ?? rows[f * dim + b], rows[f * dim + b]) }
        }
        return peak
    }

    /// `clamp` of the log-mel columns of feature rows; the prosody columns are not on that scale.
    func clampMel(_ rows: inout [Float], to floor: Float) {
        let dim = config.featureDim, nMels = config.nMels
        if dim == nMels { clamp(&rows, to: floor); return }
        for f in 0..<(rows.count / dim) {
            for b in (f * dim)..<(f * dim + nMels) where rows[b] < floor { rows[b] = floor }
        }
    }

    /// Feature rows (`featureDim` wide: log-mel, then the config's prosody columns) of every STFT frame of a
    /// signal already at `config.sampleRate`, 1 + len / hop of them. Equal to `logMel` for a config without
    /// prosody.
    public func features(_ samples: [Float], source: String = "<memory>") throws -> FeatureMatrix {
        if config.prosody.isEmpty { return try logMel(samples, source: source) }
        let a = try analysis(samples, source: source, measure: true)
        var assembler = FeatureAssembler(self)
        var rows = assembler.assemble(a.values)
        if let floor = logFloor(peak: melPeak(rows)) { clampMel(&rows, to: floor) }
        return FeatureMatrix(frames: a.frames, bins: config.featureDim, values: rows)
    }

    /// `features` of a signal at any rate: resampled to `config.sampleRate` first (libsoxr HQ).
    public func features(_ signal: AudioSignal) throws -> FeatureMatrix {
        try atConfigRate(signal, features)
    }

    /// `features` with exactly `MotionAlignment.frameCount(duration: signal.duration, fps: fps)` rows, aligned as
    /// `motionAlignedLogMel`. When rows are interpolated (sampleRate / hopLength ≠ fps), a log-F0 next to an
    /// unvoiced (NaN) frame is NaN too.
    public func motionAlignedFeatures(_ signal: AudioSignal, fps: Double) throws -> FeatureMatrix {
        try motionAligned(signal, fps: fps, features)
    }

    /// `compute` of `signal` resampled to `config.sampleRate` (libsoxr HQ), after checking its samples are finite.
    private func atConfigRate(_ signal: AudioSignal, _ compute: ([Float], String) throws -> FeatureMatrix) throws -> FeatureMatrix {
        try signal.checkFinite()
        let s = try signal.resampled(to: config.sampleRate)
        return try compute(s.samples, s.source)
    }

    /// `compute(signal)` cut or interpolated to the motion frames of `signal` at `fps` (`motionAlign`).
    private func motionAligned(_ signal: AudioSignal, fps: Double, _ compute: (AudioSignal) throws -> FeatureMatrix) throws -> FeatureMatrix {
        var m = try compute(signal)
        try motionAlign(&m, sourceFrames: signal.samples.count, sourceRate: signal.sampleRate, source: signal.source, fps: fps)
        return m
    }

    /// Log-mel, frames × nMels (1 + len / hop frames), of a signal already at `config.sampleRate`.
    public func logMel(_ samples: [Float], source: String = "<memory>") throws -> FeatureMatrix {
        compress(try melPower(samples, source: source))
    }

    /// Log-mel of a signal at any rate: resampled to `config.sampleRate` first (libsoxr HQ).
    public func logMel(_ signal: AudioSignal) throws -> FeatureMatrix {
        try atConfigRate(signal, logMel)
    }

    /// Log-mel with exactly `MotionAlignment.frameCount(duration: signal.duration, fps: fps)` rows, row j
    /// describing the audio at time j / fps. When sampleRate / hopLength == fps (the model default:
    /// 15360 / 512 = 30) row j is STFT frame j, centered on j / fps exactly, so a file of any length
    /// drifts by zero frames; otherwise feature frames are linearly interpolated to the motion times.
    public func motionAlignedLogMel(_ signal: AudioSignal, fps: Double) throws -> FeatureMatrix {
        try motionAligned(signal, fps: fps, logMel)
    }

    /// Log-mel `m` (of a whole signal of `sourceFrames` samples at `sourceRate`) cut or interpolated in place to
    /// round(duration × fps) rows. When feature frames are motion frames (sampleRate / hop == fps) the rows past
    /// that are cut off the same matrix, which is what `MotionAlignment.align` computes, without a second one.
    func motionAlign(_ m: inout FeatureMatrix, sourceFrames: Int, sourceRate: Int, source: String, fps: Double) throws {
        let target = try motionFrames(sourceFrames: sourceFrames, sourceRate: sourceRate, source: source, fps: fps)
        if MotionAlignment.isExact(featureRate: config.frameRate, fps: fps) && target <= m.frames {
            var values = m.values
            m = FeatureMatrix(frames: 0, bins: m.bins)   // drop the matrix's reference, so the cut below is in place
            values.removeLast((values.count / m.bins - target) * m.bins)
            m = FeatureMatrix(frames: target, bins: m.bins, values: values)
            return
        }
        m = MotionAlignment.align(m, featureRate: config.frameRate, fps: fps, frames: target)
    }

    /// round(duration × fps) motion frames of a signal of `sourceFrames` samples at `sourceRate`; throws when
    /// that is zero (audio shorter than half a motion frame).
    func motionFrames(sourceFrames: Int, sourceRate: Int, source: String, fps: Double) throws -> Int {
        let target = MotionAlignment.frameCount(duration: Double(sourceFrames) / Double(sourceRate), fps: fps)
        guard target > 0 else {
            throw AudioError.tooShort(file: source, samples: sourceFrames,
                                      required: Int((0.5 / fps * Double(sourceRate)).rounded(.up)), sampleRate: sourceRate)
        }
        return target
    }
}
