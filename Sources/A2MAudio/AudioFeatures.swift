import A2MCore
import Foundation

/// One call from an audio file to model-ready features.
public enum AudioFeatures {
    /// Loads `url` (any libsndfile format, downmixed to mono), resamples to `config.sampleRate` with
    /// libsoxr HQ, and returns the log-mel with exactly round(duration × fps) frames (see `MotionAlignment`).
    /// Decoding, resampling and the STFT run as one stream (`AudioFile.streamResampled` into a
    /// `MelPowerStream`), so neither the file's PCM nor the resampled signal is held whole — only the mel
    /// matrix (80 floats per frame); the result is bit-identical to `motionAlignedLogMel(AudioFile.load(url),
    /// fps:)` (tested).
    ///
    /// With prosody in the config, rows are `config.featureDim` wide (log-mel, then the prosody columns,
    /// `LogMelExtractor.features`): the analysis rows are turned into feature rows as each piece of the file
    /// is computed, and the result equals `motionAlignedFeatures(AudioFile.load(url), fps:)` (tested).
    public static func extract(url: URL, config: AudioFeatureConfig = .model, fps: Double = 30) throws -> FeatureMatrix {
        let extractor = try LogMelExtractor(config)
        if config.prosody.isEmpty {
            let (mel, frames, rate) = try melPower(url, extractor: extractor, keepRows: true)
            var features = FeatureMatrix(frames: mel.nextFrame, bins: config.nMels, values: mel.take().rows)
            extractor.compress(inPlace: &features)
            try extractor.motionAlign(&features, sourceFrames: frames, sourceRate: rate, source: url.path, fps: fps)
            return features
        }
        var assembler = FeatureAssembler(extractor)
        var rows: [Float] = []
        let (stream, frames, rate) = try melPower(url, extractor: extractor, keepRows: false) { rows += assembler.assemble($0.take().rows) }
        rows += assembler.assemble(stream.take().rows)
        if let floor = extractor.logFloor(peak: extractor.melPeak(rows)) { extractor.clampMel(&rows, to: floor) }
        var features = FeatureMatrix(frames: stream.nextFrame, bins: config.featureDim, values: rows)
        try extractor.motionAlign(&features, sourceFrames: frames, sourceRate: rate, source: url.path, fps: fps)
        return features
    }

    /// Decodes `url`, resamples it to the extractor's rate and computes every mel power frame, as one stream
    /// (`AudioFile.streamResampled` into a `MelPowerStream`). `keepRows`: the stream reserves and keeps the
    /// whole matrix for `take`; otherwise `afterPiece` runs after every resampled piece, to `take` the rows
    /// computed so far. Returns the completed stream and the file's frame count and rate.
    static func melPower(_ url: URL, extractor: LogMelExtractor, keepRows: Bool,
                         afterPiece: @escaping (MelPowerStream) -> Void = { _ in }) throws -> (mel: MelPowerStream, frames: Int, rate: Int) {
        let sr = extractor.config.sampleRate
        var mel: MelPowerStream?
        let (frames, rate) = try AudioFile.streamResampled(url, to: sr, onHeader: { length in
            mel = MelPowerStream(extractor: extractor, length: length, reserve: keepRows)
        }, sink: { mel!.feed($0); afterPiece(mel!) })
        try mel!.complete(length: Resampler.outputLength(inputLength: frames, from: rate, to: sr), source: url.path)
        return (mel!, frames, rate)
    }
}
