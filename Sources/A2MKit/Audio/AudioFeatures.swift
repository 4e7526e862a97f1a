import Foundation

/// One call from an audio file to model-ready features.
public enum AudioFeatures {
    /// Loads `url` (any libsndfile format, downmixed to mono), resamples to `config.sampleRate` with
    /// libsoxr HQ, and returns the log-mel with exactly round(duration × fps) frames (see `MotionAlignment`).
    public static func extract(url: URL, config: AudioFeatureConfig = .model, fps: Double = 30) throws -> FeatureMatrix {
        let extractor = try LogMelExtractor(config)
        return try extractor.motionAlignedLogMel(try AudioFile.load(url), fps: fps)
    }
}
