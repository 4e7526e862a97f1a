import CFFTW
import Foundation

/// Magnitude spectra of Hann-windowed frames centred on motion frames, for the analysis features below.
///
/// Frame k is centred on sample round(k · sampleRate / fps) with zero padding outside the signal (like
/// librosa's `center=True, pad_mode='constant'`), so frame k describes the audio at motion frame k.
/// FFTs go through Audio's shared `FFTPlan` cache (one plan per size, made under a lock).
enum SpectrumFrames {
    /// Sample index at the centre of motion frame `k`.
    static func center(frame k: Int, sampleRate: Int, fps: Double) -> Int {
        Int((Double(k) * Double(sampleRate) / fps).rounded())
    }

    /// Copies `n` samples centred on `center` into `out`, zero outside the signal.
    static func window(_ samples: [Float], center: Int, size n: Int, into out: inout [Float]) {
        let start = center - n / 2
        for i in 0..<n {
            let j = start + i
            out[i] = (j >= 0 && j < samples.count) ? samples[j] : 0
        }
    }

    /// Magnitudes [frames][n/2+1] of the periodic-Hann-windowed frames.
    static func magnitudes(_ samples: [Float], sampleRate: Int, fps: Double, frames: Int, size n: Int) -> [[Float]] {
        let plan = FFTPlan.realToComplex(size: n)
        let bins = n / 2 + 1
        let hann = (0..<n).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n))) }
        let input = fftwf_alloc_real(n)!
        let output = fftwf_alloc_complex(bins)!
        defer { fftwf_free(input); fftwf_free(output) }
        var frame = [Float](repeating: 0, count: n)
        var result = [[Float]]()
        result.reserveCapacity(frames)
        for k in 0..<frames {
            window(samples, center: center(frame: k, sampleRate: sampleRate, fps: fps), size: n, into: &frame)
            for i in 0..<n { input[i] = frame[i] * hann[i] }
            plan.execute(input, output)
            var mags = [Float](repeating: 0, count: bins)
            for b in 0..<bins {
                let re = output[b].0, im = output[b].1
                mags[b] = (re * re + im * im).squareRoot()
            }
            result.append(mags)
        }
        return result
    }
}
