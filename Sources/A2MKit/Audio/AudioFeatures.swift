import Foundation

/// One call from an audio file to model-ready features.
public enum AudioFeatures {
    /// Loads `url` (any libsndfile format, downmixed to mono), resamples to `config.sampleRate` with
    /// libsoxr HQ, and returns the log-mel with exactly round(duration × fps) frames (see `MotionAlignment`).
    /// Decoding, resampling and the STFT run as one stream (`AudioFile.streamResampled` into a
    /// `MelPowerStream`), so neither the file's PCM nor the resampled signal is held whole — only the mel
    /// matrix (80 floats per frame); the result is bit-identical to `motionAlignedLogMel(AudioFile.load(url),
    /// fps:)` (tested).
    public static func extract(url: URL, config: AudioFeatureConfig = .model, fps: Double = 30) throws -> FeatureMatrix {
        let extractor = try LogMelExtractor(config)
        var mel: MelPowerStream?
        let (frames, rate) = try AudioFile.streamResampled(url, to: config.sampleRate, onHeader: { length in
            mel = MelPowerStream(extractor: extractor, length: length)
        }, sink: { mel!.feed($0) })
        var features = try mel!.finish(length: Resampler.outputLength(inputLength: frames, from: rate, to: config.sampleRate),
                                       source: url.path)
        mel = nil
        extractor.compress(inPlace: &features)
        try extractor.motionAlign(&features, sourceFrames: frames, sourceRate: rate, source: url.path, fps: fps)
        return features
    }
}
