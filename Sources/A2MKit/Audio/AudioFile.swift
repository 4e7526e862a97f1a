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
    public static let sampleRateRange = 1000...768_000

    public static func load(_ url: URL) throws -> AudioSignal {
        let path = url.path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw AudioError.fileNotFound(file: path) }
        if isDir.boolValue { throw AudioError.unreadable(file: path, reason: "it is a directory") }

        var info = SF_INFO()
        guard let file = sf_open(path, Int32(SFM_READ), &info) else {
            throw AudioError.unreadable(file: path, reason: String(cString: sf_strerror(nil)))
        }
        defer { sf_close(file) }
        let channels = Int(info.channels)
        guard channels > 0 else { throw AudioError.unreadable(file: path, reason: "header declares \(channels) channels") }
        guard sampleRateRange.contains(Int(info.samplerate)) else {
            throw AudioError.invalidSampleRate(file: path, rate: Int(info.samplerate))
        }
        // Streams whose length the header cannot give (e.g. an Ogg file cut before its last page) report
        // SF_COUNT_MAX: those are decoded to the end of the data, as soundfile does.
        let lengthKnown = info.frames < sf_count_t.max
        let expected = Int(info.frames)
        guard expected > 0 else { throw AudioError.empty(file: path) }

        var mono = [Float]()
        if lengthKnown { mono.reserveCapacity(expected) }
        let chunkFrames = max(1, chunkSamples / channels)
        var scratch = [Float](repeating: 0, count: chunkFrames * channels)
        let scale = 1 / Float(channels)
        while mono.count < expected {
            let want = min(chunkFrames, expected - mono.count)
            let got = scratch.withUnsafeMutableBufferPointer { Int(sf_readf_float(file, $0.baseAddress, sf_count_t(want))) }
            if got <= 0 { break }
            if channels == 1 {
                mono.append(contentsOf: scratch[0..<got])
            } else {
                for f in 0..<got {
                    var s: Float = 0
                    for c in 0..<channels { s += scratch[f * channels + c] }
                    mono.append(s * scale)
                }
            }
        }
        if sf_error(file) != 0 {
            throw AudioError.unreadable(file: path, reason: String(cString: sf_strerror(file)))
        }
        if !lengthKnown && mono.isEmpty { throw AudioError.empty(file: path) }
        guard mono.count == expected || !lengthKnown else {
            throw AudioError.truncated(file: path, framesRead: mono.count, framesExpected: expected)
        }
        let signal = AudioSignal(samples: mono, sampleRate: Int(info.samplerate), source: path)
        try signal.checkFinite()
        return signal
    }
}

extension AudioSignal {
    /// Throws `AudioError.nonFiniteSample` at the first NaN or infinity: one bad sample would turn every
    /// STFT frame that covers it into NaN, silently.
    public func checkFinite() throws {
        if let i = samples.firstIndex(where: { !$0.isFinite }) {
            throw AudioError.nonFiniteSample(file: source, index: i, seconds: Double(i) / Double(sampleRate))
        }
    }
}
