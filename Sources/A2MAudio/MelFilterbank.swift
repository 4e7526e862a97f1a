import Foundation

/// Slaney mel filterbank, as `librosa.filters.mel(htk=False, norm='slaney')` (librosa 0.10.x):
/// n_mels + 2 edges evenly spaced on the Slaney mel scale (linear below 1 kHz, logarithmic above),
/// triangles built in Hz over the FFT bin frequencies k·sr/n_fft, each scaled by 2 / (f[i+2] − f[i]) so
/// every filter has unit area. Weights are computed in Double and stored as Float; each filter keeps only
/// its nonzero span of bins, so applying the bank costs about 2·n_bins multiply-adds per frame.
struct MelFilterbank: Sendable {
    let nMels: Int
    /// FFT bins per frame, n_fft / 2 + 1.
    let nBins: Int
    /// First bin of each filter's nonzero span.
    let starts: [Int]
    /// Offset of each filter's weights in `weights`; filter m spans offsets[m]..<offsets[m+1].
    let offsets: [Int]
    let weights: [Float]

    init(config: AudioFeatureConfig) {
        self.init(sampleRate: Double(config.sampleRate), nFFT: config.nFFT, nMels: config.nMels,
                  fmin: config.fmin, fmax: config.effectiveFmax)
    }

    init(sampleRate sr: Double, nFFT: Int, nMels: Int, fmin: Double, fmax: Double) {
        self.nMels = nMels
        nBins = nFFT / 2 + 1
        let minMel = Self.hzToMel(fmin), maxMel = Self.hzToMel(fmax)
        // np.linspace(min_mel, max_mel, n_mels + 2): start + i·step, last point exactly max_mel.
        let count = nMels + 2
        let step = (maxMel - minMel) / Double(count - 1)
        var edges = (0..<count).map { Self.melToHz(minMel + Double($0) * step) }
        edges[count - 1] = Self.melToHz(maxMel)
        var starts = [Int](), offsets = [0], weights = [Float]()
        for m in 0..<nMels {
            let lowerWidth = edges[m + 1] - edges[m], upperWidth = edges[m + 2] - edges[m + 1]
            let norm = 2 / (edges[m + 2] - edges[m])
            var first = -1
            var span = [Float]()
            for k in 0..<nBins {
                let f = Double(k) * sr / Double(nFFT)
                let w = max(0, min((f - edges[m]) / lowerWidth, (edges[m + 2] - f) / upperWidth)) * norm
                if w > 0 {
                    if first < 0 { first = k }
                    // Zeros inside the span (impossible for a triangle, but cheap to keep exact).
                    while first + span.count < k { span.append(0) }
                    span.append(Float(w))
                }
            }
            starts.append(max(first, 0))
            weights += span
            offsets.append(weights.count)
        }
        self.starts = starts
        self.offsets = offsets
        self.weights = weights
    }

    /// Slaney mel of a frequency in Hz (librosa `hz_to_mel(htk=False)`).
    static func hzToMel(_ f: Double) -> Double {
        f < 1000 ? f / (200.0 / 3) : 15 + log(f / 1000) / (log(6.4) / 27)
    }

    /// Inverse of `hzToMel` (librosa `mel_to_hz(htk=False)`).
    static func melToHz(_ m: Double) -> Double {
        m < 15 ? m * (200.0 / 3) : 1000 * exp((log(6.4) / 27) * (m - 15))
    }

    /// The filter with no nonzero weight, if any (nMels too large for the FFT resolution).
    var firstEmptyFilter: Int? {
        (0..<nMels).first { offsets[$0 + 1] == offsets[$0] }
    }

    /// The full nMels × nBins matrix, row-major (librosa's `mel_basis`), for inspection and tests.
    var dense: [Float] {
        var out = [Float](repeating: 0, count: nMels * nBins)
        for m in 0..<nMels {
            for (j, w) in weights[offsets[m]..<offsets[m + 1]].enumerated() { out[m * nBins + starts[m] + j] = w }
        }
        return out
    }

    /// out[m] = Σ_k W[m, k] · power[k] for one frame.

    func apply(power: UnsafePointer<Float>, to out: UnsafeMutablePointer<Float>) {
        weights.withUnsafeBufferPointer { w in
            for m in 0..<nMels {
                var acc: Float = 0
                let p = power + starts[m]
                var j = 0
                for i in offsets[m]..<offsets[m + 1] {
                    acc += w[i] * p[j]
                    j += 1
                }
                out[m] = acc
            }
        }
    }
}
