/// Mono PCM at a known rate, plus where it came from (so later errors can name the file).
public struct AudioSignal: Sendable, Equatable {
    /// Mono samples, nominally in [-1, 1] (libsndfile's normalized float scale: int16 / 32768).
    package var samples: [Float]
    package var sampleRate: Int
    /// The file path, or `<memory>` for signals built in code.
    public var source: String

    init(samples: [Float], sampleRate: Int, source: String = "<memory>") {
        self.samples = samples
        self.sampleRate = sampleRate
        self.source = source
    }

    /// Exact duration in seconds: samples / sampleRate.
    public var duration: Double { Double(samples.count) / Double(sampleRate) }
}
