import A2MCore
import A2MMotion
import Foundation

/// Welch power spectrum of speed signals at 30 fps: Hann-windowed segments of `segment` frames with hop
/// `segment / 2`, each segment's mean removed, |DFT|² summed over every segment of every signal. A signal
/// shorter than one segment adds nothing. The DFT is direct (64 points), as exact as numpy's rfft to 1e-12.
public struct SpeedSpectrum: Sendable {
    public static let segment = 64
    /// Power per bin k = 0 ... segment / 2 (frequency k · rate / segment).
    public private(set) var power: [Double]
    public private(set) var segments = 0
    let rate: Double
    let window: [Double]
    let cosines: [Double], sines: [Double]

    public init(rate: Double) {
        let n = Self.segment
        self.rate = rate
        power = [Double](repeating: 0, count: n / 2 + 1)
        window = (0..<n).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n)) }
        cosines = (0..<n).map { cos(2 * Double.pi * Double($0) / Double(n)) }
        sines = (0..<n).map { sin(2 * Double.pi * Double($0) / Double(n)) }
    }

    public mutating func add(_ signal: [Double]) {
        let n = Self.segment
        var start = 0
        while start + n <= signal.count {
            let seg = signal[start..<start + n]
            let mean = seg.reduce(0, +) / Double(n)
            let x = seg.enumerated().map { ($0.element - mean) * window[$0.offset] }
            for k in 0...(n / 2) {
                var re = 0.0, im = 0.0
                for t in 0..<n {
                    let phase = (k * t) % n
                    re += x[t] * cosines[phase]
                    im -= x[t] * sines[phase]
                }
                power[k] += re * re + im * im
            }
            segments += 1
            start += n / 2
        }
    }

    /// Power in bins whose frequency is above `hz`, over the power of every bin but 0 (DC); nil without power.
    public func share(above hz: Double) -> Double? {
        let total = power.dropFirst().reduce(0, +)
        guard segments > 0, total > 0 else { return nil }
        let high = power.indices.filter { Double($0) * rate / Double(Self.segment) > hz }.reduce(0.0) { $0 + power[$1] }
        return high / total
    }
}
