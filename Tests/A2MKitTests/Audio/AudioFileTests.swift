import CSoxr
import Foundation
import Testing
@testable import A2MCore
@testable import A2MAudio

/// Formats, channel layouts and sample rates, all written by sox (not by a2m).
@Suite struct AudioFileTests {
    /// Quantization step of each format relative to the float master: 16-bit has 2^-15 steps; sox rounds.
    static let int16Tolerance: Float = 1.0 / 32768
    static let int24Tolerance: Float = 1.0 / 8_388_608
    /// Vorbis is lossy: a 440 Hz sine keeps its peak and level within 0.5 dB.
    static let lossyLevelToleranceDB = 0.5

    /// A float32 master (0.5·sin 440 Hz, 1 s, 22050 Hz) and a copy in `format` made by sox without dither.
    static func master(in dir: URL) throws -> (URL, [Float]) {
        let x = AudioFixtures.sine(sampleRate: 22050)
        let url = dir.appendingPathComponent("master.wav")
        try AudioFixtures.wavBytes(float32: x, sampleRate: 22050).write(to: url)
        return (url, x)
    }

    @Test(arguments: [
        ("pcm16.wav", ["-b", "16"]), ("pcm24.wav", ["-b", "24"]), ("pcm32.wav", ["-b", "32"]),
        ("float32.wav", ["-e", "floating-point", "-b", "32"]), ("flac16.flac", ["-b", "16"]),
        ("flac24.flac", ["-b", "24"]), ("aiff16.aiff", ["-b", "16"]), ("vorbis.ogg", []),
    ])
    func loadsEveryFormat(name: String, soxArgs: [String]) throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (masterURL, x) = try Self.master(in: dir)
        let url = dir.appendingPathComponent(name)
        try AudioFixtures.sox(["-D", masterURL.path] + soxArgs + [url.path])
        let s = try AudioFile.load(url)
        #expect(s.sampleRate == 22050)
        #expect(s.source == url.path)
        if name.hasSuffix(".ogg") {
            // Lossy: same length (Vorbis may pad), the peak stays at 440 Hz, the level stays put.
            #expect(abs(s.samples.count - x.count) < 2048)
            #expect(abs(try AudioFixtures.spectralPeak(Array(s.samples.prefix(x.count)), sampleRate: 22050) - 440) <= 22050.0 / Double(x.count))
            let rms = { (v: [Float]) in (v.map { Double($0 * $0) }.reduce(0, +) / Double(v.count)).squareRoot() }
            #expect(abs(20 * log10(rms(s.samples) / rms(x))) < Self.lossyLevelToleranceDB)
            return
        }
        try #require(s.samples.count == x.count)
        let tol: Float = name.contains("16") ? Self.int16Tolerance : (name.contains("24") ? Self.int24Tolerance : 1e-7)
        let diff = zip(s.samples, x).map { abs($0 - $1) }.max()!
        #expect(diff <= tol, "\(name): max diff to the float master \(diff), tolerance \(tol)")
    }

    /// librosa.to_mono: the mean of the channels. Each channel is a different tone, so a wrong weight shows.
    @Test(arguments: [2, 6])
    func downmixAveragesChannels(channels: Int) throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var parts = [[Float]](), paths = [String]()
        for c in 0..<channels {
            let x = AudioFixtures.sine(sampleRate: 48000, frequency: 220 * Double(c + 1), amplitude: 0.1 * Double(c + 1) / Double(channels))
            let url = dir.appendingPathComponent("ch\(c).wav")
            try AudioFixtures.wavBytes(float32: x, sampleRate: 48000).write(to: url)
            parts.append(x)
            paths.append(url.path)
        }
        let merged = dir.appendingPathComponent("multi.wav")
        try AudioFixtures.sox(["-M"] + paths + ["-e", "floating-point", "-b", "32", merged.path])
        let s = try AudioFile.load(merged)
        try #require(s.samples.count == parts[0].count)
        let want = (0..<parts[0].count).map { i in parts.map { $0[i] }.reduce(0, +) / Float(channels) }
        let diff = zip(s.samples, want).map { abs($0 - $1) }.max()!
        #expect(diff <= 1e-7, "\(channels)-channel downmix: max diff \(diff)")
    }

    /// 8 k, 44.1 k and 48 k inputs resampled to the model rate: length ceil(n·15360/sr), the tone stays at
    /// its frequency, and the level is kept (HQ passband is flat to 0.913 of the lower Nyquist).
    @Test(arguments: [8000, 44100, 48000])
    func resamplesToModelRate(rate: Int) throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("in.wav")
        try AudioFixtures.sox(["-n", "-r", "\(rate)", "-b", "16", "-D", url.path, "synth", "2", "sine", "1000", "vol", "0.5"])
        let s = try AudioFile.load(url).resampled(to: AudioFeatureConfig.model.sampleRate)
        #expect(s.sampleRate == 15360)
        #expect(s.samples.count == Resampler.outputLength(inputLength: 2 * rate, from: rate, to: 15360))
        #expect(s.samples.count == 30720)
        let peak = try AudioFixtures.spectralPeak(s.samples, sampleRate: 15360)
        #expect(abs(peak - 1000) <= 15360.0 / Double(s.samples.count), "peak at \(peak) Hz")
        let middle = s.samples[2000..<28000]
        let rms = (middle.map { Double($0 * $0) }.reduce(0, +) / Double(middle.count)).squareRoot()
        #expect(abs(rms - 0.5 / 2.0.squareRoot()) < 0.005, "rms \(rms)")
    }

    /// The streaming path (decode → soxr chunk by chunk, never holding the file's PCM) gives the same bits as
    /// loading the whole file and resampling it: for a file longer than one decode chunk (70 s of stereo 44.1 kHz),
    /// a lossy stream, a FLAC at 8 kHz and a file already at the model rate (no resampler).
    @Test(arguments: [
        ("long.wav", ["-r", "44100", "-c", "2", "-b", "16"], 70),
        ("short.ogg", ["-r", "48000", "-c", "1"], 5),
        ("low.flac", ["-r", "8000", "-c", "1", "-b", "16"], 2),
        ("model-rate.wav", ["-r", "15360", "-c", "1", "-b", "16"], 3),
    ] as [(String, [String], Int)])
    func streamingLoadMatchesWholeFile(name: String, format: [String], seconds: Int) throws {
        let dir = try AudioFixtures.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent(name)
        try AudioFixtures.sox(["-n"] + format + ["-D", url.path, "synth", "\(seconds)", "sine", "300-3000", "whitenoise", "vol", "0.3"])
        let rate = AudioFeatureConfig.model.sampleRate
        let whole = try AudioFile.load(url)
        let streamed = try AudioFile.loadResampled(url, to: rate)
        #expect(streamed.sourceFrames == whole.samples.count && streamed.sourceRate == whole.sampleRate)
        let resampled = try whole.resampled(to: rate)
        #expect(SamplerFixtures.bits(streamed.signal.samples) == SamplerFixtures.bits(resampled.samples),
                "\(name): streamed resampling differs from whole-file resampling")
        let features = try AudioFeatures.extract(url: url, config: .model, fps: 30)
        let reference = try LogMelExtractor(.model).motionAlignedLogMel(whole, fps: 30)
        #expect(features.frames == reference.frames && SamplerFixtures.bits(features.values) == SamplerFixtures.bits(reference.values))
    }

    @Test func outputLengthIsCeilLikeLibrosa() {
        #expect(Resampler.outputLength(inputLength: 63986, from: 22050, to: 15360) == 44573)  // ceil(44572.07)
        #expect(Resampler.outputLength(inputLength: 22050, from: 22050, to: 15360) == 15360)
        #expect(Resampler.outputLength(inputLength: 1, from: 48000, to: 8000) == 1)
    }
}

/// The chunked soxr stream must give exactly what one soxr_oneshot over the whole signal gives.
@Suite struct ResamplerTests {
    static func oneshot(_ x: [Float], from: Int, to: Int) -> [Float] {
        var out = [Float](repeating: 0, count: Resampler.outputLength(inputLength: x.count, from: from, to: to))
        var io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
        var q = soxr_quality_spec(UInt(SOXR_HQ), 0)
        var rt = soxr_runtime_spec(1)
        var done = 0
        let e = x.withUnsafeBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o in
                soxr_oneshot(Double(from), Double(to), 1, i.baseAddress, i.count, nil, o.baseAddress, o.count, &done, &io, &q, &rt)
            }
        }
        #expect(e == nil)
        return out
    }

    @Test(arguments: [(22050, 15360), (48000, 15360), (8000, 15360), (44100, 22050)])
    func streamEqualsOneshot(from: Int, to: Int) throws {
        var rng = PCG32(seed: 3)
        for n in [100, Resampler.chunk - 1, 3 * Resampler.chunk + 17, 200_000] {
            let x = (0..<n).map { _ in rng.uniformFloat() - 0.5 }
            let got = try Resampler.resample(x, from: from, to: to)
            #expect(got == Self.oneshot(x, from: from, to: to), "n=\(n) \(from)->\(to)")
        }
    }
}
