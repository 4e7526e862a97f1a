import A2MCore

/// The mel power spectrogram of a signal that arrives in pieces (a file decoded and resampled chunk by
/// chunk), computed frame by frame as soon as each frame's window is complete, so the signal itself is never
/// held whole: only the samples the next frames still need. Bit-identical to `LogMelExtractor.melPower` of
/// the whole signal: frames are independent and each is computed by the same `analyze`.
///
/// The signal's final length n (the resampler's `outputLength`) must be known when frames are computed
/// early, because samples past n must never reach a frame (librosa cuts the resampled signal to n). With
/// `length: nil` nothing is computed before `complete`, which then sees the whole signal (the decoder does
/// not know the length of a truncated Ogg stream, for example).
///
/// Rows are the extractor's analysis rows (`analysisWidth` wide: the mel powers, then the frame-local prosody
/// measurements when its config has any; `FeatureAssembler` makes feature rows of them).
///
/// Computed rows accumulate until `take` hands them over, so a consumer that takes them as they come
/// (`AudioFeatureStream`) holds only the frames in flight; one `take` after `complete` gets the whole matrix.
final class MelPowerStream {
    let extractor: LogMelExtractor
    private(set) var length: Int?
    /// Frames computed together while the signal streams in (fewer is lower latency, more is fewer calls);
    /// a live stream (`LiveFeatureStream`) sets 1.
    var batchFrames = 256
    /// Samples from absolute index `bufferStart` on.
    private var buffer: [Float] = []
    private var bufferStart = 0
    private(set) var nextFrame = 0
    /// Rows of frames `rowsStart ..< nextFrame`.
    private var rows: [Float] = []
    private var rowsStart = 0

    /// `reserve`: allocate the whole matrix up front (for one `take` at the end; a consumer that `take`s rows
    /// as they come passes false).
    init(extractor: LogMelExtractor, length: Int?, reserve: Bool = true) {
        self.extractor = extractor
        self.length = length
        if reserve, let length, length >= extractor.config.nFFT {
            rows.reserveCapacity(extractor.frameCount(samples: length) * extractor.analysisWidth)
        }
    }

    func feed(_ samples: ArraySlice<Float>) {
        let have = bufferStart + buffer.count
        guard let n = length else { buffer.append(contentsOf: samples); return }
        guard have < n else { return }
        buffer.append(contentsOf: samples.prefix(n - have))
        // Frame t is complete once its window t·hop − n_fft/2 ..< t·hop + n_fft/2 is in (or past the end).
        let end = bufferStart + buffer.count
        let hop = extractor.config.hopLength, half = extractor.config.nFFT / 2
        let ready = end >= n ? extractor.frameCount(samples: n) : (end >= half ? (end - half) / hop + 1 : 0)
        if ready - nextFrame >= batchFrames || (end >= n && n >= extractor.config.nFFT) { compute(upTo: ready) }
    }

    /// A live signal of unknown length: frames are computed as their windows fill, and `complete` takes the
    /// length the signal turned out to have.
    static func live(extractor: LogMelExtractor) -> MelPowerStream {
        let s = MelPowerStream(extractor: extractor, length: Int.max, reserve: false)
        s.batchFrames = 1
        return s
    }

    /// The rows computed since the last call: frames `first ..< first + rows.count / analysisWidth`.
    func take() -> (first: Int, rows: [Float]) {
        defer { rows = []; rowsStart = nextFrame }
        return (rowsStart, rows)
    }

    /// Computes the remaining frames of the signal, n samples long: cut or zero-padded to n (`Resampler.fitted`).
    func complete(length n: Int, source: String) throws {
        let nFFT = extractor.config.nFFT
        guard n >= nFFT else {
            throw AudioError.tooShort(file: source, samples: n, required: nFFT, sampleRate: extractor.config.sampleRate)
        }
        if length == Int.max { length = n }
        precondition(length == nil || length == n, "MelPowerStream: length \(String(describing: length)) announced, \(n) at the end")
        let end = bufferStart + buffer.count
        if end > n { buffer.removeLast(end - n) } else if end < n { buffer += [Float](repeating: 0, count: n - end) }
        compute(upTo: extractor.frameCount(samples: n))
    }

    private func compute(upTo last: Int) {
        guard last > nextFrame else { return }
        let width = extractor.analysisWidth, first = nextFrame
        let start = rows.count
        precondition(start == (first - rowsStart) * width)
        rows += [Float](repeating: 0, count: (last - first) * width)
        let ex = extractor, xStart = bufferStart
        buffer.withUnsafeMutableBufferPointer { x in
            rows.withUnsafeMutableBufferPointer { o in
                let signal = SendableBuffer(x.baseAddress!, count: x.count)
                let out = SendableBuffer(o.baseAddress! + start, count: (last - first) * width)
                parallelFor(last - first, minChunk: 128) { range in
                    ex.analyze(frames: (first + range.lowerBound)..<(first + range.upperBound), of: signal, startingAt: xStart,
                               into: out, firstRow: first)
                }
            }
        }
        nextFrame = last
        // Keep only what later frames read: from the next frame's window start on.
        let keepFrom = max(bufferStart, nextFrame * extractor.config.hopLength - extractor.config.nFFT / 2)
        if keepFrom - bufferStart >= 1 << 16 {
            buffer.removeFirst(keepFrom - bufferStart)
            bufferStart = keepFrom
        }
    }
}
