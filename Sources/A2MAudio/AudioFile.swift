import A2MCore
import CSndFile
import Foundation

/// Reads any format libsndfile decodes (WAV 8/16/24/32-bit int and float, FLAC, OGG/Vorbis, AIFF, ...),
/// any channel count and sample rate, into mono float PCM.
///
/// Matches `librosa.load(path, sr=None, mono=True)`: samples are libsndfile's normalized floats (what
/// soundfile returns as float32), and channels are downmixed by averaging (`librosa.to_mono`).
public enum AudioFile {
    /// Interleaved samples decoded per `sf_readf_float` call (divided among the channels).
    static let chunkSamples = 1 << 20
    /// Sample rates accepted from a header. Outside this a header is more likely damaged than real, and
    /// resampling e.g. a "1 Hz" file to 15360 Hz would allocate 15360 samples per stored sample.
    package static let sampleRateRange = 1000...768_000

    public static func load(_ url: URL) throws -> AudioSignal {
        var mono = [Float]()
        let (frames, rate) = try decode(url, { mono.append(contentsOf: $0) }, onHeader: { _, frames in
            if let frames { mono.reserveCapacity(frames) }
        })
        precondition(mono.count == frames)
        return AudioSignal(samples: mono, sampleRate: rate, source: url.path)
    }

    /// `url` decoded to mono and resampled to `rate` (libsoxr HQ) as one stream, never holding the decoded
    /// file: for a 30-min recording at 44.1 kHz that is 318 MB of float PCM not allocated. Bit-identical to
    /// `load(url).resampled(to: rate)` (soxr is fed the same 8192-sample pieces in the same order).
    /// Also returns the decoded length and rate, which define the clip's duration.
    static func loadResampled(_ url: URL, to rate: Int) throws -> (signal: AudioSignal, sourceFrames: Int, sourceRate: Int) {
        var out = [Float]()
        let (frames, sourceRate) = try streamResampled(url, to: rate) { out.append(contentsOf: $0) }
        return (AudioSignal(samples: Resampler.fitted(out, to: Resampler.outputLength(inputLength: frames, from: sourceRate, to: rate)),
                            sampleRate: rate, source: url.path), frames, sourceRate)
    }

    /// Decodes `url` and hands its samples at `rate` to `sink` in order (resampled by a `ResamplerStream`
    /// when the file's rate differs). The caller fits the total to `Resampler.outputLength(frames, rate, to)`.
    /// `onHeader(outputLength)` gets the length at `rate` when the header gives the file's length.
    static func streamResampled(_ url: URL, to rate: Int, onHeader: (Int?) -> Void = { _ in },
                                sink: @escaping (ArraySlice<Float>) throws -> Void) throws -> (frames: Int, rate: Int) {
        var stream: ResamplerStream?
        let result = try decode(url, { chunk in
            if let stream { try stream.feed(chunk) } else { try sink(chunk[...]) }
        }, onHeader: { from, frames in
            if from != rate { stream = try ResamplerStream(from: from, to: rate, source: url.path, sink: sink) }
            onHeader(frames.map { Resampler.outputLength(inputLength: $0, from: from, to: rate) })
        })
        try stream?.finish()
        return result
    }

    /// Decodes `url` to mono in chunks handed to `body` in order, checking every sample is finite; returns
    /// the number of mono frames and the file's rate. `onHeader(rate)` runs once the header is validated,
    /// before the first chunk, with the header's frame count when it gives one.
    static func decode(_ url: URL, _ body: ([Float]) throws -> Void,
                       onHeader: (_ rate: Int, _ frames: Int?) throws -> Void = { _, _ in }) throws -> (frames: Int, rate: Int) {
        let decoder = try AudioDecoder(url)
        try onHeader(decoder.rate, decoder.declaredFrames)
        while let chunk = try decoder.next() { try body(chunk) }
        return (decoder.framesRead, decoder.rate)
    }
}

/// An open audio file decoded to mono chunk by chunk, on demand (`next`), so a consumer can pull audio as
/// it needs it (`AudioFeatureStream`). `AudioFile.decode` is the push form of the same loop.
final class AudioDecoder {
    let path: String
    let rate: Int
    let channels: Int
    /// The header's frame count; nil for streams whose length the header cannot give (e.g. an Ogg file cut
    /// before its last page, reported as SF_COUNT_MAX): those are decoded to the end of the data, as
    /// soundfile does.
    let declaredFrames: Int?
    private(set) var framesRead = 0
    private var file: OpaquePointer?
    /// The bytes of a piped input, which libsndfile reads through `MemoryAudioSource` (nil for regular files).
    private var memory: MemoryAudioSource?
    private var scratch: [Float]
    private let chunkFrames: Int

    /// `chunkSamples`: interleaved samples per read (divided among the channels).
    init(_ url: URL, chunkSamples: Int = AudioFile.chunkSamples) throws {
        let path = url.path
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else { throw AudioError.fileNotFound(file: path) }
        let kind: InputFile.Kind
        do { kind = try InputFile.kind(path) } catch { throw AudioError.notAFile(file: path, reason: error.reason) }

        var info = SF_INFO()
        let opened: OpaquePointer?
        switch kind {
        case .regular:
            opened = sf_open(path, Int32(SFM_READ), &info)
        case .pipe:
            // Read once, to its end, then decoded from memory: libsndfile cannot seek in a pipe, and a second
            // open of a pipe would wait forever for a writer that has gone.
            let bytes: Data
            do { bytes = try InputFile.read(url) } catch { throw AudioError.unreadable(file: path, reason: error.reason) }
            let source = MemoryAudioSource(bytes)
            memory = source
            opened = source.open(&info)
        }
        guard let file = opened else {
            throw AudioError.unreadable(file: path, reason: String(cString: sf_strerror(nil)))
        }
        self.file = file
        channels = Int(info.channels)
        rate = Int(info.samplerate)
        // MPEG audio (MP3) has no frame count in its header: libsndfile estimates one from the bitrate, and a file
        // SoX wrote decodes to 2,030 frames fewer than the estimate. Like soundfile, decode to the end of the data.
        let estimated = info.format & Int32(SF_FORMAT_TYPEMASK) == Int32(SF_FORMAT_MPEG)
        declaredFrames = info.frames < sf_count_t.max && !estimated ? Int(info.frames) : nil
        chunkFrames = max(1, chunkSamples / max(1, channels))
        scratch = []
        guard channels > 0 else { throw AudioError.unreadable(file: path, reason: "header declares \(channels) channels") }
        guard AudioFile.sampleRateRange.contains(rate) else { throw AudioError.invalidSampleRate(file: path, rate: rate) }
        guard info.frames > 0 else { throw AudioError.empty(file: path) }
        scratch = [Float](repeating: 0, count: chunkFrames * channels)
    }

    deinit { if let file { sf_close(file) } }

    /// The next mono chunk (at most `AudioFile.chunkSamples / channels` frames), or nil at the end of the
    /// data, after checking that the file held what its header declared.
    func next() throws -> [Float]? {
        guard let file else { return nil }
        let expected = declaredFrames ?? Int(sf_count_t.max)
        if framesRead < expected {
            let want = min(chunkFrames, expected - framesRead)
            let got = scratch.withUnsafeMutableBufferPointer { Int(sf_readf_float(file, $0.baseAddress, sf_count_t(want))) }
            if got > 0 {
                var mono: [Float]
                if channels == 1 {
                    mono = Array(scratch[0..<got])
                } else {
                    // librosa.to_mono: the mean over channels, summed in channel order, then scaled.
                    let ch = channels, scale = 1 / Float(channels)
                    mono = [Float](unsafeUninitializedCapacity: got) { out, n in
                        scratch.withUnsafeBufferPointer { x in
                            for f in 0..<got {
                                var s: Float = 0
                                for c in 0..<ch { s += x[f * ch + c] }
                                out[f] = s * scale
                            }
                        }
                        n = got
                    }
                }
                // One bad sample would turn every STFT frame that covers it into NaN, silently.
                try AudioSignal.checkSamples(mono, file: path, offset: framesRead, rate: rate)
                framesRead += got
                return mono
            }
        }
        defer { sf_close(file); self.file = nil }
        if sf_error(file) != 0 {
            throw AudioError.unreadable(file: path, reason: String(cString: sf_strerror(file)))
        }
        if declaredFrames == nil && framesRead == 0 { throw AudioError.empty(file: path) }
        if let declaredFrames, framesRead != declaredFrames {
            throw AudioError.truncated(file: path, framesRead: framesRead, framesExpected: declaredFrames)
        }
        return nil
    }
}

extension AudioSignal {
    /// Throws `AudioError.nonFiniteSample` at the first NaN or infinity: one bad sample would turn every
    /// STFT frame that covers it into NaN, silently.
    /// Also refuses samples beyond ±`maxSampleMagnitude`, whose power overflows Float (the features would be +inf).
    func checkFinite() throws {
        try AudioSignal.checkSamples(samples, file: source, offset: 0, rate: sampleRate)
    }

    /// Largest sample magnitude accepted: 180 dB above full scale. Float WAV files may exceed ±1, but a sample of
    /// 1e30 makes its power spectrum overflow Float, and every feature frame it touches would be +inf. Up to 1e9
    /// the largest FFT (65536 points) keeps every mel power below 1e33, far inside Float's range.
    public static let maxSampleMagnitude: Float = 1e9

    static func checkSamples(_ x: [Float], file: String, offset: Int, rate: Int) throws {
        guard let i = x.firstIndex(where: { !($0.magnitude <= maxSampleMagnitude) }) else { return }
        let index = offset + i, seconds = Double(index) / Double(max(rate, 1))
        if !x[i].isFinite { throw AudioError.nonFiniteSample(file: file, index: index, seconds: seconds) }
        throw AudioError.sampleOutOfRange(file: file, index: index, seconds: seconds, value: x[i])
    }
}

/// An audio file held in memory (a piped input read once), served to libsndfile through its virtual I/O.
final class MemoryAudioSource {
    let bytes: Data
    var position = 0

    init(_ bytes: Data) { self.bytes = bytes }

    /// Opens the bytes for reading; the decoder keeps `self` alive as long as the SNDFILE.
    func open(_ info: inout SF_INFO) -> OpaquePointer? {
        var io = SF_VIRTUAL_IO(
            get_filelen: { user in sf_count_t(MemoryAudioSource.from(user).bytes.count) },
            seek: { offset, whence, user in
                let m = MemoryAudioSource.from(user)
                let base = whence == SEEK_CUR ? m.position : whence == SEEK_END ? m.bytes.count : 0
                let (target, overflow) = base.addingReportingOverflow(Int(offset))
                guard !overflow, target >= 0 else { return -1 }
                m.position = target
                return sf_count_t(target)
            },
            read: { ptr, count, user in
                let m = MemoryAudioSource.from(user)
                let n = max(0, min(Int(count), m.bytes.count - m.position))
                if n > 0, let ptr {
                    m.bytes.withUnsafeBytes { src in
                        ptr.copyMemory(from: src.baseAddress! + m.position, byteCount: n)
                    }
                }
                m.position += n
                return sf_count_t(n)
            },
            write: { _, _, _ in 0 },
            tell: { user in sf_count_t(MemoryAudioSource.from(user).position) })
        return sf_open_virtual(&io, Int32(SFM_READ), &info, Unmanaged.passUnretained(self).toOpaque())
    }

    static func from(_ user: UnsafeMutableRawPointer?) -> MemoryAudioSource {
        Unmanaged<MemoryAudioSource>.fromOpaque(user!).takeUnretainedValue()
    }
}
