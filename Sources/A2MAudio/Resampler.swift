import CSoxr

/// Band-limited sample-rate conversion with libsoxr.
///
/// Recipe: `soxr_quality_spec(SOXR_HQ, 0)` — 20-bit precision, linear phase, passband to 0.913 of the
/// lower Nyquist — single-threaded (`soxr_runtime_spec(1)`), as a soxr stream fed `chunk` samples per
/// `soxr_process` call and then flushed. The output is bit-identical to one `soxr_oneshot` over the whole
/// signal, but the chunks stay in cache: about twice as fast on a 60-s file. This is the filter behind librosa's default `res_type='soxr_hq'` (python-soxr `quality='HQ'`).
/// Output length is `ceil(n · to / from)`, zero-padded if soxr delivers fewer samples, exactly as
/// `librosa.resample(..., fix=True)` does.
enum Resampler {
    /// Input samples per `soxr_process` call: streamed pieces resample faster than one `soxr_oneshot` call, with
    /// the same bits (docs/benchmarks.md, "Audio features").
    static let chunk = 8192

    static func outputLength(inputLength n: Int, from: Int, to: Int) -> Int {
        // Integer ceil(n * to / from) without floating-point rounding surprises.
        let num = n * to
        return num / from + (num % from == 0 ? 0 : 1)
    }

    static func resample(_ samples: [Float], from: Int, to: Int, source: String = "<memory>") throws -> [Float] {
        for rate in [from, to] where !AudioFile.sampleRateRange.contains(rate) {
            throw AudioError.invalidSampleRate(file: source, rate: rate)
        }
        if from == to || samples.isEmpty { return samples }
        let n = outputLength(inputLength: samples.count, from: from, to: to)
        var out = [Float]()
        out.reserveCapacity(n)
        let stream = try ResamplerStream(from: from, to: to, source: source) { out.append(contentsOf: $0) }
        try stream.feed(samples)
        try stream.finish()
        return fitted(out, to: n)
    }

    /// `x` cut to `n` samples, or zero-padded if soxr delivered fewer, as `librosa.resample(..., fix=True)`.
    static func fitted(_ x: [Float], to n: Int) -> [Float] {
        if x.count >= n { return x.count == n ? x : Array(x[0..<n]) }
        return x + [Float](repeating: 0, count: n - x.count)
    }
}

/// One libsoxr stream with `Resampler`'s recipe, fed in pieces of any size (a file decoded chunk by chunk),
/// handing its output to `sink` as it comes. soxr always receives `Resampler.chunk`-sample pieces in order,
/// whatever the caller's pieces, so the output is the same as resampling the whole signal at once. Holds
/// less than one piece of input and one piece of output. The caller cuts or pads the total to
/// `Resampler.outputLength` (`Resampler.fitted`).
final class ResamplerStream {
    private let soxr: soxr_t
    private let from: Int, to: Int, source: String
    private let sink: (ArraySlice<Float>) throws -> Void
    private var pending: [Float] = []
    private var outChunk: [Float]

    init(from: Int, to: Int, source: String, sink: @escaping (ArraySlice<Float>) throws -> Void) throws {
        for rate in [from, to] where !AudioFile.sampleRateRange.contains(rate) {
            throw AudioError.invalidSampleRate(file: source, rate: rate)
        }
        var io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
        var quality = soxr_quality_spec(UInt(SOXR_HQ), 0)
        var runtime = soxr_runtime_spec(1)
        var createError: soxr_error_t? = nil
        guard let s = soxr_create(Double(from), Double(to), 1, &createError, &io, &quality, &runtime) else {
            throw AudioError.resampleFailed(file: source, fromRate: from, toRate: to, reason: createError.map { String(cString: $0) } ?? "soxr_create failed")
        }
        soxr = s
        self.from = from; self.to = to; self.source = source; self.sink = sink
        // Room for one piece's output and the filter's delay line, so soxr never holds output back.
        outChunk = [Float](repeating: 0, count: Resampler.outputLength(inputLength: Resampler.chunk, from: from, to: to) + 4096)
        pending.reserveCapacity(Resampler.chunk)
    }

    deinit { soxr_delete(soxr) }

    func feed<C: Collection>(_ samples: C) throws where C.Element == Float, C.Index == Int {
        var i = samples.startIndex
        while i < samples.endIndex {
            let take = min(Resampler.chunk - pending.count, samples.endIndex - i)
            pending.append(contentsOf: samples[i..<(i + take)])
            i += take
            if pending.count == Resampler.chunk { try process(); pending.removeAll(keepingCapacity: true) }
        }
    }

    /// Processes what is pending and flushes the filter's tail.
    func finish() throws {
        if !pending.isEmpty { try process(); pending.removeAll() }
        while true {
            var made = 0
            let err = outChunk.withUnsafeMutableBufferPointer { o in soxr_process(soxr, nil, 0, nil, o.baseAddress!, o.count, &made) }
            try emit(err, made)
            if made == 0 { break }
        }
    }

    private func process() throws {
        var consumed = 0
        try pending.withUnsafeBufferPointer { inp in
            while consumed < inp.count {
                var used = 0, made = 0
                let err = outChunk.withUnsafeMutableBufferPointer { o in
                    soxr_process(soxr, inp.baseAddress! + consumed, inp.count - consumed, &used, o.baseAddress!, o.count, &made)
                }
                try emit(err, made)
                consumed += used
                if used == 0 && made == 0 { break }
            }
        }
    }

    private func emit(_ err: soxr_error_t?, _ made: Int) throws {
        if let err { throw AudioError.resampleFailed(file: source, fromRate: from, toRate: to, reason: String(cString: err)) }
        if made > 0 { try sink(outChunk[0..<made]) }
    }
}

extension AudioSignal {
    /// This signal at `rate` Hz (itself if the rate already matches).
    public func resampled(to rate: Int) throws -> AudioSignal {
        if rate == sampleRate { return self }
        return AudioSignal(samples: try Resampler.resample(samples, from: sampleRate, to: rate, source: source), sampleRate: rate, source: source)
    }
}
