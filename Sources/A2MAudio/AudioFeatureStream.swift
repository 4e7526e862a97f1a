import A2MCore
import Foundation

/// Where a clip's audio features come from during generation: rows of motion frames, requested with
/// non-decreasing lower bounds, so a source can read its file as generation advances and forget what
/// is behind.
public protocol FeatureSource: AnyObject {
    /// Motion frames of the clip.
    var frames: Int { get }
    /// Values per row.
    var bins: Int { get }
    /// Rows `range` ([range.count, bins]).
    func rows(_ range: Range<Int>) throws -> [Float]
    /// Rows below `frame` will not be requested again.
    func release(below frame: Int)
}

/// A feature matrix already in memory, as a `FeatureSource`.
package final class FeatureMatrixSource: FeatureSource {
    package let matrix: FeatureMatrix
    package init(_ matrix: FeatureMatrix) { self.matrix = matrix }
    package var frames: Int { matrix.frames }
    package var bins: Int { matrix.bins }
    package func rows(_ range: Range<Int>) throws -> [Float] {
        Array(matrix.values[range.lowerBound * matrix.bins..<range.upperBound * matrix.bins])
    }
    package func release(below frame: Int) {}
}

/// The motion-aligned log-mel features of an audio file (`AudioFeatures.extract`), produced on demand so a
/// generation of any length holds a bounded number of feature rows instead of the whole matrix
/// (17 MB for 30 minutes at 80 mels).
///
/// librosa's `power_to_db(top_db=80)` floors every value at the file's peak − 80 dB, so no row is final
/// before the whole file has been seen. The file is therefore read twice: `init` streams it once (decode,
/// resample, STFT, mel; `AudioFile.streamResampled` into a `MelPowerStream` whose rows are dropped as soon
/// as their peak is taken) and checks it as `extract` does, with the same errors; `rows` then decodes it a
/// second time as far as the requested frames need. Both passes compute every frame by the same code, so
/// the rows are bit-identical to `extract`'s (tested), at the cost of a second decode (docs/benchmarks.md,
/// "Generation").
///
/// With prosody in the config, rows are `featureDim` wide (log-mel, then the prosody columns); the first pass
/// then computes only the mel (all the top_db floor needs), and the second turns analysis rows into feature rows
/// with a `FeatureAssembler` as they come, so the rows equal `extract`'s too (tested). Unvoiced log-F0 (NaN) is
/// handed out as 0, the normalized mean, when `normalization` is given (`NormalizationStats.normalizeFillingMissing`).
///
/// Memory: one decoder chunk (`chunkSamples`), the resampler's and the STFT's buffers, and the
/// feature frames from the lowest unreleased row on (`release(below:)`).
public final class AudioFeatureStream: FeatureSource {
    package let source: String
    /// Motion frames: round(duration × fps).
    public let frames: Int
    public let bins: Int
    let url: URL
    let extractor: LogMelExtractor
    let fps: Double
    let normalization: NormalizationStats?
    /// What the first pass found: the file's frame count and rate, its length at the model rate
    /// (`Resampler.outputLength`) and STFT frames of the whole signal.
    let sourceFrames: Int
    let sourceRate: Int
    let signalLength: Int
    let melFrames: Int
    /// The top_db floor of the whole file, from the first pass (nil: no floor).
    let floor: Float?

    /// Second pass: opened by the first `rows` that needs audio, closed at the end of the file, so a stream
    /// holds no open file before generation reaches it or after it has read everything.
    private var decoder: AudioDecoder?
    private var resampler: ResamplerStream?
    private var mel: MelPowerStream?
    private var assembler: FeatureAssembler
    private var ended = false
    /// Feature frames `melStart ..< melStart + melRows.count / bins`.
    private var melRows: [Float] = []
    private var melStart = 0

    /// Reads and checks `url` (first pass); `rows` reads it again. `normalization` is applied to every row
    /// handed out (the model's audio statistics); nil hands out the log-mel as it is.
    package init(url: URL, config: AudioFeatureConfig = .model, fps: Double = 30, normalization: NormalizationStats? = nil) throws {
        let extractor = try LogMelExtractor(config)
        try AudioFeatureStream.checkRereadable(url)
        try normalization?.validate(featureDim: config.featureDim)
        // First pass: the file's length, rate and peak log value; rows are dropped as soon as their peak is taken.
        // Only the mel is computed: the prosody columns have no part in the floor.
        var melOnly = config
        melOnly.prosody = []
        let scanner = config.prosody.isEmpty ? extractor : try LogMelExtractor(melOnly)
        var peak: Float?
        func fold(_ scan: MelPowerStream) {
            var rows = scan.take().rows
            scanner.logScale(&rows)
            if let m = rows.max() { peak = max(peak ?? m, m) }
        }
        let (scan, n, rate) = try AudioFeatures.melPower(url, extractor: scanner, keepRows: false, afterPiece: fold)
        fold(scan)
        melFrames = scan.nextFrame
        frames = try extractor.motionFrames(sourceFrames: n, sourceRate: rate, source: url.path, fps: fps)
        self.url = url
        source = url.path
        bins = config.featureDim
        self.extractor = extractor
        assembler = FeatureAssembler(extractor)
        self.fps = fps
        self.normalization = normalization
        sourceFrames = n
        sourceRate = rate
        signalLength = Resampler.outputLength(inputLength: n, from: rate, to: config.sampleRate)
        floor = extractor.logFloor(peak: peak)
    }

    /// The stream reads its file twice, so a pipe (read once, then gone) is refused at once instead of waiting
    /// forever for a second writer.
    public static func checkRereadable(_ url: URL) throws {
        if case .pipe = try? InputFile.kind(url.path) {
            throw AudioError.notAFile(file: url.path, reason: "it is a named pipe (or standard input), and generation reads its audio twice "
                                            + "(a check pass, then the frames as they are generated); save it to a file first")
        }
    }

    /// Opens the second pass. The length is known now, so frames are computed as soon as their window is
    /// complete even for a stream whose header did not give it.
    private func openSecondPass() throws {
        let mel = MelPowerStream(extractor: extractor, length: signalLength, reserve: false)
        let decoder = try AudioDecoder(url, chunkSamples: Self.chunkSamples)
        guard decoder.rate == sourceRate else { throw Self.changed(source) }
        let sr = extractor.config.sampleRate
        if sourceRate != sr {
            resampler = try ResamplerStream(from: sourceRate, to: sr, source: source) { mel.feed($0) }
        }
        self.mel = mel
        self.decoder = decoder
    }

    /// Interleaved samples decoded per read in the second pass: small, because the stream keeps its chunk
    /// alive between reads (64 Ki samples is 4 s of 16 kHz mono).
    static let chunkSamples = 1 << 16

    /// Feature frames held now (tests).
    var bufferedFrames: Int { melRows.count / bins }

    static func changed(_ path: String) -> AudioError {
        .unreadable(file: path, reason: "the file changed while it was being read")
    }

    public func rows(_ range: Range<Int>) throws -> [Float] {
        precondition(range.lowerBound >= 0 && range.upperBound <= frames, "rows \(range) outside 0..<\(frames)")
        let rate = extractor.config.frameRate
        if let last = range.last {
            let s = MotionAlignment.source(of: last, featureRate: rate, fps: fps, featureFrames: melFrames)
            try fill(through: s.i1)
        }
        var out = [Float](repeating: 0, count: range.count * bins)
        let bins = bins, start = melStart
        melRows.withUnsafeBufferPointer { m in
            out.withUnsafeMutableBufferPointer { o in
                for (k, j) in range.enumerated() {
                    MotionAlignment.alignedRow(j, featureRate: rate, fps: fps, featureFrames: melFrames, bins: bins,
                                               rowAt: { i in
                                                   precondition(i >= start, "row \(j) was released")
                                                   return m.baseAddress! + (i - start) * bins
                                               }, into: o.baseAddress! + k * bins)
                }
            }
        }
        normalization?.normalizeFillingMissing(&out)
        return out
    }

    public func release(below frame: Int) {
        guard frame > 0 else { return }
        let keep = MotionAlignment.source(of: min(frame, frames - 1), featureRate: extractor.config.frameRate, fps: fps,
                                          featureFrames: melFrames).i0
        let drop = min(keep - melStart, melRows.count / bins)
        // In blocks, so a release per window does not move the kept rows every time.
        if drop >= 256 {
            melRows.removeFirst(drop * bins)
            melStart += drop
        }
    }

    /// Decodes until feature frame `f` is in `melRows`.
    private func fill(through f: Int) throws {
        while melStart + melRows.count / bins <= f {
            if ended { fatalError("feature frame \(f) past the end (\(melFrames) frames)") }
            if decoder == nil { try openSecondPass() }
            let mel = mel!
            if let chunk = try decoder!.next() {
                if let resampler { try resampler.feed(chunk) } else { mel.feed(chunk[...]) }
            } else {
                guard decoder!.framesRead == sourceFrames else { throw Self.changed(source) }
                try resampler?.finish()
                try mel.complete(length: signalLength, source: source)
                guard mel.nextFrame == melFrames else { throw Self.changed(source) }
                ended = true
                decoder = nil
                resampler = nil
            }
            let (first, analysis) = mel.take()
            precondition(first == melStart + melRows.count / bins && first == assembler.nextFrame, "feature frames out of order")
            var rows = assembler.assemble(analysis)
            if let floor { extractor.clampMel(&rows, to: floor) }
            melRows += rows
        }
    }
}
