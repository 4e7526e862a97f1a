import CFFTW
import Foundation

/// YIN's f0 and pYIN's voiced probability of one frame, as librosa 0.10.x computes them:
///
///     librosa.yin(y, fmin=f0Min, fmax=f0Max, sr=sr, frame_length=nFFT, hop_length=hop)          # trough_threshold 0.1
///     librosa.pyin(y, fmin=f0Min, fmax=f0Max, sr=sr, frame_length=nFFT, hop_length=hop)[2]      # voiced_prob
///
/// (center=True, constant padding: frame t is the nFFT samples centered on sample t·hop, the STFT's frame.)
/// Both start from the cumulative mean normalized difference (CMND) of the frame, de Cheveigné & Kawahara
/// (2002) eq. 8, over periods `minPeriod...maxPeriod`:
/// - YIN: the first local minimum below 0.1, else the global minimum, refined by parabolic interpolation.
/// - pYIN (Mauch & Dixon 2014, as the pYIN software and librosa do it): a Beta(2, 18) prior over 100
///   thresholds; at each threshold the troughs below it share its probability by a Boltzmann(2) prior on
///   their rank; each trough's probability lands in its 0.1-semitone pitch bin; the voiced probability is the
///   sum over the bins. It is computed per frame, before pYIN's Viterbi pass.
///
/// pYIN's f0 is not used: it comes out of a Viterbi decoding over the whole file, so the f0 of a frame depends
/// on audio arbitrarily far after it; a stream could emit nothing before the file's end (and would hold the
/// back-pointers of every frame: 54 000 frames × 798 states for 30 minutes). YIN's f0 and pYIN's voiced
/// probability depend on their own frame only.
///
/// librosa's arithmetic is followed step by step where it decides a comparison: the energy terms are float32
/// running sums (numpy's cumsum of float32 squares), the autocorrelation is double (numpy's FFT), values
/// below 1e-6 are zeroed as librosa does, the pitch bin is rounded half to even (np.round), and when two
/// troughs fall in one bin the longer period's probability is kept (numpy's fancy assignment).
final class PitchTracker: Sendable {
    let sampleRate: Int
    /// YIN frame (nFFT) and difference window (frame / 2), in samples.
    let frameLength: Int
    let window: Int
    let minPeriod: Int
    let maxPeriod: Int
    let f0Min: Double
    /// pYIN's voiced pitch bins: floor(120 · log2(f0Max / f0Min)) + 1.
    let pitchBins: Int
    /// Beta(2, 18) probability of each of the 100 threshold intervals.
    let betaProbs: [Double]
    /// Upper edges of the threshold intervals, np.linspace(0, 1, 101)[1:].
    let thresholds: [Double]
    /// scipy.stats.boltzmann.pmf(k, λ, N) = norm[N] · decay[k], norm[N] = (1 − e^−λ) / (1 − e^−λN), decay[k] = e^−λk,
    /// for every trough count and rank a frame can have (the same expressions as scipy's, computed once).
    let boltzmannNorm: [Double]
    let boltzmannDecay: [Double]
    let plans: FFTPlanDouble

    /// librosa.yin's `trough_threshold`.
    static let troughThreshold = 0.1
    /// librosa.pyin's defaults: n_thresholds, beta_parameters, boltzmann_parameter, no_trough_prob, resolution.
    static let thresholdCount = 100
    static let beta = (a: 2, b: 18)
    static let boltzmann = 2.0
    static let noTroughProbability = 0.01
    static let binsPerSemitone = 10

    init(config: AudioFeatureConfig) {
        sampleRate = config.sampleRate
        frameLength = config.nFFT
        window = config.pitchWindow
        (minPeriod, maxPeriod) = config.pitchPeriods
        f0Min = config.f0Min
        pitchBins = Int((Double(12 * Self.binsPerSemitone) * log2(config.f0Max / config.f0Min)).rounded(.down)) + 1
        let step = 1.0 / Double(Self.thresholdCount)
        let edges = (0...Self.thresholdCount).map { $0 == Self.thresholdCount ? 1.0 : Double($0) * step }
        let cdf = edges.map { Self.betaCDF($0) }
        betaProbs = (0..<Self.thresholdCount).map { cdf[$0 + 1] - cdf[$0] }
        thresholds = Array(edges.dropFirst())
        let lags = maxPeriod - minPeriod + 1, lambda = Self.boltzmann
        boltzmannNorm = (0...lags).map { $0 == 0 ? 0 : (1 - exp(-lambda)) / (1 - exp(-lambda * Double($0))) }
        boltzmannDecay = (0...lags).map { exp(-lambda * Double($0)) }
        plans = FFTPlanDouble.plans(size: config.nFFT)
    }

    /// Regularized incomplete beta I_x(a, b) for integer a, b: P(Binomial(a + b − 1, x) ≥ a), a sum of positive
    /// terms (no cancellation near 0, where the prior's mass is).
    static func betaCDF(_ x: Double) -> Double {
        let n = beta.a + beta.b - 1
        var sum = 0.0, choose = 1.0
        for j in 0...n {
            if j > 0 { choose = choose * Double(n - j + 1) / Double(j) }
            if j >= beta.a { sum += choose * pow(x, Double(j)) * pow(1 - x, Double(n - j)) }
        }
        return min(1, sum)
    }

    /// Per-worker buffers (FFTW-aligned for the transforms).
    final class Scratch {
        let real: UnsafeMutablePointer<Double>
        let reversed: UnsafeMutablePointer<Double>
        let spectrum: UnsafeMutablePointer<fftw_complex>
        let reversedSpectrum: UnsafeMutablePointer<fftw_complex>
        var energy: [Float]
        var difference: [Double]
        var cmnd: [Double]
        var shifts: [Double]
        var troughs: [Int] = []
        var probabilities: [Double] = []
        var bins: [(bin: Int, p: Double)] = []

        init(_ t: PitchTracker) {
            let n = t.frameLength
            real = fftw_alloc_real(n)!
            reversed = fftw_alloc_real(n)!
            spectrum = fftw_alloc_complex(n / 2 + 1)!
            reversedSpectrum = fftw_alloc_complex(n / 2 + 1)!
            energy = [Float](repeating: 0, count: n)
            difference = [Double](repeating: 0, count: t.maxPeriod + 1)
            cmnd = [Double](repeating: 0, count: t.maxPeriod - t.minPeriod + 1)
            shifts = cmnd
        }

        deinit {
            fftw_free(real); fftw_free(reversed); fftw_free(spectrum); fftw_free(reversedSpectrum)
        }
    }

    /// (YIN f0 in Hz, pYIN voiced probability) of the `frameLength` samples at `y`.
    func analyze(_ y: UnsafePointer<Float>, scratch s: Scratch) -> (f0: Double, voicing: Double) {
        cmnd(y, scratch: s)
        let c = s.cmnd, L = c.count
        // Parabolic shifts (librosa `_parabolic_interpolation`): 0 at the ends and where the vertex is more
        // than a bin away.
        s.shifts[0] = 0
        s.shifts[L - 1] = 0
        for i in 1..<(L - 1) {
            let a = c[i + 1] + c[i - 1] - 2 * c[i], b = (c[i + 1] - c[i - 1]) / 2
            s.shifts[i] = abs(b) >= abs(a) ? 0 : -b / a
        }
        // Troughs (`util.localmin`, with the first lag compared to its right neighbour only).
        s.troughs.removeAll(keepingCapacity: true)
        if c[0] < c[1] { s.troughs.append(0) }
        for i in 1..<(L - 1) where c[i] < c[i - 1] && c[i] <= c[i + 1] { s.troughs.append(i) }
        if c[L - 1] < c[L - 2] { s.troughs.append(L - 1) }

        // YIN: the first trough under the threshold, else the global minimum.
        var best = s.troughs.first { c[$0] < Self.troughThreshold }
        if best == nil {
            var m = 0
            for i in 1..<L where c[i] < c[m] { m = i }
            best = m
        }
        let f0 = Double(sampleRate) / (Double(minPeriod + best!) + s.shifts[best!])
        return (f0, voicedProbability(s))
    }

    /// CMND of the frame at `y` into `s.cmnd` (lags minPeriod...maxPeriod), librosa's
    /// `_cumulative_mean_normalized_difference` operation by operation.
    func cmnd(_ y: UnsafePointer<Float>, scratch s: Scratch) {
        let n = frameLength, w = window, pMax = maxPeriod
        // Energy terms: float32 running sum of float32 squares; e[τ] = Σ y[k]², k = τ+1 ... τ+w.
        var run: Float = 0
        for i in 0..<n {
            run += y[i] * y[i]
            s.energy[i] = run
        }
        // Autocorrelation in double: acf[τ] = Σ_{k=1}^{w} y[k]·y[k+τ], as irfft(rfft(frame) · rfft(reversed y[1...w]))[w + τ].
        for i in 0..<n { s.real[i] = Double(y[i]) }
        for i in 0..<w { s.reversed[i] = Double(y[w - i]) }
        for i in w..<n { s.reversed[i] = 0 }
        plans.forward(s.real, s.spectrum)
        plans.forward(s.reversed, s.reversedSpectrum)
        s.spectrum.withMemoryRebound(to: Double.self, capacity: n + 2) { a in
            s.reversedSpectrum.withMemoryRebound(to: Double.self, capacity: n + 2) { b in
                for k in 0...(n / 2) {
                    let ar = a[2 * k], ai = a[2 * k + 1], br = b[2 * k], bi = b[2 * k + 1]
                    a[2 * k] = ar * br - ai * bi
                    a[2 * k + 1] = ar * bi + ai * br
                }
            }
        }
        plans.inverse(s.spectrum, s.real)
        let scale = 1 / Double(n)
        let tiny = Double.leastNormalMagnitude   // np.finfo(float64).tiny
        var e0: Float = 0
        var cumulative = 0.0
        for tau in 0...pMax {
            var e = s.energy[w + tau] - s.energy[tau]
            if abs(e) < Float(1e-6) { e = 0 }
            if tau == 0 { e0 = e }
            var acf = s.real[w + tau] * scale
            if abs(acf) < 1e-6 { acf = 0 }
            let d = Double(e0 + e) - 2 * acf
            s.difference[tau] = d
            guard tau >= 1 else { continue }
            cumulative += d
            if tau >= minPeriod { s.cmnd[tau - minPeriod] = d / (cumulative / Double(tau) + tiny) }
        }
    }

    /// pYIN's voiced probability of the frame whose CMND, shifts and troughs are in `s`.
    func voicedProbability(_ s: Scratch) -> Double {
        let troughs = s.troughs, c = s.cmnd
        guard !troughs.isEmpty else { return 0 }
        s.probabilities.removeAll(keepingCapacity: true)
        s.probabilities.append(contentsOf: repeatElement(0, count: troughs.count))
        for j in 0..<Self.thresholdCount {
            let t = thresholds[j]
            var below = 0
            for i in troughs where c[i] < t { below += 1 }
            guard below > 0 else { continue }
            // Each trough under the threshold gets the Boltzmann prior of its rank among them.
            let fact = boltzmannNorm[below]
            var rank = 0
            for (r, i) in troughs.enumerated() where c[i] < t {
                s.probabilities[r] += fact * boltzmannDecay[rank] * betaProbs[j]
                rank += 1
            }
        }
        // The global minimum also takes no_trough_prob of the prior mass of the thresholds it is not under.
        var g = 0
        for r in 1..<troughs.count where c[troughs[r]] < c[troughs[g]] { g = r }
        var mass = 0.0
        for j in 0..<Self.thresholdCount where !(c[troughs[g]] < thresholds[j]) { mass += betaProbs[j] }
        s.probabilities[g] += Self.noTroughProbability * mass

        // Each candidate's probability goes to its pitch bin (bin pitchBins, above f0Max, is not voiced). Periods
        // grow with r, so bins fall and equal bins are neighbours: the later (longer period) one is kept.
        s.bins.removeAll(keepingCapacity: true)
        let perOctave = Double(12 * Self.binsPerSemitone)
        for (r, i) in troughs.enumerated() where s.probabilities[r] != 0 {
            let f0 = Double(sampleRate) / (Double(minPeriod + i) + s.shifts[i])
            let bin = min(max((perOctave * log2(f0 / f0Min)).rounded(.toNearestOrEven), 0), Double(pitchBins))
            if let last = s.bins.last, last.bin == Int(bin) { s.bins[s.bins.count - 1].p = s.probabilities[r] } else {
                s.bins.append((Int(bin), s.probabilities[r]))
            }
        }
        var sum = 0.0
        for b in s.bins.reversed() where b.bin < pitchBins { sum += b.p }   // ascending bins, as np.sum over the bin axis
        return min(max(sum, 0), 1)
    }
}
